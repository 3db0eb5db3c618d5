// SPDX-License-Identifier: GPL-2.0
/*
 * Description: every pinned page is charged to the exporting user's locked
 * memory: an unprivileged user (uid 65534, no CAP_IPC_LOCK) may open the
 * device and export up to RLIMIT_MEMLOCK, no further (ENOMEM, nothing
 * pinned); the charge lives as long as the buffer, also after the exporter
 * exited, and binds all of the user's processes; CAP_IPC_LOCK is exempt;
 * the exporter's VmPin shows the pages; the max_pinned_mb cap holds
 * for everyone (ENOSPC), an export it refuses keeping no charge; and one
 * user may hold no more than max_pinned_user_percent of it (ENOSPC), so
 * that two unprivileged users with unlimited RLIMIT_MEMLOCK both get
 * their share, while root (CAP_IPC_LOCK) is bound by max_pinned_mb alone.
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
/* Two more unprivileged users, with nothing else running as them. */
#define USER_A	60001
#define USER_B	60002

/* A child's exit codes other than 0 and an export's errno. */
#define EXIT_SETUP	200
#define EXIT_OPEN	201
#define EXIT_SEND	202

/* Become uid/gid @uid with RLIMIT_MEMLOCK = @memlock; caps go with root. */
static void become(uid_t uid, rlim_t memlock)
{
	struct rlimit rl = { memlock, memlock };

	if (setrlimit(RLIMIT_MEMLOCK, &rl) || setgid(uid) || setuid(uid))
		_exit(EXIT_SETUP);
}

/* Become uid/gid 65534 with RLIMIT_MEMLOCK = LIMIT. */
static void become_nobody(void)
{
	become(NOBODY, LIMIT);
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
		devfd = vmemexp_open();
		if (devfd < 0) {
			t_diag("uid %d: open %s: %s", getuid(), VMEMEXP_DEVICE,
			       strerror(-devfd));
			_exit(EXIT_OPEN);
		}
		p = t_map_anon(pages * PAGE);
		memset(p, 1, pages * PAGE);
		fd = vmemexp_export(devfd, p, pages * PAGE, O_RDWR);
		if (fd >= 0 && sock >= 0 && t_send_fd(sock, fd))
			_exit(EXIT_SEND);
		_exit(fd >= 0 ? 0 : -fd);
	}
	return t_wait_child(pid);
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
	long saved = t_get_param("max_pinned_mb");
	char *p = t_map_anon(1 << 20), c = 'x';

	if (pipe(go) || pipe(res))
		t_bail("pipe: %m");
	pid = fork();
	if (pid == 0) {
		int devfd, r;
		char *q;

		become_nobody();
		devfd = vmemexp_open();
		if (devfd < 0)
			_exit(EXIT_OPEN);
		q = t_map_anon(LIMIT);
		memset(q, 1, LIMIT);
		for (int i = 0; i < 2 && read(go[0], &c, 1) == 1; i++) {
			fd = vmemexp_export(devfd, q, LIMIT, O_RDWR);
			r = fd >= 0 ? 0 : -fd;
			if (write(res[1], &r, sizeof(r)) != sizeof(r))
				_exit(EXIT_SEND);
			if (fd >= 0)
				close(fd);
		}
		_exit(0);
	}
	t_set_param("max_pinned_mb", 1);
	fd = t_export(p, 1 << 20, O_RDWR);
	t_ok(fd >= 0, "root's 1 MiB fills max_pinned_mb=1");
	if (write(go[1], &c, 1) != 1 || read(res[0], &err[0], sizeof(int)) != sizeof(int))
		err[0] = -1;
	close(fd);
	if (write(go[1], &c, 1) != 1 || read(res[0], &err[1], sizeof(int)) != sizeof(int))
		err[1] = -1;
	t_ok(err[0] == ENOSPC, "uid 65534's export of its RLIMIT_MEMLOCK meanwhile: ENOSPC (%s)",
	     err[0] >= 0 ? strerrorname_np(err[0]) ?: "0" : "no answer");
	t_ok(err[1] == 0, "the same process's same export after root's release: made (%s)",
	     err[1] >= 0 ? strerrorname_np(err[1]) ?: "0" : "no answer");
	t_ok(t_wait_child(pid) == 0, "uid 65534's process exits cleanly");
	close(go[0]);
	close(go[1]);
	close(res[0]);
	close(res[1]);
	t_set_param("max_pinned_mb", saved);
	munmap(p, 1 << 20);
}

