// SPDX-License-Identifier: GPL-2.0
/*
 * vmem-exp benchmark, run in a guest by `make bench` (scripts/bench.sh),
 * one guest per kernel, booted with swiotlb=force so that a sync copies.
 * For each kind of memory (a 4 KiB-page memfd, 4 KiB anonymous memory,
 * anonymous transparent huge pages, a hugetlb memfd, a memfd of shmem
 * transparent huge pages) and each size it measures, in this one run, the
 * median of several repetitions of:
 *   memcpy    memcpy of the same bytes (what sharing costs without a dma-buf)
 *   export    DBUFIOC_VMEM_EXP (pin and make the dma-buf)
 *   release   the close that releases it
 *   uexport   UDMABUF_CREATE on the same memfd (memfds only, if udmabuf is
 *             there), and urelease, its close
 *   touch     mmap of the dma-buf at a 2 MiB-aligned address, a read of
 *             every 4 KiB page, munmap; utouch the same for udmabuf; otouch
 *             the same for a fresh mapping of the original memfd
 *   wsync     DBUFIOC_VMEM_SYNC start and end of the whole buffer, mapped
 *             by the test-only DMA device (tests/kmod/vmem_test_dma.c);
 *             psync the same for 4 KiB of it
 *   nents     scatterlist entries of that device's mapping with 2 GiB
 *             segments allowed (a count, not a time; with swiotlb=force a
 *             mapping's segments are bounded by what swiotlb maps at once),
 *             and nents64k with the DMA API's default of 64 KiB
 * Booted without swiotlb=force it measures only dentries: the entries of
 * a device mapping with 2 GiB segments allowed that does not bounce.
 * It prints one line per result, "# csv,KIND,BYTES,METRIC,VALUE" (seconds
 * or a count). Absolute times under software emulation mean little; the
 * ratios the host computes from one run are the result. Nothing here
 * passes or fails on speed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/udmabuf.h>

#include "../tests/kmod/vmem_test_dma.h"
#include "vmemexp.h"

#define MAX_REPS	51
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define PAGE		((size_t)4096)
#define HUGE		((size_t)2 << 20)

/*
 * Repetitions: many for small sizes, whose times are a few microseconds
 * and whose medians a single preemption would otherwise move; few for the
 * biggest, which take seconds under TCG.
 */
static int reps_for(size_t len)
{
	if (len < (2 << 20))
		return MAX_REPS;
	if (len <= (16 << 20))
		return 11;
	return len >= (256 << 20) ? 3 : 5;
}

enum kind { MEMFD, ANON, THP, HUGETLB, MEMFD_THP, NR_KINDS };
static const char *const kind_names[] = {
	"memfd", "anon", "thp", "hugetlb", "memfd-thp",
};

/* Kinds whose memory comes in 2 MiB pages: sizes from 2 MiB only. */
static bool huge_kind(enum kind k)
{
	return k == THP || k == HUGETLB || k == MEMFD_THP;
}

static int devfd, udev = -1, reps;
/* The guest bounces every DMA mapping (swiotlb=force on its command line). */
static bool bounced;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v)
{
	qsort(v, reps, sizeof(*v), cmp);
	return v[reps / 2];
}

static void bail(const char *what)
{
	printf("Bail out! %s: %s\n", what, strerror(errno));
	exit(1);
}

static void result(enum kind k, size_t len, const char *metric, double v)
{
	printf("# csv,%s,%zu,%s,%.9g\n", kind_names[k], len, metric, v);
}

/*
 * @len bytes of anonymous memory with protection @prot at a 2 MiB-aligned
 * address: more is mapped, and what lies before and after is unmapped.
 */
