// SPDX-License-Identifier: GPL-2.0
/*
 * Description: the vmemexp tool (installed in the guest as /bin/vmemexp,
 * built static) against the live driver: list shows a buffer with its
 * exporter, its holds and every holder (this process's fd, a second
 * process's fd and mapping, vgem's attachment), and what an unprivileged
 * user sees; status counts exports made and refused by errno; export
 * hands a fresh or file-backed buffer to a command, whose exit status it
 * passes on; errors give the errno's name and meaning, and exit 1 or 2.
 * Also: fdinfo tells a vmem-exp dma-buf by its exp_name, vmem_exp, and
 * its name, vmem-exp, neither of which says who exported it. What a user
 * can craft does not make list show a buffer: a maps line past 511 bytes
 * whose tail reads as a dma-buf's, another exporter's dma-buf named
 * vmem-exp, or one whose name writes an exp_name line into its fdinfo.
 * Commands with any bytes are escaped in JSON and text; arguments that
 * are not numbers as the man page has them are refused.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "harness.h"
#include "importers.h"

#define TOOL	"/bin/vmemexp"
#define LEN	(16 * PAGE)
#define NOBODY	65534

/*
 * Runs @cmd (through sh) as uid @uid (0: as we are), its stdout and stderr
 * into @out; returns its exit status, or -1.
 */
static int run(uid_t uid, const char *cmd, char *out, size_t size)
{
	int pipefd[2], pid, st;
	size_t n = 0;
	ssize_t r;

	if (pipe(pipefd))
		t_bail("pipe: %m");
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		if (uid && (setgid(uid) || setuid(uid)))
			_exit(126);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	while (n + 1 < size && (r = read(pipefd[0], out + n, size - 1 - n)) > 0)
		n += (size_t)r;
	while (n > 0 && out[n - 1] == '\n')
		n--;
	out[n] = '\0';
	close(pipefd[0]);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* The line of `vmemexp --json list` output about inode @ino, or NULL. */
static char *buffer_line(char *out, unsigned long ino)
{
	char key[64];
	char *p, *end;

	snprintf(key, sizeof(key), "{\"ino\": %lu,", ino);
	p = strstr(out, key);
	if (!p)
		return NULL;
	end = strchr(p, '\n');
	if (end)
		*end = '\0';
	return p;
}

static long json_num(const char *s, const char *key)
{
	char k[64];
	const char *p;

	snprintf(k, sizeof(k), "\"%s\": ", key);
	p = strstr(s, k);
	return p ? strtol(p + strlen(k), NULL, 10) : -1;
}

static unsigned long ino_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : (unsigned long)st.st_ino;
}

/* Run as `tool.t check-export PATTERN|file:PATH:OFFSET`: verify VMEMEXP_FD. */
static int check_export(const char *what)
{
	const char *fd_s = getenv("VMEMEXP_FD"), *size_s = getenv("VMEMEXP_SIZE");
	unsigned char *p, *f = NULL;
	size_t len, i;
	int fd;

	if (!fd_s || !size_s)
		return 10;
	fd = atoi(fd_s);
	len = strtoul(size_s, NULL, 10);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 11;
	if (!strcmp(what, "counter")) {
		for (i = 0; i < len; i++)
			if (p[i] != i % 251)
				return 12;
	} else if (!strncmp(what, "file:", 5)) {
		char path[64];
		long off;
		int ffd;

		if (sscanf(what, "file:%63[^:]:%ld", path, &off) != 2)
			return 13;
		ffd = open(path, O_RDONLY);
		if (ffd < 0)
			return 14;
		f = mmap(NULL, len, PROT_READ, MAP_SHARED, ffd, off);
		if (f == MAP_FAILED || memcmp(f, p, len))
			return 15;
		/* Written through the dma-buf: the file sees it. */
		memset(p, 0x5a, PAGE);
	}
	return 0;
}

