// SPDX-License-Identifier: GPL-2.0
/*
 * vmem-exp: the dma-buf exporter for pinned user pages.
 *
 * Device mappings are per attachment, built from the pinned pages with
 * physically contiguous pages merged up to the device's maximum segment
 * size (and what its DMA mapping can map at once). Userspace mappings of
 * the dma-buf insert the page frames into a VM_PFNMAP vma, a page table's
 * worth per fault, or a whole PMD for a huge page where the kernel has huge
 * PFN mappings: vm_insert_page() refuses anonymous pages, and the vma's
 * reference on the dma-buf file keeps the pins alive for as long as the
 * mapping exists. Both userspace and kernel mappings take the memory type
 * of the owner's mapping (memtype.c). CPU access syncs every attached
 * device, for the whole buffer or (DBUFIOC_VMEM_SYNC) for a part of it.
 */

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/highmem.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "vmem_exp.h"

/*
 * Pages mapped per fault: all of the faulting page's page table (2 MiB of
 * 4 KiB pages on x86_64 and arm64), so that touching a buffer in order
 * takes one fault per page table rather than one per page.
 */
#define VMEM_EXP_FAULT_AROUND	PTRS_PER_PTE

/* What vmem_exp_map_around() maps, one page table entry at a time. */
struct vmem_exp_around {
	struct vm_area_struct *vma;
	struct vmem_exp_buf *buf;
	unsigned long start;
	pgoff_t pgoff;
};

/*
 * Called by apply_to_page_range() under the page table's lock for each
 * entry of the window: maps the buffer's page there unless the entry is
 * taken, as vmf_insert_pfn() would, with the vma's protection.
 */
static int vmem_exp_map_one(pte_t *pte, unsigned long addr, void *data)
{
	struct vmem_exp_around *a = data;
	pgoff_t pgoff = a->pgoff + ((addr - a->start) >> PAGE_SHIFT);
	unsigned long pfn;

	if (pgoff >= a->buf->nr_pages || !pte_none(ptep_get(pte)))
		return 0;
	pfn = page_to_pfn(a->buf->pages[pgoff]);
	set_pte_at(a->vma->vm_mm, addr, pte,
		   pte_mkspecial(pfn_pte(pfn, a->vma->vm_page_prot)));
	update_mmu_cache(a->vma, addr, pte);
	return 0;
}

/*
 * Maps the rest of the faulting page's window once vmem_exp_vm_fault() has
 * mapped that page (so the window's page table exists, and is one: a huge
 * mapping can only replace an empty PMD). One walk and one hold of the
 * page table lock for the window, where vmf_insert_pfn() per page would
 * walk and lock for each page, and on x86 look up the page's PAT memory
 * type in the resource tree each time: the type is the buffer's, which
 * the vma's protection holds (memtype.c). A failure (no memory) leaves
 * the entries to later faults.
 */
static void vmem_exp_map_around(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmem_exp_around a = { .vma = vma, .buf = vma->vm_private_data };
	unsigned long size = VMEM_EXP_FAULT_AROUND * PAGE_SIZE;
	unsigned long window = ALIGN_DOWN(vmf->address, size);
	unsigned long end;

	a.start = max(vma->vm_start, window);
	end = min(vma->vm_end, window + size);
	/* Nothing around: the window is the faulting page alone. */
	if (end - a.start <= PAGE_SIZE)
		return;
	a.pgoff = vma->vm_pgoff + ((a.start - vma->vm_start) >> PAGE_SHIFT);
	apply_to_page_range(vma->vm_mm, a.start, end - a.start,
			    vmem_exp_map_one, &a);
}

static vm_fault_t vmem_exp_vm_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmem_exp_buf *buf = vma->vm_private_data;
	vm_fault_t ret;

	if (vmf->pgoff >= buf->nr_pages)
		return VM_FAULT_SIGBUS;

	ret = vmf_insert_pfn(vma, vmf->address,
			     page_to_pfn(buf->pages[vmf->pgoff]));
	if (!(ret & VM_FAULT_ERROR))
		vmem_exp_map_around(vmf);
	return ret;
}

