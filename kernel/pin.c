// SPDX-License-Identifier: GPL-2.0
/*
 * vmem-exp: find and pin the pages behind a range of the caller's memory.
 *
 * The range is checked and pinned under one hold of mmap_lock, so the
 * mappings that were checked are the ones that get pinned. Pins are
 * FOLL_LONGTERM: the buffer may live for hours, so the pages are first moved
 * out of movable zones and CMA, and then cannot move until they are unpinned.
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/dma-buf.h>
#include <linux/hugetlb.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>

#include "compat.h"
#include "vmem_exp.h"

static unsigned long max_pinned_mb;
module_param(max_pinned_mb, ulong, 0644);
MODULE_PARM_DESC(max_pinned_mb,
		 "Most memory pinned through vmem-exp at once, all users together, in MiB; beyond it exports fail with ENOSPC (default: half of RAM, set at load)");

/* Pages pinned through vmem-exp now, all buffers together. */
static atomic_long_t vmem_exp_pinned_pages = ATOMIC_LONG_INIT(0);

void vmem_exp_limits_init(void)
{
	if (!max_pinned_mb)
		max_pinned_mb = (totalram_pages() >> (20 - PAGE_SHIFT)) / 2;
}

/* Adds @nr to @counter unless that would take it past @limit. */
static bool vmem_exp_add_capped(atomic_long_t *counter, unsigned long nr,
				unsigned long limit)
{
	long cur = atomic_long_read(counter);

	do {
		if (nr > limit || cur > limit - nr)
			return false;
	} while (!atomic_long_try_cmpxchg(counter, &cur, cur + nr));
	return true;
}

/*
 * Charge @nr_pages to the calling user's locked memory, as io_uring and
 * RDMA do: against RLIMIT_MEMLOCK unless the caller has CAP_IPC_LOCK, and
 * per user rather than per process, so that the charge binds all of the
 * user's processes and outlives the exporter as long as the buffer does.
 * The pages also show in the exporter's VmPin.
 */
static int vmem_exp_charge(struct vmem_exp_buf *buf, unsigned long nr_pages)
{
	unsigned long memlock = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	unsigned long cap = READ_ONCE(max_pinned_mb) << (20 - PAGE_SHIFT);
	struct user_struct *user = current_user();

	if (capable(CAP_IPC_LOCK))
		atomic_long_add(nr_pages, &user->locked_vm);
	else if (!vmem_exp_add_capped(&user->locked_vm, nr_pages, memlock))
		return -ENOMEM;

	if (!vmem_exp_add_capped(&vmem_exp_pinned_pages, nr_pages, cap)) {
		atomic_long_sub(nr_pages, &user->locked_vm);
		return -ENOSPC;
	}

	buf->user = get_uid(user);
	buf->mm = current->mm;
	mmgrab(buf->mm);
	atomic64_add(nr_pages, &buf->mm->pinned_vm);
	return 0;
}

static void vmem_exp_uncharge(struct vmem_exp_buf *buf, unsigned long nr_pages)
{
	atomic64_sub(nr_pages, &buf->mm->pinned_vm);
	mmdrop(buf->mm);
	atomic_long_sub(nr_pages, &vmem_exp_pinned_pages);
	atomic_long_sub(nr_pages, &buf->user->locked_vm);
	free_uid(buf->user);
	buf->mm = NULL;
	buf->user = NULL;
}

/*
 * dma-buf files live on the dma-buf pseudo filesystem; is_dma_buf_file()
 * is not exported, the filesystem's magic is part of the ABI.
 */
static bool vmem_exp_is_dmabuf_file(struct file *file)
{
	return file && file_inode(file)->i_sb->s_magic == DMA_BUF_MAGIC;
}

/*
 * Returns the gup flags for the part of the range that @vma maps, or a
 * negative errno if that part cannot be exported.
 */
