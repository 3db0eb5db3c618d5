// SPDX-License-Identifier: GPL-2.0
/*
 * vmemexp: see what vmem-exp exports, and export memory from a shell.
 *
 *   vmemexp [--json] list      every live buffer: exporter, holds, holders
 *   vmemexp [--json] status    parameters, what is held, exports refused
 *   vmemexp export [OPTIONS] -- COMMAND [ARG...]
 *                              export a file's range or fresh memory and
 *                              run COMMAND with the dma-buf fd
 *
 * Exit status: 0 on success, 1 when what was asked failed (the message
 * says why), 2 for a usage error; export exits with COMMAND's status (127
 * when it cannot be run). See vmemexp(1).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmemexp.h"

#ifndef VMEMEXP_VERSION
#define VMEMEXP_VERSION "unknown"
#endif

#define SYSFS_DEV	"/sys/class/misc/vmem-exp"
#define SYSFS_PARAMS	"/sys/module/vmem_exp/parameters"
#define DEBUGFS_LIST	"/sys/kernel/debug/vmem_exp/buffers"
/*
 * What the driver names every dma-buf, and what the core shows as exp_name
 * (the module's name, which no holder can change).
 */
#define DMABUF_NAME	"vmem-exp"
#define EXP_NAME	"vmem_exp"
#define MAX_BUFS	4096
#define MAX_HOLDERS	64
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define NOT_LOADED	"vmemexp: the vmem_exp module is not loaded (no /sys/module/vmem_exp)\n"

static bool json;

/* What DBUFIOC_VMEM_EXP's errnos mean (the README's ABI table). */
static const struct {
	int err;
	const char *name;
	const char *why;
} export_errors[] = {
	{ EINVAL, "EINVAL",
	  "a bad argument: not page-aligned, length 0, unknown flags; or O_RDONLY\n"
	  "asked for a whole read-write dma-buf mapping" },
	{ EFAULT, "EFAULT",
	  "a page of the range is not mapped, not readable or cannot be faulted in,\n"
	  "or the range covers part of a dma-buf mapping" },
	{ EPERM, "EPERM",
	  "part of the range is a VM_PFNMAP/VM_IO mapping of a driver that nothing\n"
	  "can hold (not videobuf2, not named in pfnmap_drivers)" },
	{ ENXIO, "ENXIO",
	  "a driver mapping maps a frame that is not ordinary RAM, or one with no\n"
	  "reference count of its own" },
	{ EACCES, "EACCES", "read-write asked for a range that is not mapped writable" },
	{ EOPNOTSUPP, "EOPNOTSUPP",
	  "read-write asked for a shared mapping whose dirty pages are tracked (a\n"
	  "file or block device written back, a mapping with page_mkwrite): only\n"
	  "shmem and hugetlbfs can be exported writable" },
	{ EXDEV, "EXDEV",
	  "parts of the range are mapped with different memory types (cacheable and\n"
	  "write-combined, say): one dma-buf has one" },
	{ E2BIG, "E2BIG", "the length is over the module's max_export_mb" },
	{ ENOMEM, "ENOMEM",
	  "the pages would take you past RLIMIT_MEMLOCK (ulimit -l), a hugetlb page\n"
	  "in ZONE_MOVABLE could not be moved out, or the kernel is out of memory" },
	{ ENOSPC, "ENOSPC",
	  "the pages would take all exports together past max_pinned_mb, or you\n"
	  "past your share of it (max_pinned_user_percent; CAP_IPC_LOCK exempts)" },
	{ EMFILE, "EMFILE", "no free file descriptor" },
	{ EINTR, "EINTR", "interrupted by a fatal signal" },
	{ EBADF, "EBADF", "remote: the /proc/PID/mem fd is not open" },
	{ ESRCH, "ESRCH",
	  "remote: the process has exited or exec'd since its /proc/PID/mem was opened" },
	{ ENOENT, "ENOENT", "no /dev/vmem-exp: is the vmem_exp module loaded?" },
};

static const char *errno_name(int err)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(export_errors); i++)
		if (export_errors[i].err == err)
			return export_errors[i].name;
	return "";
}

static const char *errno_why(int err)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(export_errors); i++)
		if (export_errors[i].err == err)
			return export_errors[i].why;
	return NULL;
}