/*
 * A file mapped at a path so long that its maps line passes 511 bytes,
 * the tail of which reads as the line of a dma-buf named vmem-exp: list
 * must read the line whole.
 */
#define FAKE_INO	999999999UL
#define FAKE_LINE	"7f0000000000-7f0000001000 rw-s 00000000 00:05 999999999 "

/* The column at which /proc/self/maps shows the path of the file at @p. */
static long maps_column(const void *p)
{
	char line[8192], key[32];
	long col = -1;
	FILE *f;

	snprintf(key, sizeof(key), "%lx-", (unsigned long)p);
	f = fopen("/proc/self/maps", "r");
	if (!f)
		t_bail("/proc/self/maps: %m");
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) && strchr(line, '/')) {
			col = strchr(line, '/') - line;
			break;
		}
	fclose(f);
	return col;
}

/* Maps one page of a new file at @path, read-only; bails out on failure. */
static void *map_new_file(const char *path)
{
	void *p;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, PAGE))
		t_bail("%s: %m", path);
	p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		t_bail("mmap %s: %m", path);
	return p;
}

/* Makes the directories of @path (ending in '/'), which is @len bytes. */
static void long_dirs(char *path, size_t len)
{
	size_t n = strlen(path), seg;

	while (n < len) {
		seg = len - n > 201 ? 200 : len - n - 1;
		if (len - n > 201 && len - n - 201 < 2)
			seg = 150;
		memset(path + n, 'a', seg);
		path[n + seg] = '/';
		path[n + seg + 1] = '\0';
		n += seg + 1;
		if (mkdir(path, 0700) && errno != EEXIST)
			t_bail("mkdir %s: %m", path);
	}
}

static void test_long_maps_line(void)
{
	char path[1024] = "/tmp/vx/", out[65536];
	void *short_map, *p;
	long col;
	int ret;

	mkdir("/tmp/vx", 0700);
	short_map = map_new_file("/tmp/vx/short");
	col = maps_column(short_map);
	munmap(short_map, PAGE);
	if (col < 0 || col > 200)
		t_bail("no maps line for /tmp/vx/short (%ld)", col);
	/* fgets() into 512 bytes split the line after 511 of them. */
	long_dirs(path, (size_t)(511 - col));
	strcat(path, FAKE_LINE);
	if (mkdir(path, 0700) && errno != EEXIST)
		t_bail("mkdir %s: %m", path);
	strcat(path, "/dmabuf:vmem-exp");
	p = map_new_file(path);
	t_ok(maps_column(p) == col,
	     "a file mapped at a %zu-byte path: its maps line's byte 512 starts \"%.30s...\"",
	   strlen(path), FAKE_LINE);
	ret = run(0, TOOL " --json list", out, sizeof(out));
	t_ok(ret == 0 && !buffer_line(out, FAKE_INO),
	     "vmemexp list does not read the tail of its maps line as a dma-buf (inode %lu)",
	   FAKE_INO);
	munmap(p, PAGE);
}

/* A vgem dma-buf of @len bytes named @name; its fd. */
static int vgem_named(int card, const char *name)
{
	int fd = vgem_dmabuf(card, LEN);

	if (ioctl(fd, DMA_BUF_SET_NAME, name))
		t_bail("DMA_BUF_SET_NAME: %m");
	return fd;
}

/* Other exporters' dma-bufs, named to look like ours, are not listed. */
static void test_renamed_dmabufs(void)
{
	unsigned long mapped_ino, held_ino;
	char out[65536];
	int card, fd, held, ret;
	void *q;

	card = vgem_open();
	fd = vgem_named(card, "vmem-exp");
	mapped_ino = ino_of(fd);
	q = t_map_dmabuf(fd, LEN, PROT_READ, 0);
	if (!q)
		t_bail("mmap of a vgem dma-buf: %m");
	close(fd);
	/* fdinfo shows the name after exp_name, with its newlines raw. */
	held = vgem_named(card, "x\nexp_name:\tvmem_exp");
	held_ino = ino_of(held);
	ret = run(0, TOOL " --json list", out, sizeof(out));
	t_ok(ret == 0 && !buffer_line(out, mapped_ino),
	     "a vgem dma-buf named vmem-exp, only mapped, is not listed (inode %lu)", mapped_ino);
	t_ok(ret == 0 && !buffer_line(out, held_ino),
	     "nor one whose name puts \"exp_name: vmem_exp\" on a line of its fdinfo (inode %lu)",
	   held_ino);
	munmap(q, LEN);
	close(held);
	close(card);
}

