// SPDX-License-Identifier: GPL-2.0
/*
 * vmem-exp: the /dev/vmem-exp misc device and its ioctls.
 *
 * Export a range of the caller's virtual memory, or of another process's
 * that the caller may ptrace (remote.c), as a dma-buf (DBUFIOC_VMEM_EXP)
 * and bracket CPU access to any dma-buf for a byte range of it
 * (DBUFIOC_VMEM_SYNC).
 */

#include <linux/dma-buf.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/uaccess.h>
#include <uapi/linux/dma-buf.h>
#include <linux/vmem_exp.h>

#include "compat.h"
#include "vmem_exp.h"

static unsigned int max_export_mb = 4096;
module_param(max_export_mb, uint, 0644);
MODULE_PARM_DESC(max_export_mb,
		 "Largest single export in MiB; larger requests fail with E2BIG (default 4096)");

#define VMEM_EXP_FD_FLAGS	(O_CLOEXEC | O_ACCMODE)

/* Checks what can be checked without looking at the address space. */
static int vmem_exp_check_export(const struct vmem_exp_export *arg)
{
	unsigned int accmode = arg->fd_flags & O_ACCMODE;
	u64 end;

	if (arg->fd_flags & ~VMEM_EXP_FD_FLAGS)
		return -EINVAL;
	if (accmode != O_RDONLY && accmode != O_RDWR)
		return -EINVAL;
	if (arg->flags & ~VMEM_EXP_F_VALID_FLAGS)
		return -EINVAL;
	/* src_fd means something only for a remote export. */
	if (!(arg->flags & VMEM_EXP_F_REMOTE) && arg->src_fd)
		return -EINVAL;
	if (!arg->len || !PAGE_ALIGNED(arg->addr) || !PAGE_ALIGNED(arg->len))
		return -EINVAL;
	if (check_add_overflow(arg->addr, arg->len, &end))
		return -EINVAL;
	/* Before the address check, so the order does not depend on TASK_SIZE. */
	if (arg->len > (u64)READ_ONCE(max_export_mb) << 20)
		return -E2BIG;
	/* A remote range is checked against the target's size, once known. */
	if (!(arg->flags & VMEM_EXP_F_REMOTE) && end > TASK_SIZE)
		return -EFAULT;
	return 0;
}

/*
 * The address space of the range: the caller's, or for a remote export the
 * one src_fd names, held until vmem_exp_put_range(). Checked to hold the
 * whole range.
 */
static int vmem_exp_get_range(const struct vmem_exp_export *arg,
			      struct vmem_exp_range *range)
{
	range->start = arg->addr;
	range->nr_pages = arg->len >> PAGE_SHIFT;
	range->writable = (arg->fd_flags & O_ACCMODE) == O_RDWR;
	range->remote = arg->flags & VMEM_EXP_F_REMOTE;
	if (!range->remote) {
		range->mm = current->mm;
		return 0;
	}

	range->mm = vmem_exp_remote_get(arg->src_fd, range->writable);
	if (IS_ERR(range->mm))
		return PTR_ERR(range->mm);
	if (arg->addr + arg->len > range->mm->task_size) {
		mmput(range->mm);
		return -EFAULT;
	}
	return 0;
}

static void vmem_exp_put_range(struct vmem_exp_range *range)
{
	if (range->remote)
		mmput(range->mm);
}

static long vmem_exp_do_export(struct vmem_exp_export __user *uarg)
{
	struct vmem_exp_range range;
	struct vmem_exp_export arg;
	struct dma_buf *dmabuf;
	int fd, ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	ret = vmem_exp_check_export(&arg);
	if (ret)
		return ret;
	ret = vmem_exp_get_range(&arg, &range);
	if (ret)
		return ret;

	fd = get_unused_fd_flags(arg.fd_flags & O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_put_range;
	}

	/*
	 * A new dma-buf, or for a mapping of a whole dma-buf that dma-buf;
	 * never for a remote range (vmem_exp_vma_kind() says why).
	 */
	dmabuf = vmem_exp_create(&range);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto err_put_fd;
	}

	/* Install the fd only once nothing can fail, so no live fd leaks. */
	if (put_user(fd, &uarg->fd)) {
		ret = -EFAULT;
		goto err_put_dmabuf;
	}
	fd_install(fd, dmabuf->file);
	/* The buffer holds its pages, not the address space they came from. */
	vmem_exp_put_range(&range);
	return 0;

