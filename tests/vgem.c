// SPDX-License-Identifier: GPL-2.0
/*
 * Description: DRM PRIME import of a vmem-exp buffer into vgem (attach and
 * a DMA mapping of our scatterlist for a real device): the GEM object is
 * the same buffer (a second import finds it, re-export gives back the same
 * dma-buf, zero copy both ways), DBUFIOC_VMEM_SYNC works on our buffer while vgem has it
 * mapped and on a dma-buf that vgem exported, and closing everything
 * releases the pins.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <drm.h>
#include <linux/dma-buf.h>

#include "harness.h"
#include "importers.h"
#include "vmemexp.h"

#define LEN	(256 * PAGE)

int main(void)
{
	long base = t_pins_held();
	int card = vgem_open(), fd, vfd, ret;
	struct drm_prime_handle re = { .flags = DRM_CLOEXEC | DRM_RDWR };
	uint32_t handle, again;
	char *p, *g;

	if (posix_memalign((void **)&p, PAGE, LEN))
		t_bail("posix_memalign");
	t_fill(p, LEN, 21);
	fd = t_export(p, LEN, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		t_bail("export: %s", strerror(-fd));

	ret = vgem_import(card, fd, &handle);
	if (!t_ok(!ret, "vgem imports the dma-buf (PRIME fd to handle)"))
		t_bail("import: %s", strerror(-ret));

	t_ok(!vgem_import(card, fd, &again) && again == handle,
	     "importing it again gives the same GEM object");

	/*
	 * vgem cannot map an imported object (DRM refuses its mmap offset), so
	 * the bytes are checked through the fd vgem hands back.
	 */
	re.handle = handle;
	t_ok(!ioctl(card, DRM_IOCTL_PRIME_HANDLE_TO_FD, &re) && t_same_file(re.fd, fd),
	     "re-exporting the GEM object gives back the same dma-buf");
	g = t_map_dmabuf(re.fd, LEN, PROT_READ | PROT_WRITE, 0);
	t_ok(g && t_check(g, LEN, 21), "the fd from vgem maps the malloc'd bytes");
	if (g) {
		t_fill(g, LEN, 22);
		t_ok(t_check(p, LEN, 22), "writes through it land in the malloc'd memory");
		munmap(g, LEN);
	}
	close(re.fd);

	t_ok(!vmemexp_sync(t_dev(), fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW, 0, 0) &&
	     !vmemexp_sync(t_dev(), fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW, 0, 0),
	   "SYNC start/end on our buffer while vgem has it mapped");
	t_ok(!vmemexp_sync(t_dev(), fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, PAGE, PAGE) &&
	     !vmemexp_sync(t_dev(), fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ, PAGE, PAGE),
	   "SYNC of a sub-range on our buffer");

	vgem_close_handle(card, handle);
	close(fd);
	t_ok(t_pins_held() == base, "closing the handle and the fd releases every pin");

	vfd = vgem_dmabuf(card, LEN);
	t_ok_errno(vmemexp_sync(t_dev(), vfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW, 0, 0), 0,
		   "SYNC start on a vgem dma-buf");
	t_ok_errno(vmemexp_sync(t_dev(), vfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW, 0, PAGE), 0,
		   "SYNC end on the first page of a vgem dma-buf");
	t_ok_errno(vmemexp_sync(t_dev(), vfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW, LEN, PAGE),
		   EINVAL, "SYNC past the end of a vgem dma-buf");
	close(vfd);
	close(card);
	free(p);
	return t_done();
}