/* Whether @s has a byte that JSON or a terminal would take as more than text. */
static bool raw_bytes(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x7f || ((unsigned char)*s < 0x20 && *s != '\n'))
			return true;
	return false;
}

/*
 * An exporter whose command has bytes that seq_escape() leaves raw (\r,
 * \v, \f, >= 0x80), others it escapes (newline, blank, backslash), a quote;
 * and one whose command is empty.
 */
#define ODD_COMM	"t\r\v\f\xff\"\\\n x"
#define ODD_JSON	"t\\u000d\\u000b\\u000c\\u00ff\\\"\\\\\\u000a x"
#define ODD_TEXT	"t\\x0d\\x0b\\x0c\\xff\"\\\\\\x0a x"

static void test_odd_comm(void *p, const char *comm)
{
	char out[65536], key[128];
	int fd, empty, ret;

	prctl(PR_SET_NAME, ODD_COMM);
	fd = t_export(p, PAGE, O_RDWR | O_CLOEXEC);
	prctl(PR_SET_NAME, "");
	empty = t_export(p, PAGE, O_RDWR | O_CLOEXEC);
	prctl(PR_SET_NAME, ODD_COMM);
	if (fd < 0 || empty < 0)
		t_bail("export: %s", strerror(-(fd < 0 ? fd : empty)));
	ret = run(0, TOOL " --json list", out, sizeof(out));
	t_ok(ret == 0 && !raw_bytes(out),
	     "--json list escapes every control byte and byte >= 0x80");
	snprintf(key, sizeof(key), "\"exporter\": {\"pid\": %d, \"comm\": \"%s\"", getpid(),
		 ODD_JSON);
	t_ok(strstr(out, key), "the exporter's command, \"%s\" in JSON", ODD_JSON);
	snprintf(key, sizeof(key), "{\"pid\": %d, \"comm\": \"%s\", \"fd\": %d}", getpid(),
		 ODD_JSON, fd);
	t_ok(strstr(out, key), "and the holder's, from /proc");
	snprintf(key, sizeof(key), "\"exporter\": {\"pid\": %d, \"comm\": \"\", ", getpid());
	t_ok(strstr(out, key),
	     "an empty command is an empty string (debugfs ends its line with it)");
	if (!strstr(out, key))
		t_diag("%s", buffer_line(out, ino_of(empty)) ?: out);
	ret = run(0, TOOL " list", out, sizeof(out));
	snprintf(key, sizeof(key), "%d (%s) 0x", getpid(), ODD_TEXT);
	t_ok(ret == 0 && !raw_bytes(out) && strstr(out, key),
	     "text: the command escaped, \"%s\", on one line", ODD_TEXT);
	snprintf(key, sizeof(key), "%d () 0x", getpid());
	t_ok(strstr(out, key), "and the empty one empty");
	prctl(PR_SET_NAME, comm);
	close(fd);
	close(empty);
}

struct bad_args {
	const char *args;
	const char *why;
};

static const struct bad_args bad_args[] = {
	{ "--size 0x400000000G", "a size that overflows" },
	{ "--size 18446744073709551615", "a size that overflows when rounded to pages" },
	{ "--size -4096", "a negative size" },
	{ "--size ' 4096'", "a size with a blank" },
	{ "--size 4x", "a size with an unknown suffix" },
	{ "--size 0", "a size of 0" },
	{ "--offset 4096", "--offset without --file" },
	{ "--fd abc", "--fd abc" },
	{ "--fd -1", "--fd -1" },
	{ "--fd 99999999999", "--fd past INT_MAX" },
	{ "--pattern 0xzz", "--pattern 0xzz" },
	{ "--pattern 0x100", "--pattern 0x100" },
	{ "--pid 1x --addr 0x1000 --size 4k", "--pid 1x" },
	{ "--pid 1 --size 4k", "--pid without --addr" },
	{ "--addr 0x1000 --size 4k", "--addr without --pid" },
};

