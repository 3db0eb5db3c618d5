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
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../kernel/errnos.h"
#include "vmemexp.h"

#ifndef VMEMEXP_VERSION
#define VMEMEXP_VERSION "unknown"
#endif

/* Overridable to try the tool against a crafted tree (never in a build). */
#ifndef SYS_MODULE
#define SYS_MODULE	"/sys/module/vmem_exp"
#endif
#ifndef SYSFS_DEV
#define SYSFS_DEV	"/sys/class/misc/vmem-exp"
#endif
#ifndef DEBUGFS_LIST
#define DEBUGFS_LIST	"/sys/kernel/debug/vmem_exp/buffers"
#endif
#define SYSFS_PARAMS	SYS_MODULE "/parameters"
/*
 * What the dma-buf core shows as exp_name for our buffers: the module's
 * name, which no holder can change (the name, "vmem-exp", anyone can).
 */
#define EXP_NAME	"vmem_exp"
#ifndef DMA_BUF_MAGIC
#define DMA_BUF_MAGIC	0x444d4142	/* statfs() of any dma-buf file */
#endif
#define MAX_BUFS	4096
#define MAX_HOLDERS	64
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define NOT_LOADED	"vmemexp: the vmem_exp module is not loaded (no " SYS_MODULE ")\n"

static bool json;

#define E(e)	{ e, #e }
/* The names of the errnos the tool may meet; others get strerror() alone. */
static const struct {
	int err;
	const char *name;
} errno_names[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(EBADF), E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT), E(EBUSY),
	E(EXDEV), E(ENODEV), E(ENOTDIR), E(EISDIR), E(EINVAL), E(ENFILE),
	E(EMFILE), E(ETXTBSY), E(EFBIG), E(ENOSPC), E(EROFS), E(ELOOP),
	E(ENAMETOOLONG), E(EOVERFLOW), E(EOPNOTSUPP),
};

/* What DBUFIOC_VMEM_EXP's errnos mean, for the export ioctl alone. */
#define EXPORT_ERROR(e, remote_only, why)	{ e, #e, remote_only, why },
static const struct {
	int err;
	const char *name;
	bool remote;	/* only a remote export fails so */
	const char *why;
} export_errors[] = {
	VMEM_EXP_EXPORT_ERRNOS(EXPORT_ERROR)
};

static const char *errno_name(int err)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(errno_names); i++)
		if (errno_names[i].err == err)
			return errno_names[i].name;
	return NULL;
}

/* Says that @what failed with @err; returns 1, the exit status. */
static int fail(const char *what, int err)
{
	const char *name = errno_name(err);

	if (name)
		fprintf(stderr, "vmemexp: %s: %s (%s)\n", what, name, strerror(err));
	else
		fprintf(stderr, "vmemexp: %s: %s\n", what, strerror(err));
	return 1;
}

/* fail() with what @err means for @what, if anything. */
static int fail_why(const char *what, int err, const char *why)
{
	fail(what, err);
	if (why)
		fprintf(stderr, "vmemexp: %s\n", why);
	return 1;
}

/* The export ioctl failed: the errno and what it means for an export. */
static int fail_export(int err, bool remote)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(export_errors); i++)
		if (export_errors[i].err == err && (remote || !export_errors[i].remote))
			return fail_why("export", err, export_errors[i].why);
	return fail("export", err);
}

/* Opening /dev/vmem-exp failed. */
static int fail_dev(int err)
{
	const char *why = NULL;

	if (err == ENOENT || err == ENODEV || err == ENXIO)
		why = "is the vmem_exp module loaded?";
	else if (err == EACCES || err == EPERM)
		why = "you may not open it: its mode is the udev rule's (vmem-exp(4))";
	return fail_why("open /dev/vmem-exp", err, why);
}

/* Opening @path, process @pid's /proc/PID/mem, failed. */
static int fail_mem(const char *path, int pid, int err)
{
	const char *why = NULL;
	char buf[128];

	if (err == EACCES || err == EPERM) {
		snprintf(buf, sizeof(buf),
			 "you may not ptrace process %d (another user's, or ptrace_scope)", pid);
		why = buf;
	} else if (err == ENOENT) {
		snprintf(buf, sizeof(buf), "no process %d", pid);
		why = buf;
	}
	return fail_why(path, err, why);
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
		"       vmemexp export --help\n"
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
		/* Without the newline that ends the value, not a comm's own. */
		if (n > 0 && buf[n - 1] == '\n')
			n--;
		buf[n] = '\0';
	}
	return (int)n;
}

