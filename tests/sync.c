// SPDX-License-Identifier: GPL-2.0
/*
 * Description: DBUFIOC_VMEM_SYNC of a part of a vmem-exp buffer, seen by a
 * device: the test-only DMA device (tests/kmod/vmem_test_dma.c) maps the
 * buffer through the DMA API and writes and reads it at its DMA addresses.
 * What the device wrote in the range is what the CPU reads after a partial
 * SYNC_START, and what the CPU wrote in the range is what the device reads
 * after a partial SYNC_END. Where the device's mapping bounces (a guest
 * booted with swiotlb=force), the bytes outside the range, page-rounded,
 * must stay as they were: only the range was synced. A partial SYNC_START
 * waits for the buffer's fences (a vgem fence here) and a signal ends the
 * wait with EINTR. Also the number of scatterlist entries a device gets
 * for huge pages: one per 2 MiB page at most, when its maximum segment
 * size allows. And nine exports of one page, each mapped for a device to
 * write, with DMA-API debug silent where the kernel can be told the
 * overlap is meant (7.x).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <drm.h>

#include <linux/dma-buf.h>
#include <linux/vmem_exp.h>

#include "harness.h"
#include "importers.h"
#include "kmod/vmem_test_dma.h"
#include "vmemexp.h"

/* vgem's fences (<drm/vgem_drm.h>, which libdrm-dev does not ship). */
struct vgem_fence_attach {
	uint32_t handle;
	uint32_t flags;
	uint32_t out_fence;
	uint32_t pad;
};

struct vgem_fence_signal {
	uint32_t fence;
	uint32_t flags;
};

#define VGEM_FENCE_WRITE	0x1
#define VGEM_IOCTL_FENCE_ATTACH	DRM_IOWR(DRM_COMMAND_BASE + 1, struct vgem_fence_attach)
#define VGEM_IOCTL_FENCE_SIGNAL	DRM_IOW(DRM_COMMAND_BASE + 2, struct vgem_fence_signal)

#define NPAGES	64
#define LEN	(NPAGES * PAGE)
#define HUGE	((size_t)2 << 20)

