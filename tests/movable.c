// SPDX-License-Identifier: GPL-2.0
/*
 * Description: a hugetlb page in ZONE_MOVABLE (the guest boots with
 * movablecore=50%, kernels.sh's *-movable kernels). A long-term pin must
 * not leave it there: kernels since 6.5 move it out first; 6.1's gup cannot
 * and WARNs when asked to, which any user could then trigger, so vmem-exp
 * refuses such a page with ENOMEM there without asking gup. Either way the
 * kernel log stays clean (the runner checks) and no pin is left behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "harness.h"

#define HUGE	(2UL << 20)

/* Whether frame @pfn lies in a zone Movable of /proc/zoneinfo. */
static bool in_movable(uint64_t pfn, bool *any)
{
	unsigned long start = 0, spanned = 0;
	char line[256];
	bool movable = false, hit = false;
	FILE *f = fopen("/proc/zoneinfo", "r");

	if (!f)
		t_bail("/proc/zoneinfo: %m");
	*any = false;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Node ", 5)) {
			movable = strstr(line, "zone  Movable") || strstr(line, "zone Movable");
			spanned = 0;
		} else if (movable && sscanf(line, " spanned %lu", &spanned) == 1) {
			continue;
		} else if (movable && sscanf(line, " start_pfn: %lu", &start) == 1) {
			if (spanned)
				*any = true;
			if (pfn >= start && pfn < start + spanned)
				hit = true;
		}
	}
	fclose(f);
	return hit;
}

/* Whether this kernel's gup moves hugetlb pages out of ZONE_MOVABLE (6.5+). */
static bool gup_moves_hugetlb(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		t_bail("cannot read the kernel's release");
	return major > 6 || (major == 6 && minor >= 5);
}

int main(void)
{
	unsigned char *p, *q;
	uint64_t pfn;
	long pins;
	bool any;
	int mfd, fd;

	mfd = memfd_create("movable", MFD_HUGETLB);
	if (mfd < 0 || ftruncate(mfd, HUGE))
		t_bail("hugetlb memfd: %m");
	p = mmap(NULL, HUGE, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (p == MAP_FAILED)
		t_bail("mmap hugetlb: %m");
	t_fill(p, HUGE, 5);
	pfn = t_pfn_of(p);
	if (!in_movable(pfn, &any))
		return t_skip_file("movable", "%s",
				   any ? "the hugetlb page is not in ZONE_MOVABLE" :
				   "no ZONE_MOVABLE: boot with movablecore= (kernels.sh *-movable)");
	t_ok(true, "the hugetlb page (frame 0x%llx) is in ZONE_MOVABLE",
	     (unsigned long long)pfn);

	pins = t_pins_held();
	fd = t_export(p, HUGE, O_RDWR);
	if (gup_moves_hugetlb()) {
		t_ok(fd >= 0, "a read-write export of it is made (%d)", fd);
		pfn = t_pfn_of(p);
		t_ok(!in_movable(pfn, &any),
		     "its page was moved out of ZONE_MOVABLE (frame 0x%llx)",
		     (unsigned long long)pfn);
		q = fd >= 0 ? t_map_dmabuf(fd, HUGE, PROT_READ, 0) : NULL;
		t_ok(q && t_check(q, HUGE, 5), "the buffer has the bytes");
		if (q)
			munmap(q, HUGE);
		if (fd >= 0)
			close(fd);
	} else {
		t_ok_errno(fd, ENOMEM, "6.1 cannot move it: the read-write export");
		t_ok_errno(t_export(p, HUGE, O_RDONLY), ENOMEM, "and the read-only one");
		if (fd >= 0)
			close(fd);
	}
	t_ok(t_pins_held() == pins, "no pin left behind (%ld, %ld before)", t_pins_held(), pins);
	munmap(p, HUGE);
	close(mfd);
	return t_done();
}
