/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vmem-exp: export a range of a process's virtual memory as a dma-buf.
 */
#ifndef _UAPI_LINUX_VMEM_EXP_H
#define _UAPI_LINUX_VMEM_EXP_H

#include <linux/types.h>
#include <linux/ioctl.h>

/**
 * DOC: /dev/vmem-exp
 *
 * A misc character device. %DBUFIOC_VMEM_EXP holds the pages behind a
 * page-aligned range of the caller's address space (long-term pins; for
 * memory a driver mapped, that driver's own reference on its buffer or page
 * references, where vmem-exp(4) says) and returns a new dma-buf file
 * descriptor for them. With %VMEM_EXP_F_REMOTE the range lies in another
 * process's address space instead, one the caller may ptrace: see
 * &struct vmem_exp_export. %DBUFIOC_VMEM_SYNC brackets CPU access to any
 * dma-buf, like %DMA_BUF_IOCTL_SYNC, for a byte range of it.
 *
 * Both ioctls return 0 on success and -1 with errno set on failure; the
 * errno values are listed in vmem-exp(4).
 */

/**
 * struct vmem_exp_export - argument of %DBUFIOC_VMEM_EXP
 * @addr: in: page-aligned start of the range in the caller's address space,
 *	or with %VMEM_EXP_F_REMOTE in the address space @src_fd names.
 * @len: in: length of the range in bytes, a positive multiple of the page
 *	size.
 * @fd_flags: in: %O_CLOEXEC, plus %O_RDONLY or %O_RDWR. The access mode is
 *	both the mode of the returned file and what importers may do: a
 *	read-only export refuses device writes and writable mappings.
 * @flags: in: %VMEM_EXP_F_* bits; any other bit is %EINVAL.
 * @src_fd: in: with %VMEM_EXP_F_REMOTE, an open /proc/PID/mem (or
 *	/proc/PID/task/TID/mem) file of the process whose memory to export:
 *	the kernel opens one only after the ptrace attach check. It must be
 *	open for reading, and for an %O_RDWR export for writing too
 *	(%EACCES otherwise). Not open: %EBADF; another kind of file: %EINVAL;
 *	the process has exited or exec'd since the file was opened: %ESRCH.
 *	If the module found no procfs at /proc when it was loaded, it cannot
 *	recognise such files and refuses every remote export (%EOPNOTSUPP).
 *	Without the flag, must be 0 (%EINVAL).
 * @fd: out: the new dma-buf file descriptor.
 *
 * A remote export follows the same rules as a local one (the target's
 * mappings decide what may be exported, and how), except that a dma-buf
 * mapping in the target is refused (%EPERM) rather than exported as its
 * dma-buf, and that the range is checked against the target's address
 * space size (%EFAULT). The pages are charged to the caller, not to the
 * target. The buffer holds its pages, not the target's address space: it
 * keeps them when the target unmaps them, execs or exits.
 */
struct vmem_exp_export {
	__u64 addr;
	__u64 len;
	__u32 fd_flags;
	__u32 flags;
	__s32 src_fd;
	__s32 fd;
};

/* The range lies in the address space of the process src_fd names. */
#define VMEM_EXP_F_REMOTE	(1u << 0)

#define VMEM_EXP_F_VALID_FLAGS	VMEM_EXP_F_REMOTE

/**
 * struct vmem_exp_sync - argument of %DBUFIOC_VMEM_SYNC
 * @fd: in: any dma-buf file descriptor, not only one made by vmem-exp.
 * @flags: in: %DMA_BUF_SYNC_START or %DMA_BUF_SYNC_END, or'ed with
 *	%DMA_BUF_SYNC_READ, %DMA_BUF_SYNC_WRITE or %DMA_BUF_SYNC_RW, as defined
 *	in <linux/dma-buf.h>.
 * @offset: in: start of the range to synchronise, in bytes.
 * @len: in: length of the range in bytes; 0 means up to the end of the
 *	buffer. The range must lie inside the buffer.
 */
struct vmem_exp_sync {
	__s32 fd;
	__u32 flags;
	__u64 offset;
	__u64 len;
};

#define VMEM_EXP_IOC_MAGIC	'Y'

#define DBUFIOC_VMEM_EXP	_IOWR(VMEM_EXP_IOC_MAGIC, 0x00, struct vmem_exp_export)
#define DBUFIOC_VMEM_SYNC	_IOW(VMEM_EXP_IOC_MAGIC, 0x01, struct vmem_exp_sync)

#endif /* _UAPI_LINUX_VMEM_EXP_H */