/*
 * Parses all of @s as an unsigned number: decimal (leading zeros allowed,
 * never octal), or hexadecimal after "0x" when @hex; no blank, no sign.
 * The number ends at the first other byte, put in @end if not NULL (else
 * it must be the end of @s). Returns 0, or -1 if there is no number or it
 * does not fit.
 */
static int parse_ulong(const char *s, bool hex, unsigned long *out, const char **end)
{
	unsigned int base = 10, d;
	unsigned long v = 0;
	const char *p = s;

	if (hex && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (s = p; isxdigit((unsigned char)*p); p++) {
		d = isdigit((unsigned char)*p) ? *p - '0' : (tolower(*p) - 'a' + 10);
		if (d >= base)
			break;
		if (v > (ULONG_MAX - d) / base)
			return -1;
		v = v * base + d;
	}
	if (p == s || (!end && *p))
		return -1;
	if (end)
		*end = p;
	*out = v;
	return 0;
}

/* parse_ulong() of a decimal int from @min to @max. */
static int parse_int(const char *s, int min, int max, int *out)
{
	unsigned long v;

	if (parse_ulong(s, false, &v, NULL) || v < (unsigned long)min || v > (unsigned long)max)
		return -1;
	*out = (int)v;
	return 0;
}

/*
 * Strings from the system (commands, device names) may hold any byte. JSON
 * gets ASCII: '"' and '\' escaped, every other byte below 0x20 or from 0x7f
 * as \u00XX (the byte as the code point). Text gets '\' as "\\" and those
 * bytes as \xNN, so that no name splits a line or reaches the terminal raw.
 */
static bool plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f;
}

