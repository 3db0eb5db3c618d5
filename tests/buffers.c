// SPDX-License-Identifier: GPL-2.0
/*
 * Description: the driver's list of live buffers read while buffers come
 * and go. For a bounded time (BUFFERS_SECONDS, default 4), threads keep
 * rings of a few hundred live exports each (filled before the clock
 * starts), closing the oldest and exporting again, while other threads read
 * /sys/kernel/debug/vmem_exp/buffers over and over and another runs the
 * static `vmemexp --json list` (which reads it too). A buffer's last close
 * frees its dma-buf's inode before the driver takes the buffer off its
 * list, so a reader that went through the dma-buf to its inode read freed
 * memory (KASAN on the debug kernel; the runner checks the log). Every
 * line read must be whole, and at the end the list names every buffer
 * still open by its inode number and size, and no pin or fd is left.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define LIST		"/sys/kernel/debug/vmem_exp/buffers"
#define TOOL		"/bin/vmemexp"
#define EXPORTERS	3
#define READERS		2
/* Live exports per exporter: a long list is a long walk for a reader. */
#define RING		400
#define AREA_PAGES	1024
#define MAX_PAGES	4

static char *area;
static atomic_bool stop;
static atomic_long n_export, n_close, n_read, n_lines, n_tool, n_bad;
static atomic_long most_lines;
static int rings[EXPORTERS][RING];

/* Count and (the first five) say a failure. */
#define bad(...)	t_diag_counted(&n_bad, __VA_ARGS__)

