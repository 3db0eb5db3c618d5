/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmem-exp: every difference between the kernel versions we build for.
 * Nothing outside this file tests LINUX_VERSION_CODE.
 */
#ifndef VMEM_EXP_COMPAT_H
#define VMEM_EXP_COMPAT_H

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/version.h>

/* The symbol namespace became a string literal in 6.13. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define VMEM_EXP_IMPORT_DMA_BUF_NS() MODULE_IMPORT_NS("DMA_BUF")
#else
#define VMEM_EXP_IMPORT_DMA_BUF_NS() MODULE_IMPORT_NS(DMA_BUF)
#endif

/* vm_flags became read-only outside the mm helpers in 6.3. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/*
 * The importer's dma_buf_vmap() and dma_buf_vunmap(), which take the
 * buffer's reservation lock themselves, are called so since 6.2 (the
 * test-only DMA device, tests/kmod/vmem_test_dma.c, is such an importer).
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
static inline int dma_buf_vmap_unlocked(struct dma_buf *dmabuf,
					struct iosys_map *map)
{
	return dma_buf_vmap(dmabuf, map);
}

static inline void dma_buf_vunmap_unlocked(struct dma_buf *dmabuf,
					   struct iosys_map *map)
{
	dma_buf_vunmap(dmabuf, map);
}
#endif

/*
 * Whether a buffer keeps its kernel mapping (dmabuf.c, vmem_exp_vmap()) from
 * its first vmap until it is released, rather than vunmap it when the last
 * importer does: a kernel importer that maps per use (vb2's vmalloc
 * allocator vmaps a dma-buf each time a buffer is queued with another one)
 * then finds it made. Only where the vmalloc space is large (64-bit, at
 * least terabytes): on 32-bit it is about 128 MiB, which buffers that keep
 * theirs would soon fill, so there the mapping goes with its last user.
 */
#define VMEM_EXP_KEEP_VMAP	IS_ENABLED(CONFIG_64BIT)

/*
 * pin_user_pages() and pin_user_pages_remote() lost their vmas argument in
 * 6.5. Pins pages of @mm, the caller's own or another process's (a remote
 * export: gup then skips the caller's protection keys, which are not the
 * target's). The caller holds @mm's mmap_lock, which is never dropped: no
 * "locked" argument (6.1 refuses one with FOLL_LONGTERM anyway).
 */
static inline long vmem_exp_pin_user_pages(struct mm_struct *mm,
					   unsigned long start,
					   unsigned long nr_pages,
					   unsigned int gup_flags,
					   struct page **pages)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
	long fast;

	/*
	 * 6.1's gup, given a page array, pins a transparent huge page one
	 * 4 KiB page at a time; gup-fast pins all of a PMD's pages with one
	 * reference count update, and its FOLL_LONGTERM refuses the pages
	 * gup would first move (movable zone, CMA), which gup then pins.
	 * So gup-fast first, for the caller's own memory: it takes no lock
	 * and never faults, and it runs with interrupts off, hence at most
	 * a page table's worth (PTRS_PER_PTE pages) per call; gup for what
	 * it leaves. Later releases batch huge pages in gup itself, and
	 * 6.12 no longer has pin_user_pages_fast_only(); 6.1 is the release
	 * this is tested on.
	 */
	if (mm == current->mm) {
		fast = pin_user_pages_fast_only(start,
						min_t(unsigned long, nr_pages,
						      PTRS_PER_PTE),
						gup_flags, pages);
		if (fast > 0)
			return fast;
	}
#endif
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
	if (mm != current->mm)
		return pin_user_pages_remote(mm, start, nr_pages, gup_flags,
					     pages, NULL, NULL);
	return pin_user_pages(start, nr_pages, gup_flags, pages, NULL);
#else
	if (mm != current->mm)
		return pin_user_pages_remote(mm, start, nr_pages, gup_flags,
					     pages, NULL);
	return pin_user_pages(start, nr_pages, gup_flags, pages);
#endif
}