/* Arguments that are not what the man page says are refused: exit 2. */
static void test_arguments(void)
{
	char out[8192], cmd[256];
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(bad_args); i++) {
		snprintf(cmd, sizeof(cmd), TOOL " export %s -- true", bad_args[i].args);
		ret = run(0, cmd, out, sizeof(out));
		t_ok(ret == 2 && strstr(out, "usage:"), "%s: usage, exit 2 (%d)", bad_args[i].why,
		     ret);
	}
	ret = run(0, TOOL " export --size 010k -- sh -c 'echo $VMEMEXP_SIZE'", out, sizeof(out));
	t_ok(ret == 0 && !strcmp(out, "12288"),
	     "--size 010k is ten kibibytes, not octal (12288 bytes after rounding: %s)", out);
	ret = run(0, TOOL " export --size 0x2001 -- sh -c 'echo $VMEMEXP_SIZE'", out, sizeof(out));
	t_ok(ret == 0 && !strcmp(out, "12288"), "--size 0x2001 is hexadecimal (%s)", out);
	ret = run(0, TOOL " export --help 2>/dev/null", out, sizeof(out));
	t_ok(ret == 0 && strstr(out, "usage:"), "export --help: usage on stdout, exit 0 (%d)", ret);
	ret = run(0, TOOL " export --file /nonexistent -- true", out, sizeof(out));
	t_ok(ret == 1 && strstr(out, "/nonexistent: ENOENT") && !strstr(out, "module"),
	     "a missing file: ENOENT, and nothing about the module (%s)", out);
}

/* --version agrees with the module's MODULE_VERSION. */
static void test_version(void)
{
	char out[4096], version[64];
	FILE *f;
	int ret;

	f = fopen("/sys/module/vmem_exp/version", "r");
	if (!f || !fgets(version, sizeof(version), f))
		t_bail("no /sys/module/vmem_exp/version");
	fclose(f);
	version[strcspn(version, "\n")] = '\0';
	ret = run(0, TOOL " --version", out, sizeof(out));
	t_ok(ret == 0 && strstr(out, version), "vmemexp --version says %s, as the module does (%s)",
	     version, out);
}

/* fdinfo names a vmem-exp dma-buf, and nothing of who exported it. */
static void test_fdinfo(int fd)
{
	char out[4096], path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	out[0] = '\0';
	if (f) {
		size_t n = fread(out, 1, sizeof(out) - 1, f);

		out[n] = '\0';
		fclose(f);
	}
	t_ok(strstr(out, "\nexp_name:\tvmem_exp\n") && strstr(out, "\nname:\tvmem-exp\n"),
	     "fdinfo shows the dma-buf's exp_name vmem_exp and name vmem-exp");
	if (!strstr(out, "\nname:\tvmem-exp\n"))
		t_diag("%s", out);
}

/*
 * A second process that receives @fd over @sv and maps it, then holds both
 * until it reads a byte, and exits 0 if the mapping showed seed 3: its pid.
 */
static int second_holder(int fd, int sv[2])
{
	char ack = 0;
	int pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		t_bail("socketpair: %m");
	pid = fork();
	if (pid == 0) {
		int cfd;
		void *q;

		close(sv[0]);
		cfd = t_recv_fd(sv[1]);
		q = cfd < 0 ? NULL : t_map_dmabuf(cfd, LEN, PROT_READ, 0);
		if (write(sv[1], &ack, 1) != 1 || !q)
			_exit(1);
		/* Hold fd and mapping until the parent has listed them. */
		if (read(sv[1], &ack, 1) != 1)
			_exit(2);
		_exit(t_check(q, LEN, 3) ? 0 : 3);
	}
	close(sv[1]);
	t_ok(t_send_fd(sv[0], fd) == 0 && read(sv[0], &ack, 1) == 1,
	     "a second process holds the buffer's fd and a mapping of it");
	return pid;
}