static int fail(const char *what, int err)
{
	const char *why = errno_why(err);

	if (*errno_name(err))
		fprintf(stderr, "vmemexp: %s: %s (%s)\n", what, errno_name(err),
			strerror(err));
	else
		fprintf(stderr, "vmemexp: %s: %s\n", what, strerror(err));
	if (why)
		fprintf(stderr, "vmemexp: %s\n", why);
	return 1;
}

static int usage(FILE *f, int status)
{
	fprintf(f,
		"usage: vmemexp [--json] list\n"
		"       vmemexp [--json] status\n"
		"       vmemexp export [--file PATH [--offset BYTES]] [--size BYTES]\n"
		"                      [--pattern zero|counter|0xNN] [--rdonly]\n"
		"                      [--fd N] -- COMMAND [ARG...]\n"
		"       vmemexp export --pid PID --addr ADDR --size BYTES [--rdonly]\n"
		"                      [--fd N] -- COMMAND [ARG...]\n"
		"       vmemexp --help | --version\n"
		"\n"
		"list     every live vmem-exp buffer: size, mode, exporter, how its pages\n"
		"         are held, and who holds it (fds, mappings, devices); root sees\n"
		"         all, a user what the kernel lets it see\n"
		"status   the module's version and parameters, what is held now, exports\n"
		"         made and refused (by errno)\n"
		"export   export PATH's range (mapped shared) or fresh memory filled with\n"
		"         PATTERN (default counter: byte i is i %% 251), and run COMMAND\n"
		"         with the dma-buf fd (VMEMEXP_FD, VMEMEXP_SIZE in its environment;\n"
		"         --fd N puts it at fd N); with --pid, the range at ADDR of\n"
		"         process PID's memory (you must be allowed to ptrace it)\n"
		"--json   machine-readable output for list and status\n"
		"\nSee vmemexp(1) and vmem-exp(4).\n");
	return status;
}

/* Reads a small file into @buf; returns its length or -errno. */
static int read_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n >= 0) {
		buf[n] = '\0';
		while (n > 0 && buf[n - 1] == '\n')
			buf[--n] = '\0';
	}
	return (int)n;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* ---- status ---- */

static const char *const params[] = {
	"max_export_mb", "max_pinned_mb", "max_pinned_user_percent", "pfnmap_drivers"
};

/* Reads a small file into @val, or puts @dflt there if it cannot. */
static void read_value(const char *path, char *val, size_t size, const char *dflt)
{
	if (read_file(path, val, size) < 0)
		snprintf(val, size, "%s", dflt);
}

/* What the errno named @name means for an export, or NULL. */
static const char *errno_why_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(export_errors); i++)
		if (!strcmp(export_errors[i].name, name))
			return export_errors[i].why;
	return NULL;
}

/* The counters of refused/, one per errno the driver counts. */
struct refusal {
	char name[32];
	char count[32];
};

/* Reads refused/ (the driver says which errnos it counts); returns how many. */
static size_t read_refusals(struct refusal *r, size_t max)
{
	char path[320];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	d = opendir(SYSFS_DEV "/refused");
	if (!d)
		return 0;
	while (n < max && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), SYSFS_DEV "/refused/%s", de->d_name);
		if (read_file(path, r[n].count, sizeof(r[n].count)) < 0)
			continue;
		snprintf(r[n].name, sizeof(r[n].name), "%.31s", de->d_name);
		n++;
	}
	closedir(d);
	return n;
}