/* @s's first @n bytes (or up to its NUL) as a JSON string. */
static void json_strn(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	putchar('"');
	for (; n && *p; n--, p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (!plain(*p))
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void json_str(const char *s)
{
	json_strn(s, strlen(s));
}

/* A string that may be unknown (NULL): null. */
static void json_str_or_null(const char *s)
{
	if (s)
		json_str(s);
	else
		fputs("null", stdout);
}

/* @s escaped for text; an unknown (NULL) string is "?". */
static void text_str(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s) {
		putchar('?');
		return;
	}
	for (; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", stdout);
		else if (!plain(*p))
			printf("\\x%02x", *p);
		else
			putchar(*p);
	}
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

/* The exports refused, by errno; in text, with what each errno means. */
static void print_refusals(void)
{
	struct refusal refused[64];
	const char *why;
	size_t i, nr;

	nr = read_refusals(refused, ARRAY_SIZE(refused));
	for (i = 0; i < nr; i++) {
		if (json)
			printf("%s\"%s\": %s", i ? ", " : "", refused[i].name, refused[i].count);
		else if (strcmp(refused[i].count, "0"))
			printf(" %s %s", refused[i].name, refused[i].count);
	}
	if (json) {
		printf("}}\n");
		return;
	}
	printf("%s\n", nr ? "" : " (no counters)");
	for (i = 0; i < nr; i++) {
		why = errno_why_by_name(refused[i].name);
		if (strcmp(refused[i].count, "0") && why)
			printf("  %-10s %s\n", refused[i].name, why);
	}
}

static int cmd_status(void)
{
	char path[256], val[512], version[64];
	long page = sysconf(_SC_PAGESIZE);
	unsigned long held = 0, cap = 0;
	size_t i;

	if (read_file(SYS_MODULE "/version", version, sizeof(version)) < 0) {
		fputs(NOT_LOADED, stderr);
		return 1;
	}
	if (read_file(SYSFS_DEV "/held_pages", val, sizeof(val)) >= 0)
		held = strtoul(val, NULL, 10);
	if (read_file(SYSFS_PARAMS "/max_pinned_mb", val, sizeof(val)) >= 0)
		cap = strtoul(val, NULL, 10);

	if (json) {
		printf("{\"version\": ");
		json_str(version);
		printf(", \"held_bytes\": %lu, \"parameters\": {", held * page);
	} else {
		printf("version          %s\nheld             %lu pages (%.1f MiB of %s %lu)\n",
		       version, held, held * (double)page / (1 << 20), "max_pinned_mb", cap);
	}
	for (i = 0; i < ARRAY_SIZE(params); i++) {
		snprintf(path, sizeof(path), SYSFS_PARAMS "/%s", params[i]);
		read_value(path, val, sizeof(val), "?");
		if (json) {
			printf("%s\"%s\": ", i ? ", " : "", params[i]);
			json_str(val);
		} else {
			printf("%-16s ", params[i]);
			text_str(*val ? val : "(empty)");
			putchar('\n');
		}
	}
	read_value(SYSFS_DEV "/buffers", val, sizeof(val), "0");
	printf(json ? "}, \"buffers\": %s" : "buffers          %s\n", val);
	read_value(SYSFS_DEV "/exports", val, sizeof(val), "0");
	printf(json ? ", \"exports\": %s, \"refused\": {" : "exports made     %s\nexports refused ",
	       val);

	print_refusals();
	return 0;
}

/* ---- list ---- */

struct holder {
	int pid;
	char comm[64];
	bool comm_known;
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
	char *devices;		/* debugfs's field, "-" for none; NULL unknown */
	char comm[64];
	struct holder holders[MAX_HOLDERS];
	int nr_holders;
};

static struct buf *bufs;
static int nr_bufs;
/* The device of the dma-buf filesystem, once a dma-buf fd showed it. */
static dev_t dmabuf_dev;
static bool dmabuf_dev_known;

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
	h->comm_known = comm;
	snprintf(h->comm, sizeof(h->comm), "%s", comm ? comm : "");
	h->fd = fd;
	h->start = start;
	h->end = end;
}

/* Undoes seq_escape()'s octal escapes (\ooo) of the command, in place. */
static void unescape(char *s)
{
	char *d = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
}

/*
 * Splits @line at tabs into exactly @n fields (the last runs to the end:
 * the command, the one field that may hold raw bytes other than the tab
 * and newline that seq_escape() escapes). Returns whether it had @n.
 */
static bool split_tabs(char *line, char **f, int n)
{
	int i;

	line[strcspn(line, "\n")] = '\0';
	for (i = 0; i < n - 1; i++) {
		f[i] = line;
		line = strchr(line, '\t');
		if (!line)
			return false;
		*line++ = '\0';
	}
	f[n - 1] = line;
	return !strchr(line, '\t');
}

/* One line of debugfs buffers (see kernel/info.c); false if it is not one. */
static bool debugfs_line(char *line)
{
	unsigned long ino, size, addr, pins, refs, vb2;
	struct buf *b;
	char *f[10];
	int pid;

	if (!split_tabs(line, f, 10) || parse_ulong(f[0], false, &ino, NULL) ||
	    parse_ulong(f[1], false, &size, NULL) ||
	    (strcmp(f[2], "rw") && strcmp(f[2], "ro")) ||
	    parse_int(f[3], 0, INT_MAX, &pid) || strncmp(f[4], "0x", 2) ||
	    parse_ulong(f[4], true, &addr, NULL) || parse_ulong(f[5], false, &pins, NULL) ||
	    parse_ulong(f[6], false, &refs, NULL) || parse_ulong(f[7], false, &vb2, NULL))
		return false;
	b = find_buf(ino, true);
	if (!b)
		return false;
	free(b->devices);
	b->devices = strdup(f[8]);
	if (!b->devices)
		return false;
	b->known = true;
	b->size = size;
	snprintf(b->mode, sizeof(b->mode), "%s", f[2]);
	b->pid = pid;
	b->addr = addr;
	b->pins = pins;
	b->refs = refs;
	b->vb2 = vb2;
	unescape(f[9]);
	snprintf(b->comm, sizeof(b->comm), "%s", f[9]);
	return true;
}

/* Root: the driver's own list. Returns whether it could be read. */
static bool read_debugfs(void)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *f;

	f = fopen(DEBUGFS_LIST, "re");
	if (!f)
		return false;
	/* Whole lines, however long the list of devices. */
	while (getline(&line, &cap, f) > 0)
		debugfs_line(line);
	free(line);
	fclose(f);
	return true;
}