/*
 * Before 6.5, gup pins hugetlb pages in follow_hugetlb_page(), which cannot
 * migrate them: with FOLL_LONGTERM a page in ZONE_MOVABLE or CMA makes it
 * WARN and fail, where gup moves other memory out of those zones first (and
 * hugetlb too, since 6.5 took it onto the common path). There vmem-exp pins
 * hugetlb pages without FOLL_LONGTERM and refuses the ones in ZONE_MOVABLE
 * itself. A module cannot tell CMA pages (the pageblock's migratetype is not
 * exported): a hugetlb page in CMA stays pinned where it is. 6.1 is the
 * kernel this is tested on; the release that changed it is from reading
 * the source, not tested.
 */
static inline unsigned int vmem_exp_hugetlb_gup_flags(unsigned int gup_flags)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
	return gup_flags & ~FOLL_LONGTERM;
#else
	return gup_flags;
#endif
}

/* Whether a hugetlb page pinned with vmem_exp_hugetlb_gup_flags() may stay. */
static inline bool vmem_exp_hugetlb_pinnable(struct page *page)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
	return !is_zone_movable_page(page);
#else
	return true;
#endif
}

/*
 * The page-table walk for VM_IO and VM_PFNMAP mappings: follow_pte() took
 * the mm until 6.10 and the vma until 6.12, when follow_pfnmap_start() and
 * follow_pfnmap_end() replaced it. Calls @fn with the frame mapped at @addr
 * in @vma, the protection it is mapped with and whether the entry allows
 * writes, under the page table lock, so that what @fn does with the frame
 * cannot race with a zap of the mapping. The caller holds mmap_lock.
 * Returns 1 if nothing is mapped at @addr, else what @fn returns.
 */
static inline int vmem_exp_follow_pfn(struct vm_area_struct *vma,
				      unsigned long addr,
				      int (*fn)(unsigned long pfn, pgprot_t prot,
						bool writable, void *arg),
				      void *arg)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	struct follow_pfnmap_args args = { .vma = vma, .address = addr };
	int ret;

	if (follow_pfnmap_start(&args))
		return 1;
	ret = fn(args.pfn, args.pgprot, args.writable, arg);
	follow_pfnmap_end(&args);
	return ret;
#else
	spinlock_t *ptl;	/* the page table lock, taken by follow_pte() */
	pte_t *ptep, pte;
	int ret;

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
	if (follow_pte(vma, addr, &ptep, &ptl))
#else
	if (follow_pte(vma->vm_mm, addr, &ptep, &ptl))
#endif
		return 1;
	__acquire(ptl);		/* for sparse: follow_pte() returned it held */
	pte = ptep_get(ptep);
	ret = fn(pte_pfn(pte), pte_pgprot(pte), pte_write(pte), arg);
	pte_unmap_unlock(ptep, ptl);
	return ret;
#endif
}

/*
 * memfd_pin_folios() (6.11+) pins the folios of a shmem or hugetlbfs file
 * straight from its page cache, a folio at a time, once per folio; before
 * it only gup's walk of the page tables, a page at a time, pins them.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define VMEM_EXP_PIN_BY_FILE 1
#endif

/*
 * Whether @vma may hold guard regions (MADV_GUARD_INSTALL): page table
 * markers that only a walk of the page tables, as gup's, meets. 7.2 marks
 * such mappings VM_MAYBE_GUARD; 6.12 has no guard regions (they came with
 * 6.13); a kernel between them has them unmarked: any mapping may.
 */
static inline bool vmem_exp_vma_maybe_guarded(struct vm_area_struct *vma)
{
#ifdef VM_MAYBE_GUARD
	return vma->vm_flags & VM_MAYBE_GUARD;
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
	return true;
#else
	return false;
#endif
}

/*
 * Huge PFN mappings: since 6.12, where the architecture marks such PMDs
 * special (CONFIG_ARCH_SUPPORTS_PMD_PFNMAP: x86_64, arm64), so that gup and
 * the rest of mm leave them alone as they leave special PTEs. 6.1 has no
 * special PMDs: gup-fast would take the pages of a huge PFN mapping as its
 * own, so there vmem-exp maps 4 KiB pages only. vmf_insert_pfn_pmd() took
 * a pfn_t until pfn_t went away (in 7.2; the release before was not
 * checked).
 */
