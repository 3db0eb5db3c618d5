// SPDX-License-Identifier: GPL-2.0
/*
 * Description: a second process that receives the dma-buf over a unix
 * socket reads the exporter's bytes and its writes land in the exporter's
 * original memory, with no copy; the process cannot see that memory any
 * other way (it was mapped after the fork).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define LEN	(64 * PAGE)

static int child(int sock)
{
	char ack = 0;
	char *q;
	int fd;

	fd = recv_fd(sock);
	if (fd < 0)
		return 1;
	q = map_dmabuf(fd, LEN, PROT_READ | PROT_WRITE, 0);
	if (!q)
		return 2;
	if (!check(q, LEN, 11))
		return 3;
	fill(q, LEN, 12);
	if (write(sock, &ack, 1) != 1 || read(sock, &ack, 1) != 1)
		return 4;
	/* The exporter wrote again: the child sees it through its mapping. */
	if (!check(q, LEN, 13))
		return 5;
	munmap(q, LEN);
	close(fd);
	return 0;
}

int main(void)
{
	int sv[2], pid, fd, st;
	char ack = 0;
	char *p;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		bail("socketpair: %m");
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		_exit(child(sv[1]));
	}
	close(sv[1]);

	p = map_anon(LEN);
	fill(p, LEN, 11);
	fd = export(p, LEN, O_RDWR | O_CLOEXEC);
	if (!ok(fd >= 0, "export"))
		bail("export failed");
	ok(send_fd(sv[0], fd) == 0, "send the dma-buf fd over a unix socket");
	ok(read(sv[0], &ack, 1) == 1, "the other process mapped it and wrote to it");
	ok(check(p, LEN, 12), "its writes are in the exporter's original memory");
	fill(p, LEN, 13);
	ok(write(sv[0], &ack, 1) == 1, "tell it the exporter wrote again");
	st = wait_child(pid);
	ok(st == 0, "the other process read the exporter's new bytes (status %d)", st);
	close(fd);
	close(sv[0]);
	return done();
}