#ifdef VMEM_EXP_HUGE_PFNMAP
/*
 * Maps a whole PMD at once where the buffer has a naturally aligned,
 * physically contiguous run of pages there (a 2 MiB hugetlb or THP page,
 * say) and the mapping's address is aligned to match; else 4 KiB pages.
 */
static vm_fault_t vmem_exp_vm_huge_fault(struct vm_fault *vmf,
					 unsigned int order)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmem_exp_buf *buf = vma->vm_private_data;
	unsigned long haddr = vmf->address & PMD_MASK;
	unsigned long pfn, i;
	pgoff_t pgoff;

	if (order != PMD_SHIFT - PAGE_SHIFT || haddr < vma->vm_start ||
	    haddr + PMD_SIZE > vma->vm_end)
		return VM_FAULT_FALLBACK;
	pgoff = vma->vm_pgoff + ((haddr - vma->vm_start) >> PAGE_SHIFT);
	if (pgoff + (1UL << order) > buf->nr_pages)
		return VM_FAULT_FALLBACK;
	pfn = page_to_pfn(buf->pages[pgoff]);
	if (!IS_ALIGNED(pfn, 1UL << order))
		return VM_FAULT_FALLBACK;
	for (i = 1; i < 1UL << order; i++)
		if (page_to_pfn(buf->pages[pgoff + i]) != pfn + i)
			return VM_FAULT_FALLBACK;
	return vmem_exp_insert_pfn_pmd(vmf, pfn, vmf->flags & FAULT_FLAG_WRITE);
}
#endif

static const struct vm_operations_struct vmem_exp_vm_ops = {
	.fault = vmem_exp_vm_fault,
#ifdef VMEM_EXP_HUGE_PFNMAP
	.huge_fault = vmem_exp_vm_huge_fault,
#endif
};

static int vmem_exp_attach(struct dma_buf *dmabuf,
			   struct dma_buf_attachment *attach)
{
	struct vmem_exp_buf *buf = dmabuf->priv;
	struct vmem_exp_attachment *a;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	a->dev = attach->dev;
	attach->priv = a;

	mutex_lock(&buf->lock);
	list_add(&a->node, &buf->attachments);
	mutex_unlock(&buf->lock);
	return 0;
}

static void vmem_exp_detach(struct dma_buf *dmabuf,
			    struct dma_buf_attachment *attach)
{
	struct vmem_exp_buf *buf = dmabuf->priv;
	struct vmem_exp_attachment *a = attach->priv;

	mutex_lock(&buf->lock);
	list_del(&a->node);
	/* The dma-buf core unmaps before it detaches. */
	WARN_ON(a->sgt);
	mutex_unlock(&buf->lock);
	kfree(a);
}

/*
 * Copy the mapped @src into a new table @dst, entry for entry (DMA address,
 * length and flags included), keeping @dst's own chain and end marks.
 */
static int vmem_exp_copy_mapped(struct sg_table *dst, struct sg_table *src)
{
	struct scatterlist *s, *d;
	unsigned long marks;
	int ret, i;

	ret = sg_alloc_table(dst, src->orig_nents, GFP_KERNEL);
	if (ret)
		return ret;
	d = dst->sgl;
	for_each_sgtable_sg(src, s, i) {
		marks = d->page_link & SG_PAGE_LINK_MASK;
		*d = *s;
		d->page_link = (s->page_link & ~SG_PAGE_LINK_MASK) | marks;
		d = sg_next(d);
	}
	dst->nents = src->nents;
	return 0;
}

/*
 * Whether each DMA segment of the mapped @sgt is exactly one of its
 * entries, so that the segment at a given offset of the buffer is found by
 * adding up entry lengths (see &vmem_exp_attachment.per_entry).
 */
static bool vmem_exp_sgt_per_entry(struct sg_table *sgt)
{
	struct scatterlist *sg;
	int i;

	if (sgt->nents != sgt->orig_nents)
		return false;
	for_each_sgtable_dma_sg(sgt, sg, i)
		if (sg_dma_len(sg) != sg->length)
			return false;
	return true;
}

