// SPDX-License-Identifier: GPL-2.0
/*
 * vmem-exp: whose memory a remote export (VMEM_EXP_F_REMOTE) may reach.
 *
 * The permission is the kernel's own ptrace attach check, made when
 * /proc/PID/mem was opened: proc's mem_open() calls mm_access() with
 * PTRACE_MODE_ATTACH and the opener's fs credentials (uids, capabilities,
 * Yama, LSMs), and the open file then holds the target's mm (mmgrab: the
 * struct, not the address space) in its private_data. Modules cannot call
 * ptrace_may_access() or mm_access(); an open mem file is proof that the
 * check passed, and its mode says whether its opener may also write, just
 * as it does for read() and write() on it.
 *
 * Such a file is recognised by its file_operations, which procfs shares
 * among every /proc/PID/mem and /proc/PID/task/TID/mem and no other file:
 * the module opens /proc/self/mem once at load and remembers them.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>

#include "vmem_exp.h"

/*
 * procfs's file_operations of /proc/PID/mem, found at load; NULL if they
 * could not be (then every remote export is refused). Written only by
 * vmem_exp_remote_init(), before the device exists.
 */
static const struct file_operations *vmem_exp_mem_fops __ro_after_init;

/**
 * vmem_exp_remote_init() - find procfs's mem file operations
 *
 * Runs in the context of the process that loads the module (root, in the
 * administrator's namespaces), so /proc is the one the administrator
 * mounted. Whatever the path resolves to must prove itself anyway: a
 * procfs file that holds this very process's mm, which only proc's
 * mem_open() (and the environ and auxv files, not at this path) stores.
 */
void vmem_exp_remote_init(void)
{
	struct file *file;

	file = filp_open("/proc/self/mem", O_RDONLY, 0);
	if (IS_ERR(file)) {
		pr_warn("cannot open /proc/self/mem (%pe): remote exports are refused\n",
			file);
		return;
	}
	if (file_inode(file)->i_sb->s_magic == PROC_SUPER_MAGIC &&
	    current->mm && file->private_data == current->mm)
		vmem_exp_mem_fops = file->f_op;
	else
		pr_warn("/proc/self/mem is not procfs's mem file: remote exports are refused\n");
	filp_close(file, NULL);
}

/**
 * vmem_exp_remote_get() - the address space a remote export's src_fd names
 * @src_fd: the caller's fd of an open /proc/PID/mem file.
 * @writable: the export is to be read-write.
 *
 * Takes the address space only if it still exists: exit and exec drop the
 * last mm_users reference of the mm the file was opened on, and the file
 * never follows the process to a new one (it would otherwise reach the
 * image of a set-uid program the process exec'd).
 *
 * Return: the mm, held with mmget() (release it with mmput()), or
 * -EOPNOTSUPP if the module could not identify mem files at load, -EBADF
 * if @src_fd is not an open file descriptor, -EINVAL if it is not a
 * /proc/PID/mem file, -EACCES if it is not open for reading or, when
 * @writable, for writing, or -ESRCH if the address space is gone (or the
 * file was opened on a process that had none).
 */
struct mm_struct *vmem_exp_remote_get(int src_fd, bool writable)
{
	fmode_t need = FMODE_READ | (writable ? FMODE_WRITE : 0);
	struct mm_struct *mm;
	struct file *file;

	if (!vmem_exp_mem_fops)
		return ERR_PTR(-EOPNOTSUPP);
	file = fget(src_fd);
	if (!file)
		return ERR_PTR(-EBADF);

	if (file->f_op != vmem_exp_mem_fops) {
		mm = ERR_PTR(-EINVAL);
		goto out_put_file;
	}
	if ((file->f_mode & need) != need) {
		mm = ERR_PTR(-EACCES);
		goto out_put_file;
	}
	/*
	 * Set by mem_open() before the file was installed and never changed;
	 * the file's mmgrab() keeps the struct while we hold the file. 6.1
	 * opens the file with a NULL mm for a task without one.
	 */
	mm = file->private_data;
	if (!mm || !mmget_not_zero(mm))
		mm = ERR_PTR(-ESRCH);

out_put_file:
	fput(file);
	return mm;
}
