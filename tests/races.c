// SPDX-License-Identifier: GPL-2.0
/*
 * Description: an independent review's race scenarios, each for a bounded
 * time (RACES_SECONDS, default 2, per case), threads or processes racing,
 * then a check of what the race must not have changed:
 * - exporters hand their buffers to other threads that close them, while
 *   readers read debugfs's buffers and users and sysfs's counters (the
 *   exporter closing its own, with vmemexp list, is tests/buffers.c);
 * - an export racing munmap and mremap of its range: each buffer holds one
 *   whole generation of the range's bytes, and keeps them;
 * - an export racing fork: the child's writes never reach the buffer, the
 *   parent's do;
 * - an export racing its own process's exit, its buffers passed out alive;
 * - an export racing ftruncate of the memfd it maps: the buffer keeps the
 *   bytes it had, truncated or not;
 * - DBUFIOC_VMEM_SYNC and DMA_BUF_IOCTL_SYNC through an fd that another
 *   thread closes (the buffer's last close), dup2()s over or exports anew;
 * - a remote export racing its target's exec and its exit: the old image's
 *   bytes, or ESRCH.
 * Every failure must be a documented errno; after each case the buffers,
 * held pages, pins and fds are back to what they were before it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "harness.h"
#include "vmemexp.h"

#define SYSFS		"/sys/class/misc/vmem-exp/"
#define DEBUGFS		"/sys/kernel/debug/vmem_exp/"
#define PAGES		16
#define LEN		(PAGES * PAGE)
#define POOL		32
#define KEEP		64

static int seconds = 2;
static atomic_bool stop;
static atomic_long n_ok, n_refused, n_bad;
static atomic_int pool[POOL];
static __thread uint64_t rng;

/* What must be back where it was after a case. */
struct level {
	long buffers, held, pins;
	int fds;
};

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Count and (the first five) say a failure. */
#define bad(...)	t_diag_counted(&n_bad, __VA_ARGS__)

/* Count an export's outcome: @ret, where @allowed lists the errnos it may have. */
static bool outcome(const char *what, int ret, const int *allowed)
{
	if (ret >= 0) {
		atomic_fetch_add(&n_ok, 1);
		return true;
	}
	for (; *allowed; allowed++) {
		if (-ret == *allowed) {
			atomic_fetch_add(&n_refused, 1);
			return false;
		}
	}
	bad("%s: %s", what, strerrorname_np(-ret));
	return false;
}

/* A number in a sysfs file of the device; -1 if it cannot be read. */
static long sysfs_long(const char *name)
{
	char path[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), SYSFS "%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static struct level level_now(void)
{
	struct level l = {
		.buffers = sysfs_long("buffers"), .held = sysfs_long("held_pages"),
		.pins = t_pins_held(), .fds = t_open_fds(),
	};

	return l;
}

/* Reserve @len bytes of address space (PROT_NONE); its address. */
static void *reserve(size_t len)
{
	void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		t_bail("mmap: %m");
	return p;
}

/*
 * While a case unmaps part of the address space, only the thread that
 * unmaps picks addresses: the others map into windows of their own, one of
 * LEN bytes per thread, all reserved before any thread starts. A window
 * reserved once the race ran could land in the hole the unmapping thread
 * left (it is just that size) and be replaced under its thread when the
 * hole is filled again: a SIGSEGV seen once on bookworm-arm64.
 */
static void *windows[8];

/* The threads of a case, for the case's time; resets the counters first. */
static void race(void *(*fn[])(void *), int n)
{
	pthread_t t[ARRAY_SIZE(windows)];

	atomic_store(&stop, false);
	atomic_store(&n_ok, 0);
	atomic_store(&n_refused, 0);
	atomic_store(&n_bad, 0);
	for (int i = 0; i < n; i++)
		windows[i] = reserve(LEN);
	for (long i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, fn[i], (void *)i))
			t_bail("pthread_create: %m");
	sleep(seconds);
	atomic_store(&stop, true);
	while (n) {
		pthread_join(t[--n], NULL);
		munmap(windows[n], LEN);
	}
}

