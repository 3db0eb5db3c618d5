// SPDX-License-Identifier: GPL-2.0
/*
 * vmem-exp benchmark, run in a guest by `make bench`. For several sizes of
 * an already filled memfd it measures, in one run, the median of several
 * repetitions of:
 *   - memcpy of the same bytes (what sharing costs without a dma-buf),
 *   - DBUFIOC_VMEM_EXP (pin + dma-buf) and the close that releases it,
 *   - UDMABUF_CREATE on the same memfd, where /dev/udmabuf exists,
 *   - mapping the dma-buf and touching every page (the fault path),
 * and prints the ratios. Absolute times under software emulation mean
 * little; the ratios are the result. Nothing here passes or fails on speed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/udmabuf.h>

#include "vmemexp.h"

#define REPS	5
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define PAGE	4096UL

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
	qsort(v, REPS, sizeof(*v), cmp);
	return v[REPS / 2];
}

/* Map a dma-buf, read one byte of every page, unmap: seconds. */
static double touch(int fd, size_t len)
{
	double t = now();
	volatile char *q = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	char sum = 0;

	if (q == MAP_FAILED)
		return -1;
	for (size_t i = 0; i < len; i += PAGE)
		sum += q[i];
	munmap((void *)q, len);
	(void)sum;
	return now() - t;
}

static int udmabuf_create(int udev, int memfd, size_t len)
{
	struct udmabuf_create c = {
		.memfd = memfd, .flags = UDMABUF_FLAGS_CLOEXEC, .offset = 0, .size = len,
	};

	return ioctl(udev, UDMABUF_CREATE, &c);
}

int main(void)
{
	static const size_t sizes_mb[] = { 1, 16, 64 };
	const size_t nsizes = ARRAY_SIZE(sizes_mb);
	int dev = vmem_exp_open(), udev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);

	if (dev < 0) {
		printf("Bail out! /dev/vmem-exp: %s\n", strerror(-dev));
		return 1;
	}
	printf("# benchmark: median of %d runs each; times in ms under QEMU TCG\n", REPS);
	if (udev < 0)
		printf("# no /dev/udmabuf in this kernel: udmabuf columns left out\n");
	printf("# %6s %9s %9s %9s %9s %9s %9s | %10s %10s %10s\n", "MiB", "memcpy",
	       "vmem-exp", "close", "udmabuf", "touch-v", "touch-u",
	       "vmem/cpy", "udma/cpy", "vmem/udma");

	for (size_t s = 0; s < nsizes; s++) {
		size_t len = sizes_mb[s] << 20;
		double cpy[REPS], exp[REPS], cls[REPS], udm[REPS], tv[REPS], tu[REPS];
		int memfd = memfd_create("bench", MFD_CLOEXEC | MFD_ALLOW_SEALING);
		char *src, *dst;

		if (memfd < 0 || ftruncate(memfd, len)) {
			printf("Bail out! memfd: %s\n", strerror(errno));
			return 1;
		}
		src = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
		dst = mmap(NULL, len, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (src == MAP_FAILED || dst == MAP_FAILED) {
			printf("Bail out! mmap: %s\n", strerror(errno));
			return 1;
		}
		memset(src, 0x5a, len);
		fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK);

		for (int r = 0; r < REPS; r++) {
			double t = now();
			int fd;

			memcpy(dst, src, len);
			cpy[r] = now() - t;

			t = now();
			fd = vmem_exp_export(dev, src, len, O_RDWR | O_CLOEXEC);
			exp[r] = now() - t;
			if (fd < 0) {
				printf("Bail out! export: %s\n", strerror(-fd));
				return 1;
			}
			tv[r] = touch(fd, len);
			t = now();
			close(fd);
			cls[r] = now() - t;

			udm[r] = 0;
			tu[r] = 0;
			if (udev >= 0) {
				t = now();
				fd = udmabuf_create(udev, memfd, len);
				udm[r] = now() - t;
				if (fd < 0) {
					printf("Bail out! UDMABUF_CREATE: %s\n", strerror(errno));
					return 1;
				}
				tu[r] = touch(fd, len);
				close(fd);
			}
		}
		double mc = median(cpy), me = median(exp), mu = median(udm);

		printf("# %6zu %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f | %10.3f %10.3f %10.3f\n",
		       sizes_mb[s], mc * 1e3, me * 1e3, median(cls) * 1e3, mu * 1e3,
		       median(tv) * 1e3, median(tu) * 1e3, me / mc,
		       udev >= 0 ? mu / mc : 0.0, udev >= 0 ? me / mu : 0.0);
		munmap(src, len);
		munmap(dst, len);
		close(memfd);
	}
	printf("ok 1 benchmark ran\n1..1\n");
	return 0;
}
