// SPDX-License-Identifier: GPL-2.0
/*
 * Description: fault injection (on kernels with CONFIG_FAILSLAB and
 * CONFIG_FAIL_PAGE_ALLOC, such as make check-debug's): slab and page
 * allocations fail at random, only for this task and only inside the
 * driver calls (exports, mmaps of the buffers, syncs, vgem imports). Every
 * failure must be a clean, documented errno, every success a working
 * buffer, and once the buffers are closed no pin and no fd may be left
 * (kmemleak, after the suite, looks for leaked memory).
 * FAULTINJ_ITERATIONS overrides the default of 3000.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "harness.h"
#include "importers.h"
#include "vmemexp.h"

#define DBG "/sys/kernel/debug"

static int self_fail = -1;

static bool put(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	bool ret = fd >= 0 && write(fd, val, strlen(val)) == (ssize_t)strlen(val);

	if (fd >= 0)
		close(fd);
	return ret;
}

static void setup(const char *dir)
{
	static const char *const settings[][2] = {
		{ "probability", "10" }, { "interval", "1" }, { "times", "-1" },
		{ "space", "0" }, { "verbose", "0" }, { "task-filter", "Y" },
		{ "ignore-gfp-wait", "N" },
	};
	char path[128];

	for (size_t i = 0; i < ARRAY_SIZE(settings); i++) {
		snprintf(path, sizeof(path), "%s/%s/%s", DBG, dir, settings[i][0]);
		if (!put(path, settings[i][1]))
			bail("%s: %m", path);
	}
	snprintf(path, sizeof(path), "%s/%s/ignore-gfp-highmem", DBG, dir);
	put(path, "N");
}

/* Failures on (1) or off (0) for this task. */
static void failing(bool on)
{
	if (pwrite(self_fail, on ? "1" : "0", 1, 0) != 1)
		bail("make-it-fail: %m");
}

static bool allowed(int err)
{
	return err == ENOMEM || err == EFAULT || err == EAGAIN || err == EINTR ||
	       err == ENOSPC || err == EACCES;
}

int main(void)
{
	long iterations = getenv("FAULTINJ_ITERATIONS") ?
			  atol(getenv("FAULTINJ_ITERATIONS")) : 3000;
	long exported = 0, refused = 0, mapped = 0, imported = 0, synced = 0;
	long bad = 0, broken = 0, base;
	int card, base_fds;
	char *p;

	if (access(DBG "/failslab", F_OK) || access(DBG "/fail_page_alloc", F_OK)) {
		printf("# no failslab or fail_page_alloc here (make check-debug has them)\n");
		return KSFT_SKIP;
	}
	setup("failslab");
	setup("fail_page_alloc");
	self_fail = open("/proc/self/make-it-fail", O_WRONLY);
	if (self_fail < 0)
		bail("/proc/self/make-it-fail: %m");

	card = vgem_open();
	dev();
	p = map_anon(64 * PAGE);
	memset(p, 3, 64 * PAGE);
	base = pins_held();
	base_fds = open_fds();

	for (long i = 0; i < iterations; i++) {
		size_t len = (1 + i % 64) * PAGE;
		uint32_t handle;
		char *q;
		int fd, ret;

		/* Unpopulated memory now and then, so that gup allocates. */
		if (i % 16 == 0)
			madvise(p, 64 * PAGE, MADV_DONTNEED);
		failing(true);
		fd = export(p, len, i % 3 ? O_RDWR : O_RDONLY);
		failing(false);
		if (fd < 0) {
			refused++;
			if (!allowed(-fd) && bad++ < 5)
				diag("export: %s", strerrorname_np(-fd));
			continue;
		}
		exported++;
		if (lseek(fd, 0, SEEK_END) != (off_t)len)
			broken++;

		failing(true);
		q = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
		ret = q == MAP_FAILED ? -errno : 0;
		failing(false);
		if (!ret) {
			mapped++;
			/* The buffer holds the owner's pages: same bytes. */
			if (q[len - 1] != p[len - 1])
				broken++;
			munmap(q, len);
		} else if (!allowed(-ret) && bad++ < 5) {
			diag("mmap: %s", strerrorname_np(-ret));
		}

		failing(true);
		ret = vmem_exp_sync(dev(), fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW, 0, 0);
		if (!ret)
			ret = vmem_exp_sync(dev(), fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW, 0, 0);
		failing(false);
		if (!ret)
			synced++;
		else if (!allowed(-ret) && bad++ < 5)
			diag("sync: %s", strerrorname_np(-ret));

		failing(true);
		ret = vgem_import(card, fd, &handle);
		failing(false);
		if (!ret) {
			imported++;
			vgem_close_handle(card, handle);
		} else if (!allowed(-ret) && ret != -EINVAL && bad++ < 5) {
			diag("vgem import: %s", strerrorname_np(-ret));
		}
		close(fd);
	}

	diag("%ld iterations: %ld exports (%ld refused), %ld mmaps, %ld syncs, %ld imports",
	     iterations, exported, refused, mapped, synced, imported);
	ok(refused > 0 && exported > 0, "faults were injected and exports still succeeded");
	ok(!bad, "every failure was a clean, documented errno (%ld were not)", bad);
	ok(!broken, "every export that succeeded is a whole, working buffer");
	ok(open_fds() == base_fds, "no fd left behind");
	ok(pins_held() == base, "no pin left behind (%ld, %ld at the start)", pins_held(), base);
	put(DBG "/failslab/probability", "0");
	put(DBG "/fail_page_alloc/probability", "0");
	return done();
}
