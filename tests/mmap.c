// SPDX-License-Identifier: GPL-2.0
/*
 * Description: mmap of the dma-buf fd: page offsets map the right pages,
 * nothing can be mapped past the end, private mappings are refused, the
 * mapping cannot grow, and DMA_BUF_IOCTL_SYNC of the core works on it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "harness.h"

#define NP	16
#define LEN	(NP * PAGE)

int main(void)
{
	struct dma_buf_sync s = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };
	char *p, *q;
	int fd;

	p = map_anon(LEN);
	for (int i = 0; i < NP; i++)
		fill(p + i * PAGE, PAGE, 100 + i);
	fd = export(p, LEN, O_RDWR);
	if (fd < 0)
		bail("export: %s", strerror(-fd));

	q = map_dmabuf(fd, 3 * PAGE, PROT_READ, 5 * PAGE);
	ok(q && check(q, PAGE, 105) && check(q + 2 * PAGE, PAGE, 107),
	   "mmap at page offset 5 maps pages 5..7");
	if (q)
		munmap(q, 3 * PAGE);
	q = map_dmabuf(fd, PAGE, PROT_READ, (NP - 1) * PAGE);
	ok(q && check(q, PAGE, 100 + NP - 1), "mmap of the last page");
	if (q)
		munmap(q, PAGE);

	q = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, fd, (NP - 1) * PAGE);
	ok(q == MAP_FAILED && errno == EINVAL, "mmap running past the end refused (EINVAL)");
	q = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, NP * PAGE);
	ok(q == MAP_FAILED && errno == EINVAL, "mmap starting at the end refused (EINVAL)");
	q = mmap(NULL, 2 * LEN, PROT_READ, MAP_SHARED, fd, 0);
	ok(q == MAP_FAILED && errno == EINVAL, "mmap larger than the buffer refused (EINVAL)");
	q = mmap(NULL, LEN, PROT_READ, MAP_PRIVATE, fd, 0);
	ok(q == MAP_FAILED && errno == EINVAL, "MAP_PRIVATE refused (EINVAL)");

	q = map_dmabuf(fd, PAGE, PROT_READ | PROT_WRITE, 0);
	ok(q && mremap(q, PAGE, 2 * PAGE, 0) == MAP_FAILED,
	   "the mapping cannot be grown with mremap");
	ok(!ioctl(fd, DMA_BUF_IOCTL_SYNC, &s), "DMA_BUF_IOCTL_SYNC start");
	if (q)
		fill(q, PAGE, 200);
	s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
	ok(!ioctl(fd, DMA_BUF_IOCTL_SYNC, &s), "DMA_BUF_IOCTL_SYNC end");
	ok(check(p, PAGE, 200), "the write between the syncs reached the memory");
	if (q)
		munmap(q, PAGE);

	close(fd);
	munmap(p, LEN);
	return done();
}