/* Root's --json list: @fd's buffer at @p, with the second process @pid. */
static void list_holders(int fd, void *p, int pid, const char *comm)
{
	char out[65536], key[512], *line;
	unsigned long ino = ino_of(fd);
	int ret;

	ret = run(0, TOOL " --json list", out, sizeof(out));
	line = buffer_line(out, ino);
	t_ok(ret == 0 && line, "vmemexp --json list (root) lists the buffer, inode %lu", ino);
	if (!line) {
		t_diag("%s", out);
		line = "";
	}
	snprintf(key, sizeof(key), "\"exporter\": {\"pid\": %d, \"comm\": \"%s\", \"addr\": %lu}",
		 getpid(), comm, (unsigned long)p);
	t_ok(strstr(line, key), "it names the exporter, its command and address");
	t_ok(json_num(line, "size") == (long)LEN && strstr(line, "\"mode\": \"rw\""),
	     "its size and mode");
	t_ok(json_num(line, "pins") == (long)(LEN / PAGE) && json_num(line, "refs") == 0,
	     "its pages are held by %ld pins", json_num(line, "pins"));
	snprintf(key, sizeof(key), "{\"pid\": %d, \"comm\": \"%s\", \"fd\": %d}", getpid(), comm,
		 fd);
	t_ok(strstr(line, key), "the exporter's fd is a holder");
	snprintf(key, sizeof(key), "{\"pid\": %d, \"comm\": \"%s\", \"fd\": ", pid, comm);
	t_ok(strstr(line, key), "the second process's fd is a holder");
	snprintf(key, sizeof(key), "\"mappings\": [{\"pid\": %d,", pid);
	t_ok(strstr(line, key), "the second process's mapping is a holder");
	t_ok(strstr(line, "\"devices\": [\"vgem"), "vgem's attachment is listed");

	ret = run(0, TOOL " list", out, sizeof(out));
	snprintf(key, sizeof(key), "%d (%s) 0x%lx-0x%lx", getpid(), comm, (unsigned long)p,
		 (unsigned long)p + LEN);
	t_ok(ret == 0 && strstr(out, key) && strstr(out, "held by: 16 pins") &&
	     strstr(out, "devices: vgem"), "vmemexp list (text) says the same");
}

/* An unprivileged user sees its own buffers, not root's (@ino). */
static void list_unprivileged(unsigned long ino)
{
	char out[65536];
	int ret;

	ret = run(NOBODY, TOOL " export --size 8k -- " TOOL " --json list", out, sizeof(out));
	t_ok(ret == 0 && !buffer_line(out, ino) && strstr(out, "\"mode\": \"rw\""),
	     "uid 65534 lists the buffer it exported, and not root's (exit %d)", ret);
	t_ok(strstr(out, "\"held\": null"), "without debugfs it shows no holds it cannot know");
	t_ok(strstr(out, "\"exporter\": null, ") && strstr(out, "\"fds\": [{\"pid\": "),
	     "nor the exporter, but the processes that hold the buffer");
}

/* list: a buffer of @p (seed 3) with several holders. */
static void test_list(void *p, const char *comm)
{
	int sv[2], pid, fd, card, st;
	uint32_t handle;
	char ack = 0;

	fd = t_export(p, LEN, O_RDWR | O_CLOEXEC);
	if (!t_ok(fd >= 0, "export %zu bytes", (size_t)LEN))
		t_bail("export failed");
	test_fdinfo(fd);
	pid = second_holder(fd, sv);
	card = vgem_open();
	t_ok(card >= 0 && vgem_import(card, fd, &handle) == 0, "vgem imports the buffer");
	list_holders(fd, p, pid, comm);
	list_unprivileged(ino_of(fd));

	t_ok(write(sv[0], &ack, 1) == 1, "let the second process go");
	close(sv[0]);
	st = t_wait_child(pid);
	t_ok(st == 0, "the second process read the bytes through its mapping (%d)", st);
	vgem_close_handle(card, handle);
	close(card);
	close(fd);
}

