// SPDX-License-Identifier: GPL-2.0
/*
 * Description: a dma-buf imported by vivid's video output arrives intact.
 * vivid loops its HDMI output to its HDMI input: a picture written into
 * memory exported by vmem-exp and played through V4L2_MEMORY_DMABUF comes
 * back, byte for byte, as the first frame captured into vivid's own
 * buffer. Once with vb2's dma-contig allocator (the dma-buf is DMA mapped;
 * it needs contiguous memory, so a huge page) and once with its vmalloc
 * allocator (the dma-buf is vmapped), several times each with a different
 * picture.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"
#include "importers.h"

#define W	640
#define H	480
#define FRAME	((size_t)W * H * 2)
#define RUNS	3

/* A YUYV picture that changes along both axes and with @seed; legal values. */
static void picture(unsigned char *p, unsigned int seed)
{
	for (unsigned int y = 0; y < H; y++) {
		for (unsigned int x = 0; x < W; x += 2) {
			unsigned char *q = p + (size_t)y * W * 2 + x * 2;

			q[0] = 16 + (x * 7 + y * 3 + seed) % 220;
			q[1] = 16 + (x / 2 + y * 5 + seed * 3) % 225;
			q[2] = 16 + ((x + 1) * 7 + y * 3 + seed) % 220;
			q[3] = 16 + (x * 3 + y + seed * 11) % 225;
		}
	}
}

static void run(const char *what, int inst, unsigned char *p, size_t len,
		unsigned int seed)
{
	unsigned char *cap = malloc(FRAME);
	size_t diff = 0, first = FRAME;
	int fd, ret;

	memset(p, 0, len);
	picture(p, seed);
	memset(cap, 0xa5, FRAME);
	fd = t_export(p, len, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		t_bail("export: %s", strerror(-fd));
	ret = vivid_loop_frame(inst, fd, len, cap, FRAME);
	t_ok(!ret, "%s: played through DMABUF output, looped, captured: %s", what,
	     ret ? strerror(-ret) : "done");
	for (size_t i = 0; !ret && i < FRAME; i++) {
		if (cap[i] != p[i] && !diff++)
			first = i;
	}
	if (diff)
		t_diag("%zu bytes differ, the first in line %zu", diff, first / (W * 2));
	t_ok(!ret && !diff, "%s: the frame is the dma-buf's picture, byte for byte",
	     what);
	close(fd);
	free(cap);
}

int main(void)
{
	long base = t_pins_held();
	size_t len = (FRAME + PAGE - 1) & ~(PAGE - 1), hlen = 2 << 20;
	unsigned char *p;
	char what[64];

	p = mmap(NULL, hlen, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (p == MAP_FAILED)
		t_bail("hugetlb: %m");
	for (int i = 0; i < RUNS; i++) {
		snprintf(what, sizeof(what), "dma-contig, a huge page, #%d", i);
		run(what, VIVID_DMA_CONTIG, p, hlen, 17 * i + 1);
	}
	munmap(p, hlen);

	if (posix_memalign((void **)&p, PAGE, len))
		t_bail("posix_memalign");
	for (int i = 0; i < RUNS; i++) {
		snprintf(what, sizeof(what), "vmalloc, malloc'd memory, #%d", i);
		run(what, VIVID_VMALLOC, p, len, 29 * i + 5);
	}
	free(p);

	t_ok(t_pins_held() == base, "every pin released");
	return t_done();
}
