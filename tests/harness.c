// SPDX-License-Identifier: GPL-2.0
/*
 * Shared helpers for the vmem-exp guest tests.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/vmem_exp.h>

#include "harness.h"
#include "vmemexp.h"

static int tests_run;
static int tests_failed;

static void vresult(const char *prefix, const char *fmt, va_list ap,
		    const char *directive)
{
	printf("%s %d ", prefix, ++tests_run);
	vprintf(fmt, ap);
	if (directive)
		printf(" %s", directive);
	printf("\n");
	fflush(stdout);
}

bool t_ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vresult(cond ? "ok" : "not ok", fmt, ap, NULL);
	va_end(ap);
	if (!cond)
		tests_failed++;
	return cond;
}

void t_skip(const char *reason, const char *fmt, ...)
{
	char directive[256];
	va_list ap;

	snprintf(directive, sizeof(directive), "# SKIP %s", reason);
	va_start(ap, fmt);
	vresult("ok", fmt, ap, directive);
	va_end(ap);
}

void t_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

void t_diag_counted(atomic_long *n, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (atomic_fetch_add(n, 1) >= 5)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	t_diag("%s", msg);
}

bool t_required(const char *what)
{
	const char *list = getenv("VMEM_EXP_REQUIRE");
	size_t n = strlen(what);

	while (list && *list) {
		if (!strncmp(list, what, n) && (list[n] == ',' || !list[n]))
			return true;
		list = strchr(list, ',');
		if (list)
			list++;
	}
	return false;
}

int t_skip_file(const char *what, const char *fmt, ...)
{
	char reason[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (!t_required(what)) {
		printf("# %s\n", reason);
		return KSFT_SKIP;
	}
	t_ok(false, "%s, which this guest requires (%s)", what, reason);
	return t_done();
}

void t_bail(const char *fmt, ...)
{
	va_list ap;

	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(1);
}

int t_done(void)
{
	printf("1..%d\n", tests_run);
	fflush(stdout);
	return tests_failed ? 1 : 0;
}

int t_dev(void)
{
	static int fd = -1;

	if (fd < 0) {
		fd = vmemexp_open();
		if (fd < 0)
			t_bail("cannot open %s: %s", VMEMEXP_DEVICE, strerror(-fd));
	}
	return fd;
}

int t_export(void *addr, size_t len, int fd_flags)
{
	return vmemexp_export(t_dev(), addr, len, fd_flags);
}

int t_export_raw(uint64_t addr, uint64_t len, uint32_t fd_flags, uint32_t flags,
		 int32_t src_fd, int *fd)
{
	struct vmem_exp_export arg = {
		.addr = addr, .len = len, .fd_flags = fd_flags,
		.flags = flags, .src_fd = src_fd, .fd = -1,
	};

	if (ioctl(t_dev(), DBUFIOC_VMEM_EXP, &arg) < 0)
		return -errno;
	if (fd)
		*fd = arg.fd;
	else
		close(arg.fd);
	return 0;
}

bool t_ok_errno(int ret, int err, const char *what)
{
	if (ret >= 0 && err)
		t_diag("%s: succeeded", what);
	else if (ret != -err)
		t_diag("%s: got %s", what, strerror(-ret));
	return t_ok(ret == -err, "%s: %s", what, err ? strerrorname_np(err) : "0");
}

int t_proc_mem(int pid, int flags)
{
	char path[32];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int t_ramfs_file(const char *dir, size_t len)
{
	char path[256];
	int fd;

	mkdir(dir, 0700);
	if (mount("ramfs", dir, "ramfs", 0, NULL))
		t_bail("mount ramfs on %s: %m", dir);
	snprintf(path, sizeof(path), "%s/file", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, len))
		t_bail("%s: %m", path);
	return fd;
}

void *t_map_anon(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		t_bail("mmap %zu anonymous bytes: %s", len, strerror(errno));
	return p;
}

void *t_map_dmabuf(int fd, size_t len, int prot, off_t off)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, fd, off);

	return p == MAP_FAILED ? NULL : p;
}

/* xorshift32: cheap, and every 4-byte word differs from its neighbours. */
static uint32_t next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/*
 * The generator's first state for @seed: murmur3's finaliser, a bijection,
 * so that every seed starts a pattern of its own (xorshift32 never leaves
 * the state 0, which seed 0 would give: that one takes another constant).
 */