/*
 * In a child running as @uid with an unlimited RLIMIT_MEMLOCK: export
 * @chunk bytes of fresh memory at a time, each fd sent to @sock and then
 * closed, until an export is refused or @max bytes are exported; exit with
 * the errno of the refusal (0 if none). The buffers outlive the child.
 */
static int user_exports_until_refused(uid_t uid, size_t chunk, size_t max,
				      int sock)
{
	int pid = fork();

	if (pid == 0) {
		int devfd, fd = 0;
		size_t done;
		char *p;

		become(uid, RLIM_INFINITY);
		devfd = vmemexp_open();
		if (devfd < 0)
			_exit(EXIT_OPEN);
		p = t_map_anon(max);
		memset(p, 1, max);
		for (done = 0; done < max; done += chunk) {
			fd = vmemexp_export(devfd, p + done, chunk, O_RDWR);
			if (fd < 0)
				break;
			if (t_send_fd(sock, fd))
				_exit(EXIT_SEND);
			close(fd);
		}
		_exit(fd >= 0 ? 0 : -fd);
	}
	return pid;
}

/*
 * user_exports_until_refused() of one 1 MiB export: the child's exit
 * status (as t_wait_child()), the dma-buf it sent in *@fd (-1 if none).
 */
static int user_exports_mib(uid_t uid, int *fd)
{
	int sv[2], pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		t_bail("socketpair: %m");
	pid = user_exports_until_refused(uid, 1 << 20, 1 << 20, sv[1]);
	close(sv[1]);
	*fd = t_recv_fd(sv[0]);
	close(sv[0]);
	return t_wait_child(pid);
}

/* Writes @val to parameter @name: 0, or the errno of the write. */
static int try_param(const char *name, const char *val)
{
	char path[128];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/sys/module/vmem_exp/parameters/%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = errno;
	close(fd);
	return ret;
}

/* The pages debugfs users says @uid holds: 0 if not listed, -1 if unreadable. */
static long user_pages(uid_t uid)
{
	FILE *f = fopen("/sys/kernel/debug/vmem_exp/users", "r");
	unsigned int u;
	long pages = 0, n;

	if (!f)
		return -1;
	if (fscanf(f, "%*[^\n]") < 0) {
		fclose(f);
		return -1;
	}
	while (fscanf(f, "%u %ld", &u, &n) == 2)
		if (u == uid)
			pages = n;
	fclose(f);
	return pages;
}

/*
 * One user cannot take max_pinned_mb from the others. With max_pinned_mb
 * = 2 and the default max_pinned_user_percent (50), user A, whose
 * RLIMIT_MEMLOCK is unlimited, exports 64 KiB at a time until refused and
 * exits, leaving its buffers with this process: refused with ENOSPC at
 * 1 MiB, its share. User B, also unlimited, still exports its 1 MiB;
 * root, exempt from the share, is refused then, by max_pinned_mb itself.
 * When A's buffers are closed, A's share is free again, while root's
 * remote export of a process of A's is charged to root. Without shares,
 * A takes all 2 MiB and B gets ENOSPC.
 */
/*
 * With max_pinned_mb=2: uid A exports until refused at its share, half of
 * it; B still exports its 1 MiB; root, exempt from shares, is refused by
 * max_pinned_mb itself (@p: 2 MiB of root's).
 */
