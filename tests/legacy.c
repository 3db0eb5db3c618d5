// SPDX-License-Identifier: GPL-2.0
/*
 * Description: the design document's legacy-driver use case. Memory that a
 * driver without dma-buf support allocated and mapped into the process is
 * exported through vmem-exp and reaches other drivers with zero copies:
 * - vivid's MMAP buffers, VM_MIXEDMAP with vb2's vmalloc allocator and
 *   VM_PFNMAP with its dma-contig allocator (held through vb2's own
 *   reference on the buffer), imported into vgem and into a second vivid
 *   instance's output, whose picture vivid loops back to its capture;
 * - a legacy contiguous-memory allocator (tests/kmod/vmem_test_cmem.c,
 *   frees on request even while mapped): remap_pfn_range() memory, held by
 *   page references once the administrator names it in pfnmap_drivers
 *   (blanks around a name do not count; a subsystem's core, such as uio or
 *   videodev, cannot be named), and vm_insert_page() memory (VM_MIXEDMAP),
 *   held by pins.
 * In both, the exporting driver frees its memory first and allocates again:
 * the dma-buf keeps its bytes and the new memory never aliases it, and its
 * release frees those pages (no reference left behind). Every
 * refusal has its errno: EPERM for a raw PFN mapping nothing can hold,
 * ENXIO for frames that are not ordinary RAM or raw PFNs in a VM_MIXEDMAP
 * mapping, EACCES for more access than the mapping grants (also where its
 * entries are read-only and the driver refuses a write fault).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"
#include "importers.h"
#include "kmod/vmem_test_cmem.h"

#define W	640
#define H	480
#define CMEM_LEN	(256 * PAGE)
#define CMEM_DRIVER	"vmem_test_cmem"

static int cmem_fd(void)
{
	static int fd = -1;

	if (fd < 0)
		fd = open("/dev/vmem-test-cmem", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		t_bail("/dev/vmem-test-cmem: %m");
	return fd;
}

/* Allocate @len bytes in the legacy driver and map them: the address. */
static void *cmem_map(size_t len, unsigned int mode, int prot, unsigned int *id)
{
	struct vmem_test_cmem_alloc a = { .size = len, .mode = mode };
	void *p;

	if (ioctl(cmem_fd(), VMEM_TEST_CMEM_IOC_ALLOC, &a))
		t_bail("cmem alloc (mode %u): %m", mode);
	p = mmap(NULL, len, prot, MAP_SHARED, cmem_fd(), (off_t)a.id * PAGE);
	if (p == MAP_FAILED)
		t_bail("cmem mmap: %m");
	*id = a.id;
	return p;
}

static void cmem_unmap_free(void *p, size_t len, unsigned int id)
{
	munmap(p, len);
	if (ioctl(cmem_fd(), VMEM_TEST_CMEM_IOC_FREE, &id))
		t_bail("cmem free: %m");
}

/*
 * The frames behind [p, p + len) of a VM_MIXEDMAP mapping, from pagemap
 * (which shows none for VM_PFNMAP mappings), or of legacy allocation @id
 * if @p is NULL, as the driver reports them. Bails out on a missing one.
 */
static uint64_t *frames(const void *p, size_t len, unsigned int id)
{
	uint64_t *f = calloc(len / PAGE, sizeof(*f));

	if (!f)
		t_bail("calloc");
	for (size_t i = 0; i < len / PAGE; i++) {
		struct vmem_test_cmem_pfn q = { .id = id, .index = i };

		if (p)
			q.pfn = t_pfn_of((const char *)p + i * PAGE);
		else if (ioctl(cmem_fd(), VMEM_TEST_CMEM_IOC_PFN, &q))
			t_bail("cmem pfn: %m");
		if (!q.pfn)
			t_bail("no frame behind page %zu", i);
		f[i] = q.pfn;
	}
	return f;
}

/* How many of the @n frames @new are among the @n frames @old. */
static size_t aliases(const uint64_t *new, const uint64_t *old, size_t n)
{
	size_t hits = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			hits += new[i] == old[j];
	return hits;
}