static char *map_aligned(size_t len, int prot)
{
	char *r = mmap(NULL, len + HUGE, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *p;

	if (r == MAP_FAILED)
		bail("mmap of an aligned range");
	p = (char *)(((uintptr_t)r + HUGE - 1) & ~(HUGE - 1));
	if (p > r)
		munmap(r, p - r);
	munmap(p + len, r + HUGE - p);
	return p;
}

/*
 * @len bytes of memory of kind @k, filled, at a 2 MiB-aligned address so
 * that huge pages can back it; *memfd is its memfd or -1.
 */
static char *make_memory(enum kind k, size_t len, int *memfd)
{
	char *p = map_aligned(len, PROT_READ | PROT_WRITE);

	*memfd = -1;
	if (k == MEMFD || k == HUGETLB || k == MEMFD_THP) {
		*memfd = memfd_create("bench", MFD_CLOEXEC | MFD_ALLOW_SEALING |
				      (k == HUGETLB ? MFD_HUGETLB : 0));
		if (*memfd < 0 || ftruncate(*memfd, len))
			bail("memfd");
		if (mmap(p, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			 *memfd, 0) == MAP_FAILED)
			bail("mmap memfd");
		/* shmem_enabled is "advise" (main()): huge pages on request. */
		if (k == MEMFD_THP)
			madvise(p, len, MADV_HUGEPAGE);
		memset(p, 0x5a, len);
		/* udmabuf wants the memfd sealed against shrinking. */
		fcntl(*memfd, F_ADD_SEALS, F_SEAL_SHRINK);
		return p;
	}
	madvise(p, len, k == THP ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	memset(p, 0x5a, len);
	return p;
}

/* The kB of a line of /proc/meminfo, or -1. */
static long meminfo_kb(const char *name)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, name, strlen(name)) && line[strlen(name)] == ':')
			v = strtol(line + strlen(name) + 1, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

/* mmap @fd at a 2 MiB-aligned address, read every page, munmap: seconds. */
static double touch(int fd, size_t len)
{
	volatile char *q = map_aligned(len, PROT_NONE);
	char sum = 0;
	double t;

	munmap((void *)q, len);
	t = now();
	if (mmap((void *)q, len, PROT_READ, MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0) == MAP_FAILED)
		bail("mmap of the buffer");
	for (size_t i = 0; i < len; i += PAGE)
		sum += q[i];
	munmap((void *)q, len);
	(void)sum;
	return now() - t;
}

static int udmabuf_create(int memfd, size_t len)
{
	struct udmabuf_create c = {
		.memfd = memfd, .flags = UDMABUF_FLAGS_CLOEXEC, .offset = 0, .size = len,
	};

	return ioctl(udev, UDMABUF_CREATE, &c);
}

static double sync_time(int fd, uint64_t off, uint64_t len)
{
	double t = now();

	if (vmemexp_sync(devfd, fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW, off, len) ||
	    vmemexp_sync(devfd, fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW, off, len))
		bail("DBUFIOC_VMEM_SYNC");
	return now() - t;
}

/* Syncs and scatterlist entries of a device mapping of dma-buf @fd. */
static void device_side(enum kind k, int fd, size_t len)
{
	struct vmem_test_dma_attach big = { .fd = fd, .max_seg = 2ULL << 30 };
	struct vmem_test_dma_attach dflt = { .fd = fd };
	double w[MAX_REPS], p[MAX_REPS];
	int t = open("/dev/vmem-test-dma", O_RDWR | O_CLOEXEC);

	if (t < 0)
		bail("/dev/vmem-test-dma");
	/* 512 MiB of bounce buffers: the device maps up to 256 MiB. */
	if (bounced && len > (256 << 20)) {
		close(t);
		return;
	}
	if (ioctl(t, VMEM_TEST_DMA_IOC_ATTACH, &big)) {
		/* The bounce pool is too small for this size: no sync result. */
		printf("# %s %zu: the DMA device cannot map it: %s\n",
		       kind_names[k], len, strerror(errno));
		close(t);
		return;
	}
	result(k, len, "nents", big.nents);
	for (int r = 0; r < reps; r++) {
		w[r] = sync_time(fd, 0, 0);
		p[r] = sync_time(fd, len / 2 & ~(PAGE - 1), PAGE);
	}
	result(k, len, "wsync", median(w));
	result(k, len, "psync", median(p));
	close(t);

	t = open("/dev/vmem-test-dma", O_RDWR | O_CLOEXEC);
	if (t >= 0 && !ioctl(t, VMEM_TEST_DMA_IOC_ATTACH, &dflt))
		result(k, len, "nents64k", dflt.nents);
	if (t >= 0)
		close(t);
}

/* Without bounce buffers: scatterlist entries only. */
static void entries_only(enum kind k, size_t len)
{
	struct vmem_test_dma_attach big = { .max_seg = 2ULL << 30 };
	int memfd, t = open("/dev/vmem-test-dma", O_RDWR | O_CLOEXEC);
	char *src = make_memory(k, len, &memfd);

	big.fd = vmemexp_export(devfd, src, len, O_RDWR | O_CLOEXEC);
	if (t < 0 || big.fd < 0 || ioctl(t, VMEM_TEST_DMA_IOC_ATTACH, &big))
		bail("export and device mapping");
	result(k, len, "dentries", big.nents);
	close(t);
	close(big.fd);
	munmap(src, len);
	if (memfd >= 0)
		close(memfd);
}

/*
 * One round of udmabuf on @memfd: its export, touch and release times in
 * @uex, @tu and @urel at @r. False if udmabuf refuses the memfd.
 */
static bool bench_udmabuf(enum kind k, size_t len, int memfd, int r,
			  double *uex, double *urel, double *tu)
{
	double t = now();
	int fd = udmabuf_create(memfd, len);

	uex[r] = now() - t;
	if (fd < 0) {
		/* 6.1's udmabuf takes no hugetlb memfd. */
		printf("# udmabuf refuses %s %zu: %s\n", kind_names[k], len,
		       strerror(errno));
		return false;
	}
	tu[r] = touch(fd, len);
	t = now();
	close(fd);
	urel[r] = now() - t;
	return true;
}

static void run(enum kind k, size_t len)
{
	double cpy[MAX_REPS], ex[MAX_REPS], rel[MAX_REPS], tv[MAX_REPS];
	double uex[MAX_REPS], urel[MAX_REPS], tu[MAX_REPS], to[MAX_REPS];
	bool with_udmabuf;
	int memfd, fd;
	char *src, *dst;
	double t;

	reps = reps_for(len);
	src = make_memory(k, len, &memfd);
	if (k == MEMFD_THP)
		printf("# %s %zu: ShmemHugePages %ld kB\n", kind_names[k], len,
		       meminfo_kb("ShmemHugePages"));
	with_udmabuf = memfd >= 0 && udev >= 0;
	dst = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (dst == MAP_FAILED)
		bail("mmap memcpy destination");

	for (int r = 0; r < reps; r++) {
		t = now();
		memcpy(dst, src, len);
		cpy[r] = now() - t;

		/*
		 * vmem-exp and udmabuf take turns at going first, so that
		 * neither always runs just after the copy.
		 */
		if (r % 2 && with_udmabuf)
			with_udmabuf = bench_udmabuf(k, len, memfd, r, uex, urel, tu);

		t = now();
		fd = vmemexp_export(devfd, src, len, O_RDWR | O_CLOEXEC);
		ex[r] = now() - t;
		if (fd < 0) {
			errno = -fd;
			bail("export");
		}
		tv[r] = touch(fd, len);
		if (r == 0)
			device_side(k, fd, len);
		t = now();
		close(fd);
		rel[r] = now() - t;

		if (memfd >= 0)
			to[r] = touch(memfd, len);
		if (r % 2 == 0 && with_udmabuf)
			with_udmabuf = bench_udmabuf(k, len, memfd, r, uex, urel, tu);
	}
	result(k, len, "memcpy", median(cpy));
	result(k, len, "export", median(ex));
	result(k, len, "release", median(rel));
	result(k, len, "touch", median(tv));
	if (memfd >= 0)
		result(k, len, "otouch", median(to));
	if (with_udmabuf) {
		result(k, len, "uexport", median(uex));
		result(k, len, "urelease", median(urel));
		result(k, len, "utouch", median(tu));
	}
	fflush(stdout);
	munmap(dst, len);
	munmap(src, len);
	if (memfd >= 0)
		close(memfd);
}

int main(void)
{
	static const size_t sizes[] = {
		4 << 10, 64 << 10, 2 << 20, 16 << 20, 64 << 20, 256 << 20, 1 << 30,
	};
	char cmdline[4096] = "";
	FILE *f;

	f = fopen("/proc/cmdline", "r");
	if (!f || !fgets(cmdline, sizeof(cmdline), f))
		bail("/proc/cmdline");
	fclose(f);
	bounced = strstr(cmdline, "swiotlb=") && strstr(cmdline, ",force");
	devfd = vmemexp_open();
	if (devfd < 0) {
		errno = -devfd;
		bail("/dev/vmem-exp");
	}
	udev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (udev < 0)
		printf("# no /dev/udmabuf in this kernel: udmabuf results left out\n");
	/* 1 GiB of hugetlb pages, and a few more. */
	f = fopen("/proc/sys/vm/nr_hugepages", "w");
	if (!f || fprintf(f, "520\n") < 0 || fclose(f))
		bail("nr_hugepages");

	/* memfds in transparent huge pages where they ask for them. */
	f = fopen("/sys/kernel/mm/transparent_hugepage/shmem_enabled", "w");
	if (!f || fprintf(f, "advise\n") < 0 || fclose(f))
		bail("shmem_enabled");

	printf("# benchmark: median of 3 to %d runs each, by size\n", MAX_REPS);
	for (size_t k = MEMFD; k < NR_KINDS; k++)
		for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
			/* Huge pages are 2 MiB: smaller sizes are 4 KiB pages. */
			if (huge_kind(k) && sizes[s] < HUGE)
				continue;
			if (bounced)
				run(k, sizes[s]);
			else
				entries_only(k, sizes[s]);
		}
	printf("ok 1 benchmark ran\n1..1\n");
	return 0;
}