/* A table of @buf's pages for @dev, not mapped yet, or an ERR_PTR(). */
static struct sg_table *vmem_exp_alloc_sgt(struct vmem_exp_buf *buf,
					   struct device *dev)
{
	struct sg_table *sgt;
	unsigned int max_seg;
	int ret;

	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	if (!sgt)
		return ERR_PTR(-ENOMEM);

	/*
	 * Segments as large as the device takes and its DMA mapping can map
	 * (swiotlb bounces at most 256 KiB at once).
	 */
	max_seg = min_t(size_t, dma_get_max_seg_size(dev),
			dma_max_mapping_size(dev));
	ret = sg_alloc_table_from_pages_segment(sgt, buf->pages, buf->nr_pages,
						0, buf->nr_pages << PAGE_SHIFT,
						max_seg, GFP_KERNEL);
	if (ret) {
		kfree(sgt);
		return ERR_PTR(ret);
	}
	return sgt;
}

static struct sg_table *vmem_exp_map_dma_buf(struct dma_buf_attachment *attach,
					     enum dma_data_direction dir)
{
	struct vmem_exp_buf *buf = attach->dmabuf->priv;
	struct vmem_exp_attachment *a = attach->priv;
	struct sg_table *sgt;
	int ret;

	/* A read-only export lets devices read, never write. */
	if (!buf->writable && dir != DMA_TO_DEVICE)
		return ERR_PTR(-EACCES);

	sgt = vmem_exp_alloc_sgt(buf, attach->dev);
	if (IS_ERR(sgt))
		return sgt;

	mutex_lock(&buf->lock);
	/* One mapping per attachment: begin/end_cpu_access sync that one. */
	if (a->sgt) {
		ret = -EBUSY;
		goto err_unlock;
	}
	/*
	 * The same pages may sit in several buffers (a user may export
	 * overlapping ranges), so one device may hold several mappings of
	 * them at once. The DMA API tolerates overlapping mappings only when
	 * the mapper does the cache maintenance itself, as DRM's PRIME
	 * exporter does: map without it, then sync for the device (and,
	 * where the kernel has a way to say so, that overlaps are meant:
	 * compat.h).
	 */
	ret = dma_map_sgtable(attach->dev, sgt, dir, VMEM_EXP_DMA_ATTRS);
	if (ret)
		goto err_unlock;
	ret = vmem_exp_copy_mapped(&a->sync_sgt, sgt);
	if (ret)
		goto err_unmap;
	dma_sync_sgtable_for_device(attach->dev, sgt, dir);
	a->sgt = sgt;
	a->dir = dir;
	a->per_entry = vmem_exp_sgt_per_entry(sgt);
	mutex_unlock(&buf->lock);
	return sgt;

err_unmap:
	dma_unmap_sgtable(attach->dev, sgt, dir, VMEM_EXP_DMA_ATTRS);
err_unlock:
	mutex_unlock(&buf->lock);
	sg_free_table(sgt);
	kfree(sgt);
	return ERR_PTR(ret);
}

static void vmem_exp_unmap_dma_buf(struct dma_buf_attachment *attach,
				   struct sg_table *sgt,
				   enum dma_data_direction dir)
{
	struct vmem_exp_buf *buf = attach->dmabuf->priv;
	struct vmem_exp_attachment *a = attach->priv;

	mutex_lock(&buf->lock);
	WARN_ON(a->sgt != sgt);
	a->sgt = NULL;
	sg_free_table(&a->sync_sgt);
	mutex_unlock(&buf->lock);

	/* As in map: the cache maintenance of the unmap, done explicitly. */
	dma_sync_sgtable_for_cpu(attach->dev, sgt, dir);
	dma_unmap_sgtable(attach->dev, sgt, dir, VMEM_EXP_DMA_ATTRS);
	sg_free_table(sgt);
	kfree(sgt);
}

/*
 * Hands bytes [@start, @end) of @a's mapping to the CPU (@for_cpu) or back
 * to the device: only the segments that cover them, and only their part
 * of each, where the mapping allows (@a->per_entry); else, or for the
 * @whole buffer, all of it. A whole sync goes through the table, as it was
 * mapped: DMA-API debug finds the mapping it names even when the device
 * has identical mappings of the same pages from other exports, which it
 * cannot for part of a segment. Called with the buffer's lock held.
 */
