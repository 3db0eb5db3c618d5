/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers that drive the real importers in the guest: vgem (DRM PRIME) and
 * vivid (V4L2 with V4L2_MEMORY_DMABUF).
 */
#ifndef VMEM_EXP_TEST_IMPORTERS_H
#define VMEM_EXP_TEST_IMPORTERS_H

#include <stddef.h>
#include <stdint.h>

/* The vgem card's fd; bails out if there is none. */
int vgem_open(void);
/* PRIME import: 0 and the GEM handle, or -errno. */
int vgem_import(int card, int dmabuf, uint32_t *handle);
/* A vgem dumb buffer exported as a dma-buf fd; bails out on failure. */
int vgem_dmabuf(int card, size_t len);
void vgem_close_handle(int card, uint32_t handle);

/* vivid's single-planar video capture node, set to WxH YUYV; bails out. */
int vivid_capture_open(unsigned int width, unsigned int height,
		       size_t *sizeimage, unsigned int *bytesperline);
/*
 * Capture one frame into a dma-buf: 0 and the bytes used, or -errno from the
 * V4L2 call that failed. Streams on and off around the frame.
 */
int vivid_capture_dmabuf(int video, int dmabuf, size_t len, size_t *bytesused);
/* Capture one frame into a driver (MMAP) buffer and copy it to @out. */
int vivid_capture_mmap(int video, void *out, size_t len);

#endif /* VMEM_EXP_TEST_IMPORTERS_H */
