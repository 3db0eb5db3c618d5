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
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/backing-dev.h>
#include <linux/capability.h>
#include <linux/ctype.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/dma-buf.h>
#include <linux/fdtable.h>
#include <linux/hashtable.h>
#include <linux/hugetlb.h>
#include <linux/magic.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pkeys.h>
#include <linux/refcount.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/seq_file.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/userfaultfd_k.h>
#include <media/videobuf2-memops.h>

#include "compat.h"
#include "vmem_exp.h"

static unsigned long max_pinned_mb;
module_param(max_pinned_mb, ulong, 0644);
MODULE_PARM_DESC(max_pinned_mb,
		 "Most memory pinned through vmem-exp at once, all users together, in MiB; beyond it exports fail with ENOSPC (default: half of RAM, set at load)");

static unsigned int max_pinned_user_percent = 50;

/* 1 to 100: a share of 0 would shut every unprivileged user out. */
static int vmem_exp_set_user_percent(const char *val,
				     const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, 100);
}

static const struct kernel_param_ops vmem_exp_user_percent_ops = {
	.set = vmem_exp_set_user_percent,
	.get = param_get_uint,
};

module_param_cb(max_pinned_user_percent, &vmem_exp_user_percent_ops,
		&max_pinned_user_percent, 0644);
__MODULE_PARM_TYPE(max_pinned_user_percent, "uint");
MODULE_PARM_DESC(max_pinned_user_percent,
		 "Most of max_pinned_mb that one user may hold at once, in percent, 1 to 100; beyond it that user's exports fail with ENOSPC, unless the caller has CAP_IPC_LOCK (default: 50)");

/* Pages pinned through vmem-exp now, all buffers together. */
static atomic_long_t vmem_exp_pinned_pages = ATOMIC_LONG_INIT(0);

/**
 * struct vmem_exp_share - what one user holds through vmem-exp
 * @uid: the user: the uid of the user_struct its pins are charged to.
 * @pages: pages its live buffers hold; the entry exists only while this
 *	is not zero.
 * @node: entry in vmem_exp_shares.
 */
struct vmem_exp_share {
	kuid_t uid;
	unsigned long pages;
	struct hlist_node node;
};

/* Protects vmem_exp_shares and the @pages of each of its entries. */
static DEFINE_MUTEX(vmem_exp_shares_lock);
/* A &struct vmem_exp_share per user that holds pages now, by uid. */
static DEFINE_HASHTABLE(vmem_exp_shares, 6);

void vmem_exp_limits_init(void)
{
	if (!max_pinned_mb)
		max_pinned_mb = (totalram_pages() >> (20 - PAGE_SHIFT)) / 2;
}

