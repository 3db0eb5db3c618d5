// SPDX-License-Identifier: GPL-2.0
/*
 * Description: the module cannot be unloaded while a dma-buf, a mapping of
 * one, or an open /dev/vmem-exp exists, and unloads and reloads cleanly
 * once none does. Runs last: it unloads the module under test.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness.h"
#include "vmemexp.h"

#define MODULE_PATH "/lib/modules/vmem_exp.ko"

static int unload(void)
{
	return syscall(SYS_delete_module, "vmem_exp", O_NONBLOCK) ? -errno : 0;
}

int main(void)
{
	char *p = t_map_anon(PAGE), *q;
	int devfd, fd, mod, ret;

	devfd = vmemexp_open();
	if (devfd < 0)
		t_bail("open: %s", strerror(-devfd));
	fd = vmemexp_export(devfd, p, PAGE, O_RDWR);
	if (fd < 0)
		t_bail("export: %s", strerror(-fd));

	close(devfd);
	t_ok_errno(unload(), EWOULDBLOCK, "unload while a dma-buf exists");
	q = t_map_dmabuf(fd, PAGE, PROT_READ, 0);
	close(fd);
	t_ok_errno(unload(), EWOULDBLOCK, "unload while only an mmap of the dma-buf exists");
	munmap(q, PAGE);

	devfd = vmemexp_open();
	t_ok_errno(unload(), EWOULDBLOCK, "unload while /dev/vmem-exp is open");
	close(devfd);

	t_ok_errno(unload(), 0, "unload once nothing is left");
	t_ok(access(VMEMEXP_DEVICE, F_OK) && errno == ENOENT, "the device node is gone");

	mod = open(MODULE_PATH, O_RDONLY | O_CLOEXEC);
	ret = mod < 0 ? -errno : syscall(SYS_finit_module, mod, "", 0) ? -errno : 0;
	t_ok_errno(ret, 0, "reload");
	close(mod);
	devfd = vmemexp_open();
	fd = devfd < 0 ? devfd : vmemexp_export(devfd, p, PAGE, O_RDWR);
	t_ok(fd >= 0, "the reloaded module exports");
	close(fd);
	close(devfd);
	return t_done();
}