static bool dmabuf_holds(int fd, size_t len, const void *want)
{
	void *q = t_map_dmabuf(fd, len, PROT_READ, 0);
	bool same;

	if (!q)
		return false;
	same = !memcmp(q, want, len);
	munmap(q, len);
	return same;
}

static void vgem_takes(const char *what, int fd)
{
	int card = vgem_open();
	uint32_t handle;
	int ret;

	ret = vgem_import(card, fd, &handle);
	t_ok(!ret, "%s: vgem imports the export (PRIME): %s", what,
	     ret ? strerror(-ret) : "done");
	if (!ret)
		vgem_close_handle(card, handle);
	close(card);
}

/*
 * New buffers of the source driver (vivid instance @src) never alias the
 * export @fd of @len bytes, whose frame is @copy and, for VM_MIXEDMAP,
 * whose frames are @old (else NULL).
 */
static void new_buffer_no_alias(const char *what, int src, const uint64_t *old, int fd,
				size_t len, const unsigned char *copy)
{
	size_t size, nlen;
	uint64_t *new;
	int video, ret;
	void *p;

	video = vivid_open(src, false, W, H, &size);
	ret = vivid_mmap_frame(video, &p, &nlen);
	if (!t_ok(!ret, "%s: vivid captures into a new MMAP buffer", what))
		t_bail("MMAP capture: %s", strerror(-ret));
	if (old) {
		new = frames(p, nlen, 0);
		t_ok(!aliases(new, old, nlen / PAGE),
		     "%s: vivid's new buffer shares no frame with the export", what);
		free(new);
	}
	memset(p, 0x11, nlen);
	munmap(p, nlen);
	vivid_free_mmap(video);
	close(video);
	t_ok(dmabuf_holds(fd, len, copy),
	     "%s: after writes all over vivid's new buffer, the dma-buf still shows the frame",
	     what);
}

/*
 * vivid instance @src captures into its own MMAP buffer; the mapping is
 * exported, vivid frees its buffer, and the frame still reaches vgem and
 * instance @sink, and no new vivid buffer aliases it: compared frame by
 * frame where pagemap shows them (VM_MIXEDMAP), and by writing the new
 * buffer everywhere.
 */
static void vivid_mmap_export(const char *what, int src, int sink,
			      const char *flag)
{
	bool mixed = !strcmp(flag, "mm");
	long pin_kb = t_vm_pin_kb();
	unsigned char *copy, *loop;
	uint64_t *old = NULL;
	size_t size, len;
	void *p;
	int video, fd, ret;

	video = vivid_open(src, false, W, H, &size);
	ret = vivid_mmap_frame(video, &p, &len);
	if (!t_ok(!ret, "%s: vivid captures into its MMAP buffer", what))
		t_bail("MMAP capture: %s", strerror(-ret));
	t_ok(t_vma_flag(p, flag), "%s: the buffer is a %s mapping", what,
	     mixed ? "VM_MIXEDMAP" : "VM_PFNMAP");
	copy = malloc(len);
	loop = malloc(size);
	if (!copy || !loop)
		t_bail("malloc");
	memcpy(copy, p, len);
	if (mixed)
		old = frames(p, len, 0);

	fd = t_export(p, len, O_RDWR | O_CLOEXEC);
	if (!t_ok(fd >= 0, "%s: export of vivid's buffer: %s", what,
		  fd < 0 ? strerror(-fd) : "done"))
		t_bail("cannot go on");
	t_ok(t_vm_pin_kb() - pin_kb == (long)(len / 1024),
	     "%s: the export is charged to VmPin (%ld kB)", what,
	   t_vm_pin_kb() - pin_kb);
	t_ok(dmabuf_holds(fd, len, copy), "%s: the dma-buf shows the frame", what);

	/* vivid frees its buffer first: the export keeps it alive. */
	munmap(p, len);
	vivid_free_mmap(video);
	close(video);
	t_ok(dmabuf_holds(fd, len, copy),
	     "%s: vivid freed its buffer: the dma-buf still shows the frame", what);

	vgem_takes(what, fd);
	ret = vivid_loop_frame(sink, fd, size, loop, size);
	t_ok(!ret && !memcmp(loop, copy, size),
	     "%s: vivid instance %d outputs the dma-buf and loops back the same frame: %s",
	   what, sink, ret ? strerror(-ret) : "done");

	new_buffer_no_alias(what, src, mixed ? old : NULL, fd, len, copy);
	close(fd);
	t_ok(t_vm_pin_kb() == pin_kb, "%s: closing the dma-buf returns the charge",
	     what);
	free(old);
	free(copy);
	free(loop);
}