/* Pages held through vmem-exp now, all buffers together (for sysfs). */
unsigned long vmem_exp_held_pages(void)
{
	return atomic_long_read(&vmem_exp_pinned_pages);
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

/* The share of @uid, or NULL if it holds nothing. Under the shares lock. */
static struct vmem_exp_share *vmem_exp_share_find(kuid_t uid)
{
	struct vmem_exp_share *share;

	hash_for_each_possible(vmem_exp_shares, share, node, __kuid_val(uid))
		if (uid_eq(share->uid, uid))
			return share;
	return NULL;
}

/*
 * Adds @nr pages to the share of @uid unless that would take it past
 * @limit pages. Returns the share, or an ERR_PTR(): -ENOSPC past the
 * limit, -ENOMEM if a new entry cannot be allocated.
 */
static struct vmem_exp_share *vmem_exp_share_add(kuid_t uid, unsigned long nr,
						 unsigned long limit)
{
	struct vmem_exp_share *share;

	mutex_lock(&vmem_exp_shares_lock);
	share = vmem_exp_share_find(uid);
	if (nr > limit || (share && share->pages > limit - nr)) {
		share = ERR_PTR(-ENOSPC);
		goto out_unlock;
	}
	if (!share) {
		share = kzalloc(sizeof(*share), GFP_KERNEL_ACCOUNT);
		if (!share) {
			share = ERR_PTR(-ENOMEM);
			goto out_unlock;
		}
		share->uid = uid;
		hash_add(vmem_exp_shares, &share->node, __kuid_val(uid));
	}
	share->pages += nr;
out_unlock:
	mutex_unlock(&vmem_exp_shares_lock);
	return share;
}

/* Takes @nr pages off @share, which goes when it holds none. */
static void vmem_exp_share_sub(struct vmem_exp_share *share, unsigned long nr)
{
	mutex_lock(&vmem_exp_shares_lock);
	WARN_ON(share->pages < nr);
	share->pages -= nr;
	if (!share->pages) {
		hash_del(&share->node);
		kfree(share);
	}
	mutex_unlock(&vmem_exp_shares_lock);
}

/**
 * vmem_exp_shares_show() - list what each user holds, for debugfs
 * @m: the seq_file: one line per user that holds pages now, its uid (as
 *	the reader's user namespace sees it) and the pages, tab-separated,
 *	after a header.
 */
void vmem_exp_shares_show(struct seq_file *m)
{
	struct vmem_exp_share *share;
	unsigned int bkt;

	seq_puts(m, "uid\tpages\n");
	mutex_lock(&vmem_exp_shares_lock);
	hash_for_each(vmem_exp_shares, bkt, share, node)
		seq_printf(m, "%u\t%lu\n",
			   from_kuid_munged(seq_user_ns(m), share->uid),
			   share->pages);
	mutex_unlock(&vmem_exp_shares_lock);
}

/*
 * Charge @nr_pages to the calling user's locked memory, as io_uring and
 * RDMA do: against RLIMIT_MEMLOCK unless the caller has CAP_IPC_LOCK, and
 * per user rather than per process, so that the charge binds all of the
 * user's processes and outlives the exporter as long as the buffer does.
 * The same user's share of max_pinned_mb (max_pinned_user_percent of it,
 * CAP_IPC_LOCK exempt) keeps one user from taking the whole of it from
 * the others, and max_pinned_mb binds everyone. The pages also show in
 * the exporter's VmPin. A remote export charges the caller too, never the
 * target: the caller made the buffer and can release it, while the target
 * can do nothing to end the pins, not even exit.
 */
static int vmem_exp_charge(struct vmem_exp_buf *buf, unsigned long nr_pages)
{
	unsigned long memlock = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	unsigned long cap = READ_ONCE(max_pinned_mb) << (20 - PAGE_SHIFT);
	unsigned long per_user = mult_frac(cap,
					   READ_ONCE(max_pinned_user_percent),
					   100);
	struct user_struct *user = current_user();
	struct vmem_exp_share *share;
	int ret;

	/*
	 * CAP_IPC_LOCK is asked for only past a limit: the check costs
	 * every LSM's hook, and a privilege should be used only when needed.
	 */
	if (!vmem_exp_add_capped(&user->locked_vm, nr_pages, memlock)) {
		if (!capable(CAP_IPC_LOCK))
			return -ENOMEM;
		atomic_long_add(nr_pages, &user->locked_vm);
	}

	share = vmem_exp_share_add(user->uid, nr_pages, per_user);
	if (PTR_ERR(share) == -ENOSPC && capable(CAP_IPC_LOCK))
		share = vmem_exp_share_add(user->uid, nr_pages, ULONG_MAX);
	if (IS_ERR(share)) {
		ret = PTR_ERR(share);
		goto err_locked_vm;
	}

	if (!vmem_exp_add_capped(&vmem_exp_pinned_pages, nr_pages, cap)) {
		ret = -ENOSPC;
		goto err_share;
	}

	buf->user = get_uid(user);
	buf->share = share;
	buf->mm = current->mm;
	mmgrab(buf->mm);
	atomic64_add(nr_pages, &buf->mm->pinned_vm);
	return 0;

err_share:
	vmem_exp_share_sub(share, nr_pages);
err_locked_vm:
	atomic_long_sub(nr_pages, &user->locked_vm);
	return ret;
}

static void vmem_exp_uncharge(struct vmem_exp_buf *buf, unsigned long nr_pages)
{
	atomic64_sub(nr_pages, &buf->mm->pinned_vm);
	mmdrop(buf->mm);
	atomic_long_sub(nr_pages, &vmem_exp_pinned_pages);
	vmem_exp_share_sub(buf->share, nr_pages);
	atomic_long_sub(nr_pages, &buf->user->locked_vm);
	free_uid(buf->user);
	buf->mm = NULL;
	buf->share = NULL;
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
 * Names of the modules whose VM_PFNMAP mappings may be exported held by page
 * references alone; read and written under kernel_param_lock(THIS_MODULE).
 */
static char pfnmap_drivers[256];

/*
 * Modules whose file_operations serve the device files of every driver of
 * a subsystem: for a mapping of such a file, f_op->owner is this core, not
 * the driver that allocated the frames, so naming the core would let every
 * driver of the subsystem through. pfnmap_drivers refuses these names. A
 * core built into the kernel has no owner at all and cannot be named (fb
 * on Debian's kernels). DRM drivers own their file_operations, so a GPU
 * mapping names its driver; "drm" is refused all the same, as whoever
 * names it means every GPU driver.
 */
static const char *const vmem_exp_subsystem_cores[] = {
	"videodev",	/* V4L2: v4l2_fops */
	"uio",		/* uio_fops */
	"fb",		/* fbdev: fb_fops */
	"drm",		/* drm_stub_fops, until a driver's own replace them */
	"snd_pcm",	/* ALSA PCM: snd_pcm_f_ops */
	"vfio",		/* vfio_device_fops */
	"dvb_core",	/* DVB: the demux and DVR file operations */
	"ib_uverbs",	/* RDMA: the uverbs file operations */
	"comedi",	/* comedi_fops */
};

/*
 * The next name of the comma-separated list at *@list, without the blanks
 * around it: returns its start and sets *@len (0 for an empty entry), and
 * moves *@list past it and its separator. NULL at the end of the list.
 */
static const char *vmem_exp_next_name(const char **list, size_t *len)
{
	const char *name = *list;
	size_t n;

	if (!*name)
		return NULL;
	n = strcspn(name, ",\n");
	*list = name + n + !!name[n];
	while (n && isspace(*name)) {
		name++;
		n--;
	}
	while (n && isspace(name[n - 1]))
		n--;
	*len = n;
	return name;
}

/* Is @name, @len characters, the name of a subsystem's core module? */
static bool vmem_exp_subsystem_core(const char *name, size_t len)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vmem_exp_subsystem_cores); i++)
		if (strlen(vmem_exp_subsystem_cores[i]) == len &&
		    !strncmp(vmem_exp_subsystem_cores[i], name, len))
			return true;
	return false;
}

