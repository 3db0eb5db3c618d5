// SPDX-License-Identifier: GPL-2.0
/*
 * Description: memory that already exists in another process (the design
 * document's "gdb wants to access mapped memory of a process"), exported
 * with VMEM_EXP_F_REMOTE through the target's /proc/PID/mem.
 * - A debugger-like process exports a running target's heap, a hugetlb
 *   mapping and a vivid MMAP buffer the target mapped, reads and writes
 *   them through the dma-buf's mmap (the target sees the writes), and vgem
 *   imports them. Read-only through a read-only fd; never more than the
 *   target's mapping allows (no FOLL_FORCE, unlike write() on the fd).
 * - The permission is ptrace's attach check, made by the kernel when the
 *   file is opened: an unrelated user cannot open it, nor can a user that
 *   Yama's ptrace_scope 1 or 2 keeps out (where the kernel has Yama); a
 *   read-only fd gives no read-write export; fds of other kinds, and
 *   targets that exited or exec'd since the open, are refused.
 * - The buffer keeps its pages and bytes when the target unmaps them,
 *   execs or exits; the pins go with the buffer.
 * - The caller is charged (its RLIMIT_MEMLOCK, its VmPin), not the target.
 * - A read-only export changes nothing the target reads: pages a long-term
 *   pin would copy into the target are refused (EPERM), and the target maps
 *   the pages its parent maps, with the same Anonymous memory, afterwards.
 * The test runs as root; unprivileged users are uid 65534 in children.
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
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/vmem_exp.h>

#include "harness.h"
#include "importers.h"
#include "vmemexp.h"

#define NOBODY		65534
#define HEAP_PAGES	24	/* under malloc's mmap threshold: the brk heap */
#define HUGE_LEN	((size_t)2 << 20)
#define LIMIT_PAGES	16
#define YAMA		"/proc/sys/kernel/yama/ptrace_scope"

enum { R_HEAP, R_HUGE, R_RO, R_DMABUF, R_VIVID, NR_REGIONS };

static const char *const region_name[NR_REGIONS] = {
	"heap", "hugetlb mapping", "read-only mapping", "dma-buf mapping",
	"vivid MMAP buffer",
};

/* What the test asks a target to do; it answers with one int32_t. */
enum {
	OP_FILL,	/* fill a region with pattern @arg */
	OP_CHECK,	/* 1 if a region holds pattern @arg */
	OP_SUM,		/* a checksum of a region */
	OP_UNMAP,	/* munmap a region */
	OP_MEMLOCK,	/* set RLIMIT_MEMLOCK to @arg pages */
	OP_EXPORT,	/* export @arg pages of a region itself: 0 or -errno */
	OP_PTRACER,	/* prctl(PR_SET_PTRACER, @arg) */
	OP_EXEC,	/* exec sleep: the socket (close-on-exec) then reads EOF */
	OP_EXIT,
};

struct msg {
	int32_t op;
	int32_t region;
	uint32_t arg;
};

/* A target process, as the test sees it. */
struct target {
	int pid;
	int sock;
	uint64_t addr[NR_REGIONS];
	size_t len[NR_REGIONS];
};

#define T_VIVID		1	/* also capture a vivid frame into an MMAP buffer */
#define T_NOBODY	2	/* run as uid 65534 */

