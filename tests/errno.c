// SPDX-License-Identifier: GPL-2.0
/*
 * Description: every errno of vmem-exp(4), for both ioctls, and
 * that no failed export leaves a page pinned or an fd behind; what the
 * valid fd_flags give the new fd (FD_CLOEXEC).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/userfaultfd.h>
#include <linux/vmem_exp.h>

#include "harness.h"
#include "vmemexp.h"

#define RW	(O_RDWR | O_CLOEXEC)

static int sync_raw(int fd, uint32_t flags, uint64_t off, uint64_t len)
{
	return vmemexp_sync(t_dev(), fd, flags, off, len);
}

static int ioctl_err(unsigned long cmd, void *arg)
{
	return ioctl(t_dev(), cmd, arg) < 0 ? -errno : 0;
}

/*
 * EOPNOTSUPP for a read-write export of a page of @fd mapped shared, whose
 * writes are tracked (@what); a read-only export is made.
 */
static void tracked_writes(int fd, const char *what)
{
	char msg[128];
	void *f = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (f == MAP_FAILED)
		t_bail("mmap %s: %m", what);
	memset(f, 7, PAGE);
	snprintf(msg, sizeof(msg), "O_RDWR export of %s", what);
	t_ok_errno(t_export_raw((uintptr_t)f, PAGE, RW, 0, 0, NULL), EOPNOTSUPP, msg);
	snprintf(msg, sizeof(msg), "O_RDONLY export of %s", what);
	t_ok_errno(t_export_raw((uintptr_t)f, PAGE, O_RDONLY, 0, 0, NULL), 0, msg);
	munmap(f, PAGE);
}

/*
 * EOPNOTSUPP too for a block device's page cache (brd's /dev/ram0), which
 * is written back like a file's: 6.1's gup pins it, 6.5+'s refuses it with
 * EFAULT; vmem-exp refuses it first. A kernel without a block layer (the
 * debug kernel) has no such device.
 */
static void blockdev_page_cache(void)
{
	int bd = open("/dev/ram0", O_RDWR | O_CLOEXEC);

	if (bd < 0) {
		t_skip("no /dev/ram0: the kernel has no brd",
		       "O_RDWR export of a shared mapping of a block device");
		return;
	}
	tracked_writes(bd, "a shared mapping of a block device");
	close(bd);
}

/* Three pages of a new memfd, mapped shared and written: the address. */
static char *shared_memfd(const char *name, int *mfd)
{
	char *m;

	*mfd = memfd_create(name, MFD_CLOEXEC);
	if (*mfd < 0 || ftruncate(*mfd, 3 * PAGE))
		t_bail("memfd: %m");
	m = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, *mfd, 0);
	if (m == MAP_FAILED)
		t_bail("mmap memfd: %m");
	memset(m, 1, 3 * PAGE);
	return m;
}

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

/*
 * EFAULT where only the page tables say that the owner's own access would
 * not go through, for a shared memfd mapping (which 6.11+ pins from the
 * file): a guard region (MADV_GUARD_INSTALL, 7.x), and missing pages of a
 * range registered with a userfaultfd (the owner's access would wait for
 * the handler; a long-term pin cannot, on any kernel).
 */
static void pagetable_only(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	int mfd, uffd;
	char *m = shared_memfd("errno-pt", &mfd);

	if (madvise(m + PAGE, PAGE, MADV_GUARD_INSTALL)) {
		t_skip("no MADV_GUARD_INSTALL for shared file mappings (before 7.x)",
		       "a guard region in a shared memfd range");
	} else {
		t_ok_errno(t_export_raw((uintptr_t)m, 3 * PAGE, RW, 0, 0, NULL), EFAULT,
			   "a guard region in a shared memfd range");
	}
	munmap(m, 3 * PAGE);

	m = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (m == MAP_FAILED)
		t_bail("mmap memfd: %m");
	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0) {
		t_skip("no userfaultfd (the debug kernel has none)",
		       "a missing page of a shared memfd range registered with a userfaultfd");
		munmap(m, 3 * PAGE);
		close(mfd);
		return;
	}
	reg.range.start = (uintptr_t)m;
	reg.range.len = 3 * PAGE;
	if (ioctl(uffd, UFFDIO_API, &api) || ioctl(uffd, UFFDIO_REGISTER, &reg))
		t_bail("userfaultfd on a memfd mapping: %m");
	/* Page 1 missing from the file, and so from the mapping. */
	if (fallocate(mfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, PAGE, PAGE))
		t_bail("punch a hole: %m");
	t_ok_errno(t_export_raw((uintptr_t)m, 3 * PAGE, RW, 0, 0, NULL), EFAULT,
		   "a missing page of a shared memfd range registered with a userfaultfd");
	close(uffd);
	munmap(m, 3 * PAGE);
	close(mfd);
}

