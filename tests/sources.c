// SPDX-License-Identifier: GPL-2.0
/*
 * Description: every memory source of the issue exports, and the dma-buf's
 * mmap shows the same bytes as the original memory, both ways: private and
 * shared anonymous memory, malloc, memfd, a /dev/shm file, hugetlb,
 * transparent huge pages, and a range spanning two different mappings.
 * Also libvmemexp's names before LIBVMEMEXP_1.2 (vmem_exp_open(),
 * vmem_exp_export(), vmem_exp_sync()), which vmemexp.h still accepts.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "harness.h"
#include "vmemexp.h"

#define HPAGE	((size_t)2 << 20)

static uint32_t seed = 1000;

/* Export [p, p+len) read-write and check content both ways. */
static void roundtrip(const char *what, void *p, size_t len)
{
	uint32_t s1 = ++seed, s2 = ++seed;
	void *q;
	int fd;

	t_fill(p, len, s1);
	fd = t_export(p, len, O_RDWR | O_CLOEXEC);
	if (!t_ok(fd >= 0, "%s: export %zu bytes", what, len)) {
		t_diag("export: %s", strerror(-fd));
		return;
	}
	q = t_map_dmabuf(fd, len, PROT_READ | PROT_WRITE, 0);
	if (!t_ok(q, "%s: mmap the dma-buf", what)) {
		close(fd);
		return;
	}
	t_ok(t_check(q, len, s1), "%s: the dma-buf shows the original bytes", what);
	t_fill(q, len, s2);
	t_ok(t_check(p, len, s2), "%s: writes through the dma-buf reach the original memory",
	     what);
	munmap(q, len);
	close(fd);
}

static long smaps_kb(void *p, const char *field)
{
	char line[256], key[64];
	unsigned long start, end, kb;
	long found = -1;
	bool in = false;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		/* A mapping's header line starts with its address range. */
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			in = (uintptr_t)p >= start && (uintptr_t)p < end;
			continue;
		}
		if (in && sscanf(line, "%63[^:]: %lu kB", key, &kb) == 2 &&
		    !strcmp(key, field))
			found = kb;
	}
	fclose(f);
	return found;
}

static void *aligned_map(size_t len, size_t align, int flags, int fd)
{
	char *p = mmap(NULL, len + align, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		t_bail("reserve: %m");
	a = ((uintptr_t)p + align - 1) & ~(align - 1);
	if (mmap((void *)a, len, PROT_READ | PROT_WRITE, flags | MAP_FIXED,
		 fd, 0) == MAP_FAILED)
		t_bail("aligned mmap: %m");
	return (void *)a;
}

/*
 * The harness's pattern is what every content check here and in the other
 * files rests on: neighbouring seeds must give different bytes, or a check
 * of seed n passes on memory that holds seed n + 1.
 */
static void pattern_selftest(void)
{
	uint32_t a[4], b[4];
	unsigned int same = 0;

	for (uint32_t s = 0; s < 4096; s++) {
		t_fill(a, sizeof(a), s);
		t_fill(b, sizeof(b), s + 1);
		if (!memcmp(a, b, sizeof(a)))
			same++;
	}
	t_ok(!same,
	     "the test pattern of every seed 0..4095 differs from the next seed's (%u alike)",
	     same);
}

/* Private and shared anonymous memory, and malloc's, of @len bytes. */
static void anonymous(size_t len)
{
	void *p = t_map_anon(len);

	roundtrip("private anonymous", p, len);
	munmap(p, len);

	if (posix_memalign(&p, PAGE, 3 * len))
		t_bail("posix_memalign");
	roundtrip("malloc", p, 3 * len);
	free(p);

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	roundtrip("shared anonymous", p, len);
	munmap(p, len);
}

/* A memfd and a /dev/shm file of @len bytes. */
static void shmem_files(size_t len)
{
	int fd = memfd_create("vmem-exp-test", MFD_CLOEXEC);
	void *p;

	if (fd < 0 || ftruncate(fd, len))
		t_bail("memfd: %m");
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	roundtrip("memfd", p, len);
	munmap(p, len);
	close(fd);

	fd = open("/dev/shm/vmem-exp-test", O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, len))
		t_bail("/dev/shm: %m");
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	roundtrip("/dev/shm file", p, len);
	munmap(p, len);
	close(fd);
	unlink("/dev/shm/vmem-exp-test");
}

/* hugetlb, mapped anonymously and through a memfd. */
static void hugetlb(void)
{
	void *p;
	int fd;

	p = mmap(NULL, 2 * HPAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (t_ok(p != MAP_FAILED, "hugetlb: map two 2 MiB huge pages")) {
		roundtrip("hugetlb", p, 2 * HPAGE);
		munmap(p, 2 * HPAGE);
	}

	fd = memfd_create("vmem-exp-test-huge", MFD_CLOEXEC | MFD_HUGETLB);
	if (fd < 0 || ftruncate(fd, 2 * HPAGE))
		t_bail("hugetlb memfd: %m");
	p = mmap(NULL, 2 * HPAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (t_ok(p != MAP_FAILED, "hugetlb memfd: map it")) {
		roundtrip("hugetlb memfd", p, 2 * HPAGE);
		munmap(p, 2 * HPAGE);
	}
	close(fd);
}

static void thp(void)
{
	void *p = aligned_map(2 * HPAGE, HPAGE, MAP_PRIVATE | MAP_ANONYMOUS, -1);

	madvise(p, 2 * HPAGE, MADV_HUGEPAGE);
	memset(p, 1, 2 * HPAGE);
	t_ok(smaps_kb(p, "AnonHugePages") >= 2048,
	     "THP: the range is backed by transparent huge pages (%ld kB)",
	     smaps_kb(p, "AnonHugePages"));
	/* Also a range that starts and ends inside huge pages. */
	roundtrip("THP", p, 2 * HPAGE);
	roundtrip("THP, unaligned sub-range", (char *)p + 5 * PAGE, HPAGE);
	munmap(p, 2 * HPAGE);
}

/* One range over two mappings of different kinds, @len bytes each. */
static void mixed(size_t len)
{
	void *p = t_map_anon(2 * len);
	int fd = memfd_create("vmem-exp-test-mixed", MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, len))
		t_bail("memfd: %m");
	if (mmap((char *)p + len, len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED)
		t_bail("mmap fixed: %m");
	roundtrip("anonymous + memfd in one range", p, 2 * len);
	munmap(p, 2 * len);
	close(fd);
}

/* The library's names before LIBVMEMEXP_1.2 still build, and work. */
static void old_names(void)
{
	char *p = t_map_anon(PAGE), *q;
	int dev = vmem_exp_open(), fd;

	t_fill(p, PAGE, 7);
	fd = dev < 0 ? dev : vmem_exp_export(dev, p, PAGE, O_RDWR | O_CLOEXEC);
	q = fd < 0 ? NULL : t_map_dmabuf(fd, PAGE, PROT_READ, 0);
	t_ok(q && t_check(q, PAGE, 7), "vmem_exp_open() and vmem_exp_export(), the old names");
	t_ok(fd >= 0 && !vmem_exp_sync(dev, fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, 0, 0) &&
	     !vmem_exp_sync(dev, fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ, 0, 0),
	     "vmem_exp_sync(), the old name");
	if (q)
		munmap(q, PAGE);
	close(fd);
	close(dev);
	munmap(p, PAGE);
}

int main(void)
{
	size_t len = 16 * PAGE;

	pattern_selftest();
	anonymous(len);
	shmem_files(len);
	hugetlb();
	thp();
	mixed(len);
	old_names();
	return t_done();
}