/*
 * The checks after a case: it did something (@min exports succeeded),
 * nothing failed otherwise than documented, and all is back to @before.
 */
static void settled(const char *name, const struct level *before, long min)
{
	struct level now = level_now();

	t_diag("%s: %ld exports, %ld refused with a documented errno", name, n_ok,
	       n_refused);
	t_ok(n_ok >= min, "%s: the race ran (%ld exports, at least %ld)", name, n_ok, min);
	t_ok(!n_bad, "%s: every failure was a documented errno (%ld were not)", name, n_bad);
	t_ok(now.buffers == before->buffers && now.held == before->held,
	     "%s: buffers and held pages back to %ld and %ld (%ld, %ld)", name,
	     before->buffers, before->held, now.buffers, now.held);
	t_ok(now.pins == before->pins, "%s: pins back to %ld (%ld)", name, before->pins,
	     now.pins);
	t_ok(now.fds == before->fds, "%s: fds back to %d (%d)", name, before->fds, now.fds);
}

/* The pool of fds that threads hand each other; what is displaced is closed. */
static void deposit(int fd)
{
	int old = atomic_exchange(&pool[rnd() % POOL], fd);

	if (old >= 0)
		close(old);
}

static void drain(void)
{
	for (int i = 0; i < POOL; i++) {
		int fd = atomic_exchange(&pool[i], -1);

		if (fd >= 0)
			close(fd);
	}
}

/* Whether every byte of the @len bytes at @p is @p[0], and that is not 0. */
static bool uniform(const unsigned char *p, size_t len)
{
	return p[0] && t_all_bytes(p, len, p[0]);
}

/* --- exporters, closers and readers ------------------------------------- */

static char *area;

/*
 * Export a random run of the @npages pages at @base, read-write or
 * read-only at random: the fd, or -errno; *@first and *@pages say which run.
 */
static int export_some(char *base, int npages, int *first, int *pages)
{
	*first = rnd() % npages;
	*pages = 1 + rnd() % (npages - *first);
	return t_export(base + *first * PAGE, *pages * PAGE,
			(rnd() % 2 ? O_RDWR : O_RDONLY) | O_CLOEXEC);
}

static void *handoff_exporter(void *arg)
{
	static const int allowed[] = { 0 };

	rng = (uintptr_t)arg * 2654435761u + 1;
	while (!atomic_load(&stop)) {
		int first, pages;
		int fd = export_some(area, PAGES, &first, &pages);

		if (outcome("export", fd, allowed))
			deposit(fd);
	}
	return NULL;
}

/* Takes buffers out of the pool and closes them: their last reference. */
static void *handoff_closer(void *arg)
{
	rng = (uintptr_t)arg * 2654435761u + 3;
	while (!atomic_load(&stop)) {
		int fd = atomic_exchange(&pool[rnd() % POOL], -1);

		if (fd >= 0)
			close(fd);
		else
			sched_yield();
	}
	return NULL;
}

/* Reads a file whole; 0, or -1 (counted as bad) if it cannot. */
static int slurp(const char *path)
{
	char buf[4096];
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		bad("%s: %m", path);
		return -1;
	}
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		;
	if (r < 0)
		bad("read %s: %m", path);
	close(fd);
	return r < 0 ? -1 : 0;
}

static void *handoff_reader(void *arg)
{
	static const char *const files[] = {
		DEBUGFS "buffers", DEBUGFS "users", SYSFS "buffers", SYSFS "held_pages",
	};

	for (unsigned int i = 0; !atomic_load(&stop); i++)
		slurp(files[i % ARRAY_SIZE(files)]);
	return NULL;
}

static void handoff(void)
{
	void *(*fn[])(void *) = {
		handoff_exporter, handoff_exporter, handoff_closer, handoff_closer,
		handoff_reader, handoff_reader,
	};
	struct level before = level_now();

	if (access(DEBUGFS "buffers", R_OK)) {
		t_skip("no " DEBUGFS " (debugfs not mounted)", "exporters, closers, readers");
		return;
	}
	area = t_map_anon(LEN);
	t_fill(area, LEN, 31);
	race(fn, ARRAY_SIZE(fn));
	drain();
	settled("exporters, closers, readers", &before, 10);
	munmap(area, LEN);
}