/* The kernel's own [vvar] mapping: raw PFNs of no driver at all. */
static void vvar_refused(void)
{
	unsigned long lo, hi;
	char line[256];
	bool found = false;
	FILE *f = fopen("/proc/self/maps", "r");

	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, "[vvar]") && sscanf(line, "%lx-%lx", &lo, &hi) == 2;
	if (f)
		fclose(f);
	if (!found) {
		t_skip("no [vvar] mapping", "[vvar]: a raw PFN mapping of no driver");
		return;
	}
	/* VM_IO | VM_PFNMAP on 6.1 and 6.12, VM_IO | VM_MIXEDMAP on 7.2. */
	t_ok(t_vma_flag((void *)lo, "pf") || t_vma_flag((void *)lo, "io"),
	     "[vvar] is a raw PFN mapping (VM_PFNMAP or VM_IO)");
	t_set_param_str("pfnmap_drivers", CMEM_DRIVER);
	t_ok_errno(t_export((void *)lo, PAGE, O_RDONLY), EPERM,
		   "[vvar]: a raw PFN mapping of no driver");
	t_set_param_str("pfnmap_drivers", "");
}

/* A mapping of the legacy driver: refused until the administrator says. */
static void cmem_refusals(void)
{
	static const struct {
		unsigned int mode;
		const char *what;
	} bad[] = {
		{ VMEM_TEST_CMEM_UNSPLIT,
		  "an unsplit high-order allocation (tail pages have no count)" },
		{ VMEM_TEST_CMEM_RESERVED, "reserved pages" },
		{ VMEM_TEST_CMEM_NOPAGE, "a physical range with no struct page" },
	};
	unsigned int id;
	char *p;
	int fd;

	p = cmem_map(CMEM_LEN, VMEM_TEST_CMEM_SPLIT, PROT_READ | PROT_WRITE, &id);
	t_ok(t_vma_flag(p, "pf") && t_vma_flag(p, "io"),
	     "the legacy driver's mapping is VM_IO | VM_PFNMAP");
	t_set_param_str("pfnmap_drivers", "");
	t_ok_errno(t_export(p, CMEM_LEN, O_RDONLY), EPERM,
		   "legacy driver not named in pfnmap_drivers, read-only");
	t_ok_errno(t_export(p, CMEM_LEN, O_RDWR), EPERM,
		   "legacy driver not named in pfnmap_drivers, read-write");
	t_set_param_str("pfnmap_drivers", "vmem_test,cmem,vmem_test_cmem_x");
	t_ok_errno(t_export(p, CMEM_LEN, O_RDWR), EPERM,
		   "pfnmap_drivers names only other drivers (prefixes, suffixes)");
	cmem_unmap_free(p, CMEM_LEN, id);

	t_set_param_str("pfnmap_drivers", "foo," CMEM_DRIVER);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		p = cmem_map(CMEM_LEN, bad[i].mode, PROT_READ, &id);
		t_ok_errno(t_export(p, CMEM_LEN, O_RDONLY), ENXIO, bad[i].what);
		cmem_unmap_free(p, CMEM_LEN, id);
	}

	/* gup pins no raw PFN entry of a VM_MIXEDMAP mapping. */
	p = cmem_map(CMEM_LEN, VMEM_TEST_CMEM_MIXED_PFN, PROT_READ, &id);
	t_ok(t_vma_flag(p, "mm") && !t_vma_flag(p, "pf"),
	     "vmf_insert_mixed() mapping is VM_MIXEDMAP");
	t_ok_errno(t_export(p, CMEM_LEN, O_RDONLY), ENXIO,
		   "raw PFN entries in a VM_MIXEDMAP mapping (gup's EEXIST)");
	cmem_unmap_free(p, CMEM_LEN, id);

	/* Only what the mapping grants: a read-only mapping, a read-only export. */
	p = cmem_map(CMEM_LEN, VMEM_TEST_CMEM_SPLIT, PROT_READ, &id);
	t_ok_errno(t_export(p, CMEM_LEN, O_RDWR), EACCES,
		   "read-write export of a read-only legacy mapping");
	fd = t_export(p, CMEM_LEN, O_RDONLY | O_CLOEXEC);
	t_ok(fd >= 0 && !t_map_dmabuf(fd, CMEM_LEN, PROT_READ | PROT_WRITE, 0) &&
	     errno == EACCES,
	   "read-only export of a read-only legacy mapping refuses a writable mmap");
	if (fd >= 0)
		close(fd);
	cmem_unmap_free(p, CMEM_LEN, id);
}

