/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvmemexp: export ranges of this process's memory, or of another's that
 * it may ptrace, as dma-bufs.
 *
 * Every function returns a non-negative value on success and a negative
 * errno value on failure; none of them changes errno.
 */
#ifndef LIBVMEMEXP_H
#define LIBVMEMEXP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Path of the vmem-exp device node. */
#define VMEMEXP_DEVICE "/dev/vmem-exp"

/**
 * vmemexp_open() - open /dev/vmem-exp (close-on-exec)
 *
 * Return: the device fd, or -errno.
 */
int vmemexp_open(void);

/**
 * vmemexp_export() - export a range of this process's memory as a dma-buf
 * @devfd: fd from vmemexp_open().
 * @addr: page-aligned start of the range.
 * @len: length in bytes, a positive multiple of the page size.
 * @fd_flags: O_RDONLY or O_RDWR, optionally or'ed with O_CLOEXEC.
 *
 * Return: the new dma-buf fd, or -errno (see vmemexp_export(3)).
 */
int vmemexp_export(int devfd, void *addr, size_t len, int fd_flags);

/**
 * vmemexp_export_remote() - export a range of another process's memory
 * @devfd: fd from vmemexp_open().
 * @memfd: an open /proc/PID/mem of that process. Opening it is the
 *	permission check: the kernel allows it only to whoever may ptrace
 *	(attach to) the process. Open it O_RDONLY for a read-only export,
 *	O_RDWR for a read-write one.
 * @addr: page-aligned start of the range in that process's address space.
 * @len: length in bytes, a positive multiple of the page size.
 * @fd_flags: O_RDONLY or O_RDWR, optionally or'ed with O_CLOEXEC.
 *
 * The pages are charged to the calling process's user, and the buffer
 * keeps them after that process unmaps them, execs or exits.
 *
 * Return: the new dma-buf fd, or -errno (see vmemexp_export_remote(3)).
 */
int vmemexp_export_remote(int devfd, int memfd, uint64_t addr, size_t len,
			  int fd_flags);

/**
 * vmemexp_sync() - bracket CPU access to a byte range of any dma-buf
 * @devfd: fd from vmemexp_open().
 * @dmabuf_fd: any dma-buf fd.
 * @flags: DMA_BUF_SYNC_START or DMA_BUF_SYNC_END, or'ed with
 *	DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE or DMA_BUF_SYNC_RW.
 * @offset: start of the range in bytes.
 * @len: length in bytes; 0 means up to the end of the buffer.
 *
 * Return: 0, or -errno.
 */
int vmemexp_sync(int devfd, int dmabuf_fd, uint32_t flags, uint64_t offset,
		 uint64_t len);

/*
 * The names before LIBVMEMEXP_1.2, which shared theirs with the structs of
 * <linux/vmem_exp.h>: still accepted in source (function-like macros leave
 * "struct vmem_exp_export" alone) and still exported for programs linked
 * against them. New code uses the names above (libvmemexp(3), HISTORY).
 */
#define VMEM_EXP_DEVICE VMEMEXP_DEVICE
#define vmem_exp_open() vmemexp_open()
#define vmem_exp_export(devfd, addr, len, fd_flags) \
	vmemexp_export(devfd, addr, len, fd_flags)
#define vmem_exp_export_remote(devfd, memfd, addr, len, fd_flags) \
	vmemexp_export_remote(devfd, memfd, addr, len, fd_flags)
#define vmem_exp_sync(devfd, dmabuf_fd, flags, offset, len) \
	vmemexp_sync(devfd, dmabuf_fd, flags, offset, len)

#ifdef __cplusplus
}
#endif

#endif /* LIBVMEMEXP_H */