static void vmem_exp_sync_attachment(struct vmem_exp_attachment *a,
				     u64 start, u64 end, bool whole,
				     bool for_cpu)
{
	struct scatterlist *sg;
	u64 pos = 0, from, to;
	dma_addr_t addr;
	int i;

	if (!a->per_entry || whole) {
		if (for_cpu)
			dma_sync_sgtable_for_cpu(a->dev, &a->sync_sgt, a->dir);
		else
			dma_sync_sgtable_for_device(a->dev, &a->sync_sgt, a->dir);
		return;
	}
	for_each_sgtable_dma_sg(&a->sync_sgt, sg, i) {
		if (pos >= end)
			break;
		from = max(pos, start);
		to = min_t(u64, pos + sg_dma_len(sg), end);
		pos += sg_dma_len(sg);
		if (from >= to)
			continue;
		addr = sg_dma_address(sg) + (from - (pos - sg_dma_len(sg)));
		if (for_cpu)
			dma_sync_single_for_cpu(a->dev, addr, to - from, a->dir);
		else
			dma_sync_single_for_device(a->dev, addr, to - from,
						   a->dir);
	}
}

/*
 * CPU access to bytes [@start, @end) of @buf, page-aligned: hand them to
 * the CPU (@for_cpu) or back to the devices, for every device that has the
 * buffer mapped, each in the direction it mapped it with, and keep the
 * kernel mapping coherent where one exists.
 */
static void vmem_exp_sync(struct vmem_exp_buf *buf, u64 start, u64 end,
			  bool for_cpu)
{
	bool whole = !start && end == (u64)buf->nr_pages << PAGE_SHIFT;
	struct vmem_exp_attachment *a;

	mutex_lock(&buf->lock);
	if (for_cpu) {
		list_for_each_entry(a, &buf->attachments, node)
			if (a->sgt)
				vmem_exp_sync_attachment(a, start, end, whole,
							 true);
		if (buf->vaddr)
			invalidate_kernel_vmap_range(buf->vaddr + start,
						     end - start);
	} else {
		if (buf->vaddr)
			flush_kernel_vmap_range(buf->vaddr + start,
						end - start);
		list_for_each_entry(a, &buf->attachments, node)
			if (a->sgt)
				vmem_exp_sync_attachment(a, start, end, whole,
							 false);
	}
	mutex_unlock(&buf->lock);
}

static int vmem_exp_begin_cpu_access(struct dma_buf *dmabuf,
				     enum dma_data_direction dir)
{
	vmem_exp_sync(dmabuf->priv, 0, dmabuf->size, true);
	return 0;
}

static int vmem_exp_end_cpu_access(struct dma_buf *dmabuf,
				   enum dma_data_direction dir)
{
	vmem_exp_sync(dmabuf->priv, 0, dmabuf->size, false);
	return 0;
}

static int vmem_exp_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct vmem_exp_buf *buf = dmabuf->priv;

	/*
	 * A private mapping would copy raw page frames on write: refuse. Test
	 * VM_MAYSHARE: mmap clears VM_SHARED when the file is read-only.
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (!buf->writable) {
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		vm_flags_clear(vma, VM_MAYWRITE);
	}
	/* The core checks this too; a fault past the end must stay impossible. */
	if (vma->vm_pgoff > buf->nr_pages ||
	    vma_pages(vma) > buf->nr_pages - vma->vm_pgoff)
		return -EINVAL;

	vm_flags_set(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_page_prot = vmem_exp_memtype_prot(buf, vma->vm_page_prot);
	vma->vm_ops = &vmem_exp_vm_ops;
	vma->vm_private_data = buf;
	return 0;
}

/**
 * vmem_exp_vmap() - the dma-buf's vmap: the kernel mapping of all its pages
 * @dmabuf: a read-write export (read-only ones have no vmap: see
 *	vmem_exp_dmabuf_ro_ops).
 * @map: set to the mapping.
 *
 * The first call maps the pages, with the owner's memory type
 * (memtype.c); where VMEM_EXP_KEEP_VMAP, the mapping then stays until the
 * buffer is released, so that an importer mapping per use (vb2's vmalloc
 * allocator: per frame) makes no vmap() and vunmap() each time. A kept
 * mapping that had no user is invalidated before it is handed out again,
 * as a new one would be (a no-op where caches do not alias: x86, arm64).
 *
 * Return: 0, or -ENOMEM.
 */
