// SPDX-License-Identifier: GPL-2.0
/*
 * Description: a bounded fuzzer for both ioctls. Random and edge-case field
 * values, addresses inside, across and outside mappings of every kind,
 * local exports and remote ones (through this process's own /proc/self/mem,
 * opened read-write and read-only, and through fds of other kinds);
 * every result is checked against a model of the argument checks (the
 * exact errno where the arguments alone decide it, otherwise a set of
 * allowed errnos), every successful export must be a dma-buf of the asked
 * size, and at the end no fd and no pin is left. FUZZ_ITERATIONS and
 * FUZZ_SEED override the defaults; the seed is printed for replay.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/vmem_exp.h>

#include "harness.h"

/*
 * The top of user space (TASK_SIZE): LOW_TOP with x86-64's 4-level paging
 * and arm64's 48-bit VA, HIGH_TOP where the kernel maps above that
 * (5-level paging, 52-bit VA), which find_task_top() tells.
 */
#if defined(__aarch64__)
#define LOW_TOP		0x0001000000000000ULL
#define HIGH_TOP	0x0010000000000000ULL
#else
#define LOW_TOP		0x00007ffffffff000ULL
#define HIGH_TOP	0x00fffffffffff000ULL
#endif
#define NKEEP		16

static uint64_t rng_state;
static uint64_t task_top;

/*
 * Mappings the kernel picks stay below LOW_TOP, and a mapping asked for
 * at LOW_TOP itself succeeds only where user space reaches above it.
 */
static uint64_t find_task_top(void)
{
	void *want = (void *)(uintptr_t)LOW_TOP;
	void *p = mmap(want, PAGE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED)
		return LOW_TOP;
	munmap(p, PAGE);
	return p == want ? HIGH_TOP : LOW_TOP;
}

static uint64_t rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t pick(const uint64_t *v, size_t n)
{
	return v[rnd() % n];
}

struct region {
	const char *what;
	char *addr;
	size_t len;
};

static struct region regions[16];
static int nregions;
static char *dmabuf_map;
/* /proc/self/mem, open read-write and read-only: src_fds of remote exports. */
static int mem_rw, mem_ro;

static void add_region(const char *what, void *addr, size_t len)
{
	if (addr == MAP_FAILED)
		t_bail("map %s: %m", what);
	regions[nregions++] = (struct region){ what, addr, len };
}