static void shares_of_two_users(char *p)
{
	size_t chunk = 16 * PAGE, max = 3 << 20, held = 0;
	int sv[2], fds[64], nr = 0, pid, st, fd, i;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		t_bail("socketpair: %m");
	pid = user_exports_until_refused(USER_A, chunk, max, sv[1]);
	close(sv[1]);
	while (nr < (int)ARRAY_SIZE(fds) && (fd = t_recv_fd(sv[0])) >= 0)
		fds[nr++] = fd;
	close(sv[0]);
	held = nr * chunk;
	st = t_wait_child(pid);
	t_ok(st == ENOSPC, "uid %d (RLIMIT_MEMLOCK unlimited) exports until refused: ENOSPC (%s)",
	     USER_A, st >= 0 ? strerrorname_np(st) ?: "0" : "no exit");
	t_ok(held == 1 << 20, "refused at its share, half of max_pinned_mb=2 (%zu KiB held)",
	     held >> 10);
	t_ok(user_pages(USER_A) == (long)((1 << 20) / PAGE),
	     "debugfs users shows uid %d's %ld pages", USER_A, user_pages(USER_A));

	/* B: the other half, while A's buffers outlive A. */
	st = user_exports_mib(USER_B, &fd);
	t_ok(st == 0 && fd >= 0, "uid %d still exports 1 MiB meanwhile (%s)", USER_B,
	     st >= 0 ? strerrorname_np(st) ?: "0" : "no exit");

	t_ok_errno(t_export(p, PAGE, O_RDWR), ENOSPC,
		   "root (CAP_IPC_LOCK, exempt from the share) then: max_pinned_mb still binds");
	if (fd >= 0)
		close(fd);
	for (i = 0; i < nr; i++)
		close(fds[i]);
	t_ok(user_pages(USER_A) == 0 && user_pages(USER_B) == 0,
	     "once their buffers are closed it lists neither user");
}

/*
 * A remote export is charged to its caller, not to the target's user:
 * root's, of 1 MiB at @p of a process of A's. Its fd, or -errno.
 */
static int remote_of_user_a(char *p)
{
	int sv[2], pid, mem, rfd;
	char c = 'x';

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		t_bail("socketpair: %m");
	pid = fork();
	if (pid == 0) {
		become(USER_A, RLIM_INFINITY);
		memset(p, 2, 1 << 20);
		if (write(sv[1], &c, 1) != 1 || read(sv[1], &c, 1) != 1)
			_exit(EXIT_SEND);
		_exit(0);
	}
	if (read(sv[0], &c, 1) != 1)
		t_bail("uid %d's process did not start", USER_A);
	mem = t_proc_mem(pid, O_RDONLY);
	rfd = mem < 0 ? mem : vmemexp_export_remote(t_dev(), mem, (uintptr_t)p, 1 << 20,
						     O_RDONLY | O_CLOEXEC);
	t_ok(rfd >= 0, "root exports 1 MiB of a process of uid %d remotely (%s)", USER_A,
	     rfd >= 0 ? "0" : strerrorname_np(-rfd) ?: "?");
	if (write(sv[0], &c, 1) != 1)
		t_bail("write: %m");
	t_wait_child(pid);
	if (mem >= 0)
		close(mem);
	close(sv[0]);
	close(sv[1]);
	return rfd;
}

static void shares_are_per_user(void)
{
	long saved = t_get_param("max_pinned_mb");
	char *p = t_map_anon(2 << 20);
	int st, fd, rfd;

	t_set_param("max_pinned_mb", 2);
	shares_of_two_users(p);
	/* Root's remote export of A's memory lives on while A exports again. */
	rfd = remote_of_user_a(p);

	/* A's share is free again once its buffers are closed. */
	st = user_exports_mib(USER_A, &fd);
	t_ok(st == 0 && fd >= 0,
	     "after its buffers are closed uid %d exports its 1 MiB again, root's remote export of its memory charged to root (%s)",
	     USER_A, st >= 0 ? strerrorname_np(st) ?: "0" : "no exit");
	if (fd >= 0)
		close(fd);
	if (rfd >= 0)
		close(rfd);

	fd = t_export(p, 3 << 19, O_RDWR);
	t_ok(fd >= 0, "root alone exports 1.5 MiB, more than a user's share");
	if (fd >= 0)
		close(fd);
	munmap(p, 2 << 20);
	t_set_param("max_pinned_mb", saved);
}

static void user_percent_param(void)
{
	t_ok(t_get_param("max_pinned_user_percent") == 50,
	     "max_pinned_user_percent defaults to 50");
	t_ok(try_param("max_pinned_user_percent", "0") == EINVAL &&
	     try_param("max_pinned_user_percent", "101") == EINVAL &&
	     t_get_param("max_pinned_user_percent") == 50,
	     "max_pinned_user_percent refuses 0 and 101 (EINVAL) and keeps its value");
}