/*
 * Setting pfnmap_drivers (at load, or root writing the file, which holds
 * kernel_param_lock(THIS_MODULE)): a list that names a subsystem's core
 * is refused whole, and the old list stays.
 */
static int vmem_exp_set_pfnmap_drivers(const char *val,
				       const struct kernel_param *kp)
{
	const char *list = val, *name;
	size_t len;

	while ((name = vmem_exp_next_name(&list, &len))) {
		if (vmem_exp_subsystem_core(name, len)) {
			pr_warn("pfnmap_drivers: %.*s is the core of a subsystem, whose mappings are those of all its drivers; name the driver instead\n",
				(int)len, name);
			return -EINVAL;
		}
	}
	return param_set_copystring(val, kp);
}

static const struct kernel_param_ops vmem_exp_pfnmap_drivers_ops = {
	.set = vmem_exp_set_pfnmap_drivers,
	.get = param_get_string,
};

static struct kparam_string vmem_exp_pfnmap_drivers_param = {
	.maxlen = sizeof(pfnmap_drivers),
	.string = pfnmap_drivers,
};

module_param_cb(pfnmap_drivers, &vmem_exp_pfnmap_drivers_ops,
		&vmem_exp_pfnmap_drivers_param, 0644);
__MODULE_PARM_TYPE(pfnmap_drivers, "string");
MODULE_PARM_DESC(pfnmap_drivers,
		 "Comma-separated names of modules that free the frames of their VM_PFNMAP mappings to the page allocator; such mappings may then be exported, held by page references (default: none; other VM_PFNMAP mappings fail with EPERM). A name allows the mappings of the device files whose file_operations that module owns; the cores of subsystems (videodev, uio, ...), which own those of all their drivers, are refused");