static void sigbus_seen(int sig)
{
}

/*
 * A hardware-poisoned page (MADV_HWPOISON, root, CONFIG_MEMORY_FAILURE) in
 * the range, anonymous and in a memfd: the owner's own access gets
 * SIGBUS (6.12+ sends one at once, to a handler here), the export EFAULT.
 */
static void poisoned_page(void)
{
	struct sigaction sa = { .sa_handler = sigbus_seen }, old;
	char *a = t_map_anon(3 * PAGE), *m;
	int mfd;

	m = shared_memfd("errno-poison", &mfd);
	memset(a, 1, 3 * PAGE);
	sigaction(SIGBUS, &sa, &old);
	if (madvise(a + PAGE, PAGE, MADV_HWPOISON) || madvise(m + PAGE, PAGE, MADV_HWPOISON)) {
		sigaction(SIGBUS, &old, NULL);
		t_skip("MADV_HWPOISON failed: no CONFIG_MEMORY_FAILURE",
		       "a hardware-poisoned page in the range");
		return;
	}
	t_ok_errno(t_export_raw((uintptr_t)a, 3 * PAGE, RW, 0, 0, NULL), EFAULT,
		   "a hardware-poisoned anonymous page in the range");
	t_ok_errno(t_export_raw((uintptr_t)m, 3 * PAGE, RW, 0, 0, NULL), EFAULT,
		   "a hardware-poisoned memfd page in the range");
	sigaction(SIGBUS, &old, NULL);
	munmap(a, 3 * PAGE);
	munmap(m, 3 * PAGE);
	close(mfd);
}

/* EINVAL: malformed requests of the range at @a; what valid fd_flags give. */
static void einval(uint64_t a, size_t len)
{
	int fd;

	t_ok_errno(t_export_raw(a + 1, len, RW, 0, 0, NULL), EINVAL, "addr not page-aligned");
	t_ok_errno(t_export_raw(a, len - 1, RW, 0, 0, NULL), EINVAL, "len not page-aligned");
	t_ok_errno(t_export_raw(a, 0, RW, 0, 0, NULL), EINVAL, "len 0");
	t_ok_errno(t_export_raw(~0ULL & ~(PAGE - 1), 2 * PAGE, RW, 0, 0, NULL), EINVAL,
		   "addr+len wraps");
	t_ok_errno(t_export_raw(a, len, RW, 2, 0, NULL), EINVAL, "flags bit 1");
	t_ok_errno(t_export_raw(a, len, RW, 0x80000000u, 0, NULL), EINVAL, "flags bit 31");
	t_ok_errno(t_export_raw(a, len, RW | O_NONBLOCK, 0, 0, NULL), EINVAL,
		   "fd_flags O_NONBLOCK");
	t_ok_errno(t_export_raw(a, len, RW | O_TRUNC, 0, 0, NULL), EINVAL, "fd_flags O_TRUNC");
	t_ok_errno(t_export_raw(a, len, O_WRONLY, 0, 0, NULL), EINVAL, "fd_flags O_WRONLY");
	t_ok_errno(t_export_raw(a, len, O_ACCMODE, 0, 0, NULL), EINVAL, "fd_flags O_ACCMODE");
	/* What the valid fd_flags give the new fd. */
	fd = -1;
	t_ok(!t_export_raw(a, len, RW, 0, 0, &fd) && fcntl(fd, F_GETFD) == FD_CLOEXEC,
	     "fd_flags O_CLOEXEC: the dma-buf fd has FD_CLOEXEC");
	close(fd);
	fd = -1;
	t_ok(!t_export_raw(a, len, O_RDWR, 0, 0, &fd) && fcntl(fd, F_GETFD) == 0,
	     "fd_flags without O_CLOEXEC: the dma-buf fd has no FD_CLOEXEC");
	close(fd);
	t_ok_errno(t_export_raw(a, len, RW, 0, 1, NULL), EINVAL, "src_fd 1, not a remote export");
	t_ok_errno(t_export_raw(a, len, RW, 0, -1, NULL), EINVAL, "src_fd -1, not a remote export");
	t_ok_errno(t_export_raw(a, len, RW, VMEM_EXP_F_REMOTE | 4, 0, NULL), EINVAL,
		   "VMEM_EXP_F_REMOTE with an unknown flag bit");
}

