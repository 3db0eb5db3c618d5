// SPDX-License-Identifier: GPL-2.0
/*
 * vmem-exp: find and hold the pages behind a range of the caller's memory,
 * or of another process's (a remote export, see remote.c).
 *
 * The range is checked and held under one hold of mmap_lock, so the
 * mappings that were checked are the ones that get held. Ordinary memory
 * and pages a driver inserted one by one are pinned with FOLL_LONGTERM: the
 * buffer may live for hours, so the pages are first moved out of movable
 * zones and CMA, and then cannot move until they are unpinned. Raw PFN
 * mappings are walked through the page tables, and held either by the
 * owning driver's own reference on its buffer or by page references, where
 * that is known to be sound (see vmem_exp_vma_kind()), or refused.
 * policy.c decides how each mapping is held, account.c charges the pages,
 * pfnmap.c walks raw PFN mappings.
 */

#include <linux/dma-buf.h>
#include <linux/fs.h>
#include <linux/hugetlb.h>
#include <linux/mm.h>
#include <linux/pkeys.h>
#include <linux/sched/signal.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/userfaultfd_k.h>

#include "compat.h"
#include "vmem_exp.h"

/*
 * Whether the hugetlb pages just pinned may stay pinned for the buffer's
 * life (compat.h: before 6.5, not those in ZONE_MOVABLE).
 */
static bool vmem_exp_hugetlb_pages_pinnable(struct page **pages, long nr)
{
	unsigned long pfn;
	long i;

	/*
	 * A zone holds whole huge pages: look at the first page of each
	 * (2 MiB-aligned, or not contiguous with the page before), not at
	 * the struct page of every 4 KiB.
	 */
	for (i = 0; i < nr; i++) {
		pfn = page_to_pfn(pages[i]);
		if (i && pfn == page_to_pfn(pages[i - 1]) + 1 &&
		    !IS_ALIGNED(pfn, PMD_SIZE >> PAGE_SHIFT))
			continue;
		if (!vmem_exp_hugetlb_pinnable(pages[i]))
			return false;
	}
	return true;
}

/*
 * The errno of the ABI for what gup or memfd_pin_folios() failed with
 * (@err < 0): -EEXIST, a raw PFN entry with no page to pin, is -ENXIO;
 * -EHWPOISON, a hardware-poisoned page, is -EFAULT, as it is where the
 * kernel does not ask for the distinction; -EBUSY, memory that could not
 * be moved out of the movable zone or device memory for a long-term pin,
 * is -ENOMEM, what gup says for the other failed moves. Others pass.
 */
static long vmem_exp_pin_errno(long err)
{
	switch (err) {
	case -EEXIST:
		return -ENXIO;
	case -EHWPOISON:
		return -EFAULT;
	case -EBUSY:
		return -ENOMEM;
	}
	return err;
}

#ifdef VMEM_EXP_PIN_BY_FILE
/* Folios pinned per call of memfd_pin_folios(): a page of pointers. */
#define VMEM_EXP_FOLIO_BATCH	(PAGE_SIZE / sizeof(struct folio *))
/* Batches this small live on the stack: no allocation for small exports. */
#define VMEM_EXP_FOLIO_STACK	16

/*
 * Whether [@addr, @end) of @vma, a mapping vmem_exp_vma_kind() said is to
 * be pinned, can be pinned through its file: a shared mapping of shmem
 * or hugetlbfs maps the file's own pages (no copy on write), which
 * memfd_pin_folios() pins from the page cache a folio at a time, as gup
 * would (long-term: moved out of movable zones first). Not past the end
 * of the file, where the mapping has nothing to pin.
 */
static bool vmem_exp_pinnable_by_file(struct vm_area_struct *vma,
				      unsigned long addr, unsigned long end)
{
	struct file *file = vma->vm_file;
	loff_t last;

	if (!file || !(vma->vm_flags & VM_SHARED))
		return false;
	if (!shmem_mapping(file->f_mapping) && !is_vm_hugetlb_page(vma))
		return false;
	/*
	 * What only the page tables say about the owner's own access goes
	 * through gup, which asks them: a protection key, a userfaultfd
	 * that must see the missing pages, guard regions.
	 */
	if (vma_pkey(vma) || userfaultfd_armed(vma) ||
	    vmem_exp_vma_maybe_guarded(vma))
		return false;
	last = (loff_t)linear_page_index(vma, end - PAGE_SIZE) << PAGE_SHIFT;
	return last + PAGE_SIZE <= i_size_read(file_inode(file));
}

