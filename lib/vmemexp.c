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

int vmem_exp_open(void)
{
	int saved = errno;
	int fd;

	fd = open(VMEM_EXP_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		fd = -errno;
	errno = saved;
	return fd;
}

int vmem_exp_export(int devfd, void *addr, size_t len, int fd_flags)
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

int vmem_exp_export_remote(int devfd, int memfd, uint64_t addr, size_t len,
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

int vmem_exp_sync(int devfd, int dmabuf_fd, uint32_t flags, uint64_t offset,
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