static uint32_t checksum(const unsigned char *p, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* Become uid/gid 65534 with RLIMIT_MEMLOCK @memlock bytes; 0 or -1. */
static int drop_to_nobody(size_t memlock)
{
	struct rlimit rl = { memlock, memlock };

	if (setrlimit(RLIMIT_MEMLOCK, &rl) || setgroups(0, NULL) ||
	    setgid(NOBODY) || setuid(NOBODY))
		return -1;
	return 0;
}

static int32_t target_do(struct target *t, const struct msg *m)
{
	void *p = (void *)(uintptr_t)t->addr[m->region];
	size_t len = t->len[m->region];
	struct rlimit rl = { m->arg * PAGE, m->arg * PAGE };
	int fd;

	switch (m->op) {
	case OP_FILL:
		t_fill(p, len, m->arg);
		return 0;
	case OP_CHECK:
		return t_check(p, len, m->arg);
	case OP_SUM:
		return (int32_t)checksum(p, len);
	case OP_UNMAP:
		return munmap(p, len);
	case OP_MEMLOCK:
		return setrlimit(RLIMIT_MEMLOCK, &rl);
	case OP_EXPORT:
		fd = vmemexp_export(t_dev(), p, m->arg * PAGE, O_RDWR | O_CLOEXEC);
		if (fd >= 0)
			close(fd);
		return fd < 0 ? fd : 0;
	case OP_PTRACER:
		return prctl(PR_SET_PTRACER, (unsigned long)m->arg, 0, 0, 0);
	case OP_EXEC:
		execl("/bin/sleep", "sleep", "1000", (char *)NULL);
		return -errno;
	default:
		_exit(0);
	}
}

/* The target: maps its regions, says where, then does as it is told. */
static void __attribute__((noreturn)) target_main(int sock, unsigned int opts)
{
	struct target t = { .pid = getpid() };
	struct msg m;
	int32_t ret;
	void *p;

	if ((opts & T_NOBODY) && drop_to_nobody(64 * PAGE))
		_exit(99);
	/* setuid() made it non-dumpable: its /proc files would be root's. */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
		_exit(99);

	if (posix_memalign(&p, PAGE, HEAP_PAGES * PAGE))
		_exit(99);
	t.addr[R_HEAP] = (uintptr_t)p;
	t.len[R_HEAP] = HEAP_PAGES * PAGE;
	p = mmap(NULL, HUGE_LEN, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (p == MAP_FAILED)
		_exit(98);
	t.addr[R_HUGE] = (uintptr_t)p;
	t.len[R_HUGE] = HUGE_LEN;
	p = t_map_anon(4 * PAGE);
	t_fill(p, 4 * PAGE, 3);
	mprotect(p, 4 * PAGE, PROT_READ);
	t.addr[R_RO] = (uintptr_t)p;
	t.len[R_RO] = 4 * PAGE;
	t_fill((void *)(uintptr_t)t.addr[R_HEAP], t.len[R_HEAP], 1);
	t_fill((void *)(uintptr_t)t.addr[R_HUGE], t.len[R_HUGE], 2);

	/* Root's targets also map a dma-buf of their own (nobody's would be charged). */
	if (!(opts & T_NOBODY)) {
		int fd = t_export(t_map_anon(4 * PAGE), 4 * PAGE, O_RDWR | O_CLOEXEC);

		p = fd < 0 ? NULL : t_map_dmabuf(fd, 4 * PAGE, PROT_READ | PROT_WRITE, 0);
		if (!p)
			_exit(97);
		t.addr[R_DMABUF] = (uintptr_t)p;
		t.len[R_DMABUF] = 4 * PAGE;
	}
	if (opts & T_VIVID) {
		size_t size;
		int video = vivid_open(VIVID_DMA_CONTIG, false, 640, 480, &size);

		if (vivid_mmap_frame(video, &p, &t.len[R_VIVID]))
			_exit(96);
		t.addr[R_VIVID] = (uintptr_t)p;
	}

	if (send(sock, &t, sizeof(t), 0) != sizeof(t))
		_exit(95);
	while (recv(sock, &m, sizeof(m), 0) == sizeof(m)) {
		if (m.region < 0 || m.region >= NR_REGIONS)
			_exit(94);
		ret = target_do(&t, &m);
		if (send(sock, &ret, sizeof(ret), 0) != sizeof(ret))
			_exit(93);
	}
	_exit(0);
}

static void target_start(struct target *t, unsigned int opts)
{
	struct target got;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		t_bail("socketpair: %m");
	fflush(stdout);
	t->pid = fork();
	if (t->pid < 0)
		t_bail("fork: %m");
	if (t->pid == 0) {
		close(sv[0]);
		target_main(sv[1], opts);
	}
	close(sv[1]);
	if (recv(sv[0], &got, sizeof(got), 0) != sizeof(got))
		t_bail("target %d did not start (exit %d)", t->pid, t_wait_child(t->pid));
	memcpy(t->addr, got.addr, sizeof(t->addr));
	memcpy(t->len, got.len, sizeof(t->len));
	t->sock = sv[0];
}

/* Ask the target: its answer, or INT32_MIN if it is gone (exec'd, exited). */
static int32_t target_cmd(struct target *t, int op, int region, uint32_t arg)
{
	struct msg m = { .op = op, .region = region, .arg = arg };
	int32_t ret;

	if (send(t->sock, &m, sizeof(m), MSG_NOSIGNAL) != sizeof(m) ||
	    recv(t->sock, &ret, sizeof(ret), 0) != sizeof(ret))
		return INT32_MIN;
	return ret;
}

/* The target exits; reaped, unless @zombie. */
static void target_exit(struct target *t, bool zombie)
{
	siginfo_t si;

	target_cmd(t, OP_EXIT, 0, 0);
	close(t->sock);
	if (zombie)
		waitid(P_PID, t->pid, &si, WEXITED | WNOWAIT);
	else
		t_wait_child(t->pid);
}

/* Exec sleep in the target and wait until its old address space is gone. */
static bool target_exec(struct target *t)
{
	/* exec drops the old mm before it closes close-on-exec fds: EOF. */
	return target_cmd(t, OP_EXEC, 0, 0) == INT32_MIN;
}

static void target_kill(struct target *t)
{
	kill(t->pid, SIGKILL);
	close(t->sock);
	t_wait_child(t->pid);
}

static int remote(int mem, const struct target *t, int region, size_t len, int flags)
{
	return vmemexp_export_remote(t_dev(), mem, t->addr[region], len, flags | O_CLOEXEC);
}

/* Close what an export returned: 0 if it was a dma-buf fd, else its -errno. */
static int closed(int fd)
{
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

static int sync_buf(int fd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return ioctl(fd, DMA_BUF_IOCTL_SYNC, &s) ? -errno : 0;
}

/*
 * The debugger's view of one region: export it read-write, read the
 * target's bytes through the mapping, write new ones the target must see,
 * import it into vgem.
 */
static void debug_region(struct target *t, int mem, int region, uint32_t seed, int card)
{
	const char *what = region_name[region];
	size_t len = t->len[region];
	uint32_t handle;
	char *q;
	int fd;

	fd = remote(mem, t, region, len, O_RDWR);
	if (!t_ok(fd >= 0, "the debugger exports the target's %s (%zu KiB) read-write",
		  what, len >> 10)) {
		t_diag("export: %s", strerror(-fd));
		return;
	}
	q = t_map_dmabuf(fd, len, PROT_READ | PROT_WRITE, 0);
	if (!t_ok(q, "%s: the dma-buf maps read-write", what)) {
		close(fd);
		return;
	}
	sync_buf(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	if (region == R_VIVID)
		t_ok(checksum((unsigned char *)q, len) ==
		   (uint32_t)target_cmd(t, OP_SUM, region, 0),
		   "%s: the debugger reads the frame vivid captured for the target", what);
	else
		t_ok(t_check(q, len, seed), "%s: the debugger reads the target's bytes", what);
	t_fill(q, len, seed + 100);
	sync_buf(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	t_ok(target_cmd(t, OP_CHECK, region, seed + 100) == 1,
	     "%s: the target sees what the debugger wrote through the dma-buf", what);
	target_cmd(t, OP_FILL, region, seed + 200);
	t_ok(t_check(q, len, seed + 200), "%s: and the debugger what the target wrote since", what);
	t_ok_errno(vgem_import(card, fd, &handle), 0, "vgem imports the remote export");
	vgem_close_handle(card, handle);
	munmap(q, len);
	close(fd);
}

/* The mode of /proc/PID/mem (of @t's target) limits the export. */
static void fd_modes(struct target *t)
{
	int ro, fd;
	char *q;

	/* A read-only fd: read-only exports only. */
	ro = t_proc_mem(t->pid, O_RDONLY);
	fd = remote(ro, t, R_HEAP, t->len[R_HEAP], O_RDONLY);
	t_ok(fd >= 0, "a read-only /proc/PID/mem gives a read-only export");
	q = fd < 0 ? NULL : t_map_dmabuf(fd, t->len[R_HEAP], PROT_READ, 0);
	t_ok(q && t_check(q, t->len[R_HEAP], 201), "which reads the target's heap");
	t_ok(!t_map_dmabuf(fd, PAGE, PROT_READ | PROT_WRITE, 0) && errno == EACCES,
	     "and refuses a writable mapping (EACCES)");
	if (q)
		munmap(q, t->len[R_HEAP]);
	close(fd);
	t_ok_errno(remote(ro, t, R_HEAP, PAGE, O_RDWR), EACCES,
		   "O_RDWR export through a /proc/PID/mem opened O_RDONLY");
	close(ro);
	ro = t_proc_mem(t->pid, O_WRONLY);
	t_ok_errno(remote(ro, t, R_HEAP, PAGE, O_RDONLY), EACCES,
		   "O_RDONLY export through a /proc/PID/mem opened O_WRONLY");
	close(ro);
}

/* Refusals that depend on the target's memory (@mem: its file, O_RDWR). */
static void target_refusals(struct target *t, int mem)
{
	char c = 'x';
	ssize_t n = pwrite(mem, &c, 1, (off_t)t->addr[R_RO]);

	/* Never more than the target's mapping: no FOLL_FORCE. */
	t_diag("write() on /proc/PID/mem into the target's read-only mapping: %s",
	       n == 1 ? "written (FOLL_FORCE)" : strerror(errno));
	t_ok_errno(remote(mem, t, R_RO, PAGE, O_RDWR), EACCES,
		   "O_RDWR export of the target's PROT_READ mapping, O_RDWR fd");
	t_ok_errno(closed(remote(mem, t, R_RO, PAGE, O_RDONLY)), 0,
		   "O_RDONLY export of the same mapping");

	t_ok_errno(remote(mem, t, R_DMABUF, t->len[R_DMABUF], O_RDWR), EPERM,
		   "the target's whole dma-buf mapping, read-write (its file is not handed over)");
	t_ok_errno(remote(mem, t, R_DMABUF, t->len[R_DMABUF], O_RDONLY), EPERM,
		   "the same, read-only");
	t_ok_errno(vmemexp_export_remote(t_dev(), mem, 0x10000, 16 * PAGE, O_RDONLY), EFAULT,
		   "a range the target has not mapped");
	t_ok_errno(vmemexp_export_remote(t_dev(), mem, 0x00007ffffffff000ULL, 2 * PAGE, O_RDONLY),
		   EFAULT, "a range crossing the top of the target's address space");
}

/* Pins and charges: the caller's, not the target's. */
static void caller_charged(struct target *t, int mem)
{
	long before = t_pins_held(), pin = t_vm_pin_kb(), tpin = t_vm_pin_kb_of(t->pid);
	int fd = remote(mem, t, R_HEAP, t->len[R_HEAP], O_RDWR);

	t_ok(t_pins_held() - before == HEAP_PAGES, "the export pins the target's pages (%ld)",
	     t_pins_held() - before);
	t_ok(t_vm_pin_kb() - pin == (long)(t->len[R_HEAP] >> 10) &&
	     t_vm_pin_kb_of(t->pid) == tpin,
	     "they show in the caller's VmPin (+%ld kB), not the target's (%+ld kB)",
	     t_vm_pin_kb() - pin, t_vm_pin_kb_of(t->pid) - tpin);
	close(fd);
	t_ok(t_vm_pin_kb() == pin && t_pins_held() == before, "and go when the buffer does");
}

static void debugger(int card)
{
	long base = t_pins_held();
	struct target t;
	int mem;

	target_start(&t, T_VIVID);
	mem = t_proc_mem(t.pid, O_RDWR);
	if (mem < 0)
		t_bail("open /proc/%d/mem: %s", t.pid, strerror(-mem));
	debug_region(&t, mem, R_HEAP, 1, card);
	debug_region(&t, mem, R_HUGE, 2, card);
	debug_region(&t, mem, R_VIVID, 0, card);
	fd_modes(&t);
	target_refusals(&t, mem);
	caller_charged(&t, mem);
	close(mem);
	target_exit(&t, false);
	t_ok(t_pins_held() == base, "debugger: no pin left behind");
}

/* src_fd of every other kind, and src_fd that is not open. */
static void wrong_fds(void)
{
	char path[64];
	struct target t;
	long base = t_pins_held();
	int fd, buf;

	target_start(&t, 0);
	fd = open("/init", O_RDONLY | O_CLOEXEC);
	t_ok_errno(remote(fd, &t, R_HEAP, PAGE, O_RDONLY), EINVAL, "src_fd: a regular file");
	close(fd);
	fd = open("/tmp/mem", O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	t_ok_errno(remote(fd, &t, R_HEAP, PAGE, O_RDONLY), EINVAL,
		   "src_fd: a regular file named mem");
	close(fd);
	unlink("/tmp/mem");
	snprintf(path, sizeof(path), "/proc/%d/maps", t.pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	t_ok_errno(remote(fd, &t, R_HEAP, PAGE, O_RDONLY), EINVAL, "src_fd: /proc/PID/maps");
	close(fd);
	/* environ holds the target's mm too, but only passed a ptrace read check. */
	snprintf(path, sizeof(path), "/proc/%d/environ", t.pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	t_ok_errno(remote(fd, &t, R_HEAP, PAGE, O_RDONLY), EINVAL, "src_fd: /proc/PID/environ");
	close(fd);
	fd = syscall(SYS_pidfd_open, t.pid, 0);
	if (fd < 0)
		t_bail("pidfd_open: %m");
	t_ok_errno(remote(fd, &t, R_HEAP, PAGE, O_RDONLY), EINVAL, "src_fd: a pidfd");
	close(fd);
	buf = t_export(t_map_anon(PAGE), PAGE, O_RDWR | O_CLOEXEC);
	t_ok_errno(remote(buf, &t, R_HEAP, PAGE, O_RDONLY), EINVAL, "src_fd: a dma-buf");
	close(buf);
	t_ok_errno(remote(t_dev(), &t, R_HEAP, PAGE, O_RDONLY), EINVAL, "src_fd: /dev/vmem-exp");
	snprintf(path, sizeof(path), "/proc/%d/mem", t.pid);
	fd = open(path, O_PATH | O_CLOEXEC);
	t_ok_errno(remote(fd, &t, R_HEAP, PAGE, O_RDONLY), EBADF,
		   "src_fd: /proc/PID/mem opened O_PATH (not open for I/O)");
	close(fd);
	t_ok_errno(remote(999, &t, R_HEAP, PAGE, O_RDONLY), EBADF, "src_fd: 999, not open");
	t_ok_errno(remote(-1, &t, R_HEAP, PAGE, O_RDONLY), EBADF, "src_fd: -1");
	target_exit(&t, false);
	t_ok(t_pins_held() == base, "refused: nothing pinned");
}

/* The [stack] mapping in /proc/@pid/maps: 0, or -1 if there is none. */
static int stack_mapping(int pid, uint64_t *lo, uint64_t *hi)
{
	unsigned long long l, h;
	char path[64], line[512];
	int ret = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	while (f && ret && fgets(line, sizeof(line), f))
		if (strstr(line, " [stack]\n") &&
		    sscanf(line, "%llx-%llx", &l, &h) == 2) {
			*lo = l;
			*hi = h;
			ret = 0;
		}
	if (f)
		fclose(f);
	return ret;
}

/* Targets whose address space is gone since the fd was opened. */
static void gone(void)
{
	uint64_t lo = 0, hi = 0;
	struct target t;
	int mem, fd;

	target_start(&t, 0);
	mem = t_proc_mem(t.pid, O_RDWR);
	target_exit(&t, true);
	t_ok_errno(remote(mem, &t, R_HEAP, PAGE, O_RDONLY), ESRCH,
		   "the target has exited (a zombie)");
	t_wait_child(t.pid);
	t_ok_errno(remote(mem, &t, R_HEAP, PAGE, O_RDONLY), ESRCH,
		   "the target has exited and been reaped");
	close(mem);

	target_start(&t, 0);
	mem = t_proc_mem(t.pid, O_RDWR);
	t_ok(target_exec(&t), "the target execs");
	t_ok_errno(remote(mem, &t, R_HEAP, PAGE, O_RDONLY), ESRCH,
		   "the target has exec'd: the fd does not follow it to its new image");
	close(mem);
	mem = t_proc_mem(t.pid, O_RDONLY);
	/* The top of the stack: written, the new image's own pages. */
	fd = stack_mapping(t.pid, &lo, &hi);
	fd = fd ? fd : vmemexp_export_remote(t_dev(), mem, hi - PAGE, PAGE, O_RDONLY);
	t_ok(fd >= 0, "a new fd reaches the new image (the top page of its stack exports)");
	if (fd >= 0)
		close(fd);
	close(mem);
	target_kill(&t);

	/* kthreadd: 6.1 opens its mem file with no address space, later kernels refuse. */
	mem = t_proc_mem(2, O_RDONLY);
	fd = mem < 0 ? mem : vmemexp_export_remote(t_dev(), mem, 0x10000, PAGE, O_RDONLY);
	t_ok(fd == -ESRCH, "a kernel thread (no address space): ESRCH from the %s",
	     mem < 0 ? "open" : "export");
	if (mem >= 0)
		close(mem);
}

/* The buffer outlives what the target does to its memory. */
static void lifetime(int card)
{
	long base = t_pins_held();
	struct target t;
	int mem, heap, huge, vivid;
	uint32_t sum, handle;
	char *q;

	target_start(&t, T_VIVID);
	mem = t_proc_mem(t.pid, O_RDWR);
	heap = remote(mem, &t, R_HEAP, t.len[R_HEAP], O_RDWR);
	huge = remote(mem, &t, R_HUGE, t.len[R_HUGE], O_RDONLY);
	vivid = remote(mem, &t, R_VIVID, t.len[R_VIVID], O_RDWR);
	sum = (uint32_t)target_cmd(&t, OP_SUM, R_VIVID, 0);
	if (heap < 0 || huge < 0 || vivid < 0)
		t_bail("remote exports: %d %d %d", heap, huge, vivid);
	t_ok(target_cmd(&t, OP_UNMAP, R_HUGE, 0) == 0, "the target unmaps its hugetlb mapping");
	target_cmd(&t, OP_FILL, R_HEAP, 7);
	close(mem);
	target_exit(&t, false);
	t_ok(t_pins_held() - base == (long)((t.len[R_HEAP] + t.len[R_HUGE]) / PAGE),
	     "after the target exited, the buffers still hold its pages (%ld pins)",
	   t_pins_held() - base);

	q = t_map_dmabuf(heap, t.len[R_HEAP], PROT_READ | PROT_WRITE, 0);
	t_ok(q && t_check(q, t.len[R_HEAP], 7), "heap: the bytes the target last wrote are intact");
	if (q) {
		t_fill(q, t.len[R_HEAP], 8);
		t_ok(t_check(q, t.len[R_HEAP], 8), "heap: and still writable");
		munmap(q, t.len[R_HEAP]);
	}
	q = t_map_dmabuf(huge, t.len[R_HUGE], PROT_READ, 0);
	t_ok(q && t_check(q, t.len[R_HUGE], 2),
	     "hugetlb: unmapped, then the target exited: intact");
	if (q)
		munmap(q, t.len[R_HUGE]);
	q = t_map_dmabuf(vivid, t.len[R_VIVID], PROT_READ, 0);
	t_ok(q && checksum((unsigned char *)q, t.len[R_VIVID]) == sum,
	     "vivid: the target's vivid fd closed with it, the frame is intact");
	if (q)
		munmap(q, t.len[R_VIVID]);
	t_ok_errno(vgem_import(card, vivid, &handle), 0, "vivid: vgem imports it now");
	vgem_close_handle(card, handle);
	close(heap);
	close(huge);
	close(vivid);
	t_ok(t_pins_held() == base, "the last close releases every pin");

	/* exec instead of exit */
	target_start(&t, 0);
	mem = t_proc_mem(t.pid, O_RDWR);
	heap = remote(mem, &t, R_HEAP, t.len[R_HEAP], O_RDWR);
	close(mem);
	t_ok(heap >= 0 && target_exec(&t), "the target execs with its heap exported");
	q = heap < 0 ? NULL : t_map_dmabuf(heap, t.len[R_HEAP], PROT_READ, 0);
	t_ok(q && t_check(q, t.len[R_HEAP], 1), "the buffer keeps the old image's heap");
	if (q)
		munmap(q, t.len[R_HEAP]);
	close(heap);
	target_kill(&t);
	t_ok(t_pins_held() == base, "exec: every pin released");
}

/*
 * Exit codes of the unprivileged children below: 0 exported; 100 + errno:
 * the open of /proc/PID/mem failed; 50 + errno: the export failed;
 * 99: could not set up.
 */
static const char *outcome(int st)
{
	static char s[64];

	if (st == 0)
		return "exported";
	if (st >= 100 && st < 100 + 64)
		snprintf(s, sizeof(s), "open: %s", strerrorname_np(st - 100));
	else if (st >= 50 && st < 100)
		snprintf(s, sizeof(s), "export: %s", strerrorname_np(st - 50));
	else
		snprintf(s, sizeof(s), "status %d", st);
	return s;
}

static bool refused_at_open(int st)
{
	return st == 100 + EACCES || st == 100 + EPERM;
}

/*
 * Fork a process that, as uid 65534 with RLIMIT_MEMLOCK @memlock, opens
 * /proc/@pid/mem with @flags and exports @len bytes at @addr with the same
 * access mode, then exits with the outcome above. With @pid 0, the target
 * is a child of its own (a descendant, dumpable, with RLIMIT_MEMLOCK 0),
 * forked from it, so @addr is at the same place in both. With @go >= 0, it
 * waits for a byte there before it opens. Returns its pid.
 */
static int nobody_start(int pid, uint64_t addr, size_t len, int flags, size_t memlock,
			int go)
{
	int child = 0, sv[2], mem, fd, st;
	int me;
	char c;

	fflush(stdout);
	me = fork();
	if (me < 0)
		t_bail("fork: %m");
	if (me)
		return me;
	if (drop_to_nobody(memlock))
		_exit(99);
	if (!pid) {
		char *own = t_map_anon(len);

		memset(own, 5, len);
		addr = (uintptr_t)own;
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
			_exit(99);
		child = fork();
		if (child == 0) {
			struct rlimit zero = { 0, 0 };

			close(sv[0]);
			if (setrlimit(RLIMIT_MEMLOCK, &zero) ||
			    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) || write(sv[1], "r", 1) != 1)
				_exit(1);
			read(sv[1], &c, 1);	/* until the parent goes */
			_exit(0);
		}
		close(sv[1]);
		if (child < 0 || read(sv[0], &c, 1) != 1)
			_exit(99);
		pid = child;
	}
	if (go >= 0 && read(go, &c, 1) != 1)
		_exit(99);
	mem = t_proc_mem(pid, flags);
	fd = mem < 0 ? mem : vmemexp_export_remote(t_dev(), mem, addr, len, flags);
	st = mem < 0 ? 100 - mem : fd < 0 ? 50 - fd : 0;
	if (child) {
		close(sv[0]);
		t_wait_child(child);
	}
	_exit(st);
}

static int nobody_export(int pid, uint64_t addr, size_t len, int flags, size_t memlock)
{
	return t_wait_child(nobody_start(pid, addr, len, flags, memlock, -1));
}

/* Whose budget an export uses: the caller's, never the target's. */
static void accounting(void)
{
	struct target t;
	int st, fd, mem;

	st = nobody_export(0, 0, LIMIT_PAGES * PAGE, O_RDWR, LIMIT_PAGES * PAGE);
	t_ok(st == 0,
	     "uid 65534 exports its RLIMIT_MEMLOCK of its child's memory (child's: 0) (%s)",
	     outcome(st));
	st = nobody_export(0, 0, (LIMIT_PAGES + 1) * PAGE, O_RDWR, LIMIT_PAGES * PAGE);
	t_ok(st == 50 + ENOMEM, "one page more: ENOMEM, the caller's limit (%s)", outcome(st));

	/* root (exempt) exports a nobody target's memory: nobody is not charged. */
	target_start(&t, T_NOBODY);
	target_cmd(&t, OP_MEMLOCK, 0, LIMIT_PAGES);
	mem = t_proc_mem(t.pid, O_RDWR);
	fd = remote(mem, &t, R_HEAP, LIMIT_PAGES * PAGE, O_RDWR);
	t_ok(fd >= 0, "root exports %d pages of a uid 65534 target", LIMIT_PAGES);
	t_ok(target_cmd(&t, OP_EXPORT, R_HEAP, LIMIT_PAGES) == 0,
	     "the target's user still has all of its RLIMIT_MEMLOCK for itself");
	t_ok(t_vm_pin_kb_of(t.pid) == 0, "and the target's VmPin shows none of root's pins");
	close(fd);
	close(mem);
	target_exit(&t, false);
}

/* Who may open the file at all: the kernel's ptrace check. */
static void permissions(void)
{
	struct target t;
	int st, sv[2], mem, pid;

	/* An unrelated user: the open fails, so there is nothing to export with. */
	target_start(&t, 0);
	st = nobody_export(t.pid, t.addr[R_HEAP], PAGE, O_RDONLY, LIMIT_PAGES * PAGE);
	t_ok(refused_at_open(st), "uid 65534 cannot open a root process's /proc/PID/mem (%s)",
	     outcome(st));

	/* What passing the fd on conveys: what its opener was allowed, no more. */
	mem = t_proc_mem(t.pid, O_RDONLY);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		t_bail("socketpair: %m");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int got, ro, rw;

		if (drop_to_nobody(LIMIT_PAGES * PAGE))
			_exit(99);
		got = t_recv_fd(sv[1]);
		ro = remote(got, &t, R_HEAP, LIMIT_PAGES * PAGE, O_RDONLY);
		rw = remote(got, &t, R_HEAP, PAGE, O_RDWR);
		_exit((ro < 0) | (rw != -EACCES) << 1);
	}
	t_send_fd(sv[0], mem);
	st = t_wait_child(pid);
	t_ok(!(st & 1), "root's read-only fd, passed to uid 65534, exports read-only (%d)", st);
	t_ok(!(st & 2), "and refuses O_RDWR (EACCES) (%d)", st);
	close(sv[0]);
	close(sv[1]);
	close(mem);
	target_exit(&t, false);
}

static int get_scope(void)
{
	FILE *f = fopen(YAMA, "r");
	int v = -1;

	if (f && fscanf(f, "%d", &v) != 1)
		v = -1;
	if (f)
		fclose(f);
	return v;
}

static void set_scope(int v)
{
	FILE *f = fopen(YAMA, "w");

	if (!f || fprintf(f, "%d\n", v) < 0 || fclose(f))
		t_bail("write %s: %m", YAMA);
}

/* Yama narrows ptrace's attach check, and so the open, and so the export. */
static void yama(void)
{
	int saved = get_scope(), go[2], st, pid, mem, fd;
	struct target t;

	if (saved < 0) {
		t_skip("the kernel has no Yama", "Yama ptrace_scope 1 and 2");
		return;
	}
	t_diag("Yama ptrace_scope was %d", saved);
	target_start(&t, T_NOBODY);

	set_scope(0);
	st = nobody_export(t.pid, t.addr[R_HEAP], PAGE, O_RDWR, LIMIT_PAGES * PAGE);
	t_ok(st == 0, "ptrace_scope 0: uid 65534 opens its sibling's mem and exports (%s)",
	     outcome(st));
	set_scope(1);
	st = nobody_export(t.pid, t.addr[R_HEAP], PAGE, O_RDWR, LIMIT_PAGES * PAGE);
	t_ok(refused_at_open(st), "ptrace_scope 1: uid 65534 cannot open its sibling's mem (%s)",
	     outcome(st));
	st = nobody_export(0, 0, PAGE, O_RDWR, LIMIT_PAGES * PAGE);
	t_ok(st == 0, "ptrace_scope 1: it can its own child's, and exports (%s)", outcome(st));
	/* The sibling names it as its debugger (PR_SET_PTRACER) before it opens. */
	if (pipe(go))
		t_bail("pipe: %m");
	pid = nobody_start(t.pid, t.addr[R_HEAP], PAGE, O_RDWR, LIMIT_PAGES * PAGE, go[0]);
	close(go[0]);
	t_ok(target_cmd(&t, OP_PTRACER, 0, pid) == 0,
	     "the sibling names the other process its debugger (PR_SET_PTRACER)");
	if (write(go[1], "g", 1) != 1)
		t_bail("write: %m");
	close(go[1]);
	st = t_wait_child(pid);
	t_ok(st == 0, "ptrace_scope 1: after PR_SET_PTRACER the sibling's mem opens, exports (%s)",
	     outcome(st));

	set_scope(2);
	st = nobody_export(0, 0, PAGE, O_RDWR, LIMIT_PAGES * PAGE);
	t_ok(refused_at_open(st), "ptrace_scope 2: uid 65534 cannot open even its own child's (%s)",
	     outcome(st));
	mem = t_proc_mem(t.pid, O_RDWR);
	fd = mem < 0 ? mem : remote(mem, &t, R_HEAP, PAGE, O_RDWR);
	t_ok(fd >= 0, "ptrace_scope 2: root (CAP_SYS_PTRACE) opens it and exports");
	if (fd >= 0)
		close(fd);
	if (mem >= 0)
		close(mem);

	/* Scope 3 is not tried: it cannot be lowered again until reboot. */
	set_scope(saved);
	target_exit(&t, false);
}

/* A line "@key: N kB" of /proc/@pid/smaps_rollup: N, or -1. */
static long rollup_kb(int pid, const char *key)
{
	char path[64], line[256];
	size_t n = strlen(key);
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (kb < 0 && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			kb = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return kb;
}

/* A read-only remote export of @what at @addr in @pid: see below. */
static void reader_export(int pid, int mem, const char *what, void *addr,
			  uint32_t seed)
{
	int i, fd = -1, ret, same = 1, bytes = 0;
	void *m;

	ret = t_export_raw((uintptr_t)addr, 4 * PAGE, O_RDONLY | O_CLOEXEC,
			   VMEM_EXP_F_REMOTE, mem, &fd);
	m = ret ? NULL : t_map_dmabuf(fd, 4 * PAGE, PROT_READ, 0);
	if (m)
		bytes = t_check(m, 4 * PAGE, seed);
	t_ok(ret == -EPERM || bytes,
	     "read-only remote export of %s: its bytes, or EPERM (got %s)", what,
	   ret ? strerror(-ret) : !m ? "no mapping" : bytes ? "its bytes" :
	   "other bytes");
	/*
	 * A long-term pin may migrate the pages (out of CMA or movable
	 * memory), which moves every mapping of them alike; a private copy
	 * would leave the target on other pages than its parent.
	 */
	for (i = 0; i < 4; i++) {
		volatile char *page = (char *)addr + i * PAGE;
		uint64_t ours;

		(void)*page;
		ours = t_pfn_of((const void *)page);

		same &= ours && t_pfn_in(pid, (uintptr_t)addr + i * PAGE) == ours;
	}
	t_ok(same, "%s: the target still maps its parent's pages", what);
	if (m)
		munmap(m, 4 * PAGE);
	if (!ret)
		close(fd);
}

/*
 * A read-only remote export changes nothing the target reads. The target
 * has read a private file mapping (page-cache pages, which 6.2+ copies for
 * a long-term pin) and anonymous memory it shares copy-on-write with its
 * parent, this test: each export holds the bytes the target reads, or is
 * refused with EPERM, and the target maps its parent's pages afterwards, with
 * the same Anonymous memory in its smaps_rollup (its Pss_Anon moves with
 * what this test, the other sharer, writes).
 */
static void reader_changes_nothing(void)
{
	char path[] = "/tmp/vmem-remote-roXXXXXX", c = 0;
	char *anon = t_map_anon(4 * PAGE), *file, *buf = t_map_anon(4 * PAGE);
	int ffd = mkstemp(path), pipefd[2], pid, mem;
	long anon_kb;

	t_fill(anon, 4 * PAGE, 61);
	t_fill(buf, 4 * PAGE, 62);
	if (ffd < 0 || write(ffd, buf, 4 * PAGE) != 4 * PAGE || pipe(pipefd))
		t_bail("reader: %s: %m", path);
	unlink(path);
	file = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, ffd, 0);
	if (file == MAP_FAILED)
		t_bail("mmap %s: %m", path);
	pid = fork();
	if (pid == 0) {
		/* Reads both, as a process that only reads them would. */
		if (!t_check(file, 4 * PAGE, 62) || !t_check(anon, 4 * PAGE, 61) ||
		    write(pipefd[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	if (pid < 0 || read(pipefd[0], &c, 1) != 1)
		t_bail("reader: the target did not start");
	anon_kb = rollup_kb(pid, "Anonymous");
	mem = t_proc_mem(pid, O_RDONLY);
	if (mem < 0)
		t_bail("reader: /proc/%d/mem: %s", pid, strerror(-mem));
	reader_export(pid, mem, "a private file mapping the target read", file, 62);
	reader_export(pid, mem, "anonymous memory shared copy-on-write with the parent",
		      anon, 61);
	t_ok(rollup_kb(pid, "Anonymous") == anon_kb,
	     "read-only remote exports: the target's Anonymous memory stays %ld kB (now %ld)",
	   anon_kb, rollup_kb(pid, "Anonymous"));
	close(mem);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	munmap(file, 4 * PAGE);
	munmap(anon, 4 * PAGE);
	munmap(buf, 4 * PAGE);
	close(ffd);
	close(pipefd[0]);
	close(pipefd[1]);
}

/*
 * Such an export pins a private mapping without faulting and faults a page
 * that is not present in for reading first: where that fault fails (a page
 * of the mapping past the end of its file), EFAULT.
 */
static void reader_past_eof(void)
{
	char path[] = "/tmp/vmem-remote-eofXXXXXX";
	int ffd = mkstemp(path), mem;
	char *file;

	if (ffd < 0 || ftruncate(ffd, PAGE))
		t_bail("past eof: %s: %m", path);
	unlink(path);
	file = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, ffd, 0);
	if (file == MAP_FAILED)
		t_bail("mmap %s: %m", path);
	mem = t_proc_mem(getpid(), O_RDONLY);
	if (mem < 0)
		t_bail("past eof: /proc/self/mem: %s", strerror(-mem));
	t_ok_errno(vmemexp_export_remote(t_dev(), mem, (uintptr_t)file + PAGE,
					 PAGE, O_RDONLY), EFAULT,
		   "read-only remote export of a private file mapping past the file's end");
	close(mem);
	munmap(file, 2 * PAGE);
	close(ffd);
}

int main(void)
{
	long base = t_pins_held();
	int card = vgem_open();

	t_dev();
	debugger(card);
	wrong_fds();
	gone();
	lifetime(card);
	accounting();
	permissions();
	yama();
	reader_changes_nothing();
	reader_past_eof();
	t_ok(t_pins_held() == base, "no pin left behind (%ld, %ld at the start)",
	     t_pins_held(), base);
	return t_done();
}