/* Is @owner, a driver module, named in pfnmap_drivers? */
static bool vmem_exp_pfnmap_driver_listed(struct module *owner)
{
	const char *name, *list, *entry;
	bool listed = false;
	size_t len, n;

	if (!owner)
		return false;
	name = module_name(owner);
	len = strlen(name);

	kernel_param_lock(THIS_MODULE);
	list = pfnmap_drivers;
	while ((entry = vmem_exp_next_name(&list, &n))) {
		if (n == len && !strncmp(entry, name, len)) {
			listed = true;
			break;
		}
	}
	kernel_param_unlock(THIS_MODULE);
	return listed;
}

/* Is @vma a mapping of a videobuf2 buffer (any vb2 allocator)? */
static bool vmem_exp_is_vb2_mapping(struct vm_area_struct *vma)
{
	const struct vm_operations_struct *ops;
	bool vb2;

	/* No link-time dependency: vb2 need not be loaded, or built at all. */
	ops = symbol_get(vb2_common_vm_ops);
	if (!ops)
		return false;
	vb2 = vma->vm_ops == ops && vma->vm_file && vma->vm_private_data;
	symbol_put(vb2_common_vm_ops);
	return vb2;
}

/*
 * Whether writes to @vma, a shared mapping, must be seen by whoever maps
 * it: a file whose page cache is written back (a regular file of a disk
 * filesystem, a block device's page cache), or a mapping that asks to be
 * told of the first write to a page (page_mkwrite: ramfs, fbdev's deferred
 * I/O, ...). Writes through a long-term pin go behind its back. shmem and
 * hugetlbfs track nothing.
 */
static bool vmem_exp_tracks_writes(struct vm_area_struct *vma)
{
	struct file *file = vma->vm_file;
	umode_t mode;

	if (!file || !(vma->vm_flags & VM_SHARED) ||
	    shmem_mapping(file->f_mapping) || is_vm_hugetlb_page(vma))
		return false;
	if (vma->vm_ops && vma->vm_ops->page_mkwrite)
		return true;
	/* A device node's own inode and page cache are not what it maps. */
	mode = file_inode(file)->i_mode;
	return (S_ISREG(mode) || S_ISBLK(mode)) &&
	       mapping_can_writeback(file->f_mapping);
}

/*
 * Decides how the part of the range that @vma maps is held, and for
 * %VMEM_EXP_HOLD_PIN with which gup flags (@gup_flags). Returns the kind or
 * a negative errno if that part cannot be exported.
 */