/* EFAULT: the argument cannot be read, or its fd cannot be written back. */
static void efault_argument(uint64_t a, size_t len)
{
	struct vmem_exp_export *arg = (void *)t_map_anon(PAGE);
	long before = t_pins_held();
	int next = dup(0);

	t_ok_errno(ioctl_err(DBUFIOC_VMEM_EXP, NULL), EFAULT, "export: NULL argument");
	t_ok_errno(ioctl_err(DBUFIOC_VMEM_EXP, (void *)1), EFAULT, "export: bad pointer");
	/* A valid request whose fd cannot be written back. */
	close(next);
	*arg = (struct vmem_exp_export){ .addr = a, .len = len, .fd_flags = RW };
	mprotect(arg, PAGE, PROT_READ);
	t_ok_errno(ioctl_err(DBUFIOC_VMEM_EXP, arg), EFAULT,
		   "export: argument in read-only memory");
	t_ok(t_pins_held() == before, "argument in read-only memory: nothing left pinned");
	t_ok(fcntl(next, F_GETFD) < 0 && errno == EBADF,
	     "argument in read-only memory: the reserved fd %d is free again", next);
	munmap(arg, PAGE);
}

/* EFAULT: the range is not (all) readable user memory. */
static void efault_range(void)
{
	char *hole = t_map_anon(5 * PAGE), *none, *wo;

	munmap(hole + PAGE, PAGE);
	munmap(hole + 3 * PAGE, 2 * PAGE);
	t_ok_errno(t_export_raw((uintptr_t)hole, 3 * PAGE, RW, 0, 0, NULL), EFAULT,
		   "middle page unmapped");
	t_ok_errno(t_export_raw((uintptr_t)hole + 2 * PAGE, 2 * PAGE, RW, 0, 0, NULL), EFAULT,
		   "range runs past the end of a mapping");
	none = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	t_ok_errno(t_export_raw((uintptr_t)none, PAGE, O_RDONLY, 0, 0, NULL), EFAULT,
		   "PROT_NONE page, read-only export");
	t_ok_errno(t_export_raw((uintptr_t)none, PAGE, RW, 0, 0, NULL), EFAULT,
		   "PROT_NONE page, read-write export");
	wo = mmap(NULL, PAGE, PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	t_ok_errno(t_export_raw((uintptr_t)wo, PAGE, RW, 0, 0, NULL), EFAULT,
		   "PROT_WRITE-only page (not readable)");
	t_ok_errno(t_export_raw(0xffff888000000000ULL, PAGE, O_RDONLY, 0, 0, NULL), EFAULT,
		   "kernel address");
	t_ok_errno(t_export_raw(0x00007ffffffff000ULL, 2 * PAGE, O_RDONLY, 0, 0, NULL),
		   EFAULT, "range crossing the top of user space");
}

/*
 * EFAULT too where the range checks out but pinning fails half way: a
 * hugetlb mapping without a reservation, larger than the pool. The pages
 * pinned before the failure must be released.
 */
static void efault_half_way(void)
{
	size_t hlen = 64ULL << 21;
	void *h = mmap(NULL, hlen, PROT_READ | PROT_WRITE, MAP_PRIVATE |
		       MAP_ANONYMOUS | MAP_HUGETLB | MAP_NORESERVE, -1, 0);
	long before = t_pins_held();

	if (h == MAP_FAILED)
		t_bail("hugetlb MAP_NORESERVE: %m");
	t_ok_errno(t_export_raw((uintptr_t)h, hlen, RW, 0, 0, NULL), EFAULT,
		   "hugetlb pool runs out half way through the range");
	t_ok(t_pins_held() == before,
	     "pool runs out half way: the pages pinned before are released");
	munmap(h, hlen);
}

/* EACCES: read-write export of memory the caller cannot write. */
static void eacces(void)
{
	void *ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int file = open("/init", O_RDONLY);
	void *f;

	t_ok_errno(t_export_raw((uintptr_t)ro, PAGE, RW, 0, 0, NULL), EACCES,
		   "O_RDWR export of a PROT_READ mapping");
	t_ok(t_export_raw((uintptr_t)ro, PAGE, O_RDONLY, 0, 0, NULL) == 0,
	     "O_RDONLY export of the same PROT_READ mapping works");
	if (file < 0)
		t_bail("open /init: %m");
	f = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, file, 0);
	t_ok_errno(t_export_raw((uintptr_t)f, PAGE, RW, 0, 0, NULL), EACCES,
		   "O_RDWR export of a file opened read-only");
	munmap(f, PAGE);
	close(file);
}