static uint32_t seed_state(uint32_t seed)
{
	uint32_t s = seed;

	s ^= s >> 16;
	s *= 0x85ebca6bu;
	s ^= s >> 13;
	s *= 0xc2b2ae35u;
	s ^= s >> 16;
	return s ? s : 0x9e3779b9u;
}

void t_fill(void *p, size_t len, uint32_t seed)
{
	uint32_t *w = p, s = seed_state(seed);

	for (size_t i = 0; i < len / 4; i++)
		w[i] = next(&s);
}

bool t_check(const void *p, size_t len, uint32_t seed)
{
	const uint32_t *w = p;
	uint32_t s = seed_state(seed);

	for (size_t i = 0; i < len / 4; i++) {
		if (w[i] != next(&s)) {
			t_diag("pattern %u differs at byte %zu", seed, i * 4);
			return false;
		}
	}
	return true;
}

bool t_all_bytes(const void *p, size_t len, unsigned char val)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i] != val)
			return false;
	return true;
}

bool t_same_file(int a, int b)
{
	struct stat sa, sb;

	return a >= 0 && b >= 0 && !fstat(a, &sa) && !fstat(b, &sb) &&
	       sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev;
}

static FILE *open_param(const char *name, const char *mode)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/vmem_exp/parameters/%s", name);
	f = fopen(path, mode);
	if (!f)
		t_bail("%s: %m", path);
	return f;
}

long t_get_param(const char *name)
{
	FILE *f = open_param(name, "r");
	long val;

	if (fscanf(f, "%ld", &val) != 1)
		t_bail("read parameter %s", name);
	fclose(f);
	return val;
}

void t_set_param(const char *name, long val)
{
	FILE *f = open_param(name, "w");

	if (fprintf(f, "%ld\n", val) < 0 || fclose(f))
		t_bail("write parameter %s: %m", name);
}

void t_set_param_str(const char *name, const char *val)
{
	FILE *f = open_param(name, "w");

	if (fprintf(f, "%s\n", val) < 0 || fclose(f))
		t_bail("write parameter %s: %m", name);
}

long t_vm_pin_kb(void)
{
	return t_vm_pin_kb_of(getpid());
}

long t_vm_pin_kb_of(int pid)
{
	char path[64], line[128];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

uint64_t t_pfn_in(int pid, uint64_t addr)
{
	uint64_t entry = 0;
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		t_bail("%s: %m", path);
	if (pread(fd, &entry, sizeof(entry), addr / PAGE * sizeof(entry)) != sizeof(entry))
		t_bail("read %s: %m", path);
	close(fd);
	/* Bit 63: present; bits 0-54: the frame (shown to CAP_SYS_ADMIN). */
	return (entry >> 63) ? entry & ((1ULL << 55) - 1) : 0;
}

uint64_t t_pfn_of(const void *addr)
{
	return t_pfn_in(getpid(), (uintptr_t)addr);
}

bool t_vma_flag(const void *addr, const char *flag)
{
	unsigned long lo, hi, a = (uintptr_t)addr;
	bool in = false, found = false;
	char line[512];
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		t_bail("/proc/self/smaps: %m");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
			in = lo <= a && a < hi;
			continue;
		}
		if (in && !strncmp(line, "VmFlags:", 8)) {
			for (char *t = strtok(line + 8, "\t\n "); t; t = strtok(NULL, "\t\n "))
				found |= !strcmp(t, flag);
			break;
		}
	}
	fclose(f);
	return found;
}

static long vmstat(const char *name)
{
	char key[64];
	long val, ret = -1;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		t_bail("/proc/vmstat: %s", strerror(errno));
	while (fscanf(f, "%63s %ld", key, &val) == 2)
		if (!strcmp(key, name))
			ret = val;
	fclose(f);
	if (ret < 0)
		t_bail("/proc/vmstat has no %s", name);
	return ret;
}

int t_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

long t_pins_held(void)
{
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY);

	/* The counters are per-cpu and folded lazily: fold them first. */
	if (fd < 0 || write(fd, "1", 1) != 1)
		t_bail("vm.stat_refresh: %s", strerror(errno));
	close(fd);
	return vmstat("nr_foll_pin_acquired") - vmstat("nr_foll_pin_released");
}

int t_send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte = 'F';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

int t_recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

int t_wait_child(int pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}
