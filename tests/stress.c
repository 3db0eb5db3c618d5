// SPDX-License-Identifier: GPL-2.0
/*
 * Description: concurrency. For a bounded time (STRESS_SECONDS, default
 * 10), threads export ranges of shared slots, map, sync, import into vgem
 * and close the buffers, passing fds between them, while another thread
 * replaces, unmaps, mprotects and MADV_DONTNEEDs the same slots, another
 * forks children that export, hand their buffer over and exit, and another
 * exports ranges of children's memory through their /proc/PID/mem (remote
 * exports) before, while and after those children exit.
 * The kernel must survive with a clean log (the runner checks), every
 * operation must fail only with a documented errno, and at the end no pin
 * and no fd is left.
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
#include "importers.h"
#include "vmemexp.h"

#define SLOTS		8
#define SLOT_PAGES	32
#define SLOT_LEN	(SLOT_PAGES * PAGE)
#define POOL		16

static char *slots[SLOTS];
/*
 * A slot whose hole another thread's mmap took (see mutator()): the
 * mutator leaves it alone from then on, or it would clobber that mapping.
 */
static bool lost[SLOTS];
static atomic_int pool[POOL];
static atomic_bool stop;
static atomic_long n_export, n_export_err, n_map, n_sync, n_import, n_close;
static atomic_long n_mutate, n_fork, n_bad, n_remote, n_remote_gone;
static int card;

static __thread uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void bad(const char *what, int err)
{
	if (atomic_fetch_add(&n_bad, 1) < 5)
		t_diag("%s: unexpected %s", what, err ? strerrorname_np(err) : "success");
}

/* Hand an fd to the pool; whatever it displaces is closed. */
static void deposit(int fd)
{
	int old = atomic_exchange(&pool[rnd() % POOL], fd);

	if (old >= 0) {
		close(old);
		atomic_fetch_add(&n_close, 1);
	}
}

static int withdraw(void)
{
	return atomic_exchange(&pool[rnd() % POOL], -1);
}

/* Map a buffer of at least one page, touch it, unmap it. */
static void touch(int fd, bool write)
{
	volatile char *q = t_map_dmabuf(fd, PAGE, PROT_READ | (write ? PROT_WRITE : 0), 0);

	if (!q) {
		bad("mmap of a dma-buf", errno);
		return;
	}
	(void)q[0];
	if (write)
		q[PAGE - 1] = 1;
	munmap((void *)q, PAGE);
	atomic_fetch_add(&n_map, 1);
}