static int vmem_exp_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct vmem_exp_buf *buf = dmabuf->priv;
	int ret = 0;

	mutex_lock(&buf->lock);
	if (!buf->vaddr) {
		buf->vaddr = vmap(buf->pages, buf->nr_pages, VM_MAP,
				  vmem_exp_memtype_prot(buf, PAGE_KERNEL));
		if (!buf->vaddr) {
			ret = -ENOMEM;
			goto out_unlock;
		}
	} else if (!buf->vmap_count) {
		invalidate_kernel_vmap_range(buf->vaddr,
					     buf->nr_pages << PAGE_SHIFT);
	}
	buf->vmap_count++;
	iosys_map_set_vaddr(map, buf->vaddr);
out_unlock:
	mutex_unlock(&buf->lock);
	return ret;
}

static void vmem_exp_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct vmem_exp_buf *buf = dmabuf->priv;

	mutex_lock(&buf->lock);
	if (!WARN_ON(!buf->vmap_count) && !--buf->vmap_count) {
		/* Kept (vmem_exp_vmap()): what the kernel wrote goes out. */
		flush_kernel_vmap_range(buf->vaddr, buf->nr_pages << PAGE_SHIFT);
		if (!VMEM_EXP_KEEP_VMAP) {
			vunmap(buf->vaddr);
			buf->vaddr = NULL;
		}
	}
	mutex_unlock(&buf->lock);
}

static void vmem_exp_release(struct dma_buf *dmabuf)
{
	struct vmem_exp_buf *buf = dmabuf->priv;

	WARN_ON(buf->vmap_count || !list_empty(&buf->attachments));
	/* The kernel mapping kept since the first vmap, if any. */
	if (buf->vaddr)
		vunmap(buf->vaddr);
	vmem_exp_info_del(buf);
	vmem_exp_unpin(buf);
	vmem_exp_buf_free(buf);
}

static const struct dma_buf_ops vmem_exp_dmabuf_ops = {
	.attach = vmem_exp_attach,
	.detach = vmem_exp_detach,
	.map_dma_buf = vmem_exp_map_dma_buf,
	.unmap_dma_buf = vmem_exp_unmap_dma_buf,
	.begin_cpu_access = vmem_exp_begin_cpu_access,
	.end_cpu_access = vmem_exp_end_cpu_access,
	.mmap = vmem_exp_mmap,
	.vmap = vmem_exp_vmap,
	.vunmap = vmem_exp_vunmap,
	.release = vmem_exp_release,
};

/*
 * A kernel mapping is always writable, and a kernel importer (vb2's vmalloc
 * allocator, say) writes through it whatever it attached for: read-only
 * exports have no vmap. Leaving the op out, rather than failing it, makes
 * dma_buf_vmap() return -EINVAL without the warning that 6.1 prints when
 * an exporter's vmap fails.
 */
static const struct dma_buf_ops vmem_exp_dmabuf_ro_ops = {
	.attach = vmem_exp_attach,
	.detach = vmem_exp_detach,
	.map_dma_buf = vmem_exp_map_dma_buf,
	.unmap_dma_buf = vmem_exp_unmap_dma_buf,
	.begin_cpu_access = vmem_exp_begin_cpu_access,
	.end_cpu_access = vmem_exp_end_cpu_access,
	.mmap = vmem_exp_mmap,
	.release = vmem_exp_release,
};

/* Is @dmabuf one of vmem-exp's own buffers? */
bool vmem_exp_is_ours(const struct dma_buf *dmabuf)
{
	return dmabuf->ops == &vmem_exp_dmabuf_ops ||
	       dmabuf->ops == &vmem_exp_dmabuf_ro_ops;
}

