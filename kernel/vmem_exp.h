/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmem-exp: state shared by the device, pinning and dma-buf parts.
 */
#ifndef VMEM_EXP_H
#define VMEM_EXP_H

#include <linux/dma-buf.h>
#include <linux/dma-direction.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/types.h>

/**
 * struct vmem_exp_buf - one exported range; the private data of its dma-buf
 * @pages: the pinned pages, in the order of the addresses they back.
 * @nr_pages: number of entries in @pages.
 * @writable: the export is O_RDWR: importers may write, and the pages are
 *	marked dirty when they are unpinned.
 * @user: the exporting user, charged @nr_pages of locked memory
 *	(RLIMIT_MEMLOCK) until the buffer is released.
 * @mm: the exporting process's mm (held by mmgrab(), not mmget(): only the
 *	struct, not the address space), whose pinned_vm counts @nr_pages.
 * @lock: protects @attachments (and each attachment's mapping state),
 *	@vaddr and @vmap_count. Taken inside dmabuf->resv where the dma-buf
 *	core holds that; never the other way round.
 * @attachments: the &struct vmem_exp_attachment of every attached device.
 * @vaddr: the kernel mapping of all pages, while @vmap_count > 0.
 * @vmap_count: number of vmap calls not yet matched by a vunmap.
 */
struct vmem_exp_buf {
	struct page **pages;
	unsigned long nr_pages;
	bool writable;
	struct user_struct *user;
	struct mm_struct *mm;

	/* See @lock above: attachments, their mappings, vaddr, vmap_count. */
	struct mutex lock;
	struct list_head attachments;
	void *vaddr;
	unsigned int vmap_count;
};

/**
 * struct vmem_exp_attachment - one device attached to a &struct vmem_exp_buf
 * @dev: the attached device.
 * @sgt: the device's DMA mapping of the buffer, NULL while unmapped. It
 *	belongs to the importer while mapped: with CONFIG_DMABUF_DEBUG the
 *	dma-buf core scrambles its page links until it is unmapped.
 * @sync_sgt: a private copy of @sgt, entry for entry, made when it was
 *	mapped: what begin/end_cpu_access sync.
 * @dir: the direction @sgt was mapped with.
 * @node: entry in &vmem_exp_buf.attachments.
 *
 * @sgt, @sync_sgt and @dir are protected by the buffer's lock.
 */
struct vmem_exp_attachment {
	struct device *dev;
	struct sg_table *sgt;
	struct sg_table sync_sgt;
	enum dma_data_direction dir;
	struct list_head node;
};

/* pin.c */
void vmem_exp_limits_init(void);
struct dma_buf *vmem_exp_find_dmabuf(unsigned long start, unsigned long len,
				     bool writable);
int vmem_exp_pin(struct vmem_exp_buf *buf, unsigned long start,
		 unsigned long nr_pages);
void vmem_exp_unpin(struct vmem_exp_buf *buf);

/* dmabuf.c */
struct dma_buf *vmem_exp_create(unsigned long start, unsigned long nr_pages,
				bool writable);

#endif /* VMEM_EXP_H */