/* status: exports made and refused (of @p), by errno. */
static void test_status(void *p)
{
	long einval, eacces, exports, held;
	char out[65536];
	int ret, fd;

	ret = run(0, TOOL " --json status", out, sizeof(out));
	einval = json_num(out, "EINVAL");
	eacces = json_num(out, "EACCES");
	exports = json_num(out, "exports");
	t_ok(ret == 0 && einval >= 0 && eacces >= 0 && exports > 0,
	     "vmemexp --json status counts exports (%ld) and refusals", exports);
	t_ok(strstr(out, "\"max_export_mb\": \"4096\""), "and shows the parameters");
	t_ok_errno(t_export(p, 0, O_RDWR), EINVAL, "a zero-length export");
	mprotect(p, PAGE, PROT_READ);
	t_ok_errno(t_export(p, PAGE, O_RDWR), EACCES, "a writable export of read-only memory");
	fd = t_export(p, LEN, O_RDONLY);
	t_ok(fd >= 0, "a read-only export");
	ret = run(0, TOOL " --json status", out, sizeof(out));
	held = json_num(out, "held_bytes");
	t_ok(json_num(out, "EINVAL") == einval + 1 && json_num(out, "EACCES") == eacces + 1,
	     "the refused counters moved: EINVAL %ld, EACCES %ld", json_num(out, "EINVAL"),
	     json_num(out, "EACCES"));
	t_ok(json_num(out, "exports") == exports + 1, "exports made moved by one");
	t_ok(held >= (long)LEN, "held bytes include the live buffer (%ld)", held);
	ret = run(0, TOOL " status", out, sizeof(out));
	t_ok(ret == 0 && strstr(out, "EACCES") && strstr(out, "not mapped writable"),
	     "vmemexp status explains the refusals it counted");
	close(fd);
}

/* export: fresh memory and a file's range, handed to a command. */
static void test_export(void)
{
	char out[4096], cmd[512], b[PAGE], *m;
	int ret, ffd;

	snprintf(cmd, sizeof(cmd), TOOL " export --size 20k -- %s check-export counter",
		 "/tests/*-tool.t");
	ret = run(0, cmd, out, sizeof(out));
	t_ok(ret == 0, "export: the command maps $VMEMEXP_FD and finds the pattern (%d %s)",
	     ret, out);
	ffd = open("/dev/shm/tool-file", O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (ffd < 0 || ftruncate(ffd, 4 * PAGE))
		t_bail("/dev/shm/tool-file: %m");
	m = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ffd, 0);
	t_fill(m, 4 * PAGE, 9);
	munmap(m, 4 * PAGE);
	snprintf(cmd, sizeof(cmd), "%s %s -- %s", TOOL " export --file /dev/shm/tool-file",
		 "--offset 4096 --size 8192",
		 "/tests/*-tool.t check-export file:/dev/shm/tool-file:4096");
	ret = run(0, cmd, out, sizeof(out));
	t_ok(ret == 0, "export --file: the command sees the file's bytes at the offset (%d %s)",
	     ret, out);
	t_ok(pread(ffd, b, PAGE, PAGE) == (ssize_t)PAGE && t_all_bytes(b, PAGE, 0x5a),
	     "and its writes through the dma-buf reach the file");
	close(ffd);

	ret = run(0, TOOL " export -- sh -c 'exit 7'", out, sizeof(out));
	t_ok(ret == 7, "export exits with the command's status (%d)", ret);
	ret = run(0, TOOL " export -- /nonexistent", out, sizeof(out));
	t_ok(ret == 127, "a command that cannot run: 127 (%d)", ret);
}

