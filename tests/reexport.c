// SPDX-License-Identifier: GPL-2.0
/*
 * Description: a range that is itself a mapping of a whole dma-buf, ours
 * or another exporter's (vgem), exports as that same dma-buf: a new fd for
 * it, no new pins. The access mode must match the dma-buf's own and not
 * exceed the mapping's; part of a dma-buf, or one mixed with other memory,
 * is refused. Only a caller that still holds an fd of the dma-buf, or has
 * CAP_CHECKPOINT_RESTORE, gets one from a mapping (EPERM otherwise).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "importers.h"

#define LEN	(4 * PAGE)
#define NOBODY	65534
#define EXIT_SETUP	200

/*
 * In a child that maps @fd read-write, closes every fd but the device's
 * (and @fd if @keep), becomes nobody (root's capabilities go with root)
 * and exports the mapping: exits with 0 if it got the dma-buf of @fd,
 * else the errno (or EXIT_SETUP).
 */
static int reexport_as_nobody(int fd, bool keep)
{
	int pid = fork(), ret, i;
	void *m;

	if (pid)
		return pid < 0 ? -1 : t_wait_child(pid);
	m = t_map_dmabuf(fd, LEN, PROT_READ | PROT_WRITE, 0);
	if (!m || t_dev() < 0)
		_exit(EXIT_SETUP);
	for (i = 3; i < 1024; i++)
		if (i != t_dev() && (!keep || i != fd))
			close(i);
	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
		_exit(EXIT_SETUP);
	ret = t_export(m, LEN, O_RDWR | O_CLOEXEC);
	if (ret < 0)
		_exit(-ret);
	_exit(keep && t_same_file(ret, fd) ? 0 : EXIT_SETUP);
}

/* Who may have a new fd from a mapping of @fd, a read-write dma-buf. */
static void reexport_policy(int fd, const char *whose)
{
	t_ok(reexport_as_nobody(fd, true) == 0,
	     "%s: an unprivileged caller that holds an fd of it gets the dma-buf", whose);
	t_ok(reexport_as_nobody(fd, false) == EPERM,
	     "%s: one that closed its fd and kept the mapping: EPERM", whose);
}

/*
 * root (CAP_CHECKPOINT_RESTORE) gets @rw's dma-buf with no fd of it open
 * (@rw is closed), and the new fd outlives the original fd and the mapping.
 */
static void orphaned_mapping(int rw)
{
	struct stat st, st2;
	char *m, *q;
	int fd;

	if (fstat(rw, &st))
		t_bail("fstat: %s", strerror(errno));
	m = t_map_dmabuf(rw, LEN, PROT_READ | PROT_WRITE, 0);
	close(rw);
	fd = m ? t_export(m, LEN, O_RDWR | O_CLOEXEC) : -1;
	t_ok(fd >= 0 && !fstat(fd, &st2) && st2.st_ino == st.st_ino,
	     "with CAP_CHECKPOINT_RESTORE, a mapping whose fds were all closed exports its dma-buf");
	if (m)
		munmap(m, LEN);

	q = t_map_dmabuf(fd, LEN, PROT_READ, 0);
	t_ok(q && t_check(q, LEN, 41), "the new fd maps the bytes after the original fd is closed");
	if (q)
		munmap(q, LEN);
	close(fd);
}

/* Our own read-write dma-buf of @p, mapped whole, in part, read-only. */
static void ours_rw(char *p)
{
	int rw = t_export(p, LEN, O_RDWR | O_CLOEXEC), fd;
	long pins = t_pins_held();
	char *m;

	if (rw < 0)
		t_bail("export: %s", strerror(-rw));
	m = t_map_dmabuf(rw, LEN, PROT_READ | PROT_WRITE, 0);
	fd = t_export(m, LEN, O_RDWR | O_CLOEXEC);
	t_ok(t_same_file(fd, rw), "a read-write mapping of a whole dma-buf exports that dma-buf");
	t_ok(t_pins_held() == pins, "and pins nothing more");
	t_ok_errno(t_export(m, LEN, O_RDONLY), EINVAL,
		   "read-only request for a read-write dma-buf (one file, one mode)");
	t_ok_errno(t_export(m, 2 * PAGE, O_RDWR), EFAULT, "part of the mapping");
	t_ok_errno(t_export(m + PAGE, 3 * PAGE, O_RDWR), EFAULT, "the mapping from its 2nd page");
	munmap(m, LEN);
	m = t_map_dmabuf(rw, LEN, PROT_READ, 0);
	t_ok_errno(t_export(m, LEN, O_RDWR), EACCES, "read-write request, read-only mapping");
	munmap(m, LEN);
	m = t_map_dmabuf(rw, 2 * PAGE, PROT_READ | PROT_WRITE, 0);
	t_ok_errno(t_export(m, 2 * PAGE, O_RDWR), EFAULT, "a mapping of part of the dma-buf");
	munmap(m, 2 * PAGE);
	reexport_policy(rw, "vmem-exp's dma-buf");
	close(fd);
	orphaned_mapping(rw);
}

/* Our read-only dma-buf of @p. */
static void ours_ro(char *p)
{
	int ro = t_export(p, LEN, O_RDONLY | O_CLOEXEC), fd;
	char *m;

	if (ro < 0)
		t_bail("export: %s", strerror(-ro));
	m = t_map_dmabuf(ro, LEN, PROT_READ, 0);
	fd = t_export(m, LEN, O_RDONLY | O_CLOEXEC);
	t_ok(t_same_file(fd, ro), "a mapping of a whole read-only dma-buf exports that dma-buf");
	t_ok((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY, "and the new fd is read-only");
	t_ok_errno(t_export(m, LEN, O_RDWR), EACCES, "read-write request for it");
	close(fd);
	munmap(m, LEN);
	close(ro);
}

/* A dma-buf mapping next to ordinary memory: refused, not half-exported. */
static void next_to_anon(char *p)
{
	int rw = t_export(p, LEN, O_RDWR | O_CLOEXEC);
	char *m = t_map_anon(2 * LEN), *m2;

	m2 = mmap(m + LEN, LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, rw, 0);
	t_ok(m2 == m + LEN, "a dma-buf mapped right after anonymous memory");
	t_ok_errno(t_export(m, 2 * LEN, O_RDWR), EFAULT, "the range over both");
	t_ok_errno(t_export(m2, 2 * LEN, O_RDWR), EFAULT, "a range from the dma-buf on");
	munmap(m, 2 * LEN);
	close(rw);
}

/* Another exporter's dma-buf: vgem's. */
static void vgems(void)
{
	int card = vgem_open(), vfd, fd;
	char *m;

	vfd = vgem_dmabuf(card, LEN);
	m = t_map_dmabuf(vfd, LEN, PROT_READ | PROT_WRITE, 0);
	fd = m ? t_export(m, LEN, O_RDWR | O_CLOEXEC) : -1;
	t_ok(t_same_file(fd, vfd), "a mapping of a whole vgem dma-buf exports that dma-buf");
	close(fd);
	reexport_policy(vfd, "vgem's dma-buf");
	if (m)
		munmap(m, LEN);
	close(vfd);
	close(card);
}

int main(void)
{
	char *p = t_map_anon(LEN);

	t_fill(p, LEN, 41);
	ours_rw(p);
	ours_ro(p);
	next_to_anon(p);
	vgems();
	munmap(p, LEN);
	return t_done();
}