static int cmd_status(void)
{
	char path[256], val[512], version[64];
	long page = sysconf(_SC_PAGESIZE);
	unsigned long held = 0, cap = 0;
	struct refusal refused[64];
	size_t i, nr;
	const char *why;

	if (read_file("/sys/module/vmem_exp/version", version, sizeof(version)) < 0) {
		fputs(NOT_LOADED, stderr);
		return 1;
	}
	if (read_file(SYSFS_DEV "/held_pages", val, sizeof(val)) >= 0)
		held = strtoul(val, NULL, 10);
	if (read_file(SYSFS_PARAMS "/max_pinned_mb", val, sizeof(val)) >= 0)
		cap = strtoul(val, NULL, 10);

	if (json)
		printf("{\"version\": \"%s\", \"held_bytes\": %lu, \"parameters\": {",
		       version, held * page);
	else
		printf("version          %s\nheld             %lu pages (%.1f MiB of %s %lu)\n",
		       version, held, held * (double)page / (1 << 20), "max_pinned_mb", cap);
	for (i = 0; i < ARRAY_SIZE(params); i++) {
		snprintf(path, sizeof(path), SYSFS_PARAMS "/%s", params[i]);
		read_value(path, val, sizeof(val), "?");
		if (json) {
			printf("%s\"%s\": ", i ? ", " : "", params[i]);
			json_str(val);
		} else {
			printf("%-16s %s\n", params[i], *val ? val : "(empty)");
		}
	}
	read_value(SYSFS_DEV "/buffers", val, sizeof(val), "0");
	printf(json ? "}, \"buffers\": %s" : "buffers          %s\n", val);
	read_value(SYSFS_DEV "/exports", val, sizeof(val), "0");
	printf(json ? ", \"exports\": %s, \"refused\": {" : "exports made     %s\nexports refused ",
	       val);

	nr = read_refusals(refused, ARRAY_SIZE(refused));
	for (i = 0; i < nr; i++) {
		if (json)
			printf("%s\"%s\": %s", i ? ", " : "", refused[i].name, refused[i].count);
		else if (strcmp(refused[i].count, "0"))
			printf(" %s %s", refused[i].name, refused[i].count);
	}
	if (json) {
		printf("}}\n");
		return 0;
	}
	printf("%s\n", nr ? "" : " (no counters)");
	for (i = 0; i < nr; i++) {
		why = errno_why_by_name(refused[i].name);
		if (strcmp(refused[i].count, "0") && why)
			printf("  %-10s %s\n", refused[i].name, why);
	}
	return 0;
}

/* ---- list ---- */

struct holder {
	int pid;
	char comm[32];
	int fd;			/* -1 for a mapping */
	unsigned long start, end;
};

struct buf {
	unsigned long ino, size;
	bool known;		/* from debugfs: exporter and holds are known */
	char mode[4];
	int pid;
	unsigned long addr;
	unsigned long pins, refs, vb2;
	char devices[256];
	char comm[128];
	struct holder holders[MAX_HOLDERS];
	int nr_holders;
};

static struct buf *bufs;
static int nr_bufs;

static struct buf *find_buf(unsigned long ino, bool create)
{
	int i;

	for (i = 0; i < nr_bufs; i++)
		if (bufs[i].ino == ino)
			return &bufs[i];
	if (!create || nr_bufs == MAX_BUFS)
		return NULL;
	memset(&bufs[nr_bufs], 0, sizeof(bufs[0]));
	bufs[nr_bufs].ino = ino;
	bufs[nr_bufs].pid = -1;
	strcpy(bufs[nr_bufs].mode, "?");
	strcpy(bufs[nr_bufs].devices, "?");
	return &bufs[nr_bufs++];
}

static void add_holder(struct buf *b, int pid, const char *comm, int fd,
		       unsigned long start, unsigned long end)
{
	struct holder *h;

	if (b->nr_holders == MAX_HOLDERS)
		return;
	h = &b->holders[b->nr_holders++];
	h->pid = pid;
	snprintf(h->comm, sizeof(h->comm), "%s", comm);
	h->fd = fd;
	h->start = start;
	h->end = end;
}

/* Undoes seq_escape()'s octal escapes of the command. */
static void unescape(char *s)
{
	char *d = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] && s[3]) {
			*d++ = (char)strtol((char[]){ s[1], s[2], s[3], 0 }, NULL, 8);
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
}

/* Root: the driver's own list. Returns whether it could be read. */
static bool read_debugfs(void)
{
	char line[1024], devices[256], comm[128], mode[4];
	unsigned long ino, size, addr, pins, refs, vb2;
	struct buf *b;
	FILE *f;
	int pid;

	f = fopen(DEBUGFS_LIST, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lu\t%lu\t%3s\t%d\t%lx\t%lu\t%lu\t%lu\t%255s\t%127s",
			   &ino, &size, mode, &pid, &addr, &pins, &refs, &vb2,
			   devices, comm) != 10)
			continue;
		b = find_buf(ino, true);
		if (!b)
			break;
		b->known = true;
		b->size = size;
		snprintf(b->mode, sizeof(b->mode), "%s", mode);
		b->pid = pid;
		b->addr = addr;
		b->pins = pins;
		b->refs = refs;
		b->vb2 = vb2;
		snprintf(b->devices, sizeof(b->devices), "%s", devices);
		unescape(comm);
		snprintf(b->comm, sizeof(b->comm), "%s", comm);
	}
	fclose(f);
	return true;
}

static void proc_comm(int pid, char *comm, size_t size)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	if (read_file(path, comm, size) < 0)
		snprintf(comm, size, "?");
}