#define PFNMAP_DRIVERS	"/sys/module/vmem_exp/parameters/pfnmap_drivers"

/* Write @val to pfnmap_drivers: 0 or -errno (t_set_param_str() bails out). */
static int try_pfnmap_drivers(const char *val)
{
	int fd = open(PFNMAP_DRIVERS, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Whether pfnmap_drivers reads back as @val. */
static bool pfnmap_drivers_is(const char *val)
{
	char buf[300] = "";
	FILE *f = fopen(PFNMAP_DRIVERS, "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
	return !strcmp(buf, val);
}

/* @s with its tabs and newlines as \\t and \\n, into @out. */
static void shown(char *out, size_t size, const char *s)
{
	size_t n = 0;

	for (; *s && n + 3 < size; s++) {
		if (*s == '\t' || *s == '\n') {
			out[n++] = '\\';
			out[n++] = *s == '\t' ? 't' : 'n';
		} else {
			out[n++] = *s;
		}
	}
	out[n] = '\0';
}

/*
 * How pfnmap_drivers reads its list: blanks around a name do not count,
 * and the name of a subsystem's core, which owns the file_operations of
 * all its drivers' device files, is refused.
 */
static void pfnmap_driver_names(void)
{
	static const char *const spaced[] = {
		"foo, " CMEM_DRIVER, " " CMEM_DRIVER " ,foo", "foo,\n \t" CMEM_DRIVER "\t",
	};
	static const char *const cores[] = {
		"uio", "videodev", "foo, videodev", CMEM_DRIVER ",uio ", "fb", "drm",
	};
	char what[128];
	unsigned int id;
	char *p;
	int fd;

	p = cmem_map(CMEM_LEN, VMEM_TEST_CMEM_SPLIT, PROT_READ, &id);
	for (size_t i = 0; i < ARRAY_SIZE(spaced); i++) {
		t_set_param_str("pfnmap_drivers", spaced[i]);
		fd = t_export(p, CMEM_LEN, O_RDONLY | O_CLOEXEC);
		shown(what, sizeof(what), spaced[i]);
		t_ok(fd >= 0, "pfnmap_drivers \"%s\" names the legacy driver (%s)", what,
		     fd < 0 ? strerrorname_np(-fd) : "exported");
		if (fd >= 0)
			close(fd);
	}

	t_set_param_str("pfnmap_drivers", CMEM_DRIVER);
	for (size_t i = 0; i < ARRAY_SIZE(cores); i++) {
		snprintf(what, sizeof(what),
			 "pfnmap_drivers \"%s\" names a subsystem's core, refused", cores[i]);
		t_ok_errno(try_pfnmap_drivers(cores[i]), EINVAL, what);
	}
	t_ok(pfnmap_drivers_is(CMEM_DRIVER), "a refused list leaves the old one in place");
	fd = t_export(p, CMEM_LEN, O_RDONLY | O_CLOEXEC);
	t_ok(fd >= 0, "which still names the legacy driver");
	if (fd >= 0)
		close(fd);
	t_set_param_str("pfnmap_drivers", "");
	cmem_unmap_free(p, CMEM_LEN, id);
}

/*
 * How many of the @n frames @f, which the legacy driver freed, are free
 * pages now (no reference left).
 */
static size_t frames_free(const uint64_t *f, size_t n)
{
	size_t nfree = 0;

	for (size_t i = 0; i < n; i++) {
		struct vmem_test_cmem_refs r = { .pfn = f[i] };

		if (ioctl(cmem_fd(), VMEM_TEST_CMEM_IOC_REFS, &r))
			t_bail("cmem refs: %m");
		nfree += !r.refs;
	}
	return nfree;
}

/*
 * The driver hands out as much memory again as it freed of the export @fd
 * (whose frames were @old): none of it is the export's, which keeps its
 * bytes (seed 51).
 */
static void reallocated(const char *what, int fd, const uint64_t *old)
{
	unsigned int ids[6];
	char *again[6], *q;
	size_t hits = 0;
	uint64_t *new;

	for (size_t i = 0; i < ARRAY_SIZE(again); i++) {
		again[i] = cmem_map(CMEM_LEN, i % 2 ? VMEM_TEST_CMEM_PAGES :
					VMEM_TEST_CMEM_SPLIT,
				    PROT_READ | PROT_WRITE, &ids[i]);
		memset(again[i], 0xee, CMEM_LEN);
		new = frames(NULL, CMEM_LEN, ids[i]);
		hits += aliases(new, old, CMEM_LEN / PAGE);
		free(new);
	}
	t_ok(!hits, "%s: %zu new allocations share no frame with the export (%zu shared)",
	     what, ARRAY_SIZE(again), hits);
	q = t_map_dmabuf(fd, CMEM_LEN, PROT_READ, 0);
	t_ok(q && t_check(q, CMEM_LEN, 51),
	     "%s: freed and reallocated there, the dma-buf keeps its bytes", what);
	if (q)
		munmap(q, CMEM_LEN);
	for (size_t i = 0; i < ARRAY_SIZE(again); i++)
		cmem_unmap_free(again[i], CMEM_LEN, ids[i]);
}

/*
 * Export the legacy driver's memory, mapped as @mode says, free it there
 * and allocate again: the dma-buf keeps its bytes, and no new allocation
 * aliases its frames. @drivers: pfnmap_drivers meanwhile.
 */
static void cmem_free_first(const char *what, unsigned int mode,
			    const char *drivers)
{
	long pin_kb = t_vm_pin_kb();
	unsigned int id;
	uint64_t *old;
	size_t hits;
	char *p, *q;
	int fd;

	t_set_param_str("pfnmap_drivers", drivers);
	p = cmem_map(CMEM_LEN, mode, PROT_READ | PROT_WRITE, &id);
	t_fill(p, CMEM_LEN, 51);
	old = frames(NULL, CMEM_LEN, id);

	fd = t_export(p, CMEM_LEN, O_RDWR | O_CLOEXEC);
	if (!t_ok(fd >= 0, "%s: export: %s", what, fd < 0 ? strerror(-fd) : "done"))
		t_bail("cannot go on");
	t_ok(t_vm_pin_kb() - pin_kb == (long)(CMEM_LEN / 1024),
	     "%s: the export is charged to VmPin", what);
	q = t_map_dmabuf(fd, CMEM_LEN, PROT_READ | PROT_WRITE, 0);
	t_ok(q && t_check(q, CMEM_LEN, 51), "%s: the dma-buf shows the memory", what);
	if (q) {
		q[5] = 0x7e;
		t_ok(p[5] == 0x7e,
		     "%s: zero copies: a dma-buf write shows in the driver's mapping", what);
		t_fill(q, CMEM_LEN, 51);
		munmap(q, CMEM_LEN);
	}
	vgem_takes(what, fd);

	/* The driver frees its memory, then hands out the same amount again. */
	cmem_unmap_free(p, CMEM_LEN, id);
	reallocated(what, fd, old);

	/* The administrator withdraws the driver: existing exports stay. */
	t_set_param_str("pfnmap_drivers", "");
	q = t_map_dmabuf(fd, CMEM_LEN, PROT_READ, 0);
	t_ok(q && t_check(q, CMEM_LEN, 51),
	     "%s: pfnmap_drivers emptied, the export lives on", what);
	if (q)
		munmap(q, CMEM_LEN);
	t_ok(!frames_free(old, CMEM_LEN / PAGE), "%s: the export holds every page the driver freed",
	     what);
	close(fd);
	t_ok(t_vm_pin_kb() == pin_kb, "%s: closing the dma-buf returns the charge", what);
	/*
	 * Its release drops the last reference to each: they are free pages,
	 * but for the few the kernel may have taken again since.
	 */
	hits = frames_free(old, CMEM_LEN / PAGE);
	t_ok(hits + 8 >= CMEM_LEN / PAGE, "%s: closing it frees the pages (%zu of %zu free)",
	     what, hits, CMEM_LEN / PAGE);
	free(old);
}

/*
 * A writable mapping whose entries the driver made read-only: a read-write
 * export gets no more than the owner's own write would. Where the driver
 * refuses a write fault (pfn_mkwrite: SIGBUS), EACCES, and the read-only
 * export works; where the kernel lets the write through, the export
 * faults the entries writable first, and its writes reach the memory.
 */
static void cmem_readonly_entries(void)
{
	unsigned int id;
	char *p, *q;
	int fd, pid;

	t_set_param_str("pfnmap_drivers", CMEM_DRIVER);
	p = cmem_map(CMEM_LEN, VMEM_TEST_CMEM_SPLIT | VMEM_TEST_CMEM_RO | VMEM_TEST_CMEM_NOWRITE,
		     PROT_READ | PROT_WRITE, &id);
	pid = fork();
	if (pid == 0) {
		p[0] = 1;
		_exit(0);
	}
	t_ok(t_wait_child(pid) == -1,
	     "read-only entries, write faults refused: the owner's write faults");
	t_ok_errno(t_export(p, CMEM_LEN, O_RDWR), EACCES,
		   "read-only entries, write faults refused: read-write export");
	fd = t_export(p, CMEM_LEN, O_RDONLY | O_CLOEXEC);
	q = fd >= 0 ? t_map_dmabuf(fd, CMEM_LEN, PROT_READ, 0) : NULL;
	t_ok(q && t_all_bytes(q, CMEM_LEN, 0),
	     "read-only entries, write faults refused: the read-only export reads the memory");
	if (q)
		munmap(q, CMEM_LEN);
	if (fd >= 0)
		close(fd);
	cmem_unmap_free(p, CMEM_LEN, id);

	p = cmem_map(CMEM_LEN, VMEM_TEST_CMEM_SPLIT | VMEM_TEST_CMEM_RO,
		     PROT_READ | PROT_WRITE, &id);
	fd = t_export(p, CMEM_LEN, O_RDWR | O_CLOEXEC);
	q = fd >= 0 ? t_map_dmabuf(fd, CMEM_LEN, PROT_READ | PROT_WRITE, 0) : NULL;
	if (q)
		q[7] = 0x5c;
	t_ok(q && p[7] == 0x5c,
	     "read-only entries that a write fault makes writable: the read-write export writes");
	if (q)
		munmap(q, CMEM_LEN);
	if (fd >= 0)
		close(fd);
	cmem_unmap_free(p, CMEM_LEN, id);
	t_set_param_str("pfnmap_drivers", "");
}

/*
 * vivid's dma-contig buffers are write-combined on arm64, where a range of
 * them and cacheable memory is refused (tests/memtype.c): there the mixed
 * range takes vivid's vmalloc buffer.
 */
#if defined(__aarch64__)
#define MIXED_VIVID	VIVID_VMALLOC
#else
#define MIXED_VIVID	VIVID_DMA_CONTIG
#endif

/* One range over ordinary memory, the legacy driver and vivid's buffer. */
static void mixed_range(void)
{
	size_t size, vlen, len = 2 * PAGE + CMEM_LEN;
	unsigned int id;
	char *area, *c, *q;
	void *v;
	int video, fd;

	t_set_param_str("pfnmap_drivers", CMEM_DRIVER);
	video = vivid_open(MIXED_VIVID, false, W, H, &size);
	if (vivid_mmap_frame(video, &v, &vlen))
		t_bail("vivid MMAP capture");
	len += vlen;

	/* [anon page][legacy driver][anon page][vivid buffer], back to back. */
	area = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	c = cmem_map(CMEM_LEN, VMEM_TEST_CMEM_SPLIT, PROT_READ | PROT_WRITE, &id);
	if (area == MAP_FAILED ||
	    mremap(c, CMEM_LEN, CMEM_LEN, MREMAP_MAYMOVE | MREMAP_FIXED,
		   area + PAGE) == MAP_FAILED ||
	    mremap(v, vlen, vlen, MREMAP_MAYMOVE | MREMAP_FIXED,
		   area + 2 * PAGE + CMEM_LEN) == MAP_FAILED)
		t_bail("mixed layout: %m");
	memset(area, 0x31, PAGE);
	t_fill(area + PAGE, CMEM_LEN, 77);
	memset(area + PAGE + CMEM_LEN, 0x32, PAGE);

	fd = t_export(area, len, O_RDWR | O_CLOEXEC);
	t_ok(fd >= 0, "mixed range (anonymous, legacy driver, anonymous, vivid): export: %s",
	     fd < 0 ? strerror(-fd) : "done");
	q = fd >= 0 ? t_map_dmabuf(fd, len, PROT_READ, 0) : NULL;
	t_ok(q && t_all_bytes(q, PAGE, 0x31) && t_check(q + PAGE, CMEM_LEN, 77) &&
	     t_all_bytes(q + PAGE + CMEM_LEN, PAGE, 0x32) &&
	   !memcmp(q + 2 * PAGE + CMEM_LEN, area + 2 * PAGE + CMEM_LEN, vlen),
	   "mixed range: the dma-buf shows each part in place");
	if (q)
		munmap(q, len);
	if (fd >= 0)
		vgem_takes("mixed range", fd);

	/* Both drivers free their memory; the export holds all of it. */
	munmap(area + 2 * PAGE + CMEM_LEN, vlen);
	vivid_free_mmap(video);
	close(video);
	cmem_unmap_free(area + PAGE, CMEM_LEN, id);
	munmap(area, len);
	q = fd >= 0 ? t_map_dmabuf(fd, len, PROT_READ, 0) : NULL;
	t_ok(q && t_check(q + PAGE, CMEM_LEN, 77),
	     "mixed range: both drivers freed their memory, the dma-buf keeps it");
	if (q)
		munmap(q, len);
	if (fd >= 0)
		close(fd);
	t_set_param_str("pfnmap_drivers", "");
}

int main(void)
{
	long pins = t_pins_held();

	vivid_mmap_export("vivid vmalloc (VM_MIXEDMAP)", VIVID_VMALLOC,
			  VIVID_VMALLOC_2, "mm");
	vivid_mmap_export("vivid dma-contig (VM_PFNMAP)", VIVID_DMA_CONTIG,
			  VIVID_DMA_CONTIG_2, "pf");
	vvar_refused();
	cmem_refusals();
	pfnmap_driver_names();
	cmem_free_first("legacy driver, remap_pfn_range (VM_PFNMAP)",
			VMEM_TEST_CMEM_SPLIT, CMEM_DRIVER);
	cmem_free_first("legacy driver, vm_insert_page (VM_MIXEDMAP)",
			VMEM_TEST_CMEM_MIXED, "");
	cmem_readonly_entries();
	mixed_range();
	t_ok(t_pins_held() == pins, "every pin released");
	return t_done();
}
