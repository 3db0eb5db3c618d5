// SPDX-License-Identifier: GPL-2.0
/*
 * Description: a read-only export lets nobody write: no writable mmap (not
 * even by mprotect later, nor in a process the fd was passed to), no device
 * mapping other than DMA_TO_DEVICE (EACCES for the test DMA device's other
 * directions; vivid's dma-contig capture is refused,
 * its output works), no kernel importer writing through vmap (vivid's
 * vmalloc capture is refused); read-only
 * memory (including a private file mapping) exports read-only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"
#include "importers.h"
#include "kmod/vmem_test_dma.h"

#define LEN	(8 * PAGE)
#define HUGE	((size_t)2 << 20)

/*
 * The test DMA device (tests/kmod/vmem_test_dma.c) maps the dma-buf @fd in
 * direction @dir: 0 or -errno (the exporter's, as the device passes it on).
 */
static int device_maps(int fd, unsigned int dir)
{
	struct vmem_test_dma_attach at = { .fd = fd, .dir = dir };
	int t = open("/dev/vmem-test-dma", O_RDWR | O_CLOEXEC), ret;

	if (t < 0)
		t_bail("/dev/vmem-test-dma: %m");
	ret = ioctl(t, VMEM_TEST_DMA_IOC_ATTACH, &at) ? -errno : 0;
	close(t);
	return ret;
}

/*
 * Only DMA_TO_DEVICE maps a read-only export. The packaged guest has the
 * module DKMS built and no test-only module (the other guests have it, and
 * sync.c fails without it).
 */
static void device_directions(int fd)
{
	if (access("/dev/vmem-test-dma", F_OK)) {
		t_skip("no test DMA device (the packaged guest)",
		       "device mappings of a read-only export in each direction");
		return;
	}
	t_ok_errno(device_maps(fd, VMEM_TEST_DMA_BIDIRECTIONAL), EACCES,
		   "a device mapping of it DMA_BIDIRECTIONAL");
	t_ok_errno(device_maps(fd, VMEM_TEST_DMA_FROM_DEVICE), EACCES,
		   "a device mapping of it DMA_FROM_DEVICE");
	t_ok(device_maps(fd, VMEM_TEST_DMA_TO_DEVICE) == 0,
	     "a device maps it DMA_TO_DEVICE");
}

/* The fd, its mmaps and its device mappings of a read-only export. */
static void fd_and_mappings(void)
{
	char *p = t_map_anon(LEN), *q;
	int fd;

	t_fill(p, LEN, 31);
	fd = t_export(p, LEN, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		t_bail("export: %s", strerror(-fd));
	t_ok((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY, "the dma-buf fd is O_RDONLY");
	device_directions(fd);

	q = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	t_ok(q == MAP_FAILED && errno == EACCES, "writable mmap refused with EACCES");
	q = t_map_dmabuf(fd, LEN, PROT_READ, 0);
	t_ok(q && t_check(q, LEN, 31), "read-only mmap shows the bytes");
	t_ok(q && mprotect(q, LEN, PROT_READ | PROT_WRITE) && errno == EACCES,
	     "mprotect to writable refused with EACCES");
	t_fill(p, LEN, 32);
	t_ok(q && t_check(q, LEN, 32), "the owner's later writes show through");
	if (q)
		munmap(q, LEN);
	close(fd);
	munmap(p, LEN);
}

/*
 * Never-written private memory: a plain read-only pin would hold the
 * shared zero page, and the owner's first writes would go elsewhere.
 */
static void never_written(void)
{
	char *q = t_map_anon(LEN), *f;
	int fd;

	fd = t_export(q, LEN, O_RDONLY | O_CLOEXEC);
	t_fill(q, LEN, 33);
	f = fd >= 0 ? t_map_dmabuf(fd, LEN, PROT_READ, 0) : NULL;
	t_ok(f && t_check(f, LEN, 33),
	     "read-only export of never-written memory shows the owner's later writes");
	if (f)
		munmap(f, LEN);
	close(fd);
	munmap(q, LEN);
}

/*
 * Kernel importers. vmalloc capture imports through vmap, which a
 * read-only export does not offer.
 */
static void vmalloc_importer(void)
{
	size_t size, vlen, used;
	int video, fd, ret;
	char *q;

	video = vivid_open(VIVID_VMALLOC, false, 640, 360, &size);
	vlen = (size + PAGE - 1) & ~(PAGE - 1);
	q = t_map_anon(vlen);
	memset(q, 0xa5, vlen);
	fd = t_export(q, vlen, O_RDONLY | O_CLOEXEC);
	/* vb2-vmalloc turns a failed vmap into EFAULT. */
	ret = vivid_dmabuf_frame(video, fd, vlen, &used);
	t_ok_errno(ret, EFAULT, "vivid capture (vmalloc, vmap) into a read-only export");
	t_ok(t_all_bytes(q, vlen, 0xa5), "vivid (vmalloc) wrote nothing into it");
	close(video);
	close(fd);
	munmap(q, vlen);
}

/*
 * dma-contig maps for the device, and only DMA_TO_DEVICE (an output node)
 * is allowed. dma-contig needs contiguous memory: a huge page.
 */
static void dma_contig_importer(void)
{
	size_t size, used;
	int video, fd, ret;
	char *q;

	q = mmap(NULL, HUGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (q == MAP_FAILED)
		t_bail("hugetlb: %m");
	memset(q, 0xa5, HUGE);
	fd = t_export(q, HUGE, O_RDONLY | O_CLOEXEC);
	video = vivid_open(VIVID_DMA_CONTIG, false, 640, 360, &size);
	/* vb2-dma-contig turns a failed device mapping into EINVAL. */
	ret = vivid_dmabuf_frame(video, fd, HUGE, &used);
	t_ok_errno(ret, EINVAL, "vivid capture (dma-contig, DMA_FROM_DEVICE) into it");
	t_ok(t_all_bytes(q, HUGE, 0xa5), "vivid (dma-contig) wrote nothing into it");
	close(video);
	video = vivid_open(VIVID_DMA_CONTIG, true, 640, 360, &size);
	ret = vivid_dmabuf_frame(video, fd, HUGE, &used);
	t_ok(!ret, "vivid output (dma-contig) maps a read-only export for DMA_TO_DEVICE: %s",
	     ret ? strerror(-ret) : "done");
	close(video);
	close(fd);
	munmap(q, HUGE);
}

/* A private, read-only file mapping exports read-only with its bytes. */
static void private_file(void)
{
	int file = open("/init", O_RDONLY), fd;
	char *f, *q;

	f = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, file, 0);
	fd = t_export(f, PAGE, O_RDONLY);
	q = fd >= 0 ? t_map_dmabuf(fd, PAGE, PROT_READ, 0) : NULL;
	t_ok(q && !memcmp(q, f, PAGE), "read-only export of a private file mapping");
	t_ok_errno(t_export(f, PAGE, O_RDWR), EACCES, "read-write export of it");
	if (q)
		munmap(q, PAGE);
	close(fd);
	munmap(f, PAGE);
	close(file);
}

int main(void)
{
	long base = t_pins_held();

	fd_and_mappings();
	never_written();
	vmalloc_importer();
	dma_contig_importer();
	private_file();
	t_ok(t_pins_held() == base, "every pin released");
	return t_done();
}