/* @comm gets process @pid's command; returns false if it cannot be read. */
static bool proc_comm(int pid, char *comm, size_t size)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	return read_file(path, comm, size) >= 0;
}

/* What fdinfo says of a file, from the lines that its holder cannot write. */
struct fdinfo {
	unsigned long ino, size;
	unsigned int flags;
	char exp[64];
};

/*
 * Reads @path, an fdinfo. A dma-buf's name, which its holders set, comes
 * last, raw: it may hold newlines that write lines of their own. So each
 * field is taken from its first line, and nothing from the name's line on.
 */
static bool read_fdinfo(const char *path, struct fdinfo *fi)
{
	bool ino = false, size = false, flags = false, exp = false;
	char *line = NULL;
	size_t cap = 0;
	FILE *f;

	memset(fi, 0, sizeof(*fi));
	f = fopen(path, "re");
	if (!f)
		return false;
	while (getline(&line, &cap, f) > 0 && strncmp(line, "name:", 5)) {
		if (!ino)
			ino = sscanf(line, "ino: %lu", &fi->ino) == 1;
		if (!size)
			size = sscanf(line, "size: %lu", &fi->size) == 1;
		if (!flags)
			flags = sscanf(line, "flags: %o", &fi->flags) == 1;
		if (!exp)
			exp = sscanf(line, "exp_name: %63s", fi->exp) == 1;
	}
	free(line);
	fclose(f);
	return ino && exp;
}

/*
 * Whether @path (a /proc fd or map_files link) is a dma-buf of inode @ino,
 * or -1 if it cannot be told; from one that is, the dma-buf filesystem's
 * device is learnt.
 */
static int dmabuf_file(const char *path, unsigned long ino)
{
	struct statfs sfs;
	struct stat st;

	if (statfs(path, &sfs) || stat(path, &st))
		return -1;
	if ((unsigned long)sfs.f_type != DMA_BUF_MAGIC || st.st_ino != ino)
		return 0;
	dmabuf_dev = st.st_dev;
	dmabuf_dev_known = true;
	return 1;
}

/* The fds of @pid that are vmem-exp dma-bufs, from fdinfo. */
static void scan_fds(int pid, const char *comm)
{
	char path[320];
	struct fdinfo fi;
	struct dirent *de;
	struct buf *b;
	int fd;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo", pid);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (parse_int(de->d_name, 0, INT_MAX, &fd))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
		/* Ours by exp_name, which DMA_BUF_SET_NAME cannot change. */
		if (!read_fdinfo(path, &fi) || strcmp(fi.exp, EXP_NAME) || !fi.ino)
			continue;
		b = find_buf(fi.ino, true);
		if (!b)
			continue;
		if (!b->known) {
			b->size = fi.size;
			snprintf(b->mode, sizeof(b->mode), "%s",
				 (fi.flags & O_ACCMODE) == O_RDWR ? "rw" : "ro");
		}
		add_holder(b, pid, comm, fd, 0, 0);
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
		dmabuf_file(path, fi.ino);
	}
	closedir(d);
}

/*
 * Whether the mapping of @pid at @start-@end, of inode @ino on device
 * @maj:@min, is a dma-buf's. Its map_files link says so for root (the
 * filesystem's magic); for others, the device must be the one of the
 * dma-bufs found by their fds. The path in maps proves nothing: a file
 * can be named "/dmabuf:...".
 */
static bool dmabuf_mapping(int pid, unsigned long start, unsigned long end,
			   unsigned int maj, unsigned int min, unsigned long ino)
{
	char path[96];
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/map_files/%lx-%lx", pid, start, end);
	ret = dmabuf_file(path, ino);
	if (ret >= 0)
		return ret;
	return dmabuf_dev_known && major(dmabuf_dev) == maj && minor(dmabuf_dev) == min;
}

