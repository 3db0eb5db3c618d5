/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers that drive the real importers in the guest: vgem (DRM PRIME) and
 * vivid (V4L2 with V4L2_MEMORY_DMABUF).
 */
#ifndef VMEM_EXP_TEST_IMPORTERS_H
#define VMEM_EXP_TEST_IMPORTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The vgem card's fd; bails out if there is none. */
int vgem_open(void);
/* PRIME import: 0 and the GEM handle, or -errno. */
int vgem_import(int card, int dmabuf, uint32_t *handle);
/* A vgem dumb buffer exported as a dma-buf fd; bails out on failure. */
int vgem_dmabuf(int card, size_t len);
void vgem_close_handle(int card, uint32_t handle);

/*
 * vivid runs four instances in the guest: 0 and 2 use vb2's vmalloc
 * allocator (MMAP buffers are VM_MIXEDMAP mappings; imports go through
 * vmap), 1 and 3 its dma-contig allocator (MMAP buffers are VM_PFNMAP
 * mappings; imports go through a DMA mapping and need physically contiguous
 * buffers). The second of each pair imports what the first exports.
 */
#define VIVID_VMALLOC	0
#define VIVID_DMA_CONTIG 1
#define VIVID_VMALLOC_2	2
#define VIVID_DMA_CONTIG_2 3

/*
 * Open vivid instance @inst's single-planar video capture node (@output
 * false) or output node (@output true), set to WxH YUYV; bails out.
 */
int vivid_open(int inst, bool output, unsigned int width, unsigned int height,
	       size_t *sizeimage);
/*
 * On a capture node, capture one frame into a dma-buf (streaming on and off
 * around it); on an output node, prepare a buffer with the dma-buf, which
 * attaches and maps it for the device. 0 and the bytes used, or -errno from
 * the V4L2 call that failed.
 */
int vivid_dmabuf_frame(int video, int dmabuf, size_t len, size_t *bytesused);
/* Capture one frame into a driver (MMAP) buffer and copy it to @out. */
int vivid_capture_mmap(int video, void *out, size_t len);
/*
 * Capture one frame into a driver (MMAP) buffer and leave it mapped
 * read-write at *@p, *@len bytes: 0 or -errno. vivid_free_mmap() frees the
 * driver's buffers (after munmap(), or not).
 */
int vivid_mmap_frame(int video, void **p, size_t *len);
void vivid_free_mmap(int video);
/*
 * Play the dma-buf @dmabuf (@len bytes, one 640x480 YUYV frame at its
 * start) on vivid instance @inst's HDMI output, loop it to the same
 * instance's HDMI input and capture one frame into a driver (MMAP) buffer,
 * copied to @captured (@caplen bytes, at least one frame). vivid's
 * inputs, outputs, timings and controls are put back as they were.
 * 0, or -errno from the call that failed.
 */
int vivid_loop_frame(int inst, int dmabuf, size_t len, void *captured,
		     size_t caplen);

#endif /* VMEM_EXP_TEST_IMPORTERS_H */