/* Replace ring slot @i: close what it holds, export a random range. */
static void churn(int *ring, unsigned int i, uint64_t *rng)
{
	size_t first, pages;

	*rng ^= *rng << 13;
	*rng ^= *rng >> 7;
	*rng ^= *rng << 17;
	pages = 1 + *rng % MAX_PAGES;
	first = (*rng >> 8) % (AREA_PAGES - pages + 1);
	/* The oldest goes (its last reference: the buffer is freed). */
	if (ring[i] >= 0) {
		close(ring[i]);
		atomic_fetch_add(&n_close, 1);
	}
	ring[i] = t_export(area + first * PAGE, pages * PAGE,
			   (*rng & 1 << 20 ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (ring[i] < 0)
		bad("export: %s", strerrorname_np(-ring[i]));
	else
		atomic_fetch_add(&n_export, 1);
}

static void *exporter(void *arg)
{
	int *ring = rings[(long)arg];
	uint64_t rng = (uint64_t)(long)arg * 2654435761u + 1;

	for (unsigned int i = 0; !atomic_load(&stop); i = (i + 1) % RING)
		churn(ring, i, &rng);
	return NULL;
}

/*
 * Read the whole list into @out (NUL-terminated); returns its length or -1.
 * A line that does not have all ten fields is counted as bad.
 */
static long read_list(char **out, size_t *size)
{
	size_t n = 0;
	ssize_t r;
	char *line;
	int fd;

	fd = open(LIST, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (;;) {
		if (n + 4096 + 1 > *size) {
			*size = 2 * (n + 4096 + 1);
			*out = realloc(*out, *size);
			if (!*out)
				t_bail("out of memory");
		}
		r = read(fd, *out + n, *size - n - 1);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (r < 0)
		return -1;
	(*out)[n] = '\0';
	for (line = strchr(*out, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
		unsigned long long ino;
		unsigned long size;
		int fields = 1;

		for (char *p = line + 1; *p && *p != '\n'; p++)
			fields += *p == '\t';
		if (fields != 10 || sscanf(line + 1, "%llu\t%lu", &ino, &size) != 2 ||
		    !ino || !size || size % PAGE)
			bad("a line of the list is not whole (%d fields)", fields);
	}
	return (long)n;
}

static void *reader(void *arg)
{
	size_t size = 0;
	char *out = NULL;
	long lines;

	while (!atomic_load(&stop)) {
		if (read_list(&out, &size) < 0) {
			bad("%s: %m", LIST);
			continue;
		}
		lines = 0;
		for (char *p = out; (p = strchr(p, '\n')); p++)
			lines++;
		atomic_fetch_add(&n_read, 1);
		atomic_fetch_add(&n_lines, lines - 1);
		if (lines - 1 > atomic_load(&most_lines))
			atomic_store(&most_lines, lines - 1);
	}
	free(out);
	return NULL;
}

/* Runs `vmemexp --json list`, output discarded, until stopped. */
static void *lister(void *arg)
{
	int pid, st, null;

	while (!atomic_load(&stop)) {
		pid = fork();
		if (pid == 0) {
			null = open("/dev/null", O_WRONLY);
			if (null < 0 || dup2(null, 1) < 0)
				_exit(126);
			execl(TOOL, "vmemexp", "--json", "list", (char *)NULL);
			_exit(127);
		}
		if (pid < 0) {
			bad("fork: %m");
			break;
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
			bad("%s --json list failed (status %d)", TOOL, st);
		else
			atomic_fetch_add(&n_tool, 1);
	}
	return NULL;
}

/* Whether the list has a line for inode @ino with size @size. */
static bool listed(const char *list, unsigned long long ino, unsigned long size)
{
	char key[64];

	snprintf(key, sizeof(key), "\n%llu\t%lu\t", ino, size);
	return strstr(list, key);
}

/*
 * What the buffers hold themselves is what the list says of them: each
 * open buffer of the rings, by inode and size. Closes them.
 */
static void list_matches_rings(void)
{
	long found = 0, live = 0;
	char *list = NULL;
	size_t size = 0;
	struct stat st;

	if (read_list(&list, &size) < 0)
		t_bail("%s: %m", LIST);
	for (int e = 0; e < EXPORTERS; e++) {
		for (int i = 0; i < RING; i++) {
			int fd = rings[e][i];

			if (fd < 0)
				continue;
			live++;
			if (!fstat(fd, &st) &&
			    listed(list, (unsigned long long)st.st_ino, (unsigned long)st.st_size))
				found++;
			close(fd);
		}
	}
	free(list);
	t_ok(live > 0 && found == live,
	     "the list names each of the %ld open buffers by its inode and size (%ld did)",
	     live, found);
}

/* The threads, for @seconds; @tool: whether vmemexp list runs too. */
static void run_threads(int seconds, bool tool)
{
	pthread_t t[EXPORTERS + READERS + 1];
	int nt = 0;

	/* The rings full from the start: the list is long from the first read. */
	for (long e = 0; e < EXPORTERS; e++) {
		uint64_t rng = (uint64_t)e * 40503 + 7;

		for (unsigned int i = 0; i < RING; i++)
			churn(rings[e], i, &rng);
	}
	for (long i = 0; i < EXPORTERS; i++)
		pthread_create(&t[nt++], NULL, exporter, (void *)i);
	for (long i = 0; i < READERS; i++)
		pthread_create(&t[nt++], NULL, reader, NULL);
	if (tool)
		pthread_create(&t[nt++], NULL, lister, NULL);
	sleep(seconds);
	atomic_store(&stop, true);
	while (nt)
		pthread_join(t[--nt], NULL);
}

int main(void)
{
	int seconds = getenv("BUFFERS_SECONDS") ? atoi(getenv("BUFFERS_SECONDS")) : 4;
	struct rlimit nofile = { EXPORTERS * RING + 256, EXPORTERS * RING + 256 };
	bool tool = access(TOOL, X_OK) == 0;
	long base = t_pins_held();
	int base_fds;

	t_dev();
	if (access(LIST, R_OK)) {
		t_skip("no " LIST " (debugfs not mounted, or not root)", "%s", LIST);
		return t_done();
	}
	if (setrlimit(RLIMIT_NOFILE, &nofile))
		t_bail("setrlimit(RLIMIT_NOFILE, %lu): %m", (unsigned long)nofile.rlim_cur);
	area = t_map_anon(AREA_PAGES * PAGE);
	t_fill(area, AREA_PAGES * PAGE, 21);
	memset(rings, -1, sizeof(rings));
	base_fds = t_open_fds();
	run_threads(seconds, tool);

	t_diag("%d s: %ld exports, %ld closes; %ld reads of the list", seconds, n_export, n_close,
	       n_read);
	t_diag("%ld lines, at most %ld at once; %ld runs of vmemexp list", n_lines, most_lines,
	       n_tool);
	t_ok(n_export > EXPORTERS * RING && n_close > 0 && n_read > 0,
	     "buffers were exported and closed while the list was read (%ld, %ld)",
	     n_export, n_close);
	t_ok(n_read > 0 && most_lines >= RING,
	     "the list was read %ld times, with up to %ld buffers", n_read, most_lines);
	if (tool)
		t_ok(n_tool > 0, "vmemexp --json list ran %ld times meanwhile", n_tool);
	else
		t_skip("no " TOOL " in this guest", "vmemexp --json list meanwhile");
	t_ok(!n_bad, "every read was whole and every export succeeded (%ld were not)", n_bad);
	list_matches_rings();
	t_ok(t_open_fds() == base_fds, "no fd left behind");
	t_ok(t_pins_held() == base, "no pin left behind (%ld, %ld at the start)", t_pins_held(),
	     base);
	munmap(area, AREA_PAGES * PAGE);
	return t_done();
}
