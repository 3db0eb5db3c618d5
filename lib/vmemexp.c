// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libvmemexp: thin wrappers over the /dev/vmem-exp ioctls.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vmem_exp.h>

#include "vmemexp.h"

/* Runs an ioctl and returns 0 or -errno, leaving errno as it was. */
static int vmem_exp_ioctl(int fd, unsigned long cmd, void *arg)
{
	int saved = errno;
	int ret = 0;

	if (ioctl(fd, cmd, arg) < 0)
		ret = -errno;
	errno = saved;
	return ret;
}

int vmemexp_open(void)
{
	int saved = errno;
	int fd;

	fd = open(VMEMEXP_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		fd = -errno;
	errno = saved;
	return fd;
}

int vmemexp_export(int devfd, void *addr, size_t len, int fd_flags)
{
	struct vmem_exp_export arg;
	int ret;

	memset(&arg, 0, sizeof(arg));
	arg.addr = (uintptr_t)addr;
	arg.len = len;
	arg.fd_flags = (uint32_t)fd_flags;
	ret = vmem_exp_ioctl(devfd, DBUFIOC_VMEM_EXP, &arg);
	return ret ? ret : arg.fd;
}

int vmemexp_export_remote(int devfd, int memfd, uint64_t addr, size_t len,
			  int fd_flags)
{
	struct vmem_exp_export arg;
	int ret;

	memset(&arg, 0, sizeof(arg));
	arg.addr = addr;
	arg.len = len;
	arg.fd_flags = (uint32_t)fd_flags;
	arg.flags = VMEM_EXP_F_REMOTE;
	arg.src_fd = memfd;
	ret = vmem_exp_ioctl(devfd, DBUFIOC_VMEM_EXP, &arg);
	return ret ? ret : arg.fd;
}

int vmemexp_sync(int devfd, int dmabuf_fd, uint32_t flags, uint64_t offset,
		 uint64_t len)
{
	struct vmem_exp_sync arg;

	memset(&arg, 0, sizeof(arg));
	arg.fd = dmabuf_fd;
	arg.flags = flags;
	arg.offset = offset;
	arg.len = len;
	return vmem_exp_ioctl(devfd, DBUFIOC_VMEM_SYNC, &arg);
}

/*
 * The symbols of the names before LIBVMEMEXP_1.2 (lib/vmemexp.h), at their
 * old versions (lib/libvmemexp.map), for programs linked against them.
 */
__typeof__(vmemexp_open) vmem_exp_open __attribute__((alias("vmemexp_open")));
__typeof__(vmemexp_export) vmem_exp_export __attribute__((alias("vmemexp_export")));
__typeof__(vmemexp_export_remote) vmem_exp_export_remote
	__attribute__((alias("vmemexp_export_remote")));
__typeof__(vmemexp_sync) vmem_exp_sync __attribute__((alias("vmemexp_sync")));
