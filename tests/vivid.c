// SPDX-License-Identifier: GPL-2.0
/*
 * Description: the design document's video-capture use case. vivid captures
 * with V4L2_MEMORY_DMABUF into malloc'd memory exported by vmem-exp, and
 * the frame lands in the malloc'd bytes: the same picture vivid delivers
 * into its own MMAP buffer.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "importers.h"

#define W	640
#define H	480

int main(void)
{
	long base = pins_held();
	unsigned int bpl;
	size_t size, len, used = 0, changed = 0;
	int video, fd, ret;
	unsigned char *ref, *p;

	video = vivid_capture_open(W, H, &size, &bpl);
	len = (size + PAGE - 1) & ~(PAGE - 1);
	ref = malloc(size);
	ret = vivid_capture_mmap(video, ref, size);
	if (!ok(!ret, "reference frame captured into vivid's own buffer"))
		bail("MMAP capture: %s", strerror(-ret));

	if (posix_memalign((void **)&p, PAGE, len))
		bail("posix_memalign");
	memset(p, 0xa5, len);
	fd = export(p, len, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		bail("export: %s", strerror(-fd));

	ret = vivid_capture_dmabuf(video, fd, len, &used);
	ok(!ret, "vivid captures into the dma-buf (QBUF, STREAMON, DQBUF): %s",
	   ret ? strerror(-ret) : "done");
	ok(used == size, "the frame fills the buffer (%zu of %zu bytes)", used, size);
	for (size_t i = 0; i < size; i++)
		changed += p[i] != 0xa5;
	ok(changed > size / 2, "the frame landed in the malloc'd bytes (%zu bytes changed)",
	   changed);
	/* The top lines carry vivid's text overlay; the colour bars below do not. */
	ok(!memcmp(p + size / 2, ref + size / 2, size / 2),
	   "the lower half is vivid's picture, byte for byte");

	/* A second frame into the same buffer after scribbling over it. */
	memset(p, 0x5a, len);
	ret = vivid_capture_dmabuf(video, fd, len, &used);
	ok(!ret && !memcmp(p + size / 2, ref + size / 2, size / 2),
	   "a second capture into the same memory lands too");

	close(fd);
	close(video);
	ok(pins_held() == base, "every pin released");
	free(p);
	free(ref);
	return done();
}