/* The mappings of @pid that are of vmem-exp dma-bufs, from maps. */
static void scan_maps(int pid, const char *comm)
{
	unsigned long start, end, off, ino;
	unsigned int maj, min;
	char path[64], *line = NULL;
	size_t cap = 0;
	struct buf *b;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	/* Whole lines: a path may be long enough to hold a line of its own. */
	while (getline(&line, &cap, f) > 0) {
		if (sscanf(line, "%lx-%lx %*s %lx %x:%x %lu", &start, &end, &off, &maj, &min,
			   &ino) != 6)
			continue;
		/* A buffer the driver listed or an fd showed, and a dma-buf. */
		b = find_buf(ino, false);
		if (b && dmabuf_mapping(pid, start, end, maj, min, ino))
			add_holder(b, pid, comm, -1, start, end);
	}
	free(line);
	fclose(f);
}

static void print_buf_text(const struct buf *b)
{
	const struct holder *h;
	int i;

	printf("%-8lu %10lu %-4s ", b->ino, b->size, b->mode);
	if (b->pid >= 0) {
		printf("%d (", b->pid);
		text_str(b->comm);
		printf(") 0x%lx-0x%lx\n", b->addr, b->addr + b->size);
	} else {
		printf("? (only root sees the exporter)\n");
	}
	if (b->known)
		printf("         held by: %lu pins, %lu page references, %lu in vb2 buffers\n",
		       b->pins, b->refs, b->vb2);
	printf("         devices: ");
	if (!b->devices)
		printf("? (root sees them)");
	else if (!strcmp(b->devices, "-"))
		printf("none");
	else
		text_str(b->devices);
	putchar('\n');
	for (i = 0; i < b->nr_holders; i++) {
		h = &b->holders[i];
		printf("         %s %d (", h->fd >= 0 ? "fd:     " : "mapping:", h->pid);
		text_str(h->comm_known ? h->comm : NULL);
		if (h->fd >= 0)
			printf(") fd %d\n", h->fd);
		else
			printf(") 0x%lx-0x%lx\n", h->start, h->end);
	}
}

/* debugfs's comma-separated devices as a JSON array, or null. */
static void json_devices(const char *p)
{
	size_t n;

	if (!p) {
		fputs("null", stdout);
		return;
	}
	putchar('[');
	if (strcmp(p, "-")) {
		while (*p) {
			n = strcspn(p, ",");
			json_strn(p, n);
			p += n;
			if (*p && *++p)
				fputs(", ", stdout);
		}
	}
	putchar(']');
}

/* The holders of @b that hold an fd (@fds) or a mapping, as a JSON array. */
static void json_holders(const struct buf *b, bool fds)
{
	const struct holder *h;
	const char *sep = "";
	bool is_fd;
	int i;

	putchar('[');
	for (i = 0; i < b->nr_holders; i++) {
		h = &b->holders[i];
		is_fd = h->fd >= 0;
		if (is_fd != fds)
			continue;
		printf("%s{\"pid\": %d, \"comm\": ", sep, h->pid);
		json_str_or_null(h->comm_known ? h->comm : NULL);
		if (fds)
			printf(", \"fd\": %d}", h->fd);
		else
			printf(", \"start\": %lu, \"end\": %lu}", h->start, h->end);
		sep = ", ";
	}
	putchar(']');
}

static void print_buf_json(const struct buf *b, bool last)
{
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
		printf("\"held\": {\"pins\": %lu, \"refs\": %lu, \"vb2\": %lu}, ",
		       b->pins, b->refs, b->vb2);
	else
		printf("\"held\": null, ");
	printf("\"devices\": ");
	json_devices(b->devices);
	printf(", \"fds\": ");
	json_holders(b, true);
	printf(", \"mappings\": ");
	json_holders(b, false);
	printf("}%s\n", last ? "" : ",");
}

/* The pids in /proc, in @pids (malloc()ed); returns how many, or -errno. */
static int read_pids(int **pids)
{
	struct dirent *de;
	int n = 0, cap = 0, pid, *p;
	DIR *d;

	*pids = NULL;
	d = opendir("/proc");
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (parse_int(de->d_name, 1, INT_MAX, &pid))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			p = realloc(*pids, cap * sizeof(**pids));
			if (!p) {
				closedir(d);
				return -ENOMEM;
			}
			*pids = p;
		}
		(*pids)[n++] = pid;
	}
	closedir(d);
	return n;
}