/*
 * EOPNOTSUPP: a writable long-term pin of a shared file mapping whose
 * filesystem tracks dirty pages (ramfs here).
 */
static void eopnotsupp_ramfs(void)
{
	int rf = t_ramfs_file("/tmp/ramfs", PAGE);

	tracked_writes(rf, "a shared ramfs file mapping");
	close(rf);
	umount("/tmp/ramfs");
}

/* E2BIG: over the max_export_mb cap. */
static void e2big(uint64_t a)
{
	char *edge = t_map_anon(2 * PAGE), *m = t_map_anon(2 << 20);

	t_ok_errno(t_export_raw(a, 4097ULL << 20, RW, 0, 0, NULL), E2BIG,
		   "len over the default 4096 MiB cap");
	t_ok_errno(t_export_raw(a, (4096ULL << 20) + PAGE, RW, 0, 0, NULL), E2BIG,
		   "len one page over the cap");
	/*
	 * From a page with a hole right after it: what lies further up varies
	 * (raw PFN mappings such as [vvar] would give EPERM).
	 */
	munmap(edge + PAGE, PAGE);
	t_ok_errno(t_export_raw((uintptr_t)edge, 4096ULL << 20, RW, 0, 0, NULL), EFAULT,
		   "len exactly at the cap passes the cap (and the range is unmapped)");
	munmap(edge, PAGE);
	t_ok_errno(t_export_raw(0xffff888000000000ULL, 8192ULL << 20, O_RDONLY, 0, 0, NULL),
		   E2BIG, "over the cap and outside user space: E2BIG first");

	t_set_param("max_export_mb", 1);
	t_ok_errno(t_export_raw((uintptr_t)m, (1 << 20) + PAGE, RW, 0, 0, NULL), E2BIG,
		   "1 MiB + 1 page with max_export_mb=1");
	t_ok_errno(t_export_raw((uintptr_t)m, 1 << 20, RW, 0, 0, NULL), 0,
		   "1 MiB with max_export_mb=1");
	t_set_param("max_export_mb", 0);
	t_ok_errno(t_export_raw((uintptr_t)m, PAGE, RW, 0, 0, NULL), E2BIG,
		   "one page with max_export_mb=0");
	t_set_param("max_export_mb", 4096);
	munmap(m, 2 << 20);
}

/* EMFILE: no fd left; nothing may stay pinned. */
static void emfile(uint64_t a, size_t len)
{
	struct rlimit rl, low;
	long before;
	int ret;

	t_dev();
	before = t_pins_held();
	getrlimit(RLIMIT_NOFILE, &rl);
	low = (struct rlimit){ .rlim_cur = 3, .rlim_max = rl.rlim_max };
	setrlimit(RLIMIT_NOFILE, &low);
	ret = t_export_raw(a, len, RW, 0, 0, NULL);
	setrlimit(RLIMIT_NOFILE, &rl);
	t_ok_errno(ret, EMFILE, "no free fd");
	t_ok(t_pins_held() == before, "no free fd: nothing left pinned");
}

