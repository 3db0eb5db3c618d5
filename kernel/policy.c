// SPDX-License-Identifier: GPL-2.0
/*
 * vmem-exp: what a mapping is, and whether and how it may be exported.
 *
 * Ordinary memory and pages a driver inserted one by one are pinned (pin.c).
 * Raw PFN mappings are held by the owning driver's own reference on its
 * buffer (videobuf2) or by page references where the administrator vouches
 * for the driver (pfnmap_drivers), or refused (pfnmap.c walks them). A
 * mapping of a whole dma-buf is exported as that dma-buf, if the caller may
 * have a new fd for it.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/backing-dev.h>
#include <linux/capability.h>
#include <linux/ctype.h>
#include <linux/dma-buf.h>
#include <linux/fdtable.h>
#include <linux/fs.h>
#include <linux/hugetlb.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/shmem_fs.h>
#include <linux/string.h>
#include <media/videobuf2-memops.h>

#include "compat.h"
#include "vmem_exp.h"

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

/* How a raw PFN mapping is held (see vmem_exp_vma_kind()), or -EPERM. */
static int vmem_exp_pfnmap_kind(struct vm_area_struct *vma)
{
	if (vmem_exp_is_vb2_mapping(vma))
		return VMEM_EXP_HOLD_VB2;
	if (vma->vm_file &&
	    vmem_exp_pfnmap_driver_listed(vma->vm_file->f_op->owner))
		return VMEM_EXP_HOLD_REF;
	return -EPERM;
}

/*
 * Adds to *@gup_flags what pinning @vma's part of @range takes, for a
 * mapping that vmem_exp_vma_kind() found gup is to pin.
 */
static void vmem_exp_pin_flags(struct vm_area_struct *vma,
			       const struct vmem_exp_range *range,
			       unsigned int *gup_flags)
{
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
	 * fault, an unsharing one, is refused (vmem_exp_pin_range()).
	 */
	if (range->remote && !range->writable) {
		if (is_cow_mapping(vma->vm_flags))
			*gup_flags |= FOLL_NOFAULT;
	} else if (range->writable ||
		   (vma_is_anonymous(vma) && (vma->vm_flags & VM_WRITE))) {
		*gup_flags |= FOLL_WRITE;
	}

	/*
	 * Hugetlb pages on kernels whose gup cannot move them out of
	 * ZONE_MOVABLE: see compat.h.
	 */
	if (is_vm_hugetlb_page(vma))
		*gup_flags = vmem_exp_hugetlb_gup_flags(*gup_flags);
}

/**
 * vmem_exp_vma_kind() - how a mapping's part of a range is held, if at all
 * @vma: the mapping, under mmap_lock.
 * @range: the range the export asks for.
 * @gup_flags: for %VMEM_EXP_HOLD_PIN, receives the flags to pin with.
 *
 * Decides how the part of the range that @vma maps is held, and for
 * %VMEM_EXP_HOLD_PIN with which gup flags (@gup_flags).
 *
 * Return: the &enum vmem_exp_hold_kind, or a negative errno if that part
 * cannot be exported.
 */
int vmem_exp_vma_kind(struct vm_area_struct *vma,
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
	if (vma->vm_flags & (VM_IO | VM_PFNMAP))
		return vmem_exp_pfnmap_kind(vma);

	/*
	 * Writes through a long-term pin break the writeback of a file and
	 * the write notification of a mapping that tracks them; kernels
	 * since 6.5 refuse the file's with EFAULT, vmem-exp refuses both
	 * before gup sees them, with one errno on every kernel.
	 */
	if (writable && vmem_exp_tracks_writes(vma))
		return -EOPNOTSUPP;

	/*
	 * Everything else, VM_MIXEDMAP included, is what gup pins: pages with
	 * a reference count of their own, which the pin holds. gup refuses
	 * the raw PFN entries of a VM_MIXEDMAP mapping (ENXIO, see
	 * vmem_exp_pin_range()).
	 */
	vmem_exp_pin_flags(vma, range, gup_flags);
	return VMEM_EXP_HOLD_PIN;
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

/**
 * vmem_exp_dmabuf_of() - the dma-buf a range is exactly the mapping of
 * @vma: the mapping the range starts in, under mmap_lock.
 * @range: the range; not remote (see vmem_exp_vma_kind()).
 *
 * Is the range exactly a mapping of a whole dma-buf?
 *
 * Such a range is exported as that same dma-buf, a new fd for it, rather
 * than as a new buffer over its pages. A dma-buf has one file, with one
 * access mode, so the request must match it: an O_RDONLY request never
 * comes back writable. Nor may it grant more than the mapping does.
 *
 * Return: NULL if @vma, the mapping the range starts in, is not a mapping of
 * a dma-buf (its pages are exported as usual); the dma-buf, with a file
 * reference taken; -EFAULT if the range is not exactly one whole dma-buf
 * mapping; -EACCES if the mapping is not writable and the request or the
 * dma-buf is; -EINVAL if the dma-buf is read-write and the request
 * read-only; or -EPERM if vmem_exp_may_reexport() says no.
 */
struct dma_buf *vmem_exp_dmabuf_of(struct vm_area_struct *vma,
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