static int cmd_list(void)
{
	int i, nr, *pids;
	char comm[64];

	if (access(SYS_MODULE, F_OK)) {
		fputs(NOT_LOADED, stderr);
		return 1;
	}
	bufs = calloc(MAX_BUFS, sizeof(*bufs));
	if (!bufs)
		return fail("list", ENOMEM);
	read_debugfs();
	nr = read_pids(&pids);
	if (nr < 0)
		return fail("list: /proc", -nr);
	/* The fds first: they tell the dma-bufs' device, which maps show. */
	for (i = 0; i < nr; i++)
		scan_fds(pids[i], proc_comm(pids[i], comm, sizeof(comm)) ? comm : NULL);
	for (i = 0; i < nr; i++)
		scan_maps(pids[i], proc_comm(pids[i], comm, sizeof(comm)) ? comm : NULL);
	free(pids);

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

/*
 * A size or an address: parse_ulong(), then an optional suffix k, M or G
 * (any case) that multiplies by 2^10, 2^20 or 2^30. -1 if it does not fit.
 */
static int parse_size(const char *s, unsigned long *out)
{
	const char *end;
	unsigned int shift = 0;

	if (parse_ulong(s, true, out, &end))
		return -1;
	if (*end == 'k' || *end == 'K')
		shift = 10;
	else if (*end == 'm' || *end == 'M')
		shift = 20;
	else if (*end == 'g' || *end == 'G')
		shift = 30;
	else if (*end)
		return -1;
	if (shift && (end[1] || *out > ULONG_MAX >> shift))
		return -1;
	*out <<= shift;
	return 0;
}

/* --pattern: counter (-1), zero or 0xNN (the byte). -2 if none of those. */
static int parse_pattern(const char *s)
{
	unsigned long byte;

	if (!strcmp(s, "counter"))
		return -1;
	if (!strcmp(s, "zero"))
		return 0;
	if (strncmp(s, "0x", 2) || parse_ulong(s, true, &byte, NULL) || byte > 0xff ||
	    strlen(s) > 4)
		return -2;
	return (int)byte;
}

struct export_args {
	const char *file;
	int pattern;		/* parse_pattern()'s */
	unsigned long size, offset, addr;
	bool has_size, has_offset, has_addr, has_pattern, rdonly;
	int pid;		/* 0: no --pid */
	int want_fd;		/* -1: no --fd */
	char **cmd;
};

/* A usage error of export: what is wrong, then the usage; exit status 2. */
static int bad_usage(const char *what, const char *arg)
{
	fprintf(stderr, "vmemexp: export: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
	return usage(stderr, 2);
}

/* One option with its value @val; returns 0 or bad_usage()'s. */
static int export_option(struct export_args *ea, const char *opt, const char *val)
{
	bool bad;

	if (!strcmp(opt, "--file")) {
		ea->file = val;
		bad = false;
	} else if (!strcmp(opt, "--pattern")) {
		ea->pattern = parse_pattern(val);
		ea->has_pattern = true;
		bad = ea->pattern == -2;
	} else if (!strcmp(opt, "--size")) {
		ea->has_size = true;
		bad = parse_size(val, &ea->size) || !ea->size;
	} else if (!strcmp(opt, "--offset")) {
		ea->has_offset = true;
		bad = parse_size(val, &ea->offset) || ea->offset > LONG_MAX;
	} else if (!strcmp(opt, "--addr")) {
		ea->has_addr = true;
		bad = parse_size(val, &ea->addr);
	} else if (!strcmp(opt, "--pid")) {
		bad = parse_int(val, 1, INT_MAX, &ea->pid);
	} else if (!strcmp(opt, "--fd")) {
		bad = parse_int(val, 0, INT_MAX, &ea->want_fd);
	} else {
		return bad_usage("unknown option", opt);
	}
	return bad ? bad_usage(opt, val) : 0;
}

/*
 * The options up to "--", then the command. Returns -1 when they are
 * right, else the exit status: 0 for --help, 2 for a usage error.
 */
static int export_args(int argc, char **argv, struct export_args *ea, long page)
{
	int a, ret;

	memset(ea, 0, sizeof(*ea));
	ea->pattern = -1;
	ea->want_fd = -1;
	for (a = 1; a < argc && strcmp(argv[a], "--"); a++) {
		if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h"))
			return usage(stdout, 0);
		if (!strcmp(argv[a], "--rdonly")) {
			ea->rdonly = true;
			continue;
		}
		if (a + 1 == argc)
			return bad_usage("no value", argv[a]);
		ret = export_option(ea, argv[a], argv[a + 1]);
		if (ret)
			return ret;
		a++;
	}
	if (a + 1 >= argc)
		return bad_usage("no command (vmemexp export ... -- COMMAND)", NULL);
	ea->cmd = argv + a + 1;
	if (ea->size > ULONG_MAX - (page - 1))
		return bad_usage("--size is past the address space", NULL);
	if (ea->offset % page)
		return bad_usage("--offset is not a multiple of the page", NULL);
	if (ea->pid && (!ea->has_addr || !ea->has_size || ea->file || ea->has_pattern))
		return bad_usage("--pid needs --addr and --size, and no --file or --pattern",
				 NULL);
	if (ea->has_addr && !ea->pid)
		return bad_usage("--addr goes with --pid", NULL);
	if (ea->has_offset && !ea->file)
		return bad_usage("--offset goes with --file", NULL);
	if (ea->has_pattern && ea->file)
		return bad_usage("--pattern is for fresh memory, not --file", NULL);
	return -1;
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
static int export_remote(const struct export_args *ea)
{
	int flags = ea->rdonly ? O_RDONLY : O_RDWR;
	int dev, mem, fd, ret;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/mem", ea->pid);
	mem = open(path, flags | O_CLOEXEC);
	if (mem < 0)
		return fail_mem(path, ea->pid, errno);
	dev = vmemexp_open();
	if (dev < 0) {
		ret = fail_dev(-dev);
		goto close_mem;
	}
	fd = vmemexp_export_remote(dev, mem, ea->addr, ea->size, flags);
	close(dev);
	if (fd < 0) {
		ret = fail_export(-fd, true);
		goto close_mem;
	}
	close(mem);
	return run_command(fd, ea->size, ea->want_fd, ea->cmd);

close_mem:
	close(mem);
	return ret;
}

/* Maps what is to be exported: @ea's file's range, or fresh memory. */
static void *map_source(struct export_args *ea, long page)
{
	int prot = ea->rdonly && ea->file ? PROT_READ : PROT_READ | PROT_WRITE;
	unsigned char *p;
	struct stat st;
	unsigned long i;
	int src = -1;

	if (ea->file) {
		src = open(ea->file, (ea->rdonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
		if (src < 0 || fstat(src, &st)) {
			fail(ea->file, errno);
			goto close_src;
		}
		if (!ea->has_size && st.st_size > (off_t)ea->offset)
			ea->size = st.st_size - ea->offset;
	}
	if (!ea->size)
		ea->size = page;
	ea->size = (ea->size + page - 1) / page * page;
	p = mmap(NULL, ea->size, prot, ea->file ? MAP_SHARED : MAP_SHARED | MAP_ANONYMOUS,
		 src, (off_t)ea->offset);
	if (p == MAP_FAILED) {
		fail(ea->file ? ea->file : "export: mmap", errno);
		goto close_src;
	}
	for (i = 0; !ea->file && i < ea->size; i++)
		p[i] = ea->pattern < 0 ? (unsigned char)(i % 251) : (unsigned char)ea->pattern;
	if (src >= 0)
		close(src);
	return p;

close_src:
	if (src >= 0)
		close(src);
	return NULL;
}

static int cmd_export(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	struct export_args ea;
	int dev, fd, ret;
	void *p;

	ret = export_args(argc, argv, &ea, page);
	if (ret >= 0)
		return ret;
	if (ea.pid)
		return export_remote(&ea);
	p = map_source(&ea, page);
	if (!p)
		return 1;
	dev = vmemexp_open();
	if (dev < 0) {
		ret = fail_dev(-dev);
		goto unmap;
	}
	fd = vmemexp_export(dev, p, ea.size, ea.rdonly ? O_RDONLY : O_RDWR);
	close(dev);
	if (fd < 0) {
		ret = fail_export(-fd, false);
		goto unmap;
	}
	/* The buffer holds the pages; the mapping goes with exec anyway. */
	munmap(p, ea.size);
	return run_command(fd, ea.size, ea.want_fd, ea.cmd);

unmap:
	munmap(p, ea.size);
	return ret;
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
