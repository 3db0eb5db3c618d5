// SPDX-License-Identifier: GPL-2.0
/*
 * vmem_test_cmem: a test-only stand-in for a legacy contiguous-memory
 * allocator such as TI's CMEM. /dev/vmem-test-cmem allocates physically
 * contiguous memory, maps it into the caller with remap_pfn_range() (a
 * VM_IO | VM_PFNMAP mapping that holds no reference on anything) and frees
 * it when told to, whether or not it is still mapped or exported. It has no
 * dma-buf support of its own: vmem-exp is what shares its memory.
 */

#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vmem_test_cmem.h"
/* vm_flags_set() and vmem_exp_insert_mixed() on every kernel. */
#include "../../kernel/compat.h"

#define CMEM_MAX_ALLOCS	64
#define CMEM_MAX_SIZE	(4UL << 20)

/**
 * struct cmem_alloc - one allocation
 * @mode: VMEM_TEST_CMEM_*, the mode alone.
 * @memtype: VMEM_TEST_CMEM_WC, VMEM_TEST_CMEM_UC or 0 (cacheable): how
 *	its mappings map it.
 * @access: VMEM_TEST_CMEM_RO, with VMEM_TEST_CMEM_NOWRITE or not, or 0.
 * @nr_pages: its size in pages.
 * @order: for the contiguous modes, the order of the allocation.
 * @pfns: the frame of each page.
 */
struct cmem_alloc {
	unsigned int mode;
	unsigned int memtype;
	unsigned int access;
	unsigned long nr_pages;
	unsigned int order;
	unsigned long *pfns;
};

/* Protects cmem_allocs. */
static DEFINE_MUTEX(cmem_lock);
static struct cmem_alloc *cmem_allocs[CMEM_MAX_ALLOCS];

/* A run of @nr frames above 4 GiB with no struct page (not RAM here). */
static unsigned long cmem_hole(unsigned long nr)
{
	unsigned long pfn, i;

	for (pfn = PHYS_PFN(4ULL << 30); pfn < PHYS_PFN(1ULL << 40);
	     pfn += PAGES_PER_SECTION) {
		for (i = 0; i < nr && !pfn_valid(pfn + i); i++)
			;
		if (i == nr)
			return pfn;
	}
	return 0;
}

static int cmem_fill(struct cmem_alloc *a)
{
	struct page *page;
	unsigned long i;

	switch (a->mode) {
	case VMEM_TEST_CMEM_NOPAGE:
		a->pfns[0] = cmem_hole(a->nr_pages);
		if (!a->pfns[0])
			return -ENXIO;
		for (i = 1; i < a->nr_pages; i++)
			a->pfns[i] = a->pfns[0] + i;
		return 0;
	case VMEM_TEST_CMEM_PAGES:
		for (i = 0; i < a->nr_pages; i++) {
			page = alloc_page(GFP_KERNEL | __GFP_ZERO);
			if (!page)
				goto err_pages;
			a->pfns[i] = page_to_pfn(page);
		}
		return 0;
	}

	a->order = get_order(a->nr_pages << PAGE_SHIFT);
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN, a->order);
	if (!page)
		return -ENOMEM;
	if (a->mode != VMEM_TEST_CMEM_UNSPLIT) {
		split_page(page, a->order);
		/* Give back the pages beyond the size asked for. */
		for (i = a->nr_pages; i < 1UL << a->order; i++)
			__free_page(page + i);
	}
	for (i = 0; i < a->nr_pages; i++) {
		if (a->mode == VMEM_TEST_CMEM_RESERVED)
			SetPageReserved(page + i);
		a->pfns[i] = page_to_pfn(page) + i;
	}
	return 0;

err_pages:
	while (i--)
		__free_page(pfn_to_page(a->pfns[i]));
	return -ENOMEM;
}

static void cmem_free(struct cmem_alloc *a)
{
	unsigned long i;

	switch (a->mode) {
	case VMEM_TEST_CMEM_NOPAGE:
		break;
	case VMEM_TEST_CMEM_UNSPLIT:
		__free_pages(pfn_to_page(a->pfns[0]), a->order);
		break;
	default:
		for (i = 0; i < a->nr_pages; i++) {
			if (a->mode == VMEM_TEST_CMEM_RESERVED)
				ClearPageReserved(pfn_to_page(a->pfns[i]));
			__free_page(pfn_to_page(a->pfns[i]));
		}
	}
	kvfree(a->pfns);
	kfree(a);
}

