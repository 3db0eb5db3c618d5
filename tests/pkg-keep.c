// SPDX-License-Identifier: GPL-2.0
/*
 * The buffer tests/pkg.sh keeps exported across a package upgrade: built
 * in the package guest's root against libvmemexp-dev (scripts/pkg-guest.sh).
 * Exports 64 pages of this process's memory, a pattern in each, says
 * "exported" and waits for a line on stdin (the upgrade runs meanwhile);
 * then reads the dma-buf through its own mapping and checks the pattern,
 * writes a new one into the memory and checks that the mapping sees it.
 * Exits 0 if every byte read right.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <vmemexp.h>

#define PAGES 64

/* The byte at offset i of page p, round r. */
static unsigned char pattern(size_t p, size_t i, int r)
{
	return (unsigned char)(p * 31 + i + r * 7);
}

static void fill(unsigned char *mem, size_t page, int r)
{
	size_t p, i;

	for (p = 0; p < PAGES; p++)
		for (i = 0; i < page; i++)
			mem[p * page + i] = pattern(p, i, r);
}

/* The number of bytes of view that are not round r's pattern. */
static size_t wrong(const volatile unsigned char *view, size_t page, int r)
{
	size_t p, i, n = 0;

	for (p = 0; p < PAGES; p++)
		for (i = 0; i < page; i++)
			n += view[p * page + i] != pattern(p, i, r);
	return n;
}

int main(void)
{
	size_t page = sysconf(_SC_PAGESIZE), len = PAGES * page, bad;
	unsigned char *mem, *view;
	char line[16];
	int dev, fd;

	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return perror("mmap"), 1;
	fill(mem, page, 0);
	dev = vmemexp_open();
	if (dev < 0)
		return fprintf(stderr, "/dev/vmem-exp: %s\n", strerror(-dev)), 1;
	fd = vmemexp_export(dev, mem, len, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fprintf(stderr, "vmemexp_export: %s\n", strerror(-fd)), 1;
	close(dev);
	printf("exported %zu bytes\n", len);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return fprintf(stderr, "stdin closed before the go\n"), 1;
	view = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (view == MAP_FAILED)
		return perror("mmap of the dma-buf"), 1;
	bad = wrong(view, page, 0);
	fill(mem, page, 1);
	bad += wrong(view, page, 1);
	printf("%zu of %zu bytes wrong (the pattern from before, then a new one)\n",
	       bad, 2 * len);
	return bad != 0;
}
