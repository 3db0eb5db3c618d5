// SPDX-License-Identifier: GPL-2.0
/*
 * Description: the module cannot be unloaded while a dma-buf, a mapping of
 * one, or an open /dev/vmem-exp exists, and unloads and reloads cleanly
 * once none does; loaded where /proc is not procfs, it refuses every remote
 * export with EOPNOTSUPP. Runs last: it unloads the module under test.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
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

static int load(void)
{
	int mod = open(MODULE_PATH, O_RDONLY | O_CLOEXEC);
	int ret = mod < 0 ? -errno : syscall(SYS_finit_module, mod, "", 0) ? -errno : 0;

	if (mod >= 0)
		close(mod);
	return ret;
}

/*
 * The module finds procfs's mem files once, when it is loaded (remote.c).
 * Loaded by a child in a mount namespace of its own whose /proc is not
 * mounted, or (@fake) is a tmpfs with a file at self/mem, it must refuse
 * every remote export, with EOPNOTSUPP; then it is unloaded again.
 */
static void load_without_procfs(void *p, bool fake)
{
	const char *where = fake ? "a tmpfs with a file self/mem" : "not mounted";
	int pid, devfd, memfd, fd, status;

	pid = fork();
	if (!pid) {
		/* Private first: the parent's /proc must stay. */
		if (unshare(CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    umount2("/proc", MNT_DETACH))
			_exit(1);
		if (fake) {
			if (mount("tmpfs", "/proc", "tmpfs", 0, NULL) ||
			    mkdir("/proc/self", 0755))
				_exit(2);
			fd = open("/proc/self/mem", O_CREAT | O_WRONLY, 0600);
			if (fd < 0 || close(fd))
				_exit(2);
		}
		_exit(load() ? 3 : 0);
	}
	status = pid > 0 ? t_wait_child(pid) : -1;
	if (!t_ok(!status, "load where /proc is %s", where)) {
		t_diag("child: %d (1: namespace, 2: tmpfs, 3: load)", status);
		return;
	}
	devfd = vmemexp_open();
	memfd = t_proc_mem(getpid(), O_RDONLY);
	fd = devfd < 0 ? devfd : memfd < 0 ? memfd :
		vmemexp_export_remote(devfd, memfd, (uintptr_t)p, PAGE, O_RDONLY);
	t_ok_errno(fd, EOPNOTSUPP, fake ? "a remote export, loaded where /proc is a tmpfs" :
		 "a remote export, loaded where /proc is not mounted");
	if (fd >= 0)
		close(fd);
	close(memfd);
	close(devfd);
	t_ok_errno(unload(), 0, fake ? "unload the module loaded over a tmpfs /proc" :
		 "unload the module loaded without /proc");
}

/* Unloading is refused while anything of the module is in use. */
static void unload_while_used(char *p)
{
	int devfd, fd;
	char *q;

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
}

static void reload(char *p)
{
	int devfd, fd;

	t_ok_errno(load(), 0, "reload");
	devfd = vmemexp_open();
	fd = devfd < 0 ? devfd : vmemexp_export(devfd, p, PAGE, O_RDWR);
	t_ok(fd >= 0, "the reloaded module exports");
	close(fd);
	close(devfd);
	t_ok_errno(unload(), 0, "unload again");
}

/* Loaded again where /proc is procfs, the module exports remotely again. */
static void reload_with_procfs(void)
{
	/*
	 * A page of our own since the forks: p is shared copy-on-write,
	 * which a read-only remote export refuses (EPERM).
	 */
	char *q = t_map_anon(PAGE);
	int devfd, mem, fd;

	t_ok_errno(load(), 0, "reload where /proc is procfs");
	memset(q, 1, PAGE);
	devfd = vmemexp_open();
	mem = t_proc_mem(getpid(), O_RDONLY);
	fd = devfd < 0 ? devfd : mem < 0 ? mem :
		vmemexp_export_remote(devfd, mem, (uintptr_t)q, PAGE, O_RDONLY);
	if (!t_ok(fd >= 0, "that module exports remotely again"))
		t_diag("got %s", strerror(-fd));
	close(fd);
	close(mem);
	close(devfd);
	munmap(q, PAGE);
}

int main(void)
{
	char *p = t_map_anon(PAGE);

	unload_while_used(p);
	reload(p);
	load_without_procfs(p, false);
	load_without_procfs(p, true);
	reload_with_procfs();
	return t_done();
}