/* Map @len bytes of dma-buf @fd read-only at @win; the address or NULL. */
static void *map_at(void *win, int fd, size_t len)
{
	void *q = mmap(win, len, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);

	return q == MAP_FAILED ? NULL : q;
}

/* Give the window back to its reservation. */
static void unmap_at(void *win, size_t len)
{
	if (mmap(win, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != win)
		t_bail("mmap: %m");
}

/* --- export racing munmap and mremap -------------------------------------- */

/* A buffer and the byte its pages held when it was exported. */
struct kept {
	int fd;
	size_t len;
	unsigned char byte;
};

static struct kept kept[KEEP];
static atomic_int n_kept;
static atomic_long n_mixed;

/*
 * Read buffer @fd of @len bytes through @win: whether it holds one whole
 * generation of bytes (-1: it could not be mapped), that byte in *@byte.
 */
static int read_generation(int fd, size_t len, void *win, unsigned char *byte)
{
	unsigned char *q = map_at(win, fd, len);
	int whole;

	if (!q) {
		bad("mmap of a buffer: %m");
		return -1;
	}
	whole = uniform(q, len);
	*byte = q[0];
	unmap_at(win, len);
	return whole;
}

/* Count a buffer that was (not) @whole; the first KEEP are kept, the rest closed. */
static void keep(int fd, size_t len, unsigned char byte, bool whole)
{
	int i = atomic_fetch_add(&n_kept, 1);

	if (!whole)
		atomic_fetch_add(&n_mixed, 1);
	if (i < KEEP)
		kept[i] = (struct kept){ .fd = fd, .len = len, .byte = byte };
	else
		close(fd);
}

/* An export of the area, read at once: one whole generation, kept. */
static void check_generation(int fd, size_t len, void *win)
{
	unsigned char byte;
	int whole = read_generation(fd, len, win, &byte);

	if (whole < 0)
		close(fd);
	else
		keep(fd, len, byte, whole);
}

static void *remap_exporter(void *arg)
{
	static const int allowed[] = { EFAULT, 0 };
	void *win = windows[(uintptr_t)arg];

	rng = (uintptr_t)arg * 2654435761u + 5;
	while (!atomic_load(&stop)) {
		int first, pages;
		int fd = export_some(area, PAGES, &first, &pages);

		if (outcome("export", fd, allowed))
			check_generation(fd, pages * PAGE, win);
	}
	return NULL;
}

/*
 * Replaces the range with a new generation of bytes, filled elsewhere and
 * moved in whole with mremap; sometimes unmaps it for a while first.
 */
static void *remapper(void *arg)
{
	unsigned char gen = 1;

	rng = 99;
	while (!atomic_load(&stop)) {
		char *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			t_bail("mmap: %m");
		gen = gen == 255 ? 1 : gen + 1;
		memset(p, gen, LEN);
		if (rnd() % 3 == 0) {
			munmap(area, LEN);
			usleep(50);
		}
		if (mremap(p, LEN, LEN, MREMAP_MAYMOVE | MREMAP_FIXED, area) != area)
			t_bail("mremap: %m");
	}
	return NULL;
}

/* After the race: each kept buffer still holds its generation. */
static void check_kept(const char *name)
{
	int n = atomic_load(&n_kept) < KEEP ? atomic_load(&n_kept) : KEEP, same = 0;

	for (int i = 0; i < n; i++) {
		unsigned char *q = t_map_dmabuf(kept[i].fd, kept[i].len, PROT_READ, 0);

		if (q && t_all_bytes(q, kept[i].len, kept[i].byte))
			same++;
		if (q)
			munmap(q, kept[i].len);
		close(kept[i].fd);
	}
	t_ok(!n_mixed, "%s: each buffer held one whole generation of bytes (%ld did not)",
	     name, n_mixed);
	t_ok(n > 0 && same == n, "%s: %d buffers kept their bytes after the race (%d did)",
	     name, n, same);
	atomic_store(&n_kept, 0);
	atomic_store(&n_mixed, 0);
}

static void remap(void)
{
	void *(*fn[])(void *) = { remap_exporter, remap_exporter, remapper };
	struct level before = level_now();

	area = t_map_anon(LEN);
	memset(area, 1, LEN);
	race(fn, ARRAY_SIZE(fn));
	check_kept("export vs munmap, mremap");
	settled("export vs munmap, mremap", &before, 10);
	munmap(area, LEN);
}

/* --- export racing fork --------------------------------------------------- */

static atomic_long n_stale;

/*
 * Exports a random part of its half of the area, writes a new byte there
 * through the area and reads it back through the buffer: the pinned pages
 * must be the parent's, whatever fork did meanwhile.
 */
static void *fork_exporter(void *arg)
{
	static const int allowed[] = { 0 };
	char *half = area + (uintptr_t)arg * (LEN / 2);
	void *win = windows[(uintptr_t)arg];
	unsigned char mark = 1;

	rng = (uintptr_t)arg * 2654435761u + 11;
	while (!atomic_load(&stop)) {
		int first, pages;
		int fd = export_some(half, PAGES / 2, &first, &pages);
		unsigned char *q;

		if (!outcome("export", fd, allowed))
			continue;
		mark = mark >= 200 ? 1 : mark + 1;
		memset(half + first * PAGE, mark, pages * PAGE);
		q = map_at(win, fd, pages * PAGE);
		if (!q)
			bad("mmap of a buffer: %m");
		else if (!t_all_bytes(q, pages * PAGE, mark))
			atomic_fetch_add(&n_stale, 1);
		if (q)
			unmap_at(win, pages * PAGE);
		close(fd);
	}
	return NULL;
}

/* Forks children that write 0xee all over their copy of the area and exit. */
static void *forker(void *arg)
{
	while (!atomic_load(&stop)) {
		int pid = fork();

		if (pid == 0) {
			memset(area, 0xee, LEN);
			_exit(0);
		}
		if (pid < 0)
			bad("fork: %m");
		else if (t_wait_child(pid))
			bad("a child failed");
	}
	return NULL;
}

static void forks(void)
{
	void *(*fn[])(void *) = { fork_exporter, fork_exporter, forker };
	struct level before = level_now();

	area = t_map_anon(LEN);
	memset(area, 1, LEN);
	race(fn, ARRAY_SIZE(fn));
	t_ok(!n_stale,
	     "export vs fork: buffers showed the parent's writes, never a child's (%ld did not)",
	     n_stale);
	settled("export vs fork", &before, 10);
	munmap(area, LEN);
}

/* --- export racing its process's exit ------------------------------------- */

/* Send one byte, and @fd if it is one, over @sock; what recv_msg() reads. */
static void send_msg(int sock, char byte, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (fd >= 0) {
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	sendmsg(sock, &msg, MSG_NOSIGNAL);
}

/* One message: its byte in *@byte, and the fd it carried or -1; 0 at the end. */
static int recv_msg(int sock, char *byte, int *fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	ssize_t n = recvmsg(sock, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

	*fd = -1;
	c = n == 1 ? CMSG_FIRSTHDR(&msg) : NULL;
	if (c && c->cmsg_type == SCM_RIGHTS)
		memcpy(fd, CMSG_DATA(c), sizeof(int));
	return n == 1;
}

static int exit_sock;
static char *exit_area;

/* In the child: export parts of its area and send them out, until killed. */
static void *exit_exporter(void *arg)
{
	rng = (uintptr_t)arg * 2654435761u + 13;
	for (;;) {
		int first, pages;
		int fd = export_some(exit_area, PAGES, &first, &pages);

		send_msg(exit_sock, fd < 0 ? (char)-fd : 0, fd);
		if (fd >= 0)
			close(fd);
	}
	return NULL;
}

/* A child that fills its area with @byte, exports from two threads, exits. */
static void __attribute__((noreturn)) exit_child(int sock, unsigned char byte, int delay)
{
	pthread_t t;

	exit_sock = sock;
	exit_area = t_map_anon(LEN);
	memset(exit_area, byte, LEN);
	for (long i = 0; i < 2; i++)
		if (pthread_create(&t, NULL, exit_exporter, (void *)i))
			_exit(1);
	usleep(delay);
	_exit(0);
}

/* Reads what a child sent before it exited: each buffer must hold @byte. */
static void exit_collect(int sock, unsigned char byte, void *win)
{
	static const int allowed[] = { EINTR, 0 };
	unsigned char *q;
	char b;
	int fd;

	while (recv_msg(sock, &b, &fd)) {
		if (fd < 0) {
			outcome("export in an exiting process", -(int)b, allowed);
			continue;
		}
		atomic_fetch_add(&n_ok, 1);
		q = map_at(win, fd, PAGE);
		if (!q || !t_all_bytes(q, PAGE, byte))
			atomic_fetch_add(&n_stale, 1);
		if (q)
			unmap_at(win, PAGE);
		close(fd);
	}
}

static void exits(void)
{
	struct level before = level_now();
	time_t end = time(NULL) + seconds;
	void *win = reserve(PAGE);
	unsigned char byte = 0;
	long children = 0;

	atomic_store(&n_ok, 0);
	atomic_store(&n_refused, 0);
	atomic_store(&n_bad, 0);
	atomic_store(&n_stale, 0);
	rng = 17;
	while (time(NULL) < end) {
		int sv[2], pid;

		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
			t_bail("socketpair: %m");
		byte = byte >= 200 ? 1 : byte + 1;
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			close(sv[0]);
			exit_child(sv[1], byte, rnd() % 3000);
		}
		close(sv[1]);
		if (pid < 0 || t_wait_child(pid))
			bad("a child that exports as it exits: %s",
			    pid < 0 ? "fork failed" : "failed");
		exit_collect(sv[0], byte, win);
		close(sv[0]);
		children++;
	}
	munmap(win, PAGE);
	t_diag("export vs exit: %ld children", children);
	t_ok(!n_stale,
	     "export vs exit: each buffer an exiting process sent holds its bytes (%ld did not)",
	     n_stale);
	settled("export vs exit", &before, 10);
}

/* --- export racing ftruncate of a memfd ----------------------------------- */

static atomic_uint phase;
static int memfd;

/*
 * Truncates the memfd to nothing and back, and writes a new byte into all
 * of it; @phase is odd meanwhile. Pages that were in the file before a
 * truncation are never written again. One pause in four is long (20 to
 * 50 ms): where an export and its read take milliseconds (KASAN under
 * TCG), some exports must still fall between two truncations.
 */
static void *truncator(void *arg)
{
	static unsigned char fill[LEN];
	unsigned char gen = 1;

	rng = 31;
	while (!atomic_load(&stop)) {
		atomic_fetch_add(&phase, 1);
		if (ftruncate(memfd, 0) || ftruncate(memfd, LEN))
			t_bail("ftruncate: %m");
		gen = gen >= 200 ? 1 : gen + 1;
		memset(fill, gen, LEN);
		if (pwrite(memfd, fill, LEN, 0) != LEN)
			t_bail("pwrite: %m");
		atomic_fetch_add(&phase, 1);
		usleep(rnd() % 4 ? rnd() % 200 : 20000 + rnd() % 30000);
	}
	return NULL;
}

/*
 * Exports parts of the memfd's mapping. A buffer exported and read while
 * no truncation or write ran holds one whole generation, and keeps it.
 */
static void *truncate_exporter(void *arg)
{
	static const int allowed[] = { EFAULT, 0 };
	void *win = windows[(uintptr_t)arg];

	rng = (uintptr_t)arg * 2654435761u + 19;
	while (!atomic_load(&stop)) {
		int first, pages;
		unsigned int before = atomic_load(&phase);
		int fd = export_some(area, PAGES, &first, &pages);
		unsigned char byte;
		int whole;

		if (!outcome("export", fd, allowed))
			continue;
		whole = read_generation(fd, pages * PAGE, win, &byte);
		if (whole >= 0 && !(before & 1) && atomic_load(&phase) == before)
			keep(fd, pages * PAGE, byte, whole);
		else
			close(fd);
	}
	return NULL;
}

static void truncates(void)
{
	void *(*fn[])(void *) = { truncate_exporter, truncate_exporter, truncator };
	struct level before = level_now();

	memfd = memfd_create("races", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, LEN))
		t_bail("memfd: %m");
	area = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (area == MAP_FAILED)
		t_bail("mmap of the memfd: %m");
	memset(area, 1, LEN);
	race(fn, ARRAY_SIZE(fn));
	check_kept("export vs ftruncate");
	munmap(area, LEN);
	close(memfd);
	settled("export vs ftruncate", &before, 10);
}

/* --- sync racing the last close ------------------------------------------- */

/* The fd number every thread of the case uses, and what it may hold. */
static int slot, null_fd;
static atomic_long n_synced;

/*
 * Syncs whatever @slot holds now, part of it through the device or all of
 * it through the dma-buf: closed (EBADF), another file (/dev/null: EINVAL
 * from the device, ENOTTY from the file), a smaller buffer than the range
 * (EINVAL), or synced.
 */
static void *syncer(void *arg)
{
	rng = (uintptr_t)arg * 2654435761u + 23;
	while (!atomic_load(&stop)) {
		uint64_t end = rnd() % 2 ? DMA_BUF_SYNC_END : DMA_BUF_SYNC_START;
		int first = rnd() % PAGES, pages = 1 + rnd() % (PAGES - first), ret;
		struct dma_buf_sync s = { .flags = end | DMA_BUF_SYNC_RW };

		if (rnd() % 2)
			ret = vmemexp_sync(t_dev(), slot, end | DMA_BUF_SYNC_READ,
					   first * PAGE, pages * PAGE);
		else
			ret = ioctl(slot, DMA_BUF_IOCTL_SYNC, &s) ? -errno : 0;
		if (!ret)
			atomic_fetch_add(&n_synced, 1);
		else if (ret != -EBADF && ret != -EINVAL && ret != -ENOTTY)
			bad("sync: %s", strerrorname_np(-ret));
	}
	return NULL;
}

/*
 * Puts a new buffer into @slot, whose old one has its last close there:
 * by dup2() over it, by close() and then dup2(), or /dev/null over it.
 */
static void *slot_churner(void *arg)
{
	static const int allowed[] = { 0 };

	rng = 29;
	while (!atomic_load(&stop)) {
		int pages = 1 + rnd() % PAGES, how = rnd() % 3, fd = -1;

		if (how < 2) {
			fd = t_export(area, pages * PAGE,
				      (rnd() % 2 ? O_RDWR : O_RDONLY) | O_CLOEXEC);
			if (!outcome("export", fd, allowed))
				continue;
		}
		if (how == 1) {
			close(slot);
			sched_yield();
		}
		if (dup2(how < 2 ? fd : null_fd, slot) != slot)
			bad("dup2: %m");
		if (fd >= 0)
			close(fd);
	}
	return NULL;
}

static void syncs(void)
{
	void *(*fn[])(void *) = { syncer, syncer, slot_churner };
	struct level before = level_now();

	area = t_map_anon(LEN);
	t_fill(area, LEN, 37);
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	slot = null_fd < 0 ? -1 : dup(null_fd);
	if (slot < 0)
		t_bail("/dev/null: %m");
	atomic_store(&n_synced, 0);
	race(fn, ARRAY_SIZE(fn));
	t_diag("sync vs last close: %ld syncs", n_synced);
	t_ok(n_synced > 0, "sync vs last close: buffers were synced (%ld times)", n_synced);
	close(slot);
	close(null_fd);
	settled("sync vs last close", &before, 10);
	munmap(area, LEN);
}

/* --- remote export racing the target's exec and exit ---------------------- */

static char self[256];

/*
 * A target that fills its memory with @byte, says where (@ready), and on a
 * byte from @go exits or execs this program again (which exits at once).
 */
static int target(int ready, int go, unsigned char byte, bool exec)
{
	int pid = fork();
	char *p, c;

	if (pid)
		return pid;
	p = t_map_anon(LEN);
	memset(p, byte, LEN);
	if (write(ready, &p, sizeof(p)) != sizeof(p) || read(go, &c, 1) != 1)
		_exit(1);
	if (exec)
		execl(self, self, "exit", (char *)NULL);
	_exit(0);
}

/*
 * One remote export of a new target, released as it exits or execs; one
 * time in four only once the target has gone (reaped), which must be ESRCH.
 */
static void remote_once(bool exec, unsigned char byte, void *win)
{
	static const int allowed[] = { ESRCH, 0 };
	int first = rnd() % PAGES, pages = 1 + rnd() % (PAGES - first), rw = rnd() % 2;
	int ready[2], go[2], pid, mem, fd, late = rnd() % 4 == 0;
	unsigned char got;
	char *addr;

	if (pipe2(ready, O_CLOEXEC) || pipe2(go, O_CLOEXEC))
		t_bail("pipe: %m");
	fflush(stdout);
	pid = target(ready[1], go[0], byte, exec);
	close(ready[1]);
	close(go[0]);
	if (pid < 0 || read(ready[0], &addr, sizeof(addr)) != sizeof(addr))
		t_bail("a target did not start");
	mem = t_proc_mem(pid, rw ? O_RDWR : O_RDONLY);
	if (mem < 0)
		t_bail("/proc/%d/mem: %s", pid, strerror(-mem));
	if (write(go[1], "g", 1) != 1)
		t_bail("write: %m");
	if (late && t_wait_child(pid))
		bad("a target failed");
	else if (!late && rnd() % 2)
		usleep(rnd() % 500);
	fd = vmemexp_export_remote(t_dev(), mem, (uintptr_t)addr + first * PAGE,
				   pages * PAGE, (rw ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (late && fd != -ESRCH)
		bad("a remote export after the target was reaped: %d", fd);
	if (outcome(exec ? "remote export vs exec" : "remote export vs exit", fd, allowed)) {
		if (read_generation(fd, pages * PAGE, win, &got) != 1 || got != byte)
			atomic_fetch_add(&n_stale, 1);
		close(fd);
	}
	if (!late && t_wait_child(pid))
		bad("a target failed");
	close(mem);
	close(ready[0]);
	close(go[1]);
}

static void remotes(bool exec)
{
	const char *name = exec ? "remote export vs exec" : "remote export vs exit";
	struct level before = level_now();
	time_t end = time(NULL) + seconds;
	void *win = reserve(LEN);
	unsigned char byte = 0;

	atomic_store(&n_ok, 0);
	atomic_store(&n_refused, 0);
	atomic_store(&n_bad, 0);
	atomic_store(&n_stale, 0);
	rng = exec ? 41 : 43;
	while (time(NULL) < end) {
		byte = byte >= 200 ? 1 : byte + 1;
		remote_once(exec, byte, win);
	}
	munmap(win, LEN);
	t_ok(!n_stale, "%s: each buffer holds the old image's bytes (%ld did not)", name,
	     n_stale);
	t_ok(n_refused > 0, "%s: exports after the target went were refused (ESRCH: %ld)", name,
	     n_refused);
	settled(name, &before, 5);
}

int main(int argc, char **argv)
{
	const char *s = getenv("RACES_SECONDS");
	ssize_t n;

	/* The image a remote target execs: it exits at once. */
	if (argc > 1 && !strcmp(argv[1], "exit"))
		return 0;
	if (s)
		seconds = atoi(s);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		t_bail("/proc/self/exe: %m");
	self[n] = '\0';
	t_dev();
	if (sysfs_long("buffers") < 0 || sysfs_long("held_pages") < 0)
		t_bail("no " SYSFS "buffers or held_pages");
	for (int i = 0; i < POOL; i++)
		atomic_init(&pool[i], -1);
	handoff();
	remap();
	forks();
	exits();
	truncates();
	syncs();
	remotes(true);
	remotes(false);
	return t_done();
}