/*
 * Puts the pages of the @nr folios that memfd_pin_folios() pinned, from
 * @offset in the first, at @pages + *@done, no more than @nr_pages in all,
 * and adds them to *@done. Returns -EFAULT if one of the folios is
 * hardware-poisoned, else 0.
 */
static int vmem_exp_folio_pages(struct folio **folios, long nr, pgoff_t offset,
				struct page **pages, unsigned long *done,
				unsigned long nr_pages)
{
	unsigned long first, n, j;
	int ret = 0;
	long i;

	/* Each folio returned is taken whole: the next call starts after it. */
	for (i = 0; i < nr; i++) {
		first = i ? 0 : offset >> PAGE_SHIFT;
		n = min_t(unsigned long, folio_nr_pages(folios[i]) - first,
			  nr_pages - *done);
		for (j = 0; j < n; j++)
			pages[*done + j] = folio_page(folios[i], first + j);
		*done += n;
		/*
		 * memfd_pin_folios() takes a hardware-poisoned folio
		 * from the page cache, which the owner's access and
		 * gup refuse: so does the export (the caller unpins).
		 * A small folio has no "has hwpoisoned" flag: testing
		 * it reads the next page's flags (PG_active).
		 */
		if (folio_contain_hwpoisoned_page(folios[i]))
			ret = -EFAULT;
	}
	return ret;
}

/**
 * vmem_exp_pin_file() - pin a shared mapping of shmem or hugetlbfs by file
 * @vma: the mapping, held under mmap_lock; see vmem_exp_pinnable_by_file().
 * @addr: start of the part of it to pin.
 * @nr_pages: number of pages from @addr.
 * @pages: receives the pages, in the order of their addresses.
 * @pinned: receives the number of pages pinned, also on failure: those
 *	stay pinned, for the caller to release.
 *
 * One pin per folio, however many of its pages the range covers: what
 * vmem_exp_unpin_file() releases. The pages of each folio are found by
 * arithmetic, without touching their struct pages.
 *
 * Return: 0 once all are pinned, -EFAULT if the file no longer reaches the
 * end of the range or a page is hardware-poisoned, what else
 * memfd_pin_folios() failed with (see vmem_exp_pin_errno()), or -EINTR.
 */
static int vmem_exp_pin_file(struct vm_area_struct *vma, unsigned long addr,
			     unsigned long nr_pages, struct page **pages,
			     unsigned long *pinned)
{
	loff_t pos = (loff_t)linear_page_index(vma, addr) << PAGE_SHIFT;
	loff_t last = pos + ((loff_t)nr_pages << PAGE_SHIFT) - 1;
	unsigned long done = 0, batch;
	struct folio *on_stack[VMEM_EXP_FOLIO_STACK];
	struct folio **folios = on_stack;
	pgoff_t offset;
	int ret = 0;
	long nr;

	/* No more folios than pages: a small range takes a small batch. */
	batch = min_t(unsigned long, nr_pages, VMEM_EXP_FOLIO_BATCH);
	if (batch > ARRAY_SIZE(on_stack)) {
		folios = kmalloc_array(batch, sizeof(*folios), GFP_KERNEL);
		if (!folios)
			return -ENOMEM;
	}
	while (done < nr_pages) {
		nr = memfd_pin_folios(vma->vm_file,
				      pos + ((loff_t)done << PAGE_SHIFT), last,
				      folios, batch, &offset);
		if (nr <= 0) {
			/*
			 * EINVAL: a truncation moved the file's end into the
			 * range since vmem_exp_pinnable_by_file() looked: that
			 * part of the range maps nothing now, EFAULT as for
			 * gup's path.
			 */
			ret = nr && nr != -EINVAL ? vmem_exp_pin_errno(nr) : -EFAULT;
			break;
		}
		ret = vmem_exp_folio_pages(folios, nr, offset, pages, &done,
					   nr_pages);
		if (ret)
			break;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
	}
	if (folios != on_stack)
		kfree(folios);
	*pinned = done;
	return ret;
}