/* ENOTTY: unknown ioctls (@p: any readable memory). */
static void enotty(void *p)
{
	t_ok_errno(ioctl_err(_IO(VMEM_EXP_IOC_MAGIC, 0x7f), NULL), ENOTTY, "unknown ioctl nr");
	t_ok_errno(ioctl_err(_IOWR(VMEM_EXP_IOC_MAGIC, 0x00, char[16]), p), ENOTTY,
		   "DBUFIOC_VMEM_EXP number with the wrong size");
	t_ok_errno(ioctl_err(DMA_BUF_IOCTL_SYNC, p), ENOTTY, "a dma-buf ioctl on the device");
}

/* DBUFIOC_VMEM_SYNC's errors, on a buffer of @len bytes at @p. */
static void sync_errors(void *p, size_t len)
{
	int dmabuf = t_export(p, len, RW);

	if (dmabuf < 0)
		t_bail("export: %s", strerror(-dmabuf));
	t_ok_errno(sync_raw(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW, 0, 0), 0,
		   "sync: whole buffer");
	t_ok_errno(sync_raw(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW, 0, 0), 0,
		   "sync end: whole buffer");
	t_ok_errno(sync_raw(999, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, 0, 0), EBADF,
		   "sync: fd not open");
	t_ok_errno(sync_raw(-1, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, 0, 0), EBADF,
		   "sync: fd -1");
	t_ok_errno(sync_raw(t_dev(), DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, 0, 0), EINVAL,
		   "sync: fd of /dev/vmem-exp, not a dma-buf");
	t_ok_errno(sync_raw(0, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, 0, 0), EINVAL,
		   "sync: stdin, not a dma-buf");
	t_ok_errno(sync_raw(dmabuf, DMA_BUF_SYNC_START, 0, 0), EINVAL,
		   "sync: neither READ nor WRITE");
	t_ok_errno(sync_raw(dmabuf, DMA_BUF_SYNC_RW | 0x8, 0, 0), EINVAL,
		   "sync: unknown flag bit 3");
	t_ok_errno(sync_raw(dmabuf, DMA_BUF_SYNC_RW | 0x80000000u, 0, 0), EINVAL,
		   "sync: unknown flag bit 31");
	t_ok_errno(sync_raw(dmabuf, DMA_BUF_SYNC_RW, len, 0), EINVAL,
		   "sync: offset at the end");
	t_ok_errno(sync_raw(dmabuf, DMA_BUF_SYNC_RW, PAGE, len), EINVAL,
		   "sync: range past the end");
	t_ok_errno(sync_raw(dmabuf, DMA_BUF_SYNC_RW, 0, len + 1), EINVAL,
		   "sync: len larger than the buffer");
	t_ok_errno(sync_raw(dmabuf, DMA_BUF_SYNC_RW, ~0ULL, 2), EINVAL,
		   "sync: offset+len wraps");
	t_ok_errno(sync_raw(dmabuf, DMA_BUF_SYNC_RW, len - 1, 1), 0,
		   "sync: last byte");
	t_ok_errno(ioctl_err(DBUFIOC_VMEM_SYNC, NULL), EFAULT, "sync: NULL argument");
	close(dmabuf);
}

int main(void)
{
	size_t len = 4 * PAGE;
	char *p = t_map_anon(len);
	uint64_t a = (uintptr_t)p;
	long pins = t_pins_held();

	einval(a, len);
	efault_range();
	efault_argument(a, len);
	eacces();
	efault_half_way();
	eopnotsupp_ramfs();
	blockdev_page_cache();
	poisoned_page();
	pagetable_only();
	e2big(a);
	emfile(a, len);
	enotty(p);
	sync_errors(p, len);

	t_ok(t_pins_held() == pins, "no page left pinned (%ld before, %ld after)",
	     pins, t_pins_held());
	return t_done();
}
