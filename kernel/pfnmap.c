// SPDX-License-Identifier: GPL-2.0
/*
 * vmem-exp: the frames of raw PFN mappings (VM_IO, VM_PFNMAP).
 *
 * gup cannot pin them: they are found by walking the page tables, a frame
 * at a time, and checked to be ordinary RAM of the buffer's memory type.
 * What keeps them from being freed and reused is decided by
 * vmem_exp_vma_kind() (policy.c).
 */

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/page-flags.h>
#include <linux/refcount.h>
#include <linux/sched/signal.h>
#include <media/videobuf2-memops.h>

#include "compat.h"
#include "vmem_exp.h"

/*
 * The struct page of a frame found in a raw PFN mapping, if it is ordinary
 * RAM: not I/O memory or a hole (no struct page, or device memory that is
 * never online), not reserved, not a slab page (its objects are freed and
 * reused behind any page reference).
 */
static struct page *vmem_exp_ram_page(unsigned long pfn)
{
	struct page *page = pfn_to_online_page(pfn);

	if (!page || is_zone_device_page(page) || PageSlab(page))
		return NULL;
	if (!PageCompound(page) && PageReserved(page))
		return NULL;
	return page;
}

/*
 * A reference that keeps @page's memory from going back to the page
 * allocator. The tail pages of a high-order allocation that was never split
 * have no reference count of their own (it is zero): refused.
 */
static bool vmem_exp_get_frame(struct page *page)
{
	struct folio *folio = page_folio(page);

	if (!folio_try_get(folio))
		return false;
	if (page_folio(page) != folio) {	/* split under us */
		folio_put(folio);
		return false;
	}
	return true;
}

/* What vmem_exp_take_frame() works with. */
struct vmem_exp_frame {
	struct vmem_exp_buf *buf;
	enum vmem_exp_hold_kind kind;
	struct page *page;
};

/* vmem_exp_take_frame(): the entry does not allow the export's writes. */
#define VMEM_EXP_FRAME_READONLY	2

/*
 * Called under the page table lock with a frame of a raw PFN mapping, the
 * protection it is mapped with and whether the entry allows writes: checks
 * that it is ordinary RAM of the buffer's memory type, writable if the
 * buffer is (else %VMEM_EXP_FRAME_READONLY) and, for %VMEM_EXP_HOLD_REF,
 * takes the page reference that holds it.
 */
static int vmem_exp_take_frame(unsigned long pfn, pgprot_t prot, bool writable,
			       void *arg)
{
	struct vmem_exp_frame *frame = arg;
	int ret;

	if (frame->buf->writable && !writable)
		return VMEM_EXP_FRAME_READONLY;
	frame->page = vmem_exp_ram_page(pfn);
	if (!frame->page)
		return -ENXIO;
	ret = vmem_exp_memtype_add(frame->buf, prot, true);
	if (ret)
		return ret;
	if (frame->kind == VMEM_EXP_HOLD_REF && !vmem_exp_get_frame(frame->page))
		return -ENXIO;
	return 0;
}

/*
 * Finds and takes the frame mapped at @addr in @vma, a raw PFN mapping,
 * faulting it in first if the driver maps lazily, or for writing if a
 * read-write export finds the entry read-only: a VM_WRITE mapping may map
 * read-only and let a write fault decide (pfn_mkwrite). The export writes
 * only where the caller's own write would be let through (VFIO's rule).
 */
static int vmem_exp_walk_one(struct vmem_exp_buf *buf,
			     struct vm_area_struct *vma, unsigned long addr,
			     enum vmem_exp_hold_kind kind, struct page **pagep)
{
	struct vmem_exp_frame frame = { .buf = buf, .kind = kind };
	bool writable = buf->writable;
	int ret, denied;

	ret = vmem_exp_follow_pfn(vma, addr, vmem_exp_take_frame, &frame);
	if (ret > 0) {
		/* Not mapped yet, or not writable: fault as an access would. */
		denied = ret == VMEM_EXP_FRAME_READONLY ? -EACCES : -EFAULT;
		ret = fixup_user_fault(vma->vm_mm, addr,
				       writable ? FAULT_FLAG_WRITE : 0, NULL);
		if (ret)
			return ret == -EINTR ? ret : denied;
		ret = vmem_exp_follow_pfn(vma, addr, vmem_exp_take_frame, &frame);
		if (ret == VMEM_EXP_FRAME_READONLY)
			return -EACCES;
		if (ret > 0)
			return -EFAULT;
	}
	if (!ret)
		*pagep = frame.page;
	return ret;
}

/**
 * vmem_exp_pfnmap_hold() - hold the frames of part of a raw PFN mapping
 * @buf: the buffer they are for.
 * @vma: the mapping, under mmap_lock; vmem_exp_vma_kind() said how it is
 *	held (@hold->kind, %VMEM_EXP_HOLD_REF or %VMEM_EXP_HOLD_VB2).
 * @addr: start of the part.
 * @end: its end.
 * @hold: the hold; @hold->count counts the frames taken, also on failure.
 * @pages: receives the frames' pages, in the order of their addresses.
 *
 * Return: 0, what vmem_exp_walk_one() failed with, or -EINTR.
 */
int vmem_exp_pfnmap_hold(struct vmem_exp_buf *buf, struct vm_area_struct *vma,
			 unsigned long addr, unsigned long end,
			 struct vmem_exp_hold *hold, struct page **pages)
{
	int ret;

	if (hold->kind == VMEM_EXP_HOLD_VB2) {
		/*
		 * What vb2_common_vm_open() does for a new copy of the
		 * mapping: the mapping holds a reference, so the count is
		 * not zero. The file keeps the driver, and so vb2's put, in
		 * memory.
		 */
		hold->vb2 = vma->vm_private_data;
		refcount_inc(hold->vb2->refcount);
		hold->file = get_file(vma->vm_file);
	}

	while (addr < end) {
		ret = vmem_exp_walk_one(buf, vma, addr, hold->kind,
					pages + hold->count);
		if (ret)
			return ret;
		hold->count++;
		addr += PAGE_SIZE;
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	return 0;
}

/*
 * Releases what vmem_exp_pfnmap_hold() took for @hold; @writable: mark the
 * pages dirty first.
 */
void vmem_exp_pfnmap_release(struct vmem_exp_hold *hold, struct page **pages,
			     bool writable)
{
	unsigned long i;

	if (hold->kind == VMEM_EXP_HOLD_VB2) {
		/* What vb2_common_vm_close() does. */
		hold->vb2->put(hold->vb2->arg);
		fput(hold->file);
		return;
	}
	for (i = 0; i < hold->count; i++) {
		if (writable)
			set_page_dirty_lock(pages[i]);
		put_page(pages[i]);
	}
}
