// SPDX-License-Identifier: GPL-2.0
/*
 * vmem-exp: find and pin the pages behind a range of the caller's memory.
 *
 * The range is checked and pinned under one hold of mmap_lock, so the
 * mappings that were checked are the ones that get pinned. Pins are
 * FOLL_LONGTERM: the buffer may live for hours, so the pages are first moved
 * out of movable zones and CMA, and then cannot move until they are unpinned.
 */

#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "compat.h"
#include "vmem_exp.h"

/*
 * Returns the gup flags for the part of the range that @vma maps, or a
 * negative errno if that part cannot be exported.
 */
static int vmem_exp_vma_gup_flags(struct vm_area_struct *vma, bool writable)
{
	unsigned int flags = FOLL_LONGTERM;

	/*
	 * I/O and raw PFN mappings have no pages that a pin could hold;
	 * neither does a mapping that the owner cannot read, and an export
	 * must never grant more than the owner's own mapping does.
	 */
	if (vma->vm_flags & (VM_IO | VM_PFNMAP))
		return -EFAULT;
	if (!(vma->vm_flags & VM_READ))
		return -EFAULT;
	if (writable && !(vma->vm_flags & VM_WRITE))
		return -EACCES;

	/*
	 * A read-only pin of private anonymous memory that was never written
	 * would pin the shared zero page, and the owner's later writes would
	 * land in a fresh page the export never sees. Where the owner may
	 * write anyway, fault the page in for writing so that the export
	 * holds the owner's own page. The export itself stays read-only.
	 */
	if (writable || (vma_is_anonymous(vma) && (vma->vm_flags & VM_WRITE)))
		flags |= FOLL_WRITE;

	return flags;
}

/**
 * vmem_exp_pin() - pin the pages behind a range of current's address space
 * @buf: receives the pages; @buf->writable says whether importers may write.
 * @start: page-aligned start address.
 * @nr_pages: number of pages, at least one; the caller checked that the
 *	range lies in user space.
 *
 * All or nothing: on failure no page stays pinned and @buf->pages is NULL.
 *
 * Return: 0, -EFAULT if part of the range is not mapped, not readable or not
 * backed by pages, -EACCES if @buf->writable and part of the range is not
 * writable, -ENOMEM, or -EINTR if a fatal signal arrived.
 */
int vmem_exp_pin(struct vmem_exp_buf *buf, unsigned long start,
		 unsigned long nr_pages)
{
	unsigned long end = start + (nr_pages << PAGE_SHIFT);
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	unsigned long addr, done = 0;
	struct page **pages;
	long ret;

	pages = kvmalloc_array(nr_pages, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		return -ENOMEM;

	if (mmap_read_lock_killable(mm)) {
		ret = -EINTR;
		goto err_free;
	}

	/* Check the whole range first: a refusal then costs no pinning. */
	for (addr = start; addr < end; addr = vma->vm_end) {
		vma = vma_lookup(mm, addr);
		if (!vma) {
			ret = -EFAULT;
			goto err_unlock;
		}
		ret = vmem_exp_vma_gup_flags(vma, buf->writable);
		if (ret < 0)
			goto err_unlock;
	}

	for (addr = start; addr < end; addr = vma->vm_end) {
		unsigned long chunk_end;
		int gup_flags;

		vma = vma_lookup(mm, addr);
		gup_flags = vmem_exp_vma_gup_flags(vma, buf->writable);
		chunk_end = min(end, vma->vm_end);

		while (addr < chunk_end) {
			ret = vmem_exp_pin_user_pages(addr,
						      (chunk_end - addr) >> PAGE_SHIFT,
						      gup_flags, pages + done);
			if (ret <= 0) {
				if (!ret)
					ret = -EFAULT;
				goto err_unpin;
			}
			done += ret;
			addr += ret << PAGE_SHIFT;
			if (fatal_signal_pending(current)) {
				ret = -EINTR;
				goto err_unpin;
			}
		}
	}
	mmap_read_unlock(mm);

	buf->pages = pages;
	buf->nr_pages = nr_pages;
	return 0;

err_unpin:
	unpin_user_pages(pages, done);
err_unlock:
	mmap_read_unlock(mm);
err_free:
	kvfree(pages);
	return ret;
}

/**
 * vmem_exp_unpin() - release the pins taken by vmem_exp_pin()
 * @buf: the buffer; its pages are marked dirty if importers could write.
 */
void vmem_exp_unpin(struct vmem_exp_buf *buf)
{
	unpin_user_pages_dirty_lock(buf->pages, buf->nr_pages, buf->writable);
	kvfree(buf->pages);
	buf->pages = NULL;
	buf->nr_pages = 0;
}