/* Releases the pins of vmem_exp_pin_file(): one per folio. */
static void vmem_exp_unpin_file(struct page **pages, unsigned long count,
				bool writable)
{
	struct folio *folio;
	unsigned long i, n;

	for (i = 0; i < count; i += n) {
		folio = page_folio(pages[i]);
		n = min_t(unsigned long,
			  folio_nr_pages(folio) - folio_page_idx(folio, pages[i]),
			  count - i);
		if (writable && !folio_test_dirty(folio))
			set_page_dirty_lock(pages[i]);
		unpin_folio(folio);
	}
}
#endif

/*
 * Pins the pages of [@addr, @end) in @vma, a mapping gup pins, into @pages
 * with @hold->gup_flags; @hold->count counts what is pinned, also on
 * failure.
 */
static int vmem_exp_pin_range(struct vm_area_struct *vma, unsigned long addr,
			      unsigned long end, struct vmem_exp_hold *hold,
			      struct page **pages)
{
	unsigned long faulted = 0;
	long ret;

	while (addr < end) {
		ret = vmem_exp_pin_user_pages(vma->vm_mm, addr,
					      (end - addr) >> PAGE_SHIFT,
					      hold->gup_flags,
					      pages + hold->count);
		/*
		 * Not present, or present but shared copy-on-write:
		 * see vmem_exp_pin_flags(). A read fault, what a read
		 * of /proc/PID/mem does, brings in the first; the
		 * second fails again once it has.
		 */
		if (ret == -EFAULT && (hold->gup_flags & FOLL_NOFAULT)) {
			if (addr == faulted)
				return -EPERM;
			ret = fixup_user_fault(vma->vm_mm, addr, 0, NULL);
			if (ret)
				return vmem_exp_pin_errno(ret);
			faulted = addr;
			continue;
		}
		if (ret <= 0)
			return ret ? vmem_exp_pin_errno(ret) : -EFAULT;
		/*
		 * Such pages could not be moved out of the movable
		 * zone first, as gup moves other memory: -ENOMEM, as
		 * gup says when a move fails. Counted, so unpinned.
		 */
		if (is_vm_hugetlb_page(vma) &&
		    !vmem_exp_hugetlb_pages_pinnable(pages + hold->count, ret)) {
			hold->count += ret;
			return -ENOMEM;
		}
		hold->count += ret;
		addr += ret << PAGE_SHIFT;
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	return 0;
}

/*
 * Collects the pages of [@addr, @end) in @vma into @pages and holds them as
 * @hold->kind says; @hold->count counts what is held, also on failure.
 */
static int vmem_exp_hold_range(struct vmem_exp_buf *buf,
			       struct vm_area_struct *vma, unsigned long addr,
			       unsigned long end, struct vmem_exp_hold *hold,
			       struct page **pages)
{
	if (hold->kind != VMEM_EXP_HOLD_PIN)
		return vmem_exp_pfnmap_hold(buf, vma, addr, end, hold, pages);

#ifdef VMEM_EXP_PIN_BY_FILE
	if (vmem_exp_pinnable_by_file(vma, addr, end)) {
		hold->by_file = true;
		return vmem_exp_pin_file(vma, addr, (end - addr) >> PAGE_SHIFT,
					 pages, &hold->count);
	}
#endif
	return vmem_exp_pin_range(vma, addr, end, hold, pages);
}

/* Releases what @hold holds; @writable: mark the pages dirty first. */
static void vmem_exp_release_hold(struct vmem_exp_hold *hold,
				  struct page **pages, bool writable)
{
	unsigned long i, n;