static int dma_open(void)
{
	int fd = open("/dev/vmem-test-dma", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		t_bail("/dev/vmem-test-dma: %m");
	return fd;
}

/* What the device sees at [off, off + len): bytes that are not @val. */
static long long dev_differ(int t, size_t off, size_t len, unsigned char val)
{
	struct vmem_test_dma_access a = { .offset = off, .len = len, .value = val };

	if (ioctl(t, VMEM_TEST_DMA_IOC_ACCESS, &a))
		t_bail("device read: %m");
	return (long long)a.differ;
}

static void dev_write(int t, size_t off, size_t len, unsigned char val)
{
	struct vmem_test_dma_access a = {
		.offset = off, .len = len, .value = val, .write = 1,
	};

	if (ioctl(t, VMEM_TEST_DMA_IOC_ACCESS, &a))
		t_bail("device write: %m");
}

static int sync_range(int fd, uint32_t flags, size_t off, size_t len)
{
	return vmemexp_sync(t_dev(), fd, flags, off, len);
}

/* Partial syncs both ways, with the device's mapping in direction @dir. */
/*
 * The device writes everything; the CPU takes pages 5 to 7 of @fd (at @p)
 * with a partial sync; device @t's mapping may bounce (@bounced).
 */
static void partial_to_cpu(int t, int fd, unsigned char *p, bool bounced)
{
	dev_write(t, 0, LEN, 0xaa);
	t_ok(sync_range(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, 5 * PAGE + 100,
			2 * PAGE) == 0, "SYNC_START of part of the buffer");
	t_ok(t_all_bytes(p + 5 * PAGE, 3 * PAGE, 0xaa),
	     "the CPU reads what the device wrote in the range, page-rounded");
	if (bounced) {
		t_ok(t_all_bytes(p, 5 * PAGE, 0x11) &&
		     t_all_bytes(p + 8 * PAGE, LEN - 8 * PAGE, 0x11),
		     "nothing outside the range was synced to the CPU");
	} else {
		t_skip("the device's mapping does not bounce (boot with swiotlb=force)",
		       "nothing outside the range was synced to the CPU");
	}
	t_ok(sync_range(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ, 5 * PAGE + 100,
			2 * PAGE) == 0, "SYNC_END of the same part");
}

/* The CPU writes pages 10 and 11 and gives them back to the device. */
static void partial_to_device(int t, int fd, unsigned char *p, bool bounced)
{
	t_ok(sync_range(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE, 10 * PAGE,
			2 * PAGE) == 0, "SYNC_START for writing");
	memset(p + 10 * PAGE, 0x22, 2 * PAGE);
	t_ok(sync_range(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE, 10 * PAGE,
			2 * PAGE) == 0, "SYNC_END of the written part");
	t_ok(dev_differ(t, 10 * PAGE, 2 * PAGE, 0x22) == 0,
	     "the device reads what the CPU wrote in the range");
	if (bounced) {
		t_ok(dev_differ(t, 12 * PAGE, LEN - 12 * PAGE, 0xaa) == 0 &&
		     dev_differ(t, 0, 10 * PAGE, 0xaa) == 0,
		     "nothing outside the range was synced to the device");
	} else {
		t_skip("the device's mapping does not bounce (boot with swiotlb=force)",
		       "nothing outside the range was synced to the device");
	}
}

/* A whole sync (len 0: to the end); the last byte; ranges that do not fit. */
static void whole_and_edges(int fd, unsigned char *p)
{
	struct vmem_exp_sync s = {
		.fd = fd, .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ,
		.offset = PAGE, .len = UINT64_MAX,
	};

	t_ok(sync_range(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW, 0, 0) == 0 &&
	     t_all_bytes(p, 10 * PAGE, 0xaa) && t_all_bytes(p + 10 * PAGE, 2 * PAGE, 0x22) &&
	     t_all_bytes(p + 12 * PAGE, LEN - 12 * PAGE, 0xaa),
	     "a whole-buffer SYNC_START brings all the device wrote");
	sync_range(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW, 0, 0);

	t_ok(sync_range(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, LEN - 1, 1) == 0,
	     "the last byte alone");
	sync_range(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ, LEN - 1, 1);
	t_ok_errno(sync_range(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, LEN - PAGE,
			      2 * PAGE), EINVAL, "a range past the end");
	t_ok_errno(ioctl(t_dev(), DBUFIOC_VMEM_SYNC, &s) ? -errno : 0, EINVAL,
		   "offset + len wraps around");
}

static void partial(void)
{
	struct vmem_test_dma_attach at = { .dir = VMEM_TEST_DMA_BIDIRECTIONAL };
	int t = dma_open(), fd;
	unsigned char *p;
	bool bounced;

	if (posix_memalign((void **)&p, PAGE, LEN))
		t_bail("posix_memalign");
	memset(p, 0x11, LEN);
	fd = t_export(p, LEN, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		t_bail("export: %s", strerror(-fd));
	at.fd = fd;
	if (!t_ok(!ioctl(t, VMEM_TEST_DMA_IOC_ATTACH, &at), "the DMA device maps the buffer"))
		t_bail("attach: %m");
	bounced = at.bounced;
	t_diag("the device's mapping has %u segments and %s", at.nents,
	       bounced ? "bounces (swiotlb)" : "reaches the pages themselves");
	if (t_required("bounce"))
		t_ok(bounced, "the device's mapping bounces, as this guest requires");
	t_ok(dev_differ(t, 0, LEN, 0x11) == 0,
	     "the device sees what the CPU wrote before it mapped the buffer");
	t_ok_errno(ioctl(t, VMEM_TEST_DMA_IOC_REMAP) ? -errno : 0, EBUSY,
		   "a second mapping through the same attachment");

	partial_to_cpu(t, fd, p, bounced);
	partial_to_device(t, fd, p, bounced);
	whole_and_edges(fd, p);

	t_ok(!ioctl(t, VMEM_TEST_DMA_IOC_DETACH), "the device unmaps the buffer");
	close(t);
	close(fd);
	free(p);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * A partial SYNC_START waits for the device's work on the buffer: a write
 * fence that vgem attached to it. A signal ends the wait (EINTR); once the
 * fence is signalled, the sync goes through.
 */
static void fences(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct itimerval it = { .it_value = { .tv_usec = 300000 } };
	struct vgem_fence_attach fa = { .flags = VGEM_FENCE_WRITE };
	struct vgem_fence_signal fs = { 0 };
	int card = vgem_open(), fd;
	uint32_t handle;
	char *p;

	if (posix_memalign((void **)&p, PAGE, LEN))
		t_bail("posix_memalign");
	memset(p, 0x33, LEN);
	fd = t_export(p, LEN, O_RDWR | O_CLOEXEC);
	if (fd < 0 || vgem_import(card, fd, &handle))
		t_bail("export and vgem import");
	fa.handle = handle;
	if (ioctl(card, VGEM_IOCTL_FENCE_ATTACH, &fa))
		t_bail("vgem fence attach: %m");

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	t_ok_errno(sync_range(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, PAGE, PAGE),
		   EINTR,
		   "a partial SYNC_START waits for a device's write fence; a signal ends it");
	fs.fence = fa.out_fence;
	if (ioctl(card, VGEM_IOCTL_FENCE_SIGNAL, &fs))
		t_bail("vgem fence signal: %m");
	t_ok(sync_range(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, PAGE, PAGE) == 0 &&
	     sync_range(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ, PAGE, PAGE) == 0,
	   "once the fence is signalled it goes through");
	vgem_close_handle(card, handle);
	close(fd);
	close(card);
	free(p);
}

/*
 * A device whose segments may be large gets one entry per huge page at
 * most; one with the DMA API's default (64 KiB) gets one per 64 KiB.
 */
static void huge_entries(void)
{
	size_t len = 8 * HUGE;
	struct vmem_test_dma_attach big = { .max_seg = 1u << 30 };
	struct vmem_test_dma_attach dflt = { 0 };
	int mfd, fd, t1, t2;
	void *p;

	mfd = memfd_create("sync-huge", MFD_CLOEXEC | MFD_HUGETLB);
	if (mfd < 0 || ftruncate(mfd, len)) {
		t_skip("no hugetlb memfd", "scatterlist entries of huge pages");
		return;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, mfd, 0);
	if (p == MAP_FAILED) {
		t_skip("the hugetlb pool is too small", "scatterlist entries of huge pages");
		close(mfd);
		return;
	}
	fd = t_export(p, len, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		t_bail("export of hugetlb memory: %s", strerror(-fd));
	t1 = dma_open();
	t2 = dma_open();
	big.fd = fd;
	dflt.fd = fd;
	if (ioctl(t1, VMEM_TEST_DMA_IOC_ATTACH, &big) ||
	    ioctl(t2, VMEM_TEST_DMA_IOC_ATTACH, &dflt))
		t_bail("attach: %m");
	if (big.bounced)
		t_skip("the device's mapping bounces: segments are bounded by swiotlb",
		       "at most one scatterlist entry per 2 MiB page");
	else
		t_ok(big.nents >= 1 && big.nents <= 8,
		     "at most one scatterlist entry per 2 MiB page (8 pages: %u entries)",
		   big.nents);
	t_ok(dflt.nents >= len / (64 << 10),
	     "a device with 64 KiB segments gets at least %zu entries (%u)",
	   len / (64 << 10), dflt.nents);
	close(t1);
	close(t2);
	close(fd);
	munmap(p, len);
	close(mfd);
}

/*
 * Nine read-write exports of one page, each mapped by a device to write
 * (DMA_FROM_DEVICE): the DMA API sees nine overlapping mappings of each of
 * its cache lines. A device writes through each; the CPU reads it all. On
 * a kernel with DMA-API debug (sid-debug) the mappings tell it that the
 * overlap is meant, and the guest's log must stay silent; 6.1's DMA-API
 * debug (bookworm-debug) has no way to be told and warns once at the
 * eighth, so it is skipped there.
 */
static void overlaps(void)
{
	struct vmem_test_dma_attach at = { .dir = VMEM_TEST_DMA_FROM_DEVICE };
	int fd[9], t[9], i, mapped = 0, seen = 0;
	struct utsname u;
	unsigned char *p;

	if (!access("/sys/kernel/debug/dma-api", F_OK) && !uname(&u) &&
	    atoi(u.release) < 7) {
		t_skip("6.x's DMA-API debug warns past seven overlapping mappings, meant or not",
		       "nine device-writable mappings of one page");
		return;
	}
	p = t_map_anon(PAGE);
	memset(p, 0x11, PAGE);
	for (i = 0; i < 9; i++) {
		fd[i] = t_export(p, PAGE, O_RDWR | O_CLOEXEC);
		t[i] = dma_open();
		at.fd = fd[i];
		mapped += fd[i] >= 0 && !ioctl(t[i], VMEM_TEST_DMA_IOC_ATTACH, &at);
	}
	t_ok(mapped == 9, "nine exports of one page, each mapped DMA_FROM_DEVICE (%d mapped)",
	     mapped);
	for (i = 0; i < 9 && mapped == 9; i++) {
		dev_write(t[i], 0, PAGE, 0x20 + i);
		seen += !sync_range(fd[i], DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, 0, PAGE) &&
			t_all_bytes(p, PAGE, 0x20 + i) &&
			!sync_range(fd[i], DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ, 0, PAGE);
	}
	t_ok(seen == 9, "the CPU reads what the device wrote through each (%d of 9)", seen);
	for (i = 0; i < 9; i++) {
		close(t[i]);
		close(fd[i]);
	}
	munmap(p, PAGE);
}

int main(void)
{
	long base = t_pins_held();

	partial();
	fences();
	huge_entries();
	overlaps();
	t_ok(t_pins_held() == base, "every pin is released");
	return t_done();
}