static void make_regions(int dmabuf)
{
	char *p;
	int mfd = memfd_create("fuzz", MFD_CLOEXEC);

	if (mfd < 0 || ftruncate(mfd, 64 * PAGE))
		t_bail("memfd: %m");
	add_region("anon", t_map_anon(64 * PAGE), 64 * PAGE);
	p = mmap(NULL, 16 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	add_region("anon read-only", p, 16 * PAGE);
	p = mmap(NULL, 16 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	add_region("PROT_NONE", p, 16 * PAGE);
	p = mmap(NULL, 64 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	add_region("memfd", p, 64 * PAGE);
	p = mmap(NULL, 2 << 20, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	add_region("hugetlb", p, 2 << 20);
	dmabuf_map = t_map_dmabuf(dmabuf, 8 * PAGE, PROT_READ, 0);
	add_region("dma-buf mmap", dmabuf_map,
		   8 * PAGE);
	/* A region with holes: every other page unmapped. */
	p = t_map_anon(32 * PAGE);
	for (int i = 1; i < 32; i += 2)
		munmap(p + i * PAGE, PAGE);
	add_region("holes", p, 32 * PAGE);
	close(mfd);
}

/* The errno the argument checks alone must give, or 0 if they pass. */
static int model_export(const struct vmem_exp_export *a)
{
	uint32_t acc = a->fd_flags & O_ACCMODE;
	bool remote = a->flags & VMEM_EXP_F_REMOTE;

	if ((a->fd_flags & ~(O_CLOEXEC | O_ACCMODE)) || acc == O_WRONLY ||
	    acc == O_ACCMODE || (a->flags & ~VMEM_EXP_F_REMOTE) ||
	    (!remote && a->src_fd) || !a->len ||
	    (a->addr | a->len) & (PAGE - 1) || a->addr + a->len < a->addr)
		return EINVAL;
	if (a->len > (4096ULL << 20))
		return E2BIG;
	if (remote) {
		if (fcntl(a->src_fd, F_GETFD) < 0)
			return EBADF;
		if (a->src_fd != mem_rw && a->src_fd != mem_ro)
			return EINVAL;
		if (a->src_fd == mem_ro && acc == O_RDWR)
			return EACCES;
	}
	/*
	 * Past TASK_SIZE (a remote range is checked against the target's
	 * task_size, the same here).
	 */
	if (a->addr + a->len > task_top)
		return EFAULT;
	return 0;
}

static uint64_t fuzz_addr(void)
{
	const uint64_t edges[] = {
		0, 1, PAGE, PAGE - 1, 0x10000, task_top, task_top + PAGE,
		0x0000800000000000ULL, 0xffff800000000000ULL,
		0xffffffffff600000ULL, ~0ULL, ~0ULL - PAGE + 1,
	};
	struct region *r = &regions[rnd() % nregions];

	switch (rnd() % 8) {
	case 0:
		return pick(edges, ARRAY_SIZE(edges));
	case 1:
		return rnd();
	case 2:
		return (uintptr_t)r->addr + rnd() % r->len;	/* unaligned */
	default:
		return (uintptr_t)r->addr + (rnd() % (r->len / PAGE)) * PAGE;
	}
}

static uint64_t fuzz_len(void)
{
	static const uint64_t edges[] = {
		0, 1, PAGE - 1, PAGE, PAGE + 1, 2 << 20, 4096ULL << 20,
		(4096ULL << 20) + PAGE, 1ULL << 47, ~0ULL, ~0ULL - PAGE + 1,
	};

	switch (rnd() % 6) {
	case 0:
		return pick(edges, ARRAY_SIZE(edges));
	case 1:
		return rnd();
	default:
		return (1 + rnd() % 40) * PAGE;
	}
}

static uint32_t fuzz_fd_flags(void)
{
	static const uint64_t good[] = {
		O_RDONLY, O_RDWR, O_RDONLY | O_CLOEXEC, O_RDWR | O_CLOEXEC,
	};

	switch (rnd() % 8) {
	case 0:
		return rnd();
	case 1:
		return pick(good, 4) | (1u << (rnd() % 32));
	case 2:
		return O_WRONLY | (rnd() & O_CLOEXEC);
	default:
		return pick(good, 4);
	}
}

/* Mostly local exports, a quarter remote ones, now and then junk. */
static uint32_t fuzz_flags(void)
{
	switch (rnd() % 16) {
	case 0:
		return rnd();
	case 1:
		return VMEM_EXP_F_REMOTE | (1u << (rnd() % 32));
	case 2: case 3: case 4: case 5:
		return VMEM_EXP_F_REMOTE;
	default:
		return 0;
	}
}

static int32_t fuzz_src_fd(uint32_t flags)
{
	const int32_t fds[] = { mem_rw, mem_rw, mem_ro, t_dev(), -1, 999 };

	if (!(flags & VMEM_EXP_F_REMOTE))
		return rnd() % 16 ? 0 : (int32_t)rnd();
	return rnd() % 8 ? fds[rnd() % ARRAY_SIZE(fds)] : (int32_t)rnd();
}

/* What the loop counted, and the dma-bufs it keeps open for a while. */
static struct {
	long exports, syncs, others, bad_errno, model_miss, bad_buf;
	long counts[256];
	int keep[NKEEP], nkeep;
} tally;

/* Keep a new dma-buf among the last NKEEP, closing one at random if full. */
static void keep_fd(int fd)
{
	if (tally.nkeep == NKEEP) {
		int j = rnd() % NKEEP;

		close(tally.keep[j]);
		tally.keep[j] = fd;
	} else {
		tally.keep[tally.nkeep++] = fd;
	}
}

static void model_missed(const struct vmem_exp_export *a, int err, int want)
{
	if (tally.model_miss++ >= 5)
		return;
	t_diag("%llx+%llx fd_flags %x flags %x src_fd %d: %s, not %s",
	       (unsigned long long)a->addr, (unsigned long long)a->len,
	       a->fd_flags, a->flags, a->src_fd, strerrorname_np(err) ?: "0",
	       strerrorname_np(want) ?: "0");
}

/* One export of random arguments, checked against the model: its errno. */
static int fuzz_export(int dmabuf)
{
	uint32_t flags = fuzz_flags();
	struct vmem_exp_export a = {
		.addr = fuzz_addr(), .len = fuzz_len(),
		.fd_flags = fuzz_fd_flags(),
		.flags = flags,
		.src_fd = fuzz_src_fd(flags),
		.fd = (int32_t)rnd(),
	};
	int want = model_export(&a);
	/*
	 * The whole dma-buf mapping, locally: its mode must be asked for.
	 * Remotely it is EPERM.
	 */
	bool whole = !(a.flags & VMEM_EXP_F_REMOTE) &&
		     a.addr == (uintptr_t)dmabuf_map && a.len == 8 * PAGE;
	int err = ioctl(t_dev(), DBUFIOC_VMEM_EXP, &a) ? errno : 0;

	tally.exports++;
	if (want ? err != want : (err == EINVAL && !whole) || err == E2BIG)
		model_missed(&a, err, want);
	if (err)
		return err;
	if (lseek(a.fd, 0, SEEK_END) != (off_t)a.len)
		tally.bad_buf++;
	if (rnd() % 4 == 0) {
		char *q = t_map_dmabuf(a.fd, PAGE, PROT_READ, 0);

		if (!q)
			tally.bad_buf++;
		else
			munmap(q, PAGE);
	}
	keep_fd(a.fd);
	return 0;
}

/* One sync of random arguments, of a kept dma-buf or of another fd. */
static int fuzz_sync(int dmabuf)
{
	static const uint64_t fds[] = { -1, 0, 999, 1 << 30 };
	int32_t odd = rnd() % 2 ? (int32_t)pick(fds, ARRAY_SIZE(fds)) : t_dev();
	struct vmem_exp_sync s = {
		.fd = rnd() % 3 ? (tally.nkeep ? tally.keep[rnd() % tally.nkeep] : dmabuf) : odd,
		.flags = rnd() % 4 ? (uint32_t)(rnd() % 8) : (uint32_t)rnd(),
		.offset = rnd() % 3 ? rnd() % (16 * PAGE) : rnd(),
		.len = rnd() % 3 ? rnd() % (16 * PAGE) : rnd(),
	};
	int err = ioctl(t_dev(), DBUFIOC_VMEM_SYNC, &s) ? errno : 0;

	tally.syncs++;
	if (err != 0 && err != EBADF && err != EINVAL)
		tally.bad_errno++;
	return err;
}

/* One ioctl of another number: ENOTTY. -1 if it drew one of ours. */
static int fuzz_other(void)
{
	unsigned long cmd = rnd() % 2 ? _IOC(rnd() % 4, 'Y', rnd() % 256, rnd() % 64) :
					(unsigned long)rnd();
	char junk[64] = { 0 };
	int err;

	if (cmd == DBUFIOC_VMEM_EXP || cmd == DBUFIOC_VMEM_SYNC)
		return -1;
	err = ioctl(t_dev(), cmd, junk) ? errno : 0;
	tally.others++;
	if (err != ENOTTY && tally.model_miss++ < 5)
		t_diag("ioctl 0x%lx: %s, not ENOTTY", cmd, strerrorname_np(err) ?: "0");
	return err;
}

/* Whether an export's errno is one vmem-exp(4) documents for it. */
static void check_documented(int err)
{
	static const int allowed[] = {
		0, EINVAL, EFAULT, EACCES, E2BIG, ENOMEM, ENOSPC, EOPNOTSUPP,
		EPERM, ENXIO,	/* long ranges reach [vvar] and the like */
		EBADF,		/* a remote export's src_fd not open */
	};

	for (size_t k = 0; k < ARRAY_SIZE(allowed); k++)
		if (err == allowed[k])
			return;
	if (tally.bad_errno++ < 5)
		t_diag("export gave %s", strerrorname_np(err));
}

static void fuzz(long iterations, int dmabuf)
{
	for (long i = 0; i < iterations; i++) {
		unsigned int kind = rnd() % 10;
		int err;

		if (kind < 7)
			err = fuzz_export(dmabuf);
		else if (kind < 9)
			err = fuzz_sync(dmabuf);
		else
			err = fuzz_other();
		if (err < 0)
			continue;
		if (err < 256)
			tally.counts[err]++;
		if (kind < 7)
			check_documented(err);
	}
}

int main(void)
{
	long iterations = getenv("FUZZ_ITERATIONS") ?
			  atol(getenv("FUZZ_ITERATIONS")) : 20000;
	uint64_t seed = getenv("FUZZ_SEED") ? strtoull(getenv("FUZZ_SEED"), NULL, 0) :
					      0x766d656d2d657870ULL;
	char *anchor = t_map_anon(8 * PAGE);
	int base_fds, dmabuf;
	long base_pins;

	rng_state = seed;
	t_diag("seed 0x%llx, %ld iterations", (unsigned long long)seed, iterations);
	task_top = find_task_top();
	t_diag("user space ends at 0x%llx", (unsigned long long)task_top);
	dmabuf = t_export(anchor, 8 * PAGE, O_RDWR | O_CLOEXEC);
	if (dmabuf < 0)
		t_bail("export: %s", strerror(-dmabuf));
	make_regions(dmabuf);
	mem_rw = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	mem_ro = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
	if (mem_rw < 0 || mem_ro < 0)
		t_bail("/proc/self/mem: %m");
	base_fds = t_open_fds();
	base_pins = t_pins_held();

	fuzz(iterations, dmabuf);

	for (int e = 0; e < 256; e++)
		if (tally.counts[e])
			t_diag("%-12s %ld", e ? strerrorname_np(e) : "success", tally.counts[e]);
	t_ok(!tally.bad_errno, "%ld exports, %ld syncs, %ld other ioctls: only documented errnos",
	     tally.exports, tally.syncs, tally.others);
	t_ok(!tally.model_miss,
	     "every result agrees with the model of the argument checks (%ld misses)",
	     tally.model_miss);
	t_ok(!tally.bad_buf, "every successful export is a dma-buf of the asked size that maps");
	t_ok(tally.counts[0] > iterations / 20, "the fuzzer reached successful exports (%ld)",
	     tally.counts[0]);
	while (tally.nkeep)
		close(tally.keep[--tally.nkeep]);
	t_ok(t_open_fds() == base_fds, "no fd left behind (%d, %d at the start)", t_open_fds(),
	     base_fds);
	t_ok(t_pins_held() == base_pins, "no pin left behind (%ld, %ld at the start)",
	     t_pins_held(), base_pins);
	return t_done();
}