static int export_some(int devfd, bool *rw)
{
	int s = rnd() % SLOTS, first = rnd() % SLOT_PAGES;
	int pages = 1 + rnd() % (SLOT_PAGES - first);
	int fd;

	*rw = rnd() % 2;
	fd = vmemexp_export(devfd, slots[s] + first * PAGE, pages * PAGE,
			    (*rw ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	atomic_fetch_add(&n_export, 1);
	/*
	 * The slot may be unmapped, PROT_NONE or read-only right now, or a
	 * lost slot may hold another thread's mapping of a whole dma-buf,
	 * whose access mode must be asked for (EINVAL otherwise).
	 */
	if (fd < 0 && fd != -EFAULT && fd != -EACCES && fd != -EINVAL)
		bad("export", -fd);
	if (fd < 0)
		atomic_fetch_add(&n_export_err, 1);
	return fd;
}

static void *exporter(void *arg)
{
	rng = (uintptr_t)arg * 2654435761u + 1;
	while (!atomic_load(&stop)) {
		bool rw;
		int fd = export_some(t_dev(), &rw);

		if (fd < 0)
			continue;
		if (rnd() % 2)
			touch(fd, rw);
		deposit(fd);
	}
	return NULL;
}

/* Takes buffers from the pool: sync, map, import into vgem, close. */
static void *consumer(void *arg)
{
	rng = (uintptr_t)arg * 2654435761u + 7;
	while (!atomic_load(&stop)) {
		struct dma_buf_sync s = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };
		int fd = withdraw(), ret;
		uint32_t handle;

		if (fd < 0) {
			sched_yield();
			continue;
		}
		ret = vmemexp_sync(t_dev(), fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, 0, 0);
		if (!ret)
			ret = vmemexp_sync(t_dev(), fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ, 0, 0);
		if (!ret && ioctl(fd, DMA_BUF_IOCTL_SYNC, &s))
			ret = -errno;
		s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
		if (!ret && ioctl(fd, DMA_BUF_IOCTL_SYNC, &s))
			ret = -errno;
		if (ret)
			bad("sync", -ret);
		atomic_fetch_add(&n_sync, 1);
		touch(fd, false);
		/* Read-only exports are refused where vgem maps at import. */
		ret = vgem_import(card, fd, &handle);
		if (!ret) {
			vgem_close_handle(card, handle);
			atomic_fetch_add(&n_import, 1);
		} else if (ret != -EACCES) {
			bad("vgem import", -ret);
		}
		if (rnd() % 2) {
			deposit(fd);
		} else {
			close(fd);
			atomic_fetch_add(&n_close, 1);
		}
	}
	return NULL;
}

/* Changes the slots under the exporters' feet. */
static void *mutator(void *arg)
{
	static const int prots[] = { PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE };

	rng = 12345;
	while (!atomic_load(&stop)) {
		int i = rnd() % SLOTS;
		char *p = slots[i];

		if (lost[i])
			continue;
		switch (rnd() % 5) {
		case 0:	/* fresh pages in place */
			if (mmap(p, SLOT_LEN, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED)
				memset(p, 0x11, SLOT_LEN);
			break;
		case 1:	/* a hole for a while */
			munmap(p, SLOT_LEN);
			usleep(100);
			if (mmap(p, SLOT_LEN, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
				 -1, 0) != p)
				lost[i] = true;
			break;
		case 2:
			mprotect(p, SLOT_LEN, prots[rnd() % 3]);
			break;
		case 3:
			madvise(p, SLOT_LEN, MADV_DONTNEED);
			break;
		case 4: {	/* shmem pages in place */
			int mfd = memfd_create("stress", MFD_CLOEXEC);

			if (mfd >= 0 && !ftruncate(mfd, SLOT_LEN))
				mmap(p, SLOT_LEN, PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_FIXED, mfd, 0);
			if (mfd >= 0)
				close(mfd);
			break;
		}
		}
		atomic_fetch_add(&n_mutate, 1);
	}
	return NULL;
}

/* Children export, hand the buffer to the parent, and exit. */
static void *forker(void *arg)
{
	int sv[2];

	rng = 777;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		t_bail("socketpair: %m");
	while (!atomic_load(&stop)) {
		int pid = fork(), st, fd;

		if (pid == 0) {
			/* No stdio here: another thread may hold its lock. */
			int s = rnd() % SLOTS;

			fd = vmemexp_export(t_dev(), slots[s], SLOT_LEN, O_RDWR);
			if (fd < 0)
				_exit(-fd);
			_exit(t_send_fd(sv[1], fd) ? 255 : 0);
		}
		if (pid < 0) {
			bad("fork", errno);
			continue;
		}
		/* The child's exit code: 0, or the errno of its export. */
		st = t_wait_child(pid);
		if (st == 0) {
			fd = t_recv_fd(sv[0]);
			if (fd >= 0)
				deposit(fd);
			else
				bad("a child's fd", EIO);
		} else if (st != EFAULT && st != EACCES && st != EINVAL) {
			bad("export in a child", st > 0 && st < 255 ? st : EIO);
		}
		atomic_fetch_add(&n_fork, 1);
	}
	close(sv[0]);
	close(sv[1]);
	return NULL;
}

/*
 * Remote exports: a child maps and fills a slot-sized range and waits; a
 * random part of it is exported through its /proc/PID/mem after it was
 * told to exit and reaped (ESRCH), right after it was told (either), or
 * before; the buffer must hold the child's bytes, and goes to the pool.
 */
/*
 * A remote export's target: a child that maps SLOT_LEN bytes of 0x5a,
 * writes their address to @ready and exits once @go is written to. Its
 * pid, or -1.
 */
static int remote_target(int ready, int go)
{
	int pid = fork();

	if (pid == 0) {
		/* No stdio or malloc here: another thread may hold their locks. */
		char *p = mmap(NULL, SLOT_LEN, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		char c;

		if (p == MAP_FAILED)
			_exit(1);
		memset(p, 0x5a, SLOT_LEN);
		if (write(ready, &p, sizeof(p)) != sizeof(p))
			_exit(1);
		read(go, &c, 1);
		_exit(0);
	}
	return pid;
}

/*
 * What a remote export of @pages pages gave (@fd) when its target had been
 * reaped before it (@when 0), exited during it (1) or lived on (2).
 */
static void remote_outcome(int fd, int when, int pages)
{
	char *q;

	atomic_fetch_add(&n_remote, 1);
	if (fd == -ESRCH && when < 2) {
		atomic_fetch_add(&n_remote_gone, 1);
		return;
	}
	if (fd < 0 || (when == 0 && fd >= 0)) {
		bad(when == 0 ? "remote export after the target was reaped" :
		    "remote export", fd < 0 ? -fd : 0);
		if (fd >= 0)
			close(fd);
		return;
	}
	q = t_map_dmabuf(fd, pages * PAGE, PROT_READ, 0);
	if (!q || !t_all_bytes(q, pages * PAGE, 0x5a))
		bad("bytes of a remote export", q ? EIO : errno);
	if (q)
		munmap(q, pages * PAGE);
	deposit(fd);
}

/* One remote export of a new target's memory; false if none could start. */
static bool remote_once(void)
{
	int first = rnd() % SLOT_PAGES, pages = 1 + rnd() % (SLOT_PAGES - first);
	int when = rnd() % 3, rw = rnd() % 2, ready[2], go[2], pid, mem, fd;
	uint64_t addr;

	if (pipe2(ready, O_CLOEXEC) || pipe2(go, O_CLOEXEC)) {
		bad("pipe", errno);
		return false;
	}
	pid = remote_target(ready[1], go[0]);
	close(ready[1]);
	close(go[0]);
	if (pid < 0 || read(ready[0], &addr, sizeof(addr)) != sizeof(addr)) {
		bad("remote target", pid < 0 ? errno : EIO);
		close(ready[0]);
		close(go[1]);
		if (pid > 0)
			t_wait_child(pid);
		return true;
	}
	mem = t_proc_mem(pid, rw ? O_RDWR : O_RDONLY);
	if (when < 2)
		write(go[1], "x", 1);
	if (when == 0)
		t_wait_child(pid);
	fd = mem < 0 ? mem : vmemexp_export_remote(t_dev(), mem, addr + first * PAGE,
						    pages * PAGE,
						    (rw ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (when == 2)
		write(go[1], "x", 1);
	if (when > 0)
		t_wait_child(pid);
	close(go[1]);
	close(ready[0]);
	if (mem >= 0)
		close(mem);
	remote_outcome(fd, when, pages);
	return true;
}

static void *remoter(void *arg)
{
	rng = 4242;
	while (!atomic_load(&stop) && remote_once())
		;
	return NULL;
}

int main(void)
{
	int seconds = getenv("STRESS_SECONDS") ? atoi(getenv("STRESS_SECONDS")) : 10;
	pthread_t t[7];
	long base = t_pins_held(), total;
	int base_fds, fd;
	char *area;

	card = vgem_open();
	t_dev();
	area = t_map_anon(SLOTS * SLOT_LEN);
	for (int i = 0; i < SLOTS; i++)
		slots[i] = area + i * SLOT_LEN;
	for (int i = 0; i < POOL; i++)
		atomic_init(&pool[i], -1);
	base_fds = t_open_fds();

	pthread_create(&t[0], NULL, exporter, (void *)1);
	pthread_create(&t[1], NULL, exporter, (void *)2);
	pthread_create(&t[2], NULL, consumer, (void *)3);
	pthread_create(&t[3], NULL, consumer, (void *)4);
	pthread_create(&t[4], NULL, mutator, NULL);
	pthread_create(&t[5], NULL, forker, NULL);
	pthread_create(&t[6], NULL, remoter, NULL);
	sleep(seconds);
	atomic_store(&stop, true);
	for (int i = 0; i < 7; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < POOL; i++) {
		fd = atomic_exchange(&pool[i], -1);
		if (fd >= 0)
			close(fd);
	}

	total = n_export + n_map + n_sync + n_import + n_close + n_mutate + n_fork +
		n_remote;
	t_diag("%d s: %ld exports (%ld refused), %ld mmaps, %ld syncs, %ld vgem imports",
	       seconds, n_export, n_export_err, n_map, n_sync, n_import);
	t_diag("%ld closes, %ld mapping changes, %ld forks", n_close, n_mutate, n_fork);
	t_diag("%ld remote exports (%ld of a target already gone: ESRCH)", n_remote,
	       n_remote_gone);
	t_ok(total > 100 && n_export > n_export_err,
	     "%ld operations completed, exports among them succeeded", total);
	t_ok(n_remote > n_remote_gone && n_remote_gone > 0,
	     "remote exports both succeeded and found targets gone");
	t_ok(!n_bad, "every failure was a documented errno (%ld were not)", n_bad);
	t_ok(t_open_fds() == base_fds, "no fd left behind");
	t_ok(t_pins_held() == base, "no pin left behind (%ld, %ld at the start)", t_pins_held(),
	     base);
	munmap(area, SLOTS * SLOT_LEN);
	area = t_map_anon(PAGE);
	fd = t_export(area, PAGE, O_RDWR);
	t_ok(fd >= 0, "the device still exports afterwards");
	close(fd);
	return t_done();
}