	if (hold->kind != VMEM_EXP_HOLD_PIN) {
		vmem_exp_pfnmap_release(hold, pages, writable);
		return;
	}
#ifdef VMEM_EXP_PIN_BY_FILE
	if (hold->by_file) {
		vmem_exp_unpin_file(pages, hold->count, writable);
		return;
	}
#endif
	/*
	 * A pin per page, released a physically contiguous run at a
	 * time: the kernel then works per folio, not per page.
	 */
	for (i = 0; i < hold->count; i += n) {
		for (n = 1; i + n < hold->count &&
		     page_to_pfn(pages[i + n]) == page_to_pfn(pages[i]) + n;
		     n++)
			;
		unpin_user_page_range_dirty_lock(pages[i], n, writable);
	}
}

/*
 * The number of mappings that the range from @vma's start (or from within
 * it) to @end meets, or -EFAULT if part of it is not mapped. Under
 * mmap_lock.
 */
static long vmem_exp_count_vmas(struct vm_area_struct *vma, unsigned long end)
{
	long n;

	for (n = 1; vma->vm_end < end; n++) {
		vma = vma_lookup(vma->vm_mm, vma->vm_end);
		if (!vma)
			return -EFAULT;
	}
	return n;
}

/*
 * Decide how each mapping of the range is held before holding any:
 * a refusal then costs no pinning. The mapping the range starts in
 * is looked up once; most ranges lie within it. Fills @buf->holds, one
 * entry per mapping from @first, the mapping the range starts in; on
 * failure the caller frees them. Under mmap_lock.
 */
static long vmem_exp_plan_holds(struct vmem_exp_buf *buf,
				const struct vmem_exp_range *range,
				struct vm_area_struct *first)
{
	unsigned long start = range->start;
	unsigned long end = start + (range->nr_pages << PAGE_SHIFT);
	struct vm_area_struct *vma;
	struct vmem_exp_hold *hold;
	unsigned long addr;
	long ret;