/* The fds of @pid that are vmem-exp dma-bufs, from fdinfo. */
static void scan_fds(int pid, const char *comm)
{
	char path[320], line[256], exp[64];
	unsigned long ino, size;
	unsigned int flags;
	struct dirent *de;
	struct buf *b;
	DIR *d;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo", pid);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", pid, de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		ino = 0;
		size = 0;
		flags = 0;
		exp[0] = '\0';
		/* Each line has one field; the one that matches is kept. */
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "ino: %lu", &ino) != 1 &&
			    sscanf(line, "size: %lu", &size) != 1 &&
			    sscanf(line, "flags: %o", &flags) != 1 &&
			    sscanf(line, "exp_name: %63s", exp) != 1)
				continue;
		fclose(f);
		/* Ours by exp_name, which DMA_BUF_SET_NAME cannot change. */
		if (strcmp(exp, EXP_NAME) || !ino)
			continue;
		b = find_buf(ino, true);
		if (!b)
			continue;
		if (!b->known) {
			b->size = size;
			snprintf(b->mode, sizeof(b->mode), "%s",
				 (flags & O_ACCMODE) == O_RDWR ? "rw" : "ro");
		}
		add_holder(b, pid, comm, atoi(de->d_name), 0, 0);
	}
	closedir(d);
}

/* The mappings of @pid that are of vmem-exp dma-bufs, from maps. */
static void scan_maps(int pid, const char *comm)
{
	unsigned long start, end, off, ino;
	char path[64], line[512], file[256];
	struct buf *b;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		file[0] = '\0';
		if (sscanf(line, "%lx-%lx %*s %lx %*s %lu %255s", &start, &end,
			   &off, &ino, file) != 5 || strncmp(file, "/dmabuf:", 8))
			continue;
		/*
		 * Ours by the driver's list or an fd, or else by the name the
		 * driver gives: a mapping whose fd is closed shows nothing
		 * else, though any holder may name its dma-buf so.
		 */
		b = find_buf(ino, false);
		if (!b && !strcmp(file + 8, DMABUF_NAME))
			b = find_buf(ino, true);
		if (b)
			add_holder(b, pid, comm, -1, start, end);
	}
	fclose(f);
}

static void print_buf_text(const struct buf *b)
{
	int i;

	printf("%-8lu %10lu %-4s ", b->ino, b->size, b->mode);
	if (b->pid >= 0)
		printf("%d (%s) 0x%lx-0x%lx\n", b->pid, *b->comm ? b->comm : "?",
		       b->addr, b->addr + b->size);
	else
		printf("? (only root sees the exporter)\n");
	if (b->known)
		printf("         held by: %lu pins, %lu page references, %lu in vb2 buffers\n",
		       b->pins, b->refs, b->vb2);
	printf("         devices: %s\n",
	       !strcmp(b->devices, "-") ? "none" :
	       !strcmp(b->devices, "?") ? "? (root sees them)" : b->devices);
	for (i = 0; i < b->nr_holders; i++) {
		const struct holder *h = &b->holders[i];

		if (h->fd >= 0)
			printf("         fd:      %d (%s) fd %d\n", h->pid, h->comm, h->fd);
		else
			printf("         mapping: %d (%s) 0x%lx-0x%lx\n", h->pid,
			       h->comm, h->start, h->end);
	}
}

static void print_buf_json(const struct buf *b, bool last)
{
	const char *sep;
	int i;

	printf("  {\"ino\": %lu, \"size\": %lu, \"mode\": \"%s\", ", b->ino,
	       b->size, b->mode);
	if (b->pid >= 0) {
		printf("\"exporter\": {\"pid\": %d, \"comm\": ", b->pid);
		json_str(b->comm);
		printf(", \"addr\": %lu}, ", b->addr);
	} else {
		printf("\"exporter\": null, ");
	}
	if (b->known)
		printf("\"held\": {\"pins\": %lu, \"refs\": %lu, \"vb2\": %lu}, \"devices\": [",
		       b->pins, b->refs, b->vb2);
	else
		printf("\"held\": null, \"devices\": null, \"fds\": [");
	if (b->known) {
		const char *p = b->devices;

		if (strcmp(p, "-")) {
			while (*p) {
				size_t n = strcspn(p, ",");

				printf("\"%.*s\"%s", (int)n, p, p[n] ? ", " : "");
				p += n + !!p[n];
			}
		}
		printf("], \"fds\": [");
	}
	sep = "";
	for (i = 0; i < b->nr_holders; i++) {
		if (b->holders[i].fd < 0)
			continue;
		printf("%s{\"pid\": %d, \"comm\": ", sep, b->holders[i].pid);
		json_str(b->holders[i].comm);
		printf(", \"fd\": %d}", b->holders[i].fd);
		sep = ", ";
	}
	printf("], \"mappings\": [");
	sep = "";
	for (i = 0; i < b->nr_holders; i++) {
		if (b->holders[i].fd >= 0)
			continue;
		printf("%s{\"pid\": %d, \"comm\": ", sep, b->holders[i].pid);
		json_str(b->holders[i].comm);
		printf(", \"start\": %lu, \"end\": %lu}", b->holders[i].start,
		       b->holders[i].end);
		sep = ", ";
	}
	printf("]}%s\n", last ? "" : ",");
}