/* VmPin of the exporter; the device's mode. */
static void vmpin_and_mode(void)
{
	char *p = t_map_anon(LIMIT);
	long kb = t_vm_pin_kb();
	struct stat sb = { 0 };
	int fd, ret;

	fd = t_export(p, LIMIT, O_RDWR);
	t_ok(t_vm_pin_kb() - kb == (long)(LIMIT / 1024), "VmPin grows by the export (%ld kB)",
	     t_vm_pin_kb() - kb);
	close(fd);
	t_ok(t_vm_pin_kb() == kb, "and shrinks back when it is released");
	munmap(p, LIMIT);

	ret = stat(VMEMEXP_DEVICE, &sb);
	t_ok(!ret && (sb.st_mode & 0777) == 0666, "%s is mode 0666 (%o)",
	     VMEMEXP_DEVICE, sb.st_mode & 0777);
}

/* An unprivileged user, up to RLIMIT_MEMLOCK and not further. */
static void rlimit_memlock(long base)
{
	int sv[2], fd, st;

	st = nobody_exports(16, -1);
	t_ok(st == 0, "uid 65534 opens the device and exports its whole RLIMIT_MEMLOCK (%d)",
	     st);
	st = nobody_exports(17, -1);
	t_ok(st == ENOMEM, "one page more than RLIMIT_MEMLOCK: ENOMEM (%d)", st);
	t_ok(t_pins_held() == base, "the refused export pinned nothing");

	/* The charge outlives the exporter and binds the user's other processes. */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		t_bail("socketpair: %m");
	st = nobody_exports(16, sv[1]);
	fd = st == 0 ? t_recv_fd(sv[0]) : -1;
	t_ok(st == 0 && fd >= 0, "uid 65534 exports its limit, hands the fd over and exits");
	st = nobody_exports(1, -1);
	t_ok(st == ENOMEM, "another process of the user cannot export while the buffer lives (%d)",
	     st);
	close(fd);
	st = nobody_exports(16, -1);
	t_ok(st == 0, "the charge is returned when the buffer is released (%d)", st);
	close(sv[0]);
	close(sv[1]);
}

/* CAP_IPC_LOCK is exempt from RLIMIT_MEMLOCK. */
static void cap_ipc_lock(void)
{
	struct rlimit zero = { 0, RLIM_INFINITY }, old;
	char *p = t_map_anon(LIMIT);
	int fd;

	getrlimit(RLIMIT_MEMLOCK, &old);
	setrlimit(RLIMIT_MEMLOCK, &zero);
	fd = t_export(p, LIMIT, O_RDWR);
	t_ok(fd >= 0, "root (CAP_IPC_LOCK) exports with RLIMIT_MEMLOCK 0");
	close(fd);
	setrlimit(RLIMIT_MEMLOCK, &old);
	munmap(p, LIMIT);
}

/* max_pinned_mb caps everyone, root included. */
static void max_pinned_mb(void)
{
	long saved = t_get_param("max_pinned_mb");
	char *p = t_map_anon(2 << 20);
	int fd, fd2;

	t_ok(saved > 0, "max_pinned_mb defaults to half of RAM (%ld MiB)", saved);
	t_set_param("max_pinned_mb", 1);
	t_ok_errno(t_export(p, 2 << 20, O_RDWR), ENOSPC, "2 MiB with max_pinned_mb=1");
	fd = t_export(p, 1 << 20, O_RDWR);
	t_ok(fd >= 0, "1 MiB with max_pinned_mb=1");
	t_ok_errno(t_export(p + (1 << 20), PAGE, O_RDWR), ENOSPC, "one page more");
	close(fd);
	fd2 = t_export(p + (1 << 20), PAGE, O_RDWR);
	t_ok(fd2 >= 0, "after a release there is room again");
	close(fd2);
	t_set_param("max_pinned_mb", saved);
	munmap(p, 2 << 20);
}

int main(void)
{
	long base = t_pins_held();

	vmpin_and_mode();
	rlimit_memlock(base);
	cap_ipc_lock();
	max_pinned_mb();
	enospc_returns_charge();
	shares_are_per_user();
	user_percent_param();
	t_ok(t_pins_held() == base, "every pin released");
	return t_done();
}
