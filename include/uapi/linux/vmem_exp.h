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
 * references, where the README says) and returns a new dma-buf file
 * descriptor for them. %DBUFIOC_VMEM_SYNC brackets CPU access to any
 * dma-buf, like %DMA_BUF_IOCTL_SYNC, for a byte range of it.
 *
 * Both ioctls return 0 on success and -1 with errno set on failure; the
 * errno values are listed in the README.
 */

/**
 * struct vmem_exp_export - argument of %DBUFIOC_VMEM_EXP
 * @addr: in: page-aligned start of the range in the caller's address space.
 * @len: in: length of the range in bytes, a positive multiple of the page
 *	size.
 * @fd_flags: in: %O_CLOEXEC, plus %O_RDONLY or %O_RDWR. The access mode is
 *	both the mode of the returned file and what importers may do: a
 *	read-only export refuses device writes and writable mappings.
 * @flags: in: VMEM_EXP_F_* bits; none is defined yet, so this must be 0.
 * @src_fd: in: reserved for exporting another process's memory; must be 0.
 * @fd: out: the new dma-buf file descriptor.
 */
struct vmem_exp_export {
	__u64 addr;
	__u64 len;
	__u32 fd_flags;
	__u32 flags;
	__s32 src_fd;
	__s32 fd;
};

/* No VMEM_EXP_F_* flag is defined yet. */
#define VMEM_EXP_F_VALID_FLAGS	0u

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