static int cmd_list(void)
{
	char comm[32];
	struct dirent *de;
	DIR *d;
	int i, pid;

	bufs = calloc(MAX_BUFS, sizeof(*bufs));
	if (!bufs)
		return fail("list", ENOMEM);
	if (access("/sys/module/vmem_exp", F_OK)) {
		fputs(NOT_LOADED, stderr);
		return 1;
	}
	read_debugfs();
	d = opendir("/proc");
	if (!d)
		return fail("list: /proc", errno);
	while ((de = readdir(d))) {
		pid = atoi(de->d_name);
		if (pid <= 0)
			continue;
		proc_comm(pid, comm, sizeof(comm));
		scan_fds(pid, comm);
		scan_maps(pid, comm);
	}
	closedir(d);

	if (json) {
		printf("[\n");
		for (i = 0; i < nr_bufs; i++)
			print_buf_json(&bufs[i], i == nr_bufs - 1);
		printf("]\n");
	} else {
		printf("%-8s %10s %-4s %s\n", "INO", "SIZE", "MODE", "EXPORTER");
		for (i = 0; i < nr_bufs; i++)
			print_buf_text(&bufs[i]);
	}
	return 0;
}

/* ---- export ---- */

static int parse_size(const char *s, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 0);
	if (errno || end == s)
		return -1;
	if (*end == 'k' || *end == 'K')
		*out <<= 10;
	else if (*end == 'm' || *end == 'M')
		*out <<= 20;
	else if (*end == 'g' || *end == 'G')
		*out <<= 30;
	else
		return *end ? -1 : 0;
	return end[1] ? -1 : 0;
}

/* Runs @cmd with the dma-buf @fd (at @want_fd if not -1) inherited. */
static int run_command(int fd, unsigned long size, int want_fd, char **cmd)
{
	char env[64];

	if (want_fd >= 0 && want_fd != fd) {
		if (dup2(fd, want_fd) < 0)
			return fail("export: dup2", errno);
		close(fd);
		fd = want_fd;
	}
	/* The export is not close-on-exec: the command inherits it. */
	snprintf(env, sizeof(env), "%d", fd);
	setenv("VMEMEXP_FD", env, 1);
	snprintf(env, sizeof(env), "%lu", size);
	setenv("VMEMEXP_SIZE", env, 1);
	execvp(cmd[0], cmd);
	fprintf(stderr, "vmemexp: export: %s: %s\n", cmd[0], strerror(errno));
	return 127;
}

/*
 * Another process's range: opening its /proc/PID/mem is the permission
 * check (ptrace's attach check, made by the kernel).
 */