static long cmem_ioctl_alloc(struct vmem_test_cmem_alloc __user *uarg)
{
	struct vmem_test_cmem_alloc arg;
	unsigned int id, memtype, access;
	struct cmem_alloc *a;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	memtype = arg.mode & (VMEM_TEST_CMEM_WC | VMEM_TEST_CMEM_UC);
	access = arg.mode & (VMEM_TEST_CMEM_RO | VMEM_TEST_CMEM_NOWRITE);
	arg.mode &= ~(memtype | access);
	if (!arg.size || !PAGE_ALIGNED(arg.size) || arg.size > CMEM_MAX_SIZE ||
	    arg.mode > VMEM_TEST_CMEM_MIXED_PFN ||
	    memtype == (VMEM_TEST_CMEM_WC | VMEM_TEST_CMEM_UC) ||
	    access == VMEM_TEST_CMEM_NOWRITE)
		return -EINVAL;
	if (arg.mode == VMEM_TEST_CMEM_UNSPLIT && arg.size == PAGE_SIZE)
		return -EINVAL;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	a->mode = arg.mode;
	a->memtype = memtype;
	a->access = access;
	a->nr_pages = arg.size >> PAGE_SHIFT;
	a->pfns = kvcalloc(a->nr_pages, sizeof(*a->pfns), GFP_KERNEL);
	if (!a->pfns) {
		kfree(a);
		return -ENOMEM;
	}
	ret = cmem_fill(a);
	if (ret) {
		kvfree(a->pfns);
		kfree(a);
		return ret;
	}

	mutex_lock(&cmem_lock);
	for (id = 0; id < CMEM_MAX_ALLOCS && cmem_allocs[id]; id++)
		;
	if (id < CMEM_MAX_ALLOCS)
		cmem_allocs[id] = a;
	mutex_unlock(&cmem_lock);
	if (id == CMEM_MAX_ALLOCS) {
		cmem_free(a);
		return -ENOSPC;
	}
	if (put_user(id, &uarg->id))
		return -EFAULT;	/* still allocated: freed at unload */
	return 0;
}

static long cmem_ioctl_free(u32 __user *uarg)
{
	struct cmem_alloc *a = NULL;
	u32 id;

	if (get_user(id, uarg))
		return -EFAULT;
	mutex_lock(&cmem_lock);
	if (id < CMEM_MAX_ALLOCS) {
		a = cmem_allocs[id];
		cmem_allocs[id] = NULL;
	}
	mutex_unlock(&cmem_lock);
	if (!a)
		return -EINVAL;
	cmem_free(a);
	return 0;
}

static long cmem_ioctl_pfn(struct vmem_test_cmem_pfn __user *uarg)
{
	struct vmem_test_cmem_pfn arg;
	struct cmem_alloc *a;
	int ret = -EINVAL;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	mutex_lock(&cmem_lock);
	a = arg.id < CMEM_MAX_ALLOCS ? cmem_allocs[arg.id] : NULL;
	if (a && arg.index < a->nr_pages) {
		arg.pfn = a->pfns[arg.index];
		ret = 0;
	}
	mutex_unlock(&cmem_lock);
	if (!ret && copy_to_user(uarg, &arg, sizeof(arg)))
		ret = -EFAULT;
	return ret;
}

static long cmem_ioctl_refs(struct vmem_test_cmem_refs __user *uarg)
{
	struct vmem_test_cmem_refs arg;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (!pfn_valid(arg.pfn))
		return -EINVAL;
	arg.refs = page_ref_count(pfn_to_page(arg.pfn));
	if (copy_to_user(uarg, &arg, sizeof(arg)))
		return -EFAULT;
	return 0;
}