err_put_dmabuf:
	dma_buf_put(dmabuf);
err_put_fd:
	put_unused_fd(fd);
err_put_range:
	vmem_exp_put_range(&range);
	return ret;
}

/* Every export's outcome is counted (sysfs: exports, refused/ERRNO). */
static long vmem_exp_ioctl_export(struct vmem_exp_export __user *uarg)
{
	long ret = vmem_exp_do_export(uarg);

	vmem_exp_info_export_done(ret);
	return ret;
}

static long vmem_exp_ioctl_sync(struct vmem_exp_sync __user *uarg)
{
	enum dma_data_direction dir;
	struct vmem_exp_sync arg;
	struct dma_buf *dmabuf;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags & ~DMA_BUF_SYNC_VALID_FLAGS_MASK)
		return -EINVAL;

	switch (arg.flags & DMA_BUF_SYNC_RW) {
	case DMA_BUF_SYNC_READ:
		dir = DMA_FROM_DEVICE;
		break;
	case DMA_BUF_SYNC_WRITE:
		dir = DMA_TO_DEVICE;
		break;
	case DMA_BUF_SYNC_RW:
		dir = DMA_BIDIRECTIONAL;
		break;
	default:
		return -EINVAL;
	}

	dmabuf = dma_buf_get(arg.fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);

	if (arg.offset >= dmabuf->size || arg.len > dmabuf->size - arg.offset) {
		ret = -EINVAL;
		goto out_put;
	}

	/*
	 * vmem-exp's own buffers sync just the range; the dma-buf interface
	 * syncs other exporters' whole buffers, a superset of the range. Both
	 * wait for the buffer's fences as DMA_BUF_IOCTL_SYNC does.
	 */
	if (vmem_exp_is_ours(dmabuf))
		ret = vmem_exp_sync_part(dmabuf, arg.offset,
					 arg.len ?: dmabuf->size - arg.offset,
					 dir, arg.flags & DMA_BUF_SYNC_END);
	else if (arg.flags & DMA_BUF_SYNC_END)
		ret = dma_buf_end_cpu_access(dmabuf, dir);
	else
		ret = dma_buf_begin_cpu_access(dmabuf, dir);

out_put:
	dma_buf_put(dmabuf);
	return ret;
}

static long vmem_exp_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case DBUFIOC_VMEM_EXP:
		return vmem_exp_ioctl_export(uarg);
	case DBUFIOC_VMEM_SYNC:
		return vmem_exp_ioctl_sync(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations vmem_exp_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = vmem_exp_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/*
 * Anyone may open the device: an export reaches only memory the caller can
 * already read (and write, for O_RDWR), its own or, through an open
 * /proc/PID/mem file, another process's, and every pinned page is charged
 * to the caller's RLIMIT_MEMLOCK and counted against max_pinned_mb.
 */
static struct miscdevice vmem_exp_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vmem-exp",
	.fops = &vmem_exp_fops,
	.mode = 0666,
	.groups = vmem_exp_info_groups,
};

static int __init vmem_exp_init(void)
{
	int ret;

	vmem_exp_limits_init();
	vmem_exp_remote_init();
	vmem_exp_info_init();
	ret = misc_register(&vmem_exp_misc);
	if (ret)
		vmem_exp_info_exit();
	return ret;
}

static void __exit vmem_exp_exit(void)
{
	misc_deregister(&vmem_exp_misc);
	vmem_exp_info_exit();
}

module_init(vmem_exp_init);
module_exit(vmem_exp_exit);

MODULE_DESCRIPTION("Export a range of a process's virtual memory as a dma-buf");
MODULE_AUTHOR("The vmem-exp developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(VMEM_EXP_VERSION);
VMEM_EXP_IMPORT_DMA_BUF_NS();
