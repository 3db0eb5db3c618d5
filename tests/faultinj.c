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
			t_bail("%s: %m", path);
	}
	snprintf(path, sizeof(path), "%s/%s/ignore-gfp-highmem", DBG, dir);
	put(path, "N");
}

/* Failures on (1) or off (0) for this task. */
static void failing(bool on)
{
	if (pwrite(self_fail, on ? "1" : "0", 1, 0) != 1)
		t_bail("make-it-fail: %m");
}

/*
 * The operations under fault injection, each with the errnos a failed
 * allocation may give it and a count of every errno it gave.
 */
enum op { OP_EXPORT, OP_MMAP, OP_SYNC, OP_IMPORT, NR_OPS };

static const struct {
	const char *name;
	int allowed[2];
} ops[NR_OPS] = {
	[OP_EXPORT] = { "export", { ENOMEM } },
	[OP_MMAP] = { "mmap", { ENOMEM } },
	[OP_SYNC] = { "sync", { ENOMEM } },
	[OP_IMPORT] = { "vgem import", { ENOMEM } },
};

#define MAX_ERRNO 4096

static long seen[NR_OPS][MAX_ERRNO];
static long bad;

/* Count a failure of @op; one that its list does not allow is bad. */
static void failed(enum op op, int err)
{
	bool fine = false;

	for (size_t i = 0; i < ARRAY_SIZE(ops[op].allowed); i++)
		fine |= ops[op].allowed[i] && ops[op].allowed[i] == err;
	if (err > 0 && err < MAX_ERRNO)
		seen[op][err]++;
	if (!fine)
		bad++;
}

/* One diag line per operation: the errnos it failed with, how often. */
static void print_seen(void)
{
	for (int op = 0; op < NR_OPS; op++) {
		char line[256] = "";
		size_t n = 0;

		for (int e = 1; e < MAX_ERRNO && n < sizeof(line); e++)
			if (seen[op][e])
				n += snprintf(line + n, sizeof(line) - n, " %s %ld",
					      strerrorname_np(e) ?: "?", seen[op][e]);
		t_diag("%s failed with:%s", ops[op].name, n ? line : " nothing");
	}
}

/* What the rounds counted. */
static struct {
	long exported, refused, mapped, imported, synced, broken;
} n;

/* An mmap of @fd's @len bytes, which are @p's. */
static void try_mmap(int fd, const char *p, size_t len)
{
	char *q;
	int ret;

	failing(true);
	q = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	ret = q == MAP_FAILED ? -errno : 0;
	failing(false);
	if (ret) {
		failed(OP_MMAP, -ret);
		return;
	}
	n.mapped++;
	/* The buffer holds the owner's pages: same bytes. */
	if (q[len - 1] != p[len - 1])
		n.broken++;
	munmap(q, len);
}

static void try_sync(int fd)
{
	int ret;

	failing(true);
	ret = vmemexp_sync(t_dev(), fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW, 0, 0);
	if (!ret)
		ret = vmemexp_sync(t_dev(), fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW, 0, 0);
	failing(false);
	if (!ret)
		n.synced++;
	else
		failed(OP_SYNC, -ret);
}

static void try_import(int card, int fd, bool ro)
{
	uint32_t handle;
	int ret;

	failing(true);
	ret = vgem_import(card, fd, &handle);
	failing(false);
	if (!ret) {
		n.imported++;
		vgem_close_handle(card, handle);
	} else if (!(ro && ret == -EACCES)) {
		/* A read-only one is refused where vgem maps it. */
		failed(OP_IMPORT, -ret);
	}
}

/* Round @i: an export of part of @p (64 pages), then what importers do. */
static void one_round(int card, char *p, long i)
{
	size_t len = (1 + i % 64) * PAGE;
	bool ro = i % 3 == 0;
	int fd;

	/* Unpopulated memory now and then, so that gup allocates. */
	if (i % 16 == 0)
		madvise(p, 64 * PAGE, MADV_DONTNEED);
	failing(true);
	fd = t_export(p, len, ro ? O_RDONLY : O_RDWR);
	failing(false);
	if (fd < 0) {
		n.refused++;
		failed(OP_EXPORT, -fd);
		return;
	}
	n.exported++;
	if (lseek(fd, 0, SEEK_END) != (off_t)len)
		n.broken++;
	try_mmap(fd, p, len);
	try_sync(fd);
	try_import(card, fd, ro);
	close(fd);
}

int main(void)
{
	long iterations = getenv("FAULTINJ_ITERATIONS") ?
			  atol(getenv("FAULTINJ_ITERATIONS")) : 3000;
	int card, base_fds;
	long base;
	char *p;

	if (access(DBG "/failslab", F_OK) || access(DBG "/fail_page_alloc", F_OK))
		return t_skip_file("failslab",
				   "no failslab or fail_page_alloc here (make check-debug has them)");
	setup("failslab");
	setup("fail_page_alloc");
	self_fail = open("/proc/self/make-it-fail", O_WRONLY);
	if (self_fail < 0)
		t_bail("/proc/self/make-it-fail: %m");

	card = vgem_open();
	t_dev();
	p = t_map_anon(64 * PAGE);
	memset(p, 3, 64 * PAGE);
	base = t_pins_held();
	base_fds = t_open_fds();
	for (long i = 0; i < iterations; i++)
		one_round(card, p, i);

	t_diag("%ld iterations: %ld exports (%ld refused), %ld mmaps, %ld syncs, %ld imports",
	       iterations, n.exported, n.refused, n.mapped, n.synced, n.imported);
	print_seen();
	t_ok(n.refused > 0 && n.exported > 0, "faults were injected and exports still succeeded");
	t_ok(!bad, "every failure was its operation's errno of a failed allocation (%ld were not)",
	     bad);
	t_ok(!n.broken, "every export that succeeded is a whole, working buffer");
	t_ok(t_open_fds() == base_fds, "no fd left behind");
	t_ok(t_pins_held() == base, "no pin left behind (%ld, %ld at the start)", t_pins_held(),
	     base);
	put(DBG "/failslab/probability", "0");
	put(DBG "/fail_page_alloc/probability", "0");
	return t_done();
}