static long cmem_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case VMEM_TEST_CMEM_IOC_ALLOC:
		return cmem_ioctl_alloc((void __user *)arg);
	case VMEM_TEST_CMEM_IOC_FREE:
		return cmem_ioctl_free((void __user *)arg);
	case VMEM_TEST_CMEM_IOC_PFN:
		return cmem_ioctl_pfn((void __user *)arg);
	case VMEM_TEST_CMEM_IOC_REFS:
		return cmem_ioctl_refs((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

/* Inserts the pages one by one, each referenced by the mapping. */
static int cmem_insert(struct vm_area_struct *vma, struct cmem_alloc *a,
		       unsigned long nr)
{
	unsigned long i;
	int ret;

	for (i = 0; i < nr; i++) {
		ret = vm_insert_page(vma, vma->vm_start + (i << PAGE_SHIFT),
				     pfn_to_page(a->pfns[i]));
		if (ret)
			return ret;
	}
	return 0;
}

/* Inserts the frames as raw PFNs, with no reference, into VM_MIXEDMAP. */
static int cmem_insert_pfns(struct vm_area_struct *vma, struct cmem_alloc *a,
			    unsigned long nr)
{
	unsigned long i;
	vm_fault_t ret;

	vm_flags_set(vma, VM_MIXEDMAP);
	for (i = 0; i < nr; i++) {
		ret = vmem_exp_insert_mixed(vma, vma->vm_start + (i << PAGE_SHIFT),
					    a->pfns[i]);
		if (ret != VM_FAULT_NOPAGE)
			return -EFAULT;
	}
	return 0;
}

/* VMEM_TEST_CMEM_NOWRITE: a write to a read-only entry is refused. */
static vm_fault_t cmem_pfn_mkwrite(struct vm_fault *vmf)
{
	return VM_FAULT_SIGBUS;
}

static const struct vm_operations_struct cmem_nowrite_vm_ops = {
	.pfn_mkwrite = cmem_pfn_mkwrite,
};

/*
 * Maps allocation vm_pgoff (shared mappings only): in one piece if it is
 * contiguous, else page by page.
 */
static int cmem_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long i, nr = vma_pages(vma);
	struct cmem_alloc *a;
	int ret = -EINVAL;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	mutex_lock(&cmem_lock);
	a = vma->vm_pgoff < CMEM_MAX_ALLOCS ? cmem_allocs[vma->vm_pgoff] : NULL;
	if (!a || nr > a->nr_pages)
		goto out;
	if (a->access & VMEM_TEST_CMEM_RO)
		vma->vm_page_prot = vm_get_page_prot(VM_READ | VM_SHARED);
	if (a->access & VMEM_TEST_CMEM_NOWRITE)
		vma->vm_ops = &cmem_nowrite_vm_ops;
	if (a->mode == VMEM_TEST_CMEM_NOPAGE || a->memtype == VMEM_TEST_CMEM_UC)
		vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	else if (a->memtype == VMEM_TEST_CMEM_WC)
		vma->vm_page_prot = pgprot_writecombine(vma->vm_page_prot);
	switch (a->mode) {
	case VMEM_TEST_CMEM_MIXED:
		ret = cmem_insert(vma, a, nr);
		goto out;
	case VMEM_TEST_CMEM_MIXED_PFN:
		ret = cmem_insert_pfns(vma, a, nr);
		goto out;
	case VMEM_TEST_CMEM_PAGES:
		break;
	default:
		ret = remap_pfn_range(vma, vma->vm_start, a->pfns[0],
				      nr << PAGE_SHIFT, vma->vm_page_prot);
		goto out;
	}
	for (i = 0; i < nr; i++) {
		ret = remap_pfn_range(vma, vma->vm_start + (i << PAGE_SHIFT),
				      a->pfns[i], PAGE_SIZE, vma->vm_page_prot);
		if (ret)
			break;
	}
out:
	mutex_unlock(&cmem_lock);
	return ret;
}

static const struct file_operations cmem_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = cmem_ioctl,
	.mmap = cmem_mmap,
	.llseek = noop_llseek,
};

static struct miscdevice cmem_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vmem-test-cmem",
	.fops = &cmem_fops,
	.mode = 0600,
};

static int __init cmem_init(void)
{
	return misc_register(&cmem_misc);
}

static void __exit cmem_exit(void)
{
	unsigned int id;

	misc_deregister(&cmem_misc);
	for (id = 0; id < CMEM_MAX_ALLOCS; id++)
		if (cmem_allocs[id])
			cmem_free(cmem_allocs[id]);
}

module_init(cmem_init);
module_exit(cmem_exit);

MODULE_DESCRIPTION("vmem-exp tests: a legacy contiguous-memory allocator without dma-buf support");
MODULE_LICENSE("GPL");