#ifdef CONFIG_ARCH_SUPPORTS_PMD_PFNMAP
#define VMEM_EXP_HUGE_PFNMAP 1
#if __has_include("linux/pfn_t.h")
#include <linux/pfn_t.h>
static inline vm_fault_t vmem_exp_insert_pfn_pmd(struct vm_fault *vmf,
						 unsigned long pfn, bool write)
{
	return vmf_insert_pfn_pmd(vmf, __pfn_to_pfn_t(pfn, 0), write);
}
#else
static inline vm_fault_t vmem_exp_insert_pfn_pmd(struct vm_fault *vmf,
						 unsigned long pfn, bool write)
{
	return vmf_insert_pfn_pmd(vmf, pfn, write);
}
#endif
#endif

/*
 * vmf_insert_mixed() takes a pfn_t on 6.1 and 6.12 and a plain frame number
 * on 7.2; the release in between that changed it was not checked. Only the
 * test-only legacy allocator (tests/kmod/vmem_test_cmem.c) inserts raw
 * PFNs: vmem-exp refuses such entries.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(7, 0, 0)
#include <linux/pfn_t.h>
static inline vm_fault_t vmem_exp_insert_mixed(struct vm_area_struct *vma,
					       unsigned long addr,
					       unsigned long pfn)
{
	return vmf_insert_mixed(vma, addr, __pfn_to_pfn_t(pfn, 0));
}
#else
static inline vm_fault_t vmem_exp_insert_mixed(struct vm_area_struct *vma,
					       unsigned long addr,
					       unsigned long pfn)
{
	return vmf_insert_mixed(vma, addr, pfn);
}
#endif

/*
 * The bits of a page protection that give the memory type (memtype.c), an
 * architecture's own: on arm64 the index into MAIR (normal cacheable, MTE's
 * tagged normal cacheable, normal non-cacheable, device); on x86 the PAT,
 * PCD and PWT bits (write-back, write-combining, uncached, ...). The
 * kernel's pgprot_writecombine() and PAGE_KERNEL give the values.
 */
#if defined(CONFIG_ARM64)
#define VMEM_EXP_PROT_MT_MASK	PTE_ATTRINDX_MASK
#define VMEM_EXP_PROT_MT_TAGGED	PTE_ATTRINDX(MT_NORMAL_TAGGED)
#elif defined(CONFIG_X86)
#define VMEM_EXP_PROT_MT_MASK	_PAGE_CACHE_MASK
#else
#error "vmem-exp: the memory-type bits of this architecture's page protections are not known"
#endif

/*
 * Whether a PFN mapping of RAM, as the dma-buf's mmap is, takes the memory
 * type its protection asks for. Not on x86, where the PAT gives it the
 * page's own type (track_pfn_insert()): write-back unless the driver made
 * the page write-combined with set_memory_wc(), which a module cannot ask
 * about (7.2 exports pat_pfn_immune_to_uc_mtrr() to KVM alone).
 */
#ifndef CONFIG_X86
#define VMEM_EXP_PFNMAP_TAKES_PROT 1
#endif

/*
 * The attributes of every device mapping of a buffer. The exporter does
 * the cache maintenance itself (see vmem_exp_map_dma_buf()), and the same
 * pages may be in several buffers, each mapped for a device to write: 7.x
 * can be told that such overlapping mappings are meant
 * (DMA_ATTR_DEBUGGING_IGNORE_CACHELINES), so that DMA-API debug does not
 * warn at the eighth; earlier kernels' DMA-API debug counts at most seven
 * and warns once past them, with no way for a mapper to say so.
 */
#ifdef DMA_ATTR_DEBUGGING_IGNORE_CACHELINES
#define VMEM_EXP_DMA_ATTRS \
	(DMA_ATTR_SKIP_CPU_SYNC | DMA_ATTR_DEBUGGING_IGNORE_CACHELINES)
#else
#define VMEM_EXP_DMA_ATTRS	DMA_ATTR_SKIP_CPU_SYNC
#endif

#endif /* VMEM_EXP_COMPAT_H */