static int vmem_exp_vma_gup_flags(struct vm_area_struct *vma, bool writable)
{
	unsigned int flags = FOLL_LONGTERM;

	/* A mapping of a dma-buf exports only whole: vmem_exp_find_dmabuf(). */
	if (vmem_exp_is_dmabuf_file(vma->vm_file))
		return -EFAULT;

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
	 * Writes through a long-term pin go behind the back of a filesystem
	 * that tracks dirty pages (ext4, xfs, ramfs, ...) and break its
	 * writeback; kernels since 6.5 refuse such pins, and vmem-exp refuses
	 * them on every kernel. shmem and hugetlbfs track nothing.
	 */
	if (writable && vma->vm_file && (vma->vm_flags & VM_SHARED) &&
	    S_ISREG(file_inode(vma->vm_file)->i_mode) &&
	    !shmem_mapping(vma->vm_file->f_mapping) && !is_vm_hugetlb_page(vma))
		return -EOPNOTSUPP;

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
 * vmem_exp_find_dmabuf() - is the range exactly a mapping of a whole dma-buf?
 * @start: page-aligned start address.
 * @len: length in bytes, checked to lie in user space.
 * @writable: the caller asked for a read-write export.
 *
 * Such a range is exported as that same dma-buf, a new fd for it, rather
 * than as a new buffer over its pages. A dma-buf has one file, with one
 * access mode, so the request must match it: an O_RDONLY request never
 * comes back writable. Nor may it grant more than the mapping does.
 *
 * Return: NULL if the range does not start in a mapping of a dma-buf (its
 * pages are exported as usual); the dma-buf, with a file reference taken;
 * -EFAULT if the range is not exactly one whole dma-buf mapping; -EACCES if
 * the mapping is not writable and the request or the dma-buf is; -EINVAL if
 * the dma-buf is read-write and the request read-only; or -EINTR.
 */
struct dma_buf *vmem_exp_find_dmabuf(unsigned long start, unsigned long len,
				     bool writable)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	struct dma_buf *dmabuf;
	struct file *file;

	if (mmap_read_lock_killable(mm))
		return ERR_PTR(-EINTR);

	vma = vma_lookup(mm, start);
	if (!vma || !vmem_exp_is_dmabuf_file(vma->vm_file)) {
		dmabuf = NULL;
		goto out_unlock;
	}
	file = vma->vm_file;
	dmabuf = file->private_data;

	if (start != vma->vm_start || len != vma->vm_end - vma->vm_start ||
	    len != dmabuf->size)
		dmabuf = ERR_PTR(-EFAULT);
	else if (writable && !(vma->vm_flags & VM_WRITE))
		dmabuf = ERR_PTR(-EACCES);
	else if ((file->f_mode & FMODE_WRITE) && !(vma->vm_flags & VM_MAYWRITE))
		dmabuf = ERR_PTR(-EACCES);
	else if (writable != !!(file->f_mode & FMODE_WRITE))
		dmabuf = ERR_PTR(-EINVAL);
	else
		get_dma_buf(dmabuf);	/* the vma's file keeps it alive until here */

out_unlock:
	mmap_read_unlock(mm);
	return dmabuf;
}

/**
 * vmem_exp_pin() - pin the pages behind a range of current's address space
 * @buf: receives the pages; @buf->writable says whether importers may write.
 * @start: page-aligned start address.
 * @nr_pages: number of pages, at least one; the caller checked that the
 *	range lies in user space.
 *
 * The pages are charged to the caller's locked memory first (see
 * vmem_exp_charge()). All or nothing: on failure no page stays pinned or
 * charged and @buf->pages is NULL.
 *
 * Return: 0, -EFAULT if part of the range is not mapped, not readable or not
 * backed by pages, -EACCES if @buf->writable and part of the range is not
 * writable, -EOPNOTSUPP if @buf->writable and part of the range is a shared
 * mapping of a file whose filesystem tracks dirty pages, -ENOMEM if the
 * charge would pass RLIMIT_MEMLOCK or memory ran out, -ENOSPC if it would
 * pass max_pinned_mb, or -EINTR if a fatal signal arrived.
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

	ret = vmem_exp_charge(buf, nr_pages);
	if (ret)
		goto err_unlock;

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
	vmem_exp_uncharge(buf, nr_pages);
err_unlock:
	mmap_read_unlock(mm);
err_free:
	kvfree(pages);
	return ret;
}

/**
 * vmem_exp_unpin() - release the pins and the charge taken by vmem_exp_pin()
 * @buf: the buffer; its pages are marked dirty if importers could write.
 */
void vmem_exp_unpin(struct vmem_exp_buf *buf)
{
	unpin_user_pages_dirty_lock(buf->pages, buf->nr_pages, buf->writable);
	vmem_exp_uncharge(buf, buf->nr_pages);
	kvfree(buf->pages);
	buf->pages = NULL;
	buf->nr_pages = 0;
}
