// SPDX-License-Identifier: GPL-2.0
/*
 * Description: a second process that receives the dma-buf over a unix
 * socket reads the exporter's bytes and its writes land in the exporter's
 * original memory, with no copy; the process cannot see that memory any
 * other way (it was mapped after the fork). Nor does it learn where the
 * memory is, or who exported it: what the kernel shows the receiver of the
 * dma-buf (its fdinfo, the mapping's name in /proc/self/maps) carries
 * neither the exporter's pid nor the exported address.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define LEN	(64 * PAGE)

/* What the exporter tells the receiver, to look for. */
struct origin {
	int pid;
	unsigned long addr;
};

/* What the receiver found of it; a bit each. */
#define FDINFO_PID	1
#define FDINFO_ADDR	2
#define MAPS_PID	4
#define MAPS_ADDR	8

/* Whether @s has @word, not next to a letter or a digit. */
static bool has_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = s; (p = strstr(p, word)); p++)
		if ((p == s || !isalnum((unsigned char)p[-1])) &&
		    !isalnum((unsigned char)p[n]))
			return true;
	return false;
}

/*
 * Whether @text shows the exporter's pid (decimal) or its address (hex,
 * with or without 0x): @pid_bit, @addr_bit or both.
 */
static int reveals(const char *text, const struct origin *o, int pid_bit, int addr_bit)
{
	char pid[16], addr[32];
	int found = 0;

	snprintf(pid, sizeof(pid), "%d", o->pid);
	snprintf(addr, sizeof(addr), "%lx", o->addr);
	if (has_word(text, pid))
		found |= pid_bit;
	if (strcasestr(text, addr))
		found |= addr_bit;
	if (found)
		t_diag("the receiver sees: %s", text);
	return found;
}

/*
 * What the receiver's fdinfo of @fd and the name of its mapping at @q in
 * its maps show of @o. fdinfo's numbers that every file has (position,
 * flags, mount, inode, size, count) are left out: one may equal the pid.
 */
static int exporter_shown(int fd, const char *q, const struct origin *o)
{
	char path[64], line[512], name[256];
	unsigned long start;
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "pos:", 4) && strncmp(line, "flags:", 6) &&
		    strncmp(line, "mnt_id:", 7) && strncmp(line, "ino:", 4) &&
		    strncmp(line, "size:", 5) && strncmp(line, "count:", 6))
			found |= reveals(line, o, FDINFO_PID, FDINFO_ADDR);
	}
	fclose(f);

	f = fopen("/proc/self/maps", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		/* Only the name: the numbers are the receiver's own. */
		if (sscanf(line, "%lx-%*x %*s %*s %*s %*s %255s", &start, name) == 2 &&
		    start == (unsigned long)q)
			found |= reveals(name, o, MAPS_PID, MAPS_ADDR);
	}
	fclose(f);
	return found;
}

static int child(int sock)
{
	struct origin o;
	signed char ack = 0;
	char *q;
	int fd;

	fd = t_recv_fd(sock);
	if (fd < 0 || read(sock, &o, sizeof(o)) != sizeof(o))
		return 1;
	q = t_map_dmabuf(fd, LEN, PROT_READ | PROT_WRITE, 0);
	if (!q)
		return 2;
	if (!t_check(q, LEN, 11))
		return 3;
	t_fill(q, LEN, 12);
	ack = exporter_shown(fd, q, &o);
	if (write(sock, &ack, 1) != 1 || read(sock, &ack, 1) != 1)
		return 4;
	/* The exporter wrote again: the child sees it through its mapping. */
	if (!t_check(q, LEN, 13))
		return 5;
	munmap(q, LEN);
	close(fd);
	return 0;
}

int main(void)
{
	int sv[2], pid, fd, st;
	struct origin o;
	signed char ack = 0;
	char *p;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		t_bail("socketpair: %m");
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		_exit(child(sv[1]));
	}
	close(sv[1]);

	p = t_map_anon(LEN);
	t_fill(p, LEN, 11);
	fd = t_export(p, LEN, O_RDWR | O_CLOEXEC);
	if (!t_ok(fd >= 0, "export"))
		t_bail("export failed");
	o.pid = getpid();
	o.addr = (unsigned long)p;
	t_ok(t_send_fd(sv[0], fd) == 0 && write(sv[0], &o, sizeof(o)) == sizeof(o),
	     "send the dma-buf fd over a unix socket");
	t_ok(read(sv[0], &ack, 1) == 1 && ack >= 0, "the other process mapped it and wrote to it");
	t_ok(!(ack & FDINFO_PID), "its fdinfo of the dma-buf does not show the exporter's pid (%d)",
	     o.pid);
	t_ok(!(ack & FDINFO_ADDR), "nor the exported address (%lx)", o.addr);
	t_ok(!(ack & MAPS_PID),
	     "its mapping's name in /proc/self/maps does not show the exporter's pid");
	t_ok(!(ack & MAPS_ADDR), "nor the exported address");
	t_ok(t_check(p, LEN, 12), "its writes are in the exporter's original memory");
	t_fill(p, LEN, 13);
	t_ok(write(sv[0], &ack, 1) == 1, "tell it the exporter wrote again");
	st = t_wait_child(pid);
	t_ok(st == 0, "the other process read the exporter's new bytes (status %d)", st);
	close(fd);
	close(sv[0]);
	return t_done();
}
