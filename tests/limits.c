// SPDX-License-Identifier: GPL-2.0
/*
 * Description: every pinned page is charged to the exporting user's locked
 * memory: an unprivileged user (uid 65534, no CAP_IPC_LOCK) may open the
 * device and export up to RLIMIT_MEMLOCK, no further (ENOMEM, nothing
 * pinned); the charge lives as long as the buffer, also after the exporter
 * exited, and binds all of the user's processes; CAP_IPC_LOCK is exempt;
 * the exporter's VmPin shows the pages; and the max_pinned_mb cap holds
 * for everyone (ENOSPC), an export it refuses keeping no charge.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "vmemexp.h"

#define NOBODY	65534
#define LIMIT	(16 * PAGE)

/* A child's exit codes other than 0 and an export's errno. */
#define EXIT_SETUP	200
#define EXIT_OPEN	201
#define EXIT_SEND	202

/* Become uid/gid 65534 with RLIMIT_MEMLOCK = LIMIT; caps go with root. */
static void become_nobody(void)
{
	struct rlimit rl = { LIMIT, LIMIT };

	if (setrlimit(RLIMIT_MEMLOCK, &rl) || setgid(NOBODY) || setuid(NOBODY))
		_exit(EXIT_SETUP);
}

/*
 * In a child running as nobody: export @pages pages of fresh memory and
 * exit with 0 on success, else the export's errno (or an EXIT_* code).
 * With @sock >= 0 the dma-buf is sent there first.
 */
static int nobody_exports(size_t pages, int sock)
{
	int pid = fork();

	if (pid == 0) {
		int devfd, fd;
		char *p;

		become_nobody();
		devfd = vmem_exp_open();
		if (devfd < 0) {
			diag("uid %d: open %s: %s", getuid(), VMEM_EXP_DEVICE,
			     strerror(-devfd));
			_exit(EXIT_OPEN);
		}
		p = map_anon(pages * PAGE);
		memset(p, 1, pages * PAGE);
		fd = vmem_exp_export(devfd, p, pages * PAGE, O_RDWR);
		if (fd >= 0 && sock >= 0 && send_fd(sock, fd))
			_exit(EXIT_SEND);
		_exit(fd >= 0 ? 0 : -fd);
	}
	return wait_child(pid);
}

/*
 * An export refused for max_pinned_mb (ENOSPC) gives back what it had
 * charged to the user's locked memory. The charge is the user's, so one
 * process of uid 65534 stays alive throughout: refused while root's buffer
 * fills the cap, it then exports its whole RLIMIT_MEMLOCK.
 */
static void enospc_returns_charge(void)
{
	int go[2], res[2], pid, err[2] = { -1, -1 }, fd;
	long saved = get_param("max_pinned_mb");
	char *p = map_anon(1 << 20), c = 'x';

	if (pipe(go) || pipe(res))
		bail("pipe: %m");
	pid = fork();
	if (pid == 0) {
		int devfd, r;
		char *q;

		become_nobody();
		devfd = vmem_exp_open();
		if (devfd < 0)
			_exit(EXIT_OPEN);
		q = map_anon(LIMIT);
		memset(q, 1, LIMIT);
		for (int i = 0; i < 2 && read(go[0], &c, 1) == 1; i++) {
			fd = vmem_exp_export(devfd, q, LIMIT, O_RDWR);
			r = fd >= 0 ? 0 : -fd;
			if (write(res[1], &r, sizeof(r)) != sizeof(r))
				_exit(EXIT_SEND);
			if (fd >= 0)
				close(fd);
		}
		_exit(0);
	}
	set_param("max_pinned_mb", 1);
	fd = export(p, 1 << 20, O_RDWR);
	ok(fd >= 0, "root's 1 MiB fills max_pinned_mb=1");
	if (write(go[1], &c, 1) != 1 || read(res[0], &err[0], sizeof(int)) != sizeof(int))
		err[0] = -1;
	close(fd);
	if (write(go[1], &c, 1) != 1 || read(res[0], &err[1], sizeof(int)) != sizeof(int))
		err[1] = -1;
	ok(err[0] == ENOSPC, "uid 65534's export of its RLIMIT_MEMLOCK meanwhile: ENOSPC (%s)",
	   err[0] >= 0 ? strerrorname_np(err[0]) ?: "0" : "no answer");
	ok(err[1] == 0, "the same process's same export after root's release: made (%s)",
	   err[1] >= 0 ? strerrorname_np(err[1]) ?: "0" : "no answer");
	ok(wait_child(pid) == 0, "uid 65534's process exits cleanly");
	close(go[0]);
	close(go[1]);
	close(res[0]);
	close(res[1]);
	set_param("max_pinned_mb", saved);
	munmap(p, 1 << 20);
}