static int export_remote(int pid, unsigned long addr, unsigned long size, bool rdonly,
			 int want_fd, char **cmd)
{
	char path[64];
	int dev, mem, fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	mem = open(path, (rdonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (mem < 0)
		return fail(path, errno);
	dev = vmem_exp_open();
	if (dev < 0)
		return fail("open /dev/vmem-exp", -dev);
	fd = vmem_exp_export_remote(dev, mem, addr, size, rdonly ? O_RDONLY : O_RDWR);
	if (fd < 0)
		return fail("export", -fd);
	close(dev);
	close(mem);
	return run_command(fd, size, want_fd, cmd);
}

static int cmd_export(int argc, char **argv)
{
	unsigned long size = 0, offset = 0, i;
	const char *file = NULL, *pattern = "counter";
	unsigned long remote_addr = 0;
	int pid = 0;
	long page = sysconf(_SC_PAGESIZE);
	bool rdonly = false;
	int want_fd = -1, dev, fd, src = -1, a, prot;
	unsigned char *p;

	for (a = 1; a < argc && strcmp(argv[a], "--"); a++) {
		if (!strcmp(argv[a], "--rdonly")) {
			rdonly = true;
		} else if (a + 1 < argc && !strcmp(argv[a], "--file")) {
			file = argv[++a];
		} else if (a + 1 < argc && !strcmp(argv[a], "--pattern")) {
			pattern = argv[++a];
		} else if (a + 1 < argc && !strcmp(argv[a], "--size")) {
			if (parse_size(argv[++a], &size))
				return usage(stderr, 2);
		} else if (a + 1 < argc && !strcmp(argv[a], "--offset")) {
			if (parse_size(argv[++a], &offset))
				return usage(stderr, 2);
		} else if (a + 1 < argc && !strcmp(argv[a], "--pid")) {
			pid = atoi(argv[++a]);
			if (pid <= 0)
				return usage(stderr, 2);
		} else if (a + 1 < argc && !strcmp(argv[a], "--addr")) {
			if (parse_size(argv[++a], &remote_addr))
				return usage(stderr, 2);
		} else if (a + 1 < argc && !strcmp(argv[a], "--fd")) {
			want_fd = atoi(argv[++a]);
			if (want_fd < 0)
				return usage(stderr, 2);
		} else {
			return usage(stderr, 2);
		}
	}
	if (a + 1 >= argc) {
		fputs("vmemexp: export: no command (vmemexp export ... -- COMMAND)\n", stderr);
		return 2;
	}
	if (offset % page) {
		fprintf(stderr, "vmemexp: export: --offset is not a multiple of the page (%ld)\n",
			page);
		return 2;
	}

	if (pid) {
		if (file || !size) {
			fputs("vmemexp: export: --pid needs --addr and --size\n", stderr);
			return 2;
		}
		return export_remote(pid, remote_addr, size, rdonly, want_fd, argv + a + 1);
	}
	if (file) {
		struct stat st;

		src = open(file, rdonly ? O_RDONLY : O_RDWR);
		if (src < 0 || fstat(src, &st))
			return fail(file, errno);
		if (!size)
			size = st.st_size > (off_t)offset ? st.st_size - offset : 0;
	}
	if (!size)
		size = page;
	size = (size + page - 1) / page * page;

	prot = rdonly && file ? PROT_READ : PROT_READ | PROT_WRITE;
	p = mmap(NULL, size, prot, file ? MAP_SHARED : MAP_SHARED | MAP_ANONYMOUS,
		 file ? src : -1, (off_t)offset);
	if (p == MAP_FAILED)
		return fail(file ? file : "export: mmap", errno);
	if (!file) {
		int byte = -1;

		if (!strncmp(pattern, "0x", 2))
			byte = (int)strtol(pattern, NULL, 16) & 0xff;
		else if (!strcmp(pattern, "zero"))
			byte = 0;
		else if (strcmp(pattern, "counter"))
			return usage(stderr, 2);
		for (i = 0; i < size; i++)
			p[i] = byte < 0 ? (unsigned char)(i % 251) : (unsigned char)byte;
	}

	dev = vmem_exp_open();
	if (dev < 0)
		return fail("open /dev/vmem-exp", -dev);
	fd = vmem_exp_export(dev, p, size, rdonly ? O_RDONLY : O_RDWR);
	if (fd < 0)
		return fail("export", -fd);
	close(dev);
	if (src >= 0)
		close(src);
	/* The buffer holds the pages; the mapping goes with exec anyway. */
	munmap(p, size);

	return run_command(fd, size, want_fd, argv + a + 1);
}

int main(int argc, char **argv)
{
	int a = 1;

	if (a < argc && !strcmp(argv[a], "--json")) {
		json = true;
		a++;
	}
	if (a >= argc)
		return usage(stderr, 2);
	if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h") || !strcmp(argv[a], "help"))
		return usage(stdout, 0);
	if (!strcmp(argv[a], "--version")) {
		printf("vmemexp %s\n", VMEMEXP_VERSION);
		return 0;
	}
	if (!strcmp(argv[a], "list") && a + 1 == argc)
		return cmd_list();
	if (!strcmp(argv[a], "status") && a + 1 == argc)
		return cmd_status();
	if (!strcmp(argv[a], "export"))
		return cmd_export(argc - a, argv + a);
	return usage(stderr, 2);
}
