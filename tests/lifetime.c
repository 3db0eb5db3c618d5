// SPDX-License-Identifier: GPL-2.0
/*
 * Description: the export holds the pages that were mapped at export time,
 * after the exporter munmaps, forks or exits; and the last close of the
 * dma-buf (fd and mmap alike) releases every pin.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

#define LEN	(32 * PAGE)

/* munmap after export: the dma-buf keeps the old bytes. */
static void after_munmap(long base)
{
	char *p, *q;
	int fd;

	p = t_map_anon(LEN);
	t_fill(p, LEN, 1);
	fd = t_export(p, LEN, O_RDWR);
	if (fd < 0)
		t_bail("export: %s", strerror(-fd));
	t_ok(t_pins_held() - base == LEN / PAGE, "export pins one page per page (%ld)",
	     t_pins_held() - base);
	munmap(p, LEN);
	/* Reuse the freed range so the old pages would be overwritten if freed. */
	p = t_map_anon(LEN);
	memset(p, 0xee, LEN);
	q = t_map_dmabuf(fd, LEN, PROT_READ, 0);
	t_ok(q && t_check(q, LEN, 1), "munmap: the dma-buf keeps the exported bytes");

	/* The mapping alone keeps the buffer (and its pins) alive. */
	close(fd);
	t_ok(t_pins_held() - base == LEN / PAGE,
	     "an mmap of the dma-buf keeps the pins after close");
	t_ok(q && t_check(q, LEN, 1), "the mmap still shows the bytes after the fd is closed");
	munmap(q, LEN);
	t_ok(t_pins_held() == base, "last munmap of the dma-buf releases every pin");
	munmap(p, LEN);
}

/*
 * fork after export: the parent's pages stay exported; the child's writes
 * to its copy of the memory never reach the dma-buf.
 */
static void after_fork(void)
{
	char *p, *q;
	int fd, pid;

	p = t_map_anon(LEN);
	t_fill(p, LEN, 2);
	fd = t_export(p, LEN, O_RDWR);
	pid = fork();
	if (pid == 0) {
		t_fill(p, LEN, 99);
		_exit(0);
	}
	t_ok(t_wait_child(pid) == 0, "fork: the child wrote its copy and exited");
	q = t_map_dmabuf(fd, LEN, PROT_READ | PROT_WRITE, 0);
	t_ok(q && t_check(q, LEN, 2), "fork: the dma-buf still shows the parent's bytes");
	t_fill(p, LEN, 3);
	t_ok(q && t_check(q, LEN, 3), "fork: the parent's later writes still reach the dma-buf");
	munmap(q, LEN);
	close(fd);
	munmap(p, LEN);
}

/* fork of a read-only export of private memory behaves the same. */
static void after_fork_rdonly(long base)
{
	char *p, *q;
	int fd, pid;

	p = t_map_anon(LEN);
	t_fill(p, LEN, 4);
	fd = t_export(p, LEN, O_RDONLY);
	pid = fork();
	if (pid == 0) {
		t_fill(p, LEN, 98);
		_exit(0);
	}
	t_wait_child(pid);
	q = t_map_dmabuf(fd, LEN, PROT_READ, 0);
	t_ok(q && t_check(q, LEN, 4), "fork, read-only export: the child's writes do not reach it");
	t_fill(p, LEN, 5);
	t_ok(q && t_check(q, LEN, 5), "fork, read-only export: the parent's later writes do");
	munmap(q, LEN);
	close(fd);
	munmap(p, LEN);
	t_ok(t_pins_held() == base, "fork: every pin released after close");
}

/* The exporter exits while the buffer lives on in another process. */
static void after_exit(long base)
{
	int sv[2], fd, pid;
	char *q;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		t_bail("socketpair: %m");
	pid = fork();
	if (pid == 0) {
		char *c = t_map_anon(LEN);
		int cfd;

		t_fill(c, LEN, 6);
		cfd = t_export(c, LEN, O_RDWR);
		_exit(cfd < 0 || t_send_fd(sv[1], cfd) ? 1 : 0);
	}
	fd = t_recv_fd(sv[0]);
	t_ok(t_wait_child(pid) == 0 && fd >= 0, "exit: the exporter sent its dma-buf and exited");
	q = t_map_dmabuf(fd, LEN, PROT_READ | PROT_WRITE, 0);
	t_ok(q && t_check(q, LEN, 6), "exit: the buffer outlives its exporter with its bytes");
	if (q) {
		t_fill(q, LEN, 7);
		t_ok(t_check(q, LEN, 7), "exit: the orphaned buffer is still writable");
		munmap(q, LEN);
	}
	t_ok(t_pins_held() - base == LEN / PAGE, "exit: the pins outlive the exporter");
	close(fd);
	t_ok(t_pins_held() == base, "exit: the last close releases them");
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	long base = t_pins_held();

	t_diag("pins held at start: %ld", base);
	after_munmap(base);
	after_fork();
	after_fork_rdonly(base);
	after_exit(base);
	return t_done();
}
