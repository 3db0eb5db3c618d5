// SPDX-License-Identifier: GPL-2.0
/*
 * Description: mmap of the dma-buf fd: page offsets map the right pages,
 * nothing can be mapped past the end, private mappings are refused, the
 * mapping cannot grow, and DMA_BUF_IOCTL_SYNC of the core works on it.
 * How many faults and page tables a first touch costs: one fault per page
 * table of 4 KiB pages, and on 6.12+ (huge PFN mappings) no page table of
 * 4 KiB pages at all for 2 MiB pages mapped at a 2 MiB-aligned address,
 * but never one PMD over pages that are not one contiguous run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "harness.h"

#define NP	16
#define LEN	(NP * PAGE)
#define HUGE	((size_t)2 << 20)

/* Whether this kernel maps huge pages of PFN mappings with PMDs (6.12+). */
static bool huge_pfnmap(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		t_bail("cannot read the kernel's release");
	return major > 6 || (major == 6 && minor >= 12);
}

/* The process's page tables, in kB (VmPTE). */
static long vm_pte_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	long kb = -1;

	if (!f)
		t_bail("/proc/self/status: %m");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPTE: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static long minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* Maps @len bytes of dma-buf @fd at an address aligned to 2 MiB. */
static char *map_aligned(int fd, size_t len)
{
	char *r = mmap(NULL, len + HUGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *a;

	if (r == MAP_FAILED)
		t_bail("mmap reservation: %m");
	a = (char *)(((uintptr_t)r + HUGE - 1) & ~(HUGE - 1));
	if (mmap(a, len, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED)
		t_bail("mmap of the dma-buf at %p: %m", (void *)a);
	return a;
}

/* Reads every page of [@q, @q + @len); whether each holds its pattern. */
static bool touch_check(const char *q, size_t len)
{
	bool good = true;

	for (size_t off = 0; off < len; off += PAGE)
		good &= t_check(q + off, 16, (uint32_t)(off / PAGE));
	return good;
}

static void fill_pages(char *p, size_t len)
{
	for (size_t off = 0; off < len; off += PAGE)
		t_fill(p + off, 16, (uint32_t)(off / PAGE));
}

/* First touch of 4 KiB pages: one fault per page table (2 MiB). */
static void first_touch_small(void)
{
	size_t len = 4 * HUGE;
	char *p = t_map_anon(len), *q;
	long faults;
	int fd;

	madvise(p, len, MADV_NOHUGEPAGE);
	fill_pages(p, len);
	fd = t_export(p, len, O_RDONLY);
	if (fd < 0)
		t_bail("export: %s", strerror(-fd));
	q = map_aligned(fd, len);
	faults = minor_faults();
	t_ok(touch_check(q, len), "a first touch of 8 MiB of 4 KiB pages reads them all");
	faults = minor_faults() - faults;
	t_ok(faults <= 4, "it takes at most one fault per 2 MiB (%ld faults)", faults);
	munmap(q, len);
	close(fd);
	munmap(p, len);
}

/* First touch of 2 MiB hugetlb pages: PMD mappings where the kernel can. */
static void first_touch_huge(void)
{
	size_t len = 8 * HUGE;
	long pte, faults;
	int mfd, fd;
	char *p, *q;

	mfd = memfd_create("mmap-huge", MFD_CLOEXEC | MFD_HUGETLB);
	if (mfd < 0 || ftruncate(mfd, len))
		t_bail("hugetlb memfd: %m");
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, mfd, 0);
	if (p == MAP_FAILED)
		t_bail("mmap hugetlb: %m");
	fill_pages(p, len);
	fd = t_export(p, len, O_RDONLY);
	if (fd < 0)
		t_bail("export: %s", strerror(-fd));

	pte = vm_pte_kb();
	faults = minor_faults();
	q = map_aligned(fd, len);
	t_ok(touch_check(q, len), "a first touch of 8 hugetlb pages reads them all");
	faults = minor_faults() - faults;
	pte = vm_pte_kb() - pte;
	t_diag("%ld faults, %ld kB more page tables", faults, pte);
	if (huge_pfnmap())
		t_ok(pte < 32 && faults <= 8,
		     "6.12+: mapped with PMDs, no page table of 4 KiB pages (%ld kB, %ld faults)",
		   pte, faults);
	else
		t_ok(pte >= 32,
		     "before 6.12: mapped with 4 KiB pages, a page table per 2 MiB (%ld kB)",
		   pte);
	munmap(q, len);

	/* Not aligned: 4 KiB pages, the same bytes. */
	q = t_map_dmabuf(fd, len - HUGE, PROT_READ, PAGE);
	t_ok(q && t_check(q, 16, 1) && t_check(q + HUGE, 16, HUGE / PAGE + 1),
	     "a mapping at an offset of 4 KiB maps the right pages");
	if (q)
		munmap(q, len - HUGE);
	close(fd);
	munmap(p, len);
	close(mfd);
}

/*
 * A transparent huge page whose page 1 the owner replaced (MADV_DONTNEED
 * splits its PMD, a write faults in a new 4 KiB page): the buffer's pages
 * are aligned at page 0 but not contiguous, so a 2 MiB-aligned mapping of
 * the dma-buf must not map them with one PMD (6.12+), and shows page 1 new.
 */
static void huge_broken_run(void)
{
	char *p = mmap(NULL, 2 * HUGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *a, *q;
	uint64_t pfn;
	int fd;

	if (p == MAP_FAILED)
		t_bail("mmap: %m");
	a = (char *)(((uintptr_t)p + HUGE - 1) & ~(HUGE - 1));
	madvise(a, HUGE, MADV_HUGEPAGE);
	fill_pages(a, HUGE);
	pfn = t_pfn_of(a);
	t_ok(pfn && !(pfn % (HUGE / PAGE)) && t_pfn_of(a + HUGE - PAGE) == pfn + HUGE / PAGE - 1,
	     "2 MiB of anonymous memory in one transparent huge page (frame 0x%llx)",
	   (unsigned long long)pfn);
	madvise(a + PAGE, PAGE, MADV_DONTNEED);
	t_fill(a + PAGE, 16, 4242);
	t_ok(t_pfn_of(a) == pfn && t_pfn_of(a + PAGE) != pfn + 1,
	     "its page 1 replaced by a page of another frame");
	fd = t_export(a, HUGE, O_RDONLY);
	if (fd < 0)
		t_bail("export: %s", strerror(-fd));
	q = map_aligned(fd, HUGE);
	t_ok(t_check(q + PAGE, 16, 4242) && t_check(q, 16, 0) && t_check(q + 2 * PAGE, 16, 2),
	     "a 2 MiB-aligned mapping of its export shows the new page 1 between the old pages");
	munmap(q, HUGE);
	close(fd);
	munmap(p, 2 * HUGE);
}

/* Whether [@q, @q + @len) reads as zeros. */
static bool zeros(const char *q, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (q[i])
			return false;
	return true;
}

/*
 * A fault maps the pages around the faulting one, within its page table
 * but never outside the mapping: the anonymous mappings right before and
 * after a 3-page mapping of the dma-buf (pages 5..7 of @fd, whose pages
 * are @p's, page i filled with 100 + i) keep their own pages.
 */
static void neighbours(int fd, char *p)
{
	char *r = mmap(NULL, 7 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
	char *q = r + 2 * PAGE;

	if (r == MAP_FAILED ||
	    mmap(r, 2 * PAGE, PROT_READ | PROT_WRITE, flags, -1, 0) == MAP_FAILED ||
	    mmap(q, 3 * PAGE, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 5 * PAGE) == MAP_FAILED ||
	    mmap(q + 3 * PAGE, 2 * PAGE, PROT_READ | PROT_WRITE, flags, -1, 0) == MAP_FAILED)
		t_bail("mmap of the neighbours: %m");
	t_ok(t_check(q + PAGE, PAGE, 106) && t_check(q, PAGE, 105) &&
	     t_check(q + 2 * PAGE, PAGE, 107),
	   "a fault in the middle of a 3-page mapping maps pages 5..7");
	t_ok(zeros(r, 2 * PAGE) && zeros(q + 3 * PAGE, 2 * PAGE),
	     "the anonymous mappings on either side still read zeros");
	memset(r, 0xee, 2 * PAGE);
	memset(q + 3 * PAGE, 0xee, 2 * PAGE);
	t_ok(t_check(p + 3 * PAGE, PAGE, 103) && t_check(p + 4 * PAGE, PAGE, 104) &&
	     t_check(p + 8 * PAGE, PAGE, 108) && t_check(p + 9 * PAGE, PAGE, 109),
	   "writes to them do not reach the buffer's pages 3, 4, 8, 9");
	munmap(r, 7 * PAGE);
}

int main(void)
{
	struct dma_buf_sync s = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };
	char *p, *q;
	int fd;

	p = t_map_anon(LEN);
	for (int i = 0; i < NP; i++)
		t_fill(p + i * PAGE, PAGE, 100 + i);
	fd = t_export(p, LEN, O_RDWR);
	if (fd < 0)
		t_bail("export: %s", strerror(-fd));

	q = t_map_dmabuf(fd, 3 * PAGE, PROT_READ, 5 * PAGE);
	t_ok(q && t_check(q, PAGE, 105) && t_check(q + 2 * PAGE, PAGE, 107),
	     "mmap at page offset 5 maps pages 5..7");
	if (q)
		munmap(q, 3 * PAGE);
	neighbours(fd, p);
	q = t_map_dmabuf(fd, PAGE, PROT_READ, (NP - 1) * PAGE);
	t_ok(q && t_check(q, PAGE, 100 + NP - 1), "mmap of the last page");
	if (q)
		munmap(q, PAGE);

	q = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, fd, (NP - 1) * PAGE);
	t_ok(q == MAP_FAILED && errno == EINVAL, "mmap running past the end refused (EINVAL)");
	q = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, NP * PAGE);
	t_ok(q == MAP_FAILED && errno == EINVAL, "mmap starting at the end refused (EINVAL)");
	q = mmap(NULL, 2 * LEN, PROT_READ, MAP_SHARED, fd, 0);
	t_ok(q == MAP_FAILED && errno == EINVAL, "mmap larger than the buffer refused (EINVAL)");
	q = mmap(NULL, LEN, PROT_READ, MAP_PRIVATE, fd, 0);
	t_ok(q == MAP_FAILED && errno == EINVAL, "MAP_PRIVATE refused (EINVAL)");

	q = t_map_dmabuf(fd, PAGE, PROT_READ | PROT_WRITE, 0);
	t_ok(q && mremap(q, PAGE, 2 * PAGE, 0) == MAP_FAILED,
	     "the mapping cannot be grown with mremap");
	t_ok(!ioctl(fd, DMA_BUF_IOCTL_SYNC, &s), "DMA_BUF_IOCTL_SYNC start");
	if (q)
		t_fill(q, PAGE, 200);
	s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
	t_ok(!ioctl(fd, DMA_BUF_IOCTL_SYNC, &s), "DMA_BUF_IOCTL_SYNC end");
	t_ok(t_check(p, PAGE, 200), "the write between the syncs reached the memory");
	if (q)
		munmap(q, PAGE);

	close(fd);
	munmap(p, LEN);

	first_touch_small();
	first_touch_huge();
	huge_broken_run();
	return t_done();
}
