// SPDX-License-Identifier: GPL-2.0
/*
 * Description: a range that is itself a mapping of a whole dma-buf, ours
 * or another exporter's (vgem), exports as that same dma-buf: a new fd for
 * it, no new pins. The access mode must match the dma-buf's own and not
 * exceed the mapping's; part of a dma-buf, or one mixed with other memory,
 * is refused.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "importers.h"

#define LEN	(4 * PAGE)

int main(void)
{
	char *p = map_anon(LEN), *m, *m2, *q;
	int rw, ro, fd, card, vfd;
	long pins;

	fill(p, LEN, 41);
	rw = export(p, LEN, O_RDWR | O_CLOEXEC);
	ro = export(p, LEN, O_RDONLY | O_CLOEXEC);
	if (rw < 0 || ro < 0)
		bail("export: %s", strerror(-(rw < 0 ? rw : ro)));
	pins = pins_held();

	/* Our own read-write dma-buf, mapped read-write. */
	m = map_dmabuf(rw, LEN, PROT_READ | PROT_WRITE, 0);
	fd = export(m, LEN, O_RDWR | O_CLOEXEC);
	ok(same_file(fd, rw), "a read-write mapping of a whole dma-buf exports that dma-buf");
	ok(pins_held() == pins, "and pins nothing more");
	ok_errno(export(m, LEN, O_RDONLY), EINVAL,
		 "read-only request for a read-write dma-buf (one file, one mode)");
	ok_errno(export(m, 2 * PAGE, O_RDWR), EFAULT, "part of the mapping");
	ok_errno(export(m + PAGE, 3 * PAGE, O_RDWR), EFAULT, "the mapping from its 2nd page");
	munmap(m, LEN);
	m = map_dmabuf(rw, LEN, PROT_READ, 0);
	ok_errno(export(m, LEN, O_RDWR), EACCES, "read-write request, read-only mapping");
	munmap(m, LEN);
	m = map_dmabuf(rw, 2 * PAGE, PROT_READ | PROT_WRITE, 0);
	ok_errno(export(m, 2 * PAGE, O_RDWR), EFAULT, "a mapping of part of the dma-buf");
	munmap(m, 2 * PAGE);

	/* The new fd outlives the original fd and the mapping. */
	close(rw);
	q = map_dmabuf(fd, LEN, PROT_READ, 0);
	ok(q && check(q, LEN, 41), "the new fd maps the bytes after the original fd is closed");
	if (q)
		munmap(q, LEN);
	close(fd);

	/* Our read-only dma-buf. */
	m = map_dmabuf(ro, LEN, PROT_READ, 0);
	fd = export(m, LEN, O_RDONLY | O_CLOEXEC);
	ok(same_file(fd, ro), "a mapping of a whole read-only dma-buf exports that dma-buf");
	ok((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY, "and the new fd is read-only");
	ok_errno(export(m, LEN, O_RDWR), EACCES, "read-write request for it");
	close(fd);
	munmap(m, LEN);
	close(ro);

	/* A dma-buf mapping next to ordinary memory: refused, not half-exported. */
	rw = export(p, LEN, O_RDWR | O_CLOEXEC);
	m = map_anon(2 * LEN);
	m2 = mmap(m + LEN, LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, rw, 0);
	ok(m2 == m + LEN, "a dma-buf mapped right after anonymous memory");
	ok_errno(export(m, 2 * LEN, O_RDWR), EFAULT, "the range over both");
	ok_errno(export(m2, 2 * LEN, O_RDWR), EFAULT, "a range from the dma-buf on");
	munmap(m, 2 * LEN);
	close(rw);

	/* Another exporter's dma-buf: vgem's. */
	card = vgem_open();
	vfd = vgem_dmabuf(card, LEN);
	m = map_dmabuf(vfd, LEN, PROT_READ | PROT_WRITE, 0);
	fd = m ? export(m, LEN, O_RDWR | O_CLOEXEC) : -1;
	ok(same_file(fd, vfd), "a mapping of a whole vgem dma-buf exports that dma-buf");
	close(fd);
	if (m)
		munmap(m, LEN);
	close(vfd);
	close(card);

	munmap(p, LEN);
	return done();
}
