// SPDX-License-Identifier: GPL-2.0
/*
 * Description: the owner changes its memory after the export: mremap,
 * mprotect, madvise (MADV_DONTNEED, MADV_FREE, MADV_REMOVE), and for a
 * memfd truncation and hole punching. The buffer always keeps the pages it
 * pinned, with their bytes; what the owner sees afterwards follows the
 * usual rules of its own mapping; nothing leaks. Exports racing a
 * truncation are made or refused with EFAULT.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define LEN	(16 * PAGE)

/* Export [p, p+LEN) read-write with pattern @seed in it; map the dma-buf. */
static char *export_map(char *p, uint32_t seed, int *fd)
{
	char *q;

	t_fill(p, LEN, seed);
	*fd = t_export(p, LEN, O_RDWR);
	if (*fd < 0)
		t_bail("export: %s", strerror(-*fd));
	q = t_map_dmabuf(*fd, LEN, PROT_READ | PROT_WRITE, 0);
	if (!q)
		t_bail("mmap dma-buf: %m");
	return q;
}

static void release(char *q, int fd)
{
	munmap(q, LEN);
	close(fd);
}

static int memfd(void)
{
	int fd = memfd_create("vmem-exp-changes", MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, LEN))
		t_bail("memfd: %m");
	return fd;
}

/*
 * Exports of a memfd's second half race a child that truncates the file to
 * half its size and back: an export either holds the pages or finds the
 * range past the end of the file, EFAULT (6.11+'s memfd_pin_folios() said
 * EINVAL when the size changed between the driver's check and its own).
 */
static void truncate_race(void)
{
	long made = 0, efault = 0, other = 0;
	int mfd = memfd(), pid, fd;
	struct timespec t0, t;
	char *p;

	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (p == MAP_FAILED)
		t_bail("mmap memfd: %m");
	pid = fork();
	if (pid == 0) {
		for (;;)
			if (ftruncate(mfd, LEN / 2) || ftruncate(mfd, LEN))
				_exit(1);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		fd = t_export(p + LEN / 2, LEN / 2, O_RDWR);
		if (fd >= 0) {
			made++;
			close(fd);
		} else if (fd == -EFAULT) {
			efault++;
		} else if (other++ < 5) {
			t_diag("export racing ftruncate: %s", strerrorname_np(-fd));
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < 2);
	kill(pid, SIGKILL);
	t_wait_child(pid);
	t_diag("exports racing ftruncate: %ld made, %ld EFAULT, %ld other", made, efault, other);
	t_ok(!other, "exports racing ftruncate: made or EFAULT, nothing else (%ld were not)",
	     other);
	munmap(p, LEN);
	close(mfd);
}

/* mremap moves the owner's page table entries, not the pages. */
static void after_mremap(void)
{
	char *p = t_map_anon(LEN), *q, *r;
	int fd;

	q = export_map(p, 1, &fd);
	r = mremap(p, LEN, 2 * LEN, MREMAP_MAYMOVE);
	t_ok(r != MAP_FAILED && t_check(q, LEN, 1), "mremap: the buffer keeps its bytes");
	t_fill(r, LEN, 2);
	t_ok(t_check(q, LEN, 2), "mremap: the owner's writes at the new address reach it");
	munmap(r, 2 * LEN);
	release(q, fd);
}

/* mprotect changes the owner's access, not the buffer's. */
static void after_mprotect(void)
{
	char *p = t_map_anon(LEN), *q;
	int fd;

	q = export_map(p, 3, &fd);
	mprotect(p, LEN, PROT_NONE);
	t_fill(q, LEN, 4);
	t_ok(t_check(q, LEN, 4), "mprotect PROT_NONE: the buffer stays readable and writable");
	mprotect(p, LEN, PROT_READ);
	t_ok(t_check(p, LEN, 4), "mprotect PROT_READ: the owner reads the buffer's writes");
	munmap(p, LEN);
	release(q, fd);
}

/*
 * MADV_DONTNEED: the owner gets fresh zero pages, the buffer the old.
 * MADV_FREE: pinned pages are never reclaimed, so nothing changes.
 */
static void after_madvise(void)
{
	char *p = t_map_anon(LEN), *q;
	int fd;

	q = export_map(p, 5, &fd);
	madvise(p, LEN, MADV_DONTNEED);
	t_ok(t_check(q, LEN, 5), "MADV_DONTNEED: the buffer keeps its bytes");
	t_ok(t_all_bytes(p, LEN, 0), "MADV_DONTNEED: the owner sees zero-filled memory");
	t_fill(p, LEN, 6);
	t_ok(t_check(q, LEN, 5), "MADV_DONTNEED: the owner's new pages are not the buffer's");
	munmap(p, LEN);
	release(q, fd);

	p = t_map_anon(LEN);
	q = export_map(p, 7, &fd);
	madvise(p, LEN, MADV_FREE);
	t_ok(t_check(q, LEN, 7), "MADV_FREE: the buffer keeps its bytes");
	munmap(p, LEN);
	release(q, fd);
}

/* MADV_REMOVE on a memfd, and hole punching, punch the pages out of the file. */
static void after_hole_punch(void)
{
	int mfd = memfd(), fd;
	char *p, *q;

	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	q = export_map(p, 8, &fd);
	t_ok(!madvise(p, LEN, MADV_REMOVE), "MADV_REMOVE on a memfd mapping");
	t_ok(t_check(q, LEN, 8), "MADV_REMOVE: the buffer keeps its bytes");
	t_ok(t_all_bytes(p, LEN, 0), "MADV_REMOVE: the file reads zeros");
	munmap(p, LEN);
	release(q, fd);
	close(mfd);

	mfd = memfd();
	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	q = export_map(p, 9, &fd);
	t_ok(!fallocate(mfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, LEN),
	     "punch a hole over the whole memfd");
	t_ok(t_check(q, LEN, 9), "hole punched: the buffer keeps its bytes");
	t_ok(t_all_bytes(p, LEN, 0), "hole punched: the file reads zeros");
	munmap(p, LEN);
	release(q, fd);
	close(mfd);
}

/* Truncation of a memfd behaves the same. */
static void after_truncate(void)
{
	int mfd = memfd(), fd;
	char *p, *q;

	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	q = export_map(p, 10, &fd);
	munmap(p, LEN);
	t_ok(!ftruncate(mfd, 0) && !ftruncate(mfd, LEN), "truncate the memfd to 0 and back");
	t_ok(t_check(q, LEN, 10), "truncated: the buffer keeps its bytes");
	p = mmap(NULL, LEN, PROT_READ, MAP_SHARED, mfd, 0);
	t_ok(p != MAP_FAILED && t_all_bytes(p, LEN, 0), "truncated: the file reads zeros");
	t_fill(q, LEN, 11);
	t_ok(t_all_bytes(p, LEN, 0), "truncated: the buffer's writes no longer reach the file");
	munmap(p, LEN);
	release(q, fd);
	close(mfd);
}

int main(void)
{
	long base = t_pins_held();

	after_mremap();
	after_mprotect();
	after_madvise();
	after_hole_punch();
	after_truncate();
	truncate_race();
	t_ok(t_pins_held() == base, "every pin released");
	return t_done();
}
