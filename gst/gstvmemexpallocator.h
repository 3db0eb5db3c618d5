/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * GstVmemExpAllocator: a GstDmaBufAllocator whose memory is ordinary,
 * page-aligned process memory exported as a dma-buf through /dev/vmem-exp.
 */
#ifndef __GST_VMEMEXP_ALLOCATOR_H__
#define __GST_VMEMEXP_ALLOCATOR_H__

#include <gst/gst.h>
#include <gst/allocators/allocators.h>

G_BEGIN_DECLS

#define GST_VMEMEXP_ALLOCATOR_NAME "vmemexp"
#define GST_TYPE_VMEMEXP_ALLOCATOR (gst_vmemexp_allocator_get_type())
G_DECLARE_FINAL_TYPE (GstVmemExpAllocator, gst_vmemexp_allocator, GST,
    VMEMEXP_ALLOCATOR, GstDmaBufAllocator);

GstAllocator *gst_vmemexp_allocator_new (void);

/* 0 if the allocator has the vmem-exp device open, else the errno of
 * opening it. An allocator opens it on first use (this, or an export),
 * not when it is made, and tries again after a failure. */
int gst_vmemexp_allocator_open (GstAllocator * allocator);

/* Export [data, data + size) in place; data must be page-aligned. The
 * memory is a dma-buf of round_up(size, page) bytes with size @size: its
 * importers see the bytes up to the end of the last page too, which the
 * caller must own.
 * @readonly exports O_RDONLY. NULL with errno set on failure. */
GstMemory *gst_vmemexp_allocator_export (GstAllocator * allocator,
    gpointer data, gsize size, gboolean readonly);

G_END_DECLS

#endif /* __GST_VMEMEXP_ALLOCATOR_H__ */
