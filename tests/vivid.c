// SPDX-License-Identifier: GPL-2.0
/*
 * Description: the design document's video-capture use case. vivid captures
 * with V4L2_MEMORY_DMABUF into malloc'd memory exported by vmem-exp, and
 * the frame lands in the malloc'd bytes: the same picture vivid delivers
 * into its own MMAP buffer. Once with vb2's vmalloc allocator (the import
 * goes through vmap) and once with its dma-contig allocator (through a DMA
 * mapping of our scatterlist; it needs contiguous memory, so hugetlb).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"
#include "importers.h"

#define W	640
#define H	480

/* Capture into [p, p+len) through a dma-buf and compare with @ref. */
static void capture(const char *what, int video, unsigned char *p, size_t len,
		    size_t size, const unsigned char *ref)
{
	size_t used = 0, changed = 0;
	int fd, ret;

	memset(p, 0xa5, len);
	fd = t_export(p, len, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		t_bail("export: %s", strerror(-fd));

	ret = vivid_dmabuf_frame(video, fd, len, &used);
	t_ok(!ret, "%s: vivid captures into the dma-buf (QBUF, STREAMON, DQBUF): %s",
	     what, ret ? strerror(-ret) : "done");
	t_ok(used == size, "%s: the frame fills the buffer (%zu of %zu bytes)", what,
	     used, size);
	for (size_t i = 0; i < size; i++)
		changed += p[i] != 0xa5;
	t_ok(changed > size / 2, "%s: the frame landed in the memory (%zu bytes changed)",
	     what, changed);
	/* The top lines carry vivid's text overlay; the colour bars below do not. */
	t_ok(!memcmp(p + size / 2, ref + size / 2, size / 2),
	     "%s: the lower half is vivid's picture, byte for byte", what);

	/* A second frame into the same buffer after scribbling over it. */
	memset(p, 0x5a, len);
	ret = vivid_dmabuf_frame(video, fd, len, &used);
	t_ok(!ret && !memcmp(p + size / 2, ref + size / 2, size / 2),
	     "%s: a second capture into the same memory lands too", what);
	close(fd);
}

int main(void)
{
	long base = t_pins_held();
	size_t size, len, hlen = 2 << 20;
	unsigned char *ref, *p;
	int video, ret;

	video = vivid_open(VIVID_VMALLOC, false, W, H, &size);
	len = (size + PAGE - 1) & ~(PAGE - 1);
	ref = malloc(size);
	ret = vivid_capture_mmap(video, ref, size);
	if (!t_ok(!ret, "reference frame captured into vivid's own buffer"))
		t_bail("MMAP capture: %s", strerror(-ret));
	if (posix_memalign((void **)&p, PAGE, len))
		t_bail("posix_memalign");
	capture("vmalloc, malloc'd memory", video, p, len, size, ref);
	free(p);
	close(video);

	video = vivid_open(VIVID_DMA_CONTIG, false, W, H, &size);
	ret = vivid_capture_mmap(video, ref, size);
	if (!t_ok(!ret, "dma-contig: reference frame captured into vivid's own buffer"))
		t_bail("MMAP capture: %s", strerror(-ret));
	p = mmap(NULL, hlen, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (p == MAP_FAILED)
		t_bail("hugetlb: %m");
	capture("dma-contig, a huge page", video, p, hlen, size, ref);
	munmap(p, hlen);
	close(video);

	t_ok(t_pins_held() == base, "every pin released");
	free(ref);
	return t_done();
}
