// SPDX-License-Identifier: GPL-2.0
/*
 * Description: a read-only export lets nobody write: no writable mmap (not
 * even by mprotect later, nor in a process the fd was passed to), no device
 * mapping other than DMA_TO_DEVICE (vgem's import is refused), no kernel
 * importer writing through vmap (vivid's capture is refused); read-only
 * memory (including a private file mapping) exports read-only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"
#include "importers.h"

#define LEN	(8 * PAGE)

int main(void)
{
	long base = pins_held();
	unsigned int bpl;
	size_t size, vlen, used;
	char *p, *q, *f;
	int fd, card, video, file, ret;
	uint32_t handle;

	p = map_anon(LEN);
	fill(p, LEN, 31);
	fd = export(p, LEN, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		bail("export: %s", strerror(-fd));
	ok((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY, "the dma-buf fd is O_RDONLY");

	q = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ok(q == MAP_FAILED && errno == EACCES, "writable mmap refused with EACCES");
	q = map_dmabuf(fd, LEN, PROT_READ, 0);
	ok(q && check(q, LEN, 31), "read-only mmap shows the bytes");
	ok(q && mprotect(q, LEN, PROT_READ | PROT_WRITE) && errno == EACCES,
	   "mprotect to writable refused with EACCES");
	fill(p, LEN, 32);
	ok(q && check(q, LEN, 32), "the owner's later writes show through");
	if (q)
		munmap(q, LEN);

	/*
	 * Never-written private memory: a plain read-only pin would hold the
	 * shared zero page, and the owner's first writes would go elsewhere.
	 */
	q = map_anon(LEN);
	close(fd);
	fd = export(q, LEN, O_RDONLY | O_CLOEXEC);
	fill(q, LEN, 33);
	f = fd >= 0 ? map_dmabuf(fd, LEN, PROT_READ, 0) : NULL;
	ok(f && check(f, LEN, 33),
	   "read-only export of never-written memory shows the owner's later writes");
	if (f)
		munmap(f, LEN);
	munmap(q, LEN);

	card = vgem_open();
	ret = vgem_import(card, fd, &handle);
	ok(ret == -EACCES, "vgem import (a bidirectional device mapping) refused: %s",
	   strerror(-ret));
	if (!ret)
		vgem_close_handle(card, handle);
	close(card);

	video = vivid_capture_open(640, 360, &size, &bpl);
	vlen = (size + PAGE - 1) & ~(PAGE - 1);
	q = map_anon(vlen);
	memset(q, 0xa5, vlen);
	close(fd);
	fd = export(q, vlen, O_RDONLY | O_CLOEXEC);
	ret = vivid_capture_dmabuf(video, fd, vlen, &used);
	ok(ret < 0, "vivid capture into a read-only export refused: %s",
	   ret ? strerror(-ret) : "it captured");
	for (size_t i = 0; i < vlen; i++)
		if (q[i] != (char)0xa5) {
			ok(false, "vivid wrote into the read-only export at byte %zu", i);
			break;
		}
	close(video);
	close(fd);
	munmap(q, vlen);

	/* A private, read-only file mapping exports read-only with its bytes. */
	file = open("/init", O_RDONLY);
	f = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, file, 0);
	fd = export(f, PAGE, O_RDONLY);
	q = fd >= 0 ? map_dmabuf(fd, PAGE, PROT_READ, 0) : NULL;
	ok(q && !memcmp(q, f, PAGE), "read-only export of a private file mapping");
	ok_errno(export(f, PAGE, O_RDWR), EACCES, "read-write export of it");
	if (q)
		munmap(q, PAGE);
	close(fd);
	munmap(f, PAGE);
	close(file);
	munmap(p, LEN);

	ok(pins_held() == base, "every pin released");
	return done();
}
