// SPDX-License-Identifier: GPL-2.0
/*
 * frame-copy: what the copied pipeline of make bench's pipeline section
 * (bench/gst-pipelines.sh) spends on the copy itself, in the same guest:
 * the CPU of one memcpy() of a W x H YUY2 frame from a source 64 bytes
 * past a page boundary (gst-appsrc -u's frames) into a page-aligned
 * destination (a buffer of vmemexport's pool), and of one memset() of the
 * source (gst-appsrc's "drawing", which both paths do).
 *
 *   frame-copy WxH N    prints "memcpy US memset US": microseconds each,
 *                       the median of N rounds of 20 frames
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PER_ROUND 20

static double cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	double *cp, *set, t;
	unsigned char *src, *dst;
	int w, h, n, r, i;
	size_t size;

	n = argc == 3 ? atoi(argv[2]) : 0;
	if (n < 1 || n > 1000 || sscanf(argv[1], "%dx%d", &w, &h) != 2 ||
	    w < 2 || h < 1 || w > 8192 || h > 8192) {
		fprintf(stderr, "usage: frame-copy WxH N\n");
		return 2;
	}
	size = (size_t)w * h * 2;
	cp = calloc(n, sizeof(*cp));
	set = calloc(n, sizeof(*set));
	if (!cp || !set || posix_memalign((void **)&src, page, size + 64) ||
	    posix_memalign((void **)&dst, page, size))
		return 1;
	/* Both touched once: no page fault in what is timed. */
	memset(src, 1, size + 64);
	memset(dst, 2, size);
	for (r = 0; r < n; r++) {
		t = cpu_us();
		for (i = 0; i < PER_ROUND; i++)
			memset(src + 64, 16 + (r + i) % 200, size);
		set[r] = (cpu_us() - t) / PER_ROUND;
		t = cpu_us();
		for (i = 0; i < PER_ROUND; i++) {
			memcpy(dst, src + 64, size);
			/* The copy is used, so it is not optimised away. */
			__asm__ volatile("" : : "r"(dst) : "memory");
		}
		cp[r] = (cpu_us() - t) / PER_ROUND;
	}
	qsort(cp, n, sizeof(*cp), cmp);
	qsort(set, n, sizeof(*set), cmp);
	printf("memcpy %.0f memset %.0f\n", cp[n / 2], set[n / 2]);
	return 0;
}