	ret = vmem_exp_count_vmas(first, end);
	if (ret < 0)
		return ret;
	buf->holds = kvcalloc(ret, sizeof(*buf->holds), GFP_KERNEL_ACCOUNT);
	if (!buf->holds)
		return -ENOMEM;
	for (addr = start; addr < end; addr = vma->vm_end) {
		vma = addr == start ? first : vma_lookup(range->mm, addr);
		hold = &buf->holds[buf->nr_holds++];
		ret = vmem_exp_vma_kind(vma, range, &hold->gup_flags);
		if (ret < 0)
			return ret;
		hold->kind = ret;
		/*
		 * The pages gup pins are mapped with the vma's protection;
		 * raw PFN mappings are checked frame by frame, as they are
		 * walked: memtype.c.
		 */
		if (hold->kind == VMEM_EXP_HOLD_PIN) {
			ret = vmem_exp_memtype_add(buf, vma->vm_page_prot, false);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/*
 * Holds the pages of each mapping of the range, from @first on, into
 * @pages as @buf->holds says. All or nothing: on failure what was held is
 * released. Under mmap_lock.
 */
static long vmem_exp_hold_all(struct vmem_exp_buf *buf,
			      const struct vmem_exp_range *range,
			      struct vm_area_struct *first, struct page **pages)
{
	unsigned long start = range->start;
	unsigned long end = start + (range->nr_pages << PAGE_SHIFT);
	unsigned long addr, done = 0;
	struct vm_area_struct *vma;
	struct vmem_exp_hold *hold;
	unsigned int started = 0;
	long ret;

	for (addr = start; started < buf->nr_holds; addr = vma->vm_end) {
		hold = &buf->holds[started++];
		vma = addr == start ? first : vma_lookup(range->mm, addr);
		hold->first = done;
		ret = vmem_exp_hold_range(buf, vma, addr, min(end, vma->vm_end),
					  hold, pages + done);
		done += hold->count;
		if (ret)
			goto err_release;
	}
	return 0;

err_release:
	/* Nothing was shared yet: nothing to mark dirty. */
	while (started--)
		vmem_exp_release_hold(&buf->holds[started],
				      pages + buf->holds[started].first, false);
	return ret;
}

/*
 * Plans @buf's holds of @range (from its first mapping @first on), charges
 * its pages and holds them; all or nothing. Under mmap_lock.
 */
static int vmem_exp_fill(struct vmem_exp_buf *buf, const struct vmem_exp_range *range,
			 struct vm_area_struct *first)
{
	unsigned long nr_pages = range->nr_pages;
	struct page **pages;
	long ret;

	ret = vmem_exp_plan_holds(buf, range, first);
	if (ret)
		goto err_free_holds;
	pages = kvmalloc_array(nr_pages, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages) {
		ret = -ENOMEM;
		goto err_free_holds;
	}
	ret = vmem_exp_charge(buf, nr_pages);
	if (ret)
		goto err_free_pages;
	ret = vmem_exp_hold_all(buf, range, first, pages);
	if (ret)
		goto err_uncharge;
	buf->pages = pages;
	buf->nr_pages = nr_pages;
	return 0;

err_uncharge:
	vmem_exp_uncharge(buf, nr_pages);
err_free_pages:
	kvfree(pages);
err_free_holds:
	kvfree(buf->holds);
	buf->holds = NULL;
	buf->nr_holds = 0;
	return ret;
}

/**
 * vmem_exp_pin() - find and hold the pages behind a range of memory
 * @range: the range, in the caller's address space or, for a remote export,
 *	in the target's (whose mm the caller holds with mmget()).
 * @bufp: receives a new buffer (vmem_exp_buf_new()) holding the pages,
 *	read-write if @range->writable; else NULL.
 * @found: receives a dma-buf, with a reference taken, if the range is
 *	exactly the mapping of a whole dma-buf and not remote: that dma-buf
 *	is the export (see vmem_exp_dmabuf_of()), and nothing is allocated or
 *	pinned. Else NULL.
 *
 * Each mapping of the range is held as vmem_exp_vma_kind() decides. The
 * pages are charged to the caller's locked memory first (see
 * vmem_exp_charge()), also for a remote export. All or nothing: on failure
 * nothing stays allocated, held or charged. One hold of mmap_lock covers
 * the dma-buf check, the checks of every mapping and the pinning, so what
 * was checked is what is held.
 *
 * Return: 0, -EFAULT if part of the range is not mapped, not readable, a
 * part of a dma-buf mapping, or not backed by pages, -EACCES if the export
 * is writable and part of the range is not writable, -EOPNOTSUPP if the
 * export is writable and part of the range is a shared mapping of a file
 * whose filesystem tracks dirty pages, -EPERM if part of the range is a raw PFN
 * mapping whose frames nothing can hold or, for a remote export, a dma-buf
 * mapping, -ENXIO if such a raw PFN mapping that can be held maps something
 * that is not ordinary RAM, if a VM_MIXEDMAP mapping has a raw PFN entry, or
 * if part of the range is mapped neither cacheable nor write-combined (or
 * write-combined where a PFN mapping cannot be, see memtype.c),
 * -EXDEV if parts of the range are mapped with different memory types,
 * -ENOMEM if the charge would pass RLIMIT_MEMLOCK or memory ran out,
 * -ENOSPC if it would pass max_pinned_mb or, without CAP_IPC_LOCK, the
 * user's share of it (max_pinned_user_percent), or -EINTR if a fatal
 * signal arrived; for a whole dma-buf mapping, what vmem_exp_dmabuf_of() says.
 */
int vmem_exp_pin(const struct vmem_exp_range *range, struct vmem_exp_buf **bufp,
		 struct dma_buf **found)
{
	struct mm_struct *mm = range->mm;
	struct vm_area_struct *first;
	struct vmem_exp_buf *buf;
	struct dma_buf *dmabuf;
	int ret;

	*bufp = NULL;
	*found = NULL;
	if (mmap_read_lock_killable(mm))
		return -EINTR;

	first = vma_lookup(mm, range->start);
	if (!first) {
		ret = -EFAULT;
		goto out_unlock;
	}
	/* Before anything is allocated: is the range a dma-buf's mapping? */
	dmabuf = range->remote ? NULL : vmem_exp_dmabuf_of(first, range);
	if (dmabuf) {
		ret = PTR_ERR_OR_ZERO(dmabuf);
		if (!ret)
			*found = dmabuf;
		goto out_unlock;
	}

	buf = vmem_exp_buf_new(range);
	ret = buf ? vmem_exp_fill(buf, range, first) : -ENOMEM;
	if (!ret)
		*bufp = buf;
	else if (buf)
		vmem_exp_buf_free(buf);
out_unlock:
	mmap_read_unlock(mm);
	return ret;
}

/**
 * vmem_exp_unpin() - release what vmem_exp_pin() holds and charged
 * @buf: the buffer; its pages are marked dirty if importers could write.
 */
void vmem_exp_unpin(struct vmem_exp_buf *buf)
{
	unsigned int i;

	for (i = 0; i < buf->nr_holds; i++)
		vmem_exp_release_hold(&buf->holds[i],
				      buf->pages + buf->holds[i].first,
				      buf->writable);
	vmem_exp_uncharge(buf, buf->nr_pages);
	kvfree(buf->holds);
	kvfree(buf->pages);
	buf->holds = NULL;
	buf->nr_holds = 0;
	buf->pages = NULL;
	buf->nr_pages = 0;
}