int main(void)
{
	long base = pins_held(), kb, saved;
	int sv[2], fd, fd2, st;
	char *p;

	/* VmPin of the exporter. */
	p = map_anon(LIMIT);
	kb = vm_pin_kb();
	fd = export(p, LIMIT, O_RDWR);
	ok(vm_pin_kb() - kb == (long)(LIMIT / 1024), "VmPin grows by the export (%ld kB)",
	   vm_pin_kb() - kb);
	close(fd);
	ok(vm_pin_kb() == kb, "and shrinks back when it is released");

	{
		struct stat sb = { 0 };
		int ret = stat(VMEM_EXP_DEVICE, &sb);

		ok(!ret && (sb.st_mode & 0777) == 0666, "%s is mode 0666 (%o)",
		   VMEM_EXP_DEVICE, sb.st_mode & 0777);
	}

	/* An unprivileged user, up to RLIMIT_MEMLOCK and not further. */
	st = nobody_exports(16, -1);
	ok(st == 0, "uid 65534 opens the device and exports its whole RLIMIT_MEMLOCK (%d)",
	   st);
	st = nobody_exports(17, -1);
	ok(st == ENOMEM, "one page more than RLIMIT_MEMLOCK: ENOMEM (%d)", st);
	ok(pins_held() == base, "the refused export pinned nothing");

	/* The charge outlives the exporter and binds the user's other processes. */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		bail("socketpair: %m");
	st = nobody_exports(16, sv[1]);
	fd = st == 0 ? recv_fd(sv[0]) : -1;
	ok(st == 0 && fd >= 0, "uid 65534 exports its limit, hands the fd over and exits");
	st = nobody_exports(1, -1);
	ok(st == ENOMEM, "another process of the user cannot export while the buffer lives (%d)",
	   st);
	close(fd);
	st = nobody_exports(16, -1);
	ok(st == 0, "the charge is returned when the buffer is released (%d)", st);
	close(sv[0]);
	close(sv[1]);

	/* CAP_IPC_LOCK is exempt from RLIMIT_MEMLOCK. */
	{
		struct rlimit zero = { 0, RLIM_INFINITY }, old;

		getrlimit(RLIMIT_MEMLOCK, &old);
		setrlimit(RLIMIT_MEMLOCK, &zero);
		fd = export(p, LIMIT, O_RDWR);
		ok(fd >= 0, "root (CAP_IPC_LOCK) exports with RLIMIT_MEMLOCK 0");
		close(fd);
		setrlimit(RLIMIT_MEMLOCK, &old);
	}
	munmap(p, LIMIT);

	/* max_pinned_mb caps everyone, root included. */
	saved = get_param("max_pinned_mb");
	ok(saved > 0, "max_pinned_mb defaults to half of RAM (%ld MiB)", saved);
	p = map_anon(2 << 20);
	set_param("max_pinned_mb", 1);
	ok_errno(export(p, 2 << 20, O_RDWR), ENOSPC, "2 MiB with max_pinned_mb=1");
	fd = export(p, 1 << 20, O_RDWR);
	ok(fd >= 0, "1 MiB with max_pinned_mb=1");
	ok_errno(export(p + (1 << 20), PAGE, O_RDWR), ENOSPC, "one page more");
	close(fd);
	fd2 = export(p + (1 << 20), PAGE, O_RDWR);
	ok(fd2 >= 0, "after a release there is room again");
	close(fd2);
	set_param("max_pinned_mb", saved);
	munmap(p, 2 << 20);
	enospc_returns_charge();

	ok(pins_held() == base, "every pin released");
	return done();
}