/**
 * vmem_exp_sync_part() - DBUFIOC_VMEM_SYNC on a part of a vmem-exp buffer
 * @dmabuf: the buffer; vmem_exp_is_ours() must be true of it.
 * @offset: start of the part in bytes, checked to lie inside the buffer.
 * @len: its length, checked likewise. The part is widened to whole pages.
 * @dir: the access the CPU makes, as for dma_buf_begin_cpu_access().
 * @end: end CPU access (%DMA_BUF_SYNC_END) rather than begin it.
 *
 * What dma_buf_begin_cpu_access() and dma_buf_end_cpu_access() do, fences
 * included, but syncing only the scatterlist segments of each attachment
 * that cover the part, and only the part of them inside it.
 *
 * Return: 0, or the error of waiting for the fences (-ERESTARTSYS).
 */
int vmem_exp_sync_part(struct dma_buf *dmabuf, u64 offset, u64 len,
		       enum dma_data_direction dir, bool end)
{
	bool write = dir == DMA_BIDIRECTIONAL || dir == DMA_TO_DEVICE;
	u64 start = round_down(offset, PAGE_SIZE);
	u64 stop = round_up(offset + len, PAGE_SIZE);
	long ret;

	if (end) {
		vmem_exp_sync(dmabuf->priv, start, stop, false);
		return 0;
	}
	/* The devices' work on the buffer ends first, then the CPU's begins. */
	ret = dma_resv_wait_timeout(dmabuf->resv, dma_resv_usage_rw(write),
				    true, MAX_SCHEDULE_TIMEOUT);
	if (ret < 0)
		return ret;
	vmem_exp_sync(dmabuf->priv, start, stop, true);
	return 0;
}

/**
 * vmem_exp_buf_new() - a new buffer for a range, holding nothing yet
 * @range: the range; the buffer is read-write if @range->writable, and
 *	names the calling process and @range->start as its origin.
 *
 * Return: the buffer, for vmem_exp_pin() to fill, or NULL.
 */
struct vmem_exp_buf *vmem_exp_buf_new(const struct vmem_exp_range *range)
{
	struct vmem_exp_buf *buf = kzalloc(sizeof(*buf), GFP_KERNEL_ACCOUNT);

	if (!buf)
		return NULL;
	mutex_init(&buf->lock);
	INIT_LIST_HEAD(&buf->attachments);
	buf->writable = range->writable;
	buf->origin_pid = task_tgid_nr(current);
	get_task_comm(buf->origin_comm, current);
	buf->origin_addr = range->start;
	return buf;
}

/* Frees a buffer of vmem_exp_buf_new() that holds nothing (any more). */
void vmem_exp_buf_free(struct vmem_exp_buf *buf)
{
	mutex_destroy(&buf->lock);
	kfree(buf);
}

/**
 * vmem_exp_create() - pin a range of memory and export it
 * @range: the range, in the caller's or (remote) the target's memory; a
 *	read-write export if @range->writable.
 *
 * A range that is exactly the mapping of a whole dma-buf, and not remote,
 * is exported as that dma-buf (vmem_exp_pin() says when).
 *
 * Return: the new dma-buf, or the mapped one, holding one file reference
 * for the caller, or an ERR_PTR().
 */
struct dma_buf *vmem_exp_create(const struct vmem_exp_range *range)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	bool writable = range->writable;
	struct vmem_exp_buf *buf;
	struct dma_buf *dmabuf;
	int ret;

	/* For a whole dma-buf's mapping, that dma-buf is the export. */
	ret = vmem_exp_pin(range, &buf, &dmabuf);
	if (ret)
		return ERR_PTR(ret);
	if (dmabuf)
		return dmabuf;

	exp_info.ops = writable ? &vmem_exp_dmabuf_ops : &vmem_exp_dmabuf_ro_ops;
	exp_info.size = buf->nr_pages << PAGE_SHIFT;
	exp_info.flags = writable ? O_RDWR : O_RDONLY;
	exp_info.priv = buf;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		vmem_exp_unpin(buf);
		vmem_exp_buf_free(buf);
		return dmabuf;
	}
	/* From here on the dma-buf owns @buf: its release callback frees it. */
	vmem_exp_info_add(buf, dmabuf);
	return dmabuf;
}