static int vmem_exp_vma_kind(struct vm_area_struct *vma,
			     const struct vmem_exp_range *range,
			     unsigned int *gup_flags)
{
	bool writable = range->writable;

	*gup_flags = FOLL_LONGTERM;

	/*
	 * A mapping of a dma-buf exports only whole: vmem_exp_dmabuf_of().
	 * Not from another process: that would hand over the target's dma-buf
	 * file itself (its fences, its name, its devices), which is more than
	 * its memory; pidfd_getfd(2) takes files under the same ptrace check.
	 */
	if (vmem_exp_is_dmabuf_file(vma->vm_file))
		return range->remote ? -EPERM : -EFAULT;

	/* An export must never grant more than the owner's own mapping does. */
	if (!(vma->vm_flags & VM_READ))
		return -EFAULT;
	if (writable && !(vma->vm_flags & VM_WRITE))
		return -EACCES;

	/*
	 * Raw PFN mappings: a page-table walk finds the frames, and something
	 * must keep them from being freed and reused while the buffer lives.
	 * The driver's own hold on its buffer where it is known to be sound
	 * (videobuf2), page references where the administrator vouches that
	 * the driver frees such frames to the page allocator; else nothing
	 * can, since a driver may recycle frames in a pool of its own.
	 */
	if (vma->vm_flags & (VM_IO | VM_PFNMAP)) {
		if (vmem_exp_is_vb2_mapping(vma))
			return VMEM_EXP_HOLD_VB2;
		if (vma->vm_file &&
		    vmem_exp_pfnmap_driver_listed(vma->vm_file->f_op->owner))
			return VMEM_EXP_HOLD_REF;
		return -EPERM;
	}

	/*
	 * Writes through a long-term pin break the writeback of a file and
	 * the write notification of a mapping that tracks them; kernels
	 * since 6.5 refuse the file's with EFAULT, vmem-exp refuses both
	 * before gup sees them, with one errno on every kernel.
	 */
	if (writable && vmem_exp_tracks_writes(vma))
		return -EOPNOTSUPP;

	/*
	 * A read-only pin of private anonymous memory that was never written
	 * would pin the shared zero page, and the owner's later writes would
	 * land in a fresh page the export never sees. Where the owner may
	 * write anyway, fault the page in for writing so that the export
	 * holds the owner's own page. The export itself stays read-only.
	 *
	 * Not in another process for a reader: a read-only remote export
	 * must change nothing the target reads. There a long-term pin of a
	 * page shared copy-on-write would copy it into the target first
	 * (FAULT_FLAG_UNSHARE: anonymous pages shared with a parent or child;
	 * since 6.2 also page-cache pages of private file mappings and the
	 * zero page), so such mappings are pinned without faulting, after a
	 * read fault where a page is not present; a page that still needs a
	 * fault, an unsharing one, is refused (vmem_exp_hold_range()).
	 */
	if (range->remote && !writable) {
		if (is_cow_mapping(vma->vm_flags))
			*gup_flags |= FOLL_NOFAULT;
	} else if (writable ||
		   (vma_is_anonymous(vma) && (vma->vm_flags & VM_WRITE))) {
		*gup_flags |= FOLL_WRITE;
	}

	/*
	 * Everything else, VM_MIXEDMAP included, is what gup pins: pages with
	 * a reference count of their own, which the pin holds. gup refuses
	 * the raw PFN entries of a VM_MIXEDMAP mapping (ENXIO, see
	 * vmem_exp_hold_range()). Hugetlb pages on kernels whose gup cannot
	 * move them out of ZONE_MOVABLE: see compat.h.
	 */
	if (is_vm_hugetlb_page(vma))
		*gup_flags = vmem_exp_hugetlb_gup_flags(*gup_flags);
	return VMEM_EXP_HOLD_PIN;
}

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
	unsigned long done = 0, batch, first, n, i, j;
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
		/* Each folio returned is taken whole: the next call starts after it. */
		for (i = 0; i < nr; i++) {
			first = i ? 0 : offset >> PAGE_SHIFT;
			n = min_t(unsigned long, folio_nr_pages(folios[i]) - first,
				  nr_pages - done);
			for (j = 0; j < n; j++)
				pages[done + j] = folio_page(folios[i], first + j);
			done += n;
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

/*
 * Collects the pages of [@addr, @end) in @vma into @pages and holds them as
 * @hold->kind says; @hold->count counts what is held, also on failure.
 */
static int vmem_exp_hold_range(struct vmem_exp_buf *buf,
			       struct vm_area_struct *vma, unsigned long addr,
			       unsigned long end, struct vmem_exp_hold *hold,
			       struct page **pages)
{
	unsigned long faulted = 0;
	long ret;

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

#ifdef VMEM_EXP_PIN_BY_FILE
	if (hold->kind == VMEM_EXP_HOLD_PIN &&
	    vmem_exp_pinnable_by_file(vma, addr, end)) {
		hold->by_file = true;
		return vmem_exp_pin_file(vma, addr, (end - addr) >> PAGE_SHIFT,
					 pages, &hold->count);
	}
#endif

	while (addr < end) {
		if (hold->kind == VMEM_EXP_HOLD_PIN) {
			ret = vmem_exp_pin_user_pages(vma->vm_mm, addr,
						      (end - addr) >> PAGE_SHIFT,
						      hold->gup_flags,
						      pages + hold->count);
			/*
			 * Not present, or present but shared copy-on-write:
			 * see vmem_exp_vma_kind(). A read fault, what a read
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
		} else {
			ret = vmem_exp_walk_one(buf, vma, addr, hold->kind,
						pages + hold->count);
			if (ret)
				return ret;
			ret = 1;
		}
		hold->count += ret;
		addr += ret << PAGE_SHIFT;
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	return 0;
}

/* Releases what @hold holds; @writable: mark the pages dirty first. */
static void vmem_exp_release_hold(struct vmem_exp_hold *hold,
				  struct page **pages, bool writable)
{
	unsigned long i, n;

	switch (hold->kind) {
	case VMEM_EXP_HOLD_PIN:
#ifdef VMEM_EXP_PIN_BY_FILE
		if (hold->by_file) {
			vmem_exp_unpin_file(pages, hold->count, writable);
			break;
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
		break;
	case VMEM_EXP_HOLD_REF:
		for (i = 0; i < hold->count; i++) {
			if (writable)
				set_page_dirty_lock(pages[i]);
			put_page(pages[i]);
		}
		break;
	case VMEM_EXP_HOLD_VB2:
		/* What vb2_common_vm_close() does. */
		hold->vb2->put(hold->vb2->arg);
		fput(hold->file);
		break;
	}
}

/* iterate_fd() callback: is @file the file @p looks for? */
static int vmem_exp_file_matches(const void *p, struct file *file,
				 unsigned int fd)
{
	return file == p;
}

/*
 * May the caller have a new fd for the dma-buf behind @file, reached
 * through a mapping of it? A mapping outlives the fd it was made with, and
 * an fd grants what a mapping does not: fences (DMA_BUF_IOCTL_IMPORT_SYNC_FILE),
 * DMA_BUF_SET_NAME, import into devices, passing on. So the export is a
 * mere dup() for a caller that holds an fd of the dma-buf still, and
 * otherwise takes what opening /proc/PID/map_files takes, the kernel's
 * own way back from a mapping to its file: CAP_CHECKPOINT_RESTORE.
 */
static bool vmem_exp_may_reexport(struct file *file)
{
	return iterate_fd(current->files, 0, vmem_exp_file_matches, file) ||
	       checkpoint_restore_ns_capable(&init_user_ns);
}

/*
 * Is the range exactly a mapping of a whole dma-buf? Called under
 * mmap_lock, for a range that is not remote (see vmem_exp_vma_kind()).
 *
 * Such a range is exported as that same dma-buf, a new fd for it, rather
 * than as a new buffer over its pages. A dma-buf has one file, with one
 * access mode, so the request must match it: an O_RDONLY request never
 * comes back writable. Nor may it grant more than the mapping does.
 *
 * Returns NULL if @vma, the mapping the range starts in, is not a mapping of
 * a dma-buf (its pages are exported as usual); the dma-buf, with a file
 * reference taken; -EFAULT if the range is not exactly one whole dma-buf
 * mapping; -EACCES if the mapping is not writable and the request or the
 * dma-buf is; -EINVAL if the dma-buf is read-write and the request
 * read-only; or -EPERM if vmem_exp_may_reexport() says no.
 */
static struct dma_buf *vmem_exp_dmabuf_of(struct vm_area_struct *vma,
					  const struct vmem_exp_range *range)
{
	unsigned long start = range->start, len = range->nr_pages << PAGE_SHIFT;
	bool writable = range->writable;
	struct dma_buf *dmabuf;
	struct file *file;

	if (!vmem_exp_is_dmabuf_file(vma->vm_file))
		return NULL;
	file = vma->vm_file;
	dmabuf = file->private_data;

	if (start != vma->vm_start || len != vma->vm_end - vma->vm_start ||
	    len != dmabuf->size)
		return ERR_PTR(-EFAULT);
	if (writable && !(vma->vm_flags & VM_WRITE))
		return ERR_PTR(-EACCES);
	if ((file->f_mode & FMODE_WRITE) && !(vma->vm_flags & VM_MAYWRITE))
		return ERR_PTR(-EACCES);
	if (writable != !!(file->f_mode & FMODE_WRITE))
		return ERR_PTR(-EINVAL);
	if (!vmem_exp_may_reexport(file))
		return ERR_PTR(-EPERM);
	get_dma_buf(dmabuf);	/* the vma's file keeps it alive until here */
	return dmabuf;
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

/**
 * vmem_exp_pin() - find and hold the pages behind a range of memory
 * @buf: receives the pages; @buf->writable says whether importers may write.
 * @range: the range, in the caller's address space or, for a remote export,
 *	in the target's (whose mm the caller holds with mmget()).
 * @found: receives a dma-buf, with a reference taken, if the range is
 *	exactly the mapping of a whole dma-buf and not remote: that dma-buf
 *	is the export (see vmem_exp_dmabuf_of()), and nothing is pinned.
 *	Else NULL.
 *
 * Each mapping of the range is held as vmem_exp_vma_kind() decides. The
 * pages are charged to the caller's locked memory first (see
 * vmem_exp_charge()), also for a remote export. All or nothing: on failure
 * nothing stays held or charged and @buf->pages is NULL. One hold of
 * mmap_lock covers the dma-buf check, the checks of every mapping and the
 * pinning, so what was checked is what is held.
 *
 * Return: 0, -EFAULT if part of the range is not mapped, not readable, a
 * part of a dma-buf mapping, or not backed by pages, -EACCES if
 * @buf->writable and part of the range is not writable, -EOPNOTSUPP if
 * @buf->writable and part of the range is a shared mapping of a file whose
 * filesystem tracks dirty pages, -EPERM if part of the range is a raw PFN
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
int vmem_exp_pin(struct vmem_exp_buf *buf, const struct vmem_exp_range *range,
		 struct dma_buf **found)
{
	unsigned long start = range->start, nr_pages = range->nr_pages;
	unsigned long end = start + (nr_pages << PAGE_SHIFT);
	unsigned long addr, done = 0;
	struct vm_area_struct *first, *vma;
	struct mm_struct *mm = range->mm;
	struct vmem_exp_hold *hold;
	unsigned int started = 0;
	struct dma_buf *dmabuf;
	struct page **pages;
	long ret;

	*found = NULL;
	if (mmap_read_lock_killable(mm))
		return -EINTR;

	first = vma_lookup(mm, start);
	if (!first) {
		ret = -EFAULT;
		goto out_unlock;
	}
	dmabuf = range->remote ? NULL : vmem_exp_dmabuf_of(first, range);
	if (dmabuf) {
		ret = PTR_ERR_OR_ZERO(dmabuf);
		if (!ret)
			*found = dmabuf;
		goto out_unlock;
	}

	/*
	 * Decide how each mapping of the range is held before holding any:
	 * a refusal then costs no pinning. The mapping the range starts in
	 * is looked up once; most ranges lie within it.
	 */
	ret = vmem_exp_count_vmas(first, end);
	if (ret < 0)
		goto out_unlock;
	buf->holds = kvcalloc(ret, sizeof(*buf->holds), GFP_KERNEL_ACCOUNT);
	if (!buf->holds) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	for (addr = start; addr < end; addr = vma->vm_end) {
		vma = addr == start ? first : vma_lookup(mm, addr);
		hold = &buf->holds[buf->nr_holds++];
		ret = vmem_exp_vma_kind(vma, range, &hold->gup_flags);
		if (ret < 0)
			goto err_free_holds;
		hold->kind = ret;
		/*
		 * The pages gup pins are mapped with the vma's protection;
		 * raw PFN mappings are checked frame by frame, as they are
		 * walked: memtype.c.
		 */
		if (hold->kind == VMEM_EXP_HOLD_PIN) {
			ret = vmem_exp_memtype_add(buf, vma->vm_page_prot, false);
			if (ret)
				goto err_free_holds;
		}
	}

	pages = kvmalloc_array(nr_pages, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages) {
		ret = -ENOMEM;
		goto err_free_holds;
	}
	ret = vmem_exp_charge(buf, nr_pages);
	if (ret)
		goto err_free_pages;

	for (addr = start; started < buf->nr_holds; addr = vma->vm_end) {
		hold = &buf->holds[started++];
		vma = addr == start ? first : vma_lookup(mm, addr);
		hold->first = done;
		ret = vmem_exp_hold_range(buf, vma, addr, min(end, vma->vm_end),
					  hold, pages + done);
		done += hold->count;
		if (ret)
			goto err_release;
	}
	mmap_read_unlock(mm);

	buf->pages = pages;
	buf->nr_pages = nr_pages;
	return 0;

err_release:
	/* Nothing was shared yet: nothing to mark dirty. */
	while (started--)
		vmem_exp_release_hold(&buf->holds[started],
				      pages + buf->holds[started].first, false);
	vmem_exp_uncharge(buf, nr_pages);
err_free_pages:
	kvfree(pages);
err_free_holds:
	kvfree(buf->holds);
	buf->holds = NULL;
	buf->nr_holds = 0;
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
