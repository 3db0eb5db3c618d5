/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmem-exp: every difference between the kernel versions we build for.
 * Nothing outside this file tests LINUX_VERSION_CODE.
 */
#ifndef VMEM_EXP_COMPAT_H
#define VMEM_EXP_COMPAT_H

#include <linux/mm.h>
#include <linux/module.h>
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

/* pin_user_pages() lost its vmas argument in 6.5. Caller holds mmap_lock. */
static inline long vmem_exp_pin_user_pages(unsigned long start,
					   unsigned long nr_pages,
					   unsigned int gup_flags,
					   struct page **pages)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
	return pin_user_pages(start, nr_pages, gup_flags, pages, NULL);
#else
	return pin_user_pages(start, nr_pages, gup_flags, pages);
#endif
}

#endif /* VMEM_EXP_COMPAT_H */