/* export --pid: another process's range, for whoever may ptrace it. */
static void test_export_pid(void)
{
	char out[4096], cmd[512];
	unsigned long taddr = 0;
	int pp[2], target, ret;
	unsigned char *t;
	size_t i;

	if (pipe(pp))
		t_bail("pipe: %m");
	target = fork();
	if (target == 0) {
		t = t_map_anon(4 * PAGE);
		for (i = 0; i < 4 * PAGE; i++)
			t[i] = (unsigned char)(i % 251);
		taddr = (unsigned long)t;
		if (write(pp[1], &taddr, sizeof(taddr)) != sizeof(taddr))
			_exit(1);
		pause();
		_exit(0);
	}
	if (read(pp[0], &taddr, sizeof(taddr)) != sizeof(taddr))
		t_bail("the target did not start");
	snprintf(cmd, sizeof(cmd), TOOL " export --pid %d --addr 0x%lx --size 16k -- %s",
		 target, taddr, "/tests/*-tool.t check-export counter");
	ret = run(0, cmd, out, sizeof(out));
	t_ok(ret == 0, "export --pid: the command maps another process's range (%d %s)",
	     ret, out);
	ret = run(NOBODY, cmd, out, sizeof(out));
	t_ok(ret == 1 && strstr(out, "/mem: EACCES") && !strstr(out, "writable"),
	     "uid 65534 may not ptrace root's process: exit 1, EACCES for /proc/PID/mem and not the export's (%d: %s)",
	     ret, out);
	kill(target, SIGKILL);
	waitpid(target, NULL, 0);
	close(pp[0]);
	close(pp[1]);
}

/* Errors: the errno's name and meaning; exit 1, or 2 for usage. */
static void test_errors(void)
{
	char out[4096];
	int ret;

	close(t_ramfs_file("/tmp/toolfs", PAGE));
	ret = run(0, TOOL " export --file /tmp/toolfs/file -- true", out, sizeof(out));
	t_ok(ret == 1 && strstr(out, "EOPNOTSUPP") && strstr(out, "dirty pages"),
	     "a refused export: exit 1, the errno and why (%d: %s)", ret, out);
	ret = run(0, TOOL " export --file /tmp/toolfs/file --rdonly -- true", out, sizeof(out));
	t_ok(ret == 0, "the same file read-only is exported (%d %s)", ret, out);
	umount("/tmp/toolfs");
	ret = run(0, TOOL " export --file /nonexistent -- true", out, sizeof(out));
	t_ok(ret == 1 && strstr(out, "No such file"), "a missing file: exit 1 (%d)", ret);
	ret = run(0, TOOL " frobnicate", out, sizeof(out));
	t_ok(ret == 2 && strstr(out, "usage:"), "an unknown command: usage, exit 2 (%d)", ret);
	ret = run(0, TOOL " --help", out, sizeof(out));
	t_ok(ret == 0 && strstr(out, "usage:"), "--help: usage, exit 0");
}

int main(int argc, char **argv)
{
	char comm[32];
	void *p;
	FILE *f;

	if (argc == 3 && !strcmp(argv[1], "check-export"))
		return check_export(argv[2]);
	if (access(TOOL, X_OK))
		t_bail(TOOL " is not in the guest");
	f = fopen("/proc/self/comm", "r");
	if (!f || !fgets(comm, sizeof(comm), f))
		t_bail("/proc/self/comm: %m");
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';

	test_version();
	p = t_map_anon(LEN);
	t_fill(p, LEN, 3);
	test_list(p, comm);
	test_status(p);
	test_export();
	test_export_pid();
	test_errors();
	test_arguments();

	/* list: what a user can craft does not make a buffer ours. */
	test_long_maps_line();
	test_renamed_dmabufs();
	test_odd_comm(t_map_anon(PAGE), comm);
	return t_done();
}
