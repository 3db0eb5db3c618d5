// SPDX-License-Identifier: GPL-2.0
/*
 * Description: memory types. Every mapping a vmem-exp dma-buf makes, its
 * userspace mmap and its kernel vmap, has the memory type the exporting
 * driver's mapping gave the frames: read from the page table entries
 * themselves by the test-only DMA device (tests/kmod/vmem_test_dma.c), of
 * the driver's mapping and of the dma-buf's mmap, and for dma_buf_vmap()
 * the protection the exporter passes to vmap() (a module cannot reach the
 * kernel's page tables: init_mm is not exported).
 * - Write-combined memory (arm64: normal non-cacheable) stays so: the
 *   test-only allocator's write-combined mappings, and on arm64 vivid's
 *   dma-contig buffers (its platform device is not DMA-coherent there, so
 *   vb2 maps them non-cacheable; on x86 they are cacheable).
 * - Uncached (device) memory is refused with ENXIO, and a range whose
 *   mappings have different memory types with EXDEV.
 * - On x86 the PAT keeps a RAM frame's own type (write-back) in a
 *   remap_pfn_range() mapping whatever the driver asked for; vmem-exp
 *   follows the page table entries, not the request.
 * TCG models no cache, so a wrong type would not corrupt data here: the
 * page table entries are what is checked.
 * - The kernel mapping is made once and kept until the buffer is released
 *   (/proc/vmallocinfo lists it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"
#include "importers.h"
#include "kmod/vmem_test_cmem.h"
#include "kmod/vmem_test_dma.h"

#define W	640
#define H	480
#define LEN	(16 * PAGE)
#define CMEM_DRIVER	"vmem_test_cmem"

#if defined(__aarch64__)
#define ARM64	1
#else
#define ARM64	0
#endif

static const char *const mt_names[] = {
	[VMEM_TEST_DMA_MT_NONE] = "not mapped",
	[VMEM_TEST_DMA_MT_CACHED] = "cacheable",
	[VMEM_TEST_DMA_MT_WC] = "write-combined",
	[VMEM_TEST_DMA_MT_UC] = "uncached",
	[VMEM_TEST_DMA_MT_OTHER] = "another type",
};

static const char *mt_name(unsigned int mt)
{
	return mt <= VMEM_TEST_DMA_MT_OTHER ? mt_names[mt] : "?";
}

static int open_once(int *fd, const char *path)
{
	if (*fd < 0)
		*fd = open(path, O_RDWR | O_CLOEXEC);
	if (*fd < 0)
		t_bail("%s: %m", path);
	return *fd;
}

static int tdma(void)
{
	static int fd = -1;

	return open_once(&fd, "/dev/vmem-test-dma");
}

static int cmem(void)
{
	static int fd = -1;

	return open_once(&fd, "/dev/vmem-test-cmem");
}

/* This kernel's write-combined is uncached (x86 without PAT). */
static bool wc_is_uc;

/* The memory type of the page table entry that maps @p (faulted in). */
static unsigned int mt_user(const void *p)
{
	struct vmem_test_dma_memtype m = { .addr = (uintptr_t)p };

	(void)*(const volatile char *)p;
	if (ioctl(tdma(), VMEM_TEST_DMA_IOC_MEMTYPE, &m))
		t_bail("memtype of %p: %m", p);
	wc_is_uc = m.wc_is_uc;
	return m.memtype;
}

/*
 * The memory type of a kernel importer's vmap of dma-buf @fd; -1 on a
 * kernel without kprobes (the debug kernel), which cannot tell.
 */
static int mt_vmap(int fd)
{
	struct vmem_test_dma_memtype m = { .fd = fd };

	if (ioctl(tdma(), VMEM_TEST_DMA_IOC_MEMTYPE, &m)) {
		if (errno == EOPNOTSUPP)
			return -1;
		t_bail("memtype of a vmap: %m");
	}
	return (int)m.memtype;
}

/*
 * Maps @len bytes of the test-only allocator, @mode (a VMEM_TEST_CMEM_* mode
 * with a memory type or'ed in), at @at if not NULL; filled with @seed.
 */
static void *cmem_map(size_t len, unsigned int mode, void *at, uint32_t seed)
{
	struct vmem_test_cmem_alloc a = { .size = len, .mode = mode };
	void *p;

	if (ioctl(cmem(), VMEM_TEST_CMEM_IOC_ALLOC, &a))
		t_bail("cmem alloc (mode %#x): %m", mode);
	p = mmap(at, len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | (at ? MAP_FIXED : 0), cmem(), (off_t)a.id * PAGE);
	if (p == MAP_FAILED)
		t_bail("cmem mmap: %m");
	t_fill(p, len, seed);
	return p;
}

/*
 * Exports [@p, @p + @len), whose owner maps it as type @drv, and checks
 * the outcome: refused with ENXIO if @drv is neither cacheable nor
 * write-combined, or if @refused; else the dma-buf's mmap and vmap have
 * type @drv and show the same bytes.
 */
static void export_as(const char *what, void *p, size_t len, unsigned int drv,
		      bool refused)
{
	unsigned int mt;
	int fd, vmt;
	void *q;

	fd = t_export(p, len, O_RDWR | O_CLOEXEC);
	if ((drv != VMEM_TEST_DMA_MT_CACHED && drv != VMEM_TEST_DMA_MT_WC) ||
	    refused) {
		t_ok_errno(fd, ENXIO, what);
		if (fd >= 0)
			close(fd);
		return;
	}
	if (!t_ok(fd >= 0, "%s: exported: %s", what,
		  fd < 0 ? strerror(-fd) : "done"))
		return;
	q = t_map_dmabuf(fd, len, PROT_READ | PROT_WRITE, 0);
	if (!t_ok(!!q, "%s: the dma-buf maps", what)) {
		close(fd);
		return;
	}
	mt = mt_user(q);
	t_ok(mt == drv, "%s: the dma-buf's mmap is %s, as the owner's mapping (%s)",
	     what, mt_name(mt), mt_name(drv));
	mt = mt_user((char *)q + len - PAGE);
	t_ok(mt == drv, "%s: so is its last page (%s)", what, mt_name(mt));
	vmt = mt_vmap(fd);
	if (vmt < 0)
		t_skip("this kernel has no kprobes, which read the vmap's protection",
		       "%s: a kernel importer's vmap maps as the owner's mapping",
		     what);
	else
		t_ok((unsigned int)vmt == drv,
		     "%s: a kernel importer's vmap maps %s, as the owner's mapping (%s)",
		   what, mt_name(vmt), mt_name(drv));
	t_ok(!memcmp(p, q, len), "%s: the dma-buf shows the owner's bytes", what);
	munmap(q, len);
	close(fd);
}

/*
 * The test-only allocator's memory mapped as @mode asks: its mapping has
 * type @want; the export is refused with ENXIO if @refused.
 */
static void cmem_case(const char *what, unsigned int mode, unsigned int want,
		      bool refused)
{
	void *p = cmem_map(LEN, mode, NULL, 7);
	unsigned int drv = mt_user(p);

	t_ok(drv == want, "%s: the allocator's mapping is %s (expected %s)",
	     what, mt_name(drv), mt_name(want));
	export_as(what, p, LEN, drv, refused);
	munmap(p, LEN);
}

/*
 * Anonymous memory followed by a mapping of the allocator in @mode: one
 * range, two memory types unless the allocator's is cacheable; refused
 * with @err if it is write-combined, ENXIO if uncached.
 */
/* The driver's count of exports refused with EXDEV, -1 if it has none. */
static long refused_exdev(void)
{
	FILE *f = fopen("/sys/class/misc/vmem-exp/refused/EXDEV", "r");
	long n = -1;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

static void mixed_case(const char *what, unsigned int mode, int err)
{
	char *p = t_map_anon(2 * LEN);
	unsigned int drv;
	long exdev;
	int fd;

	t_fill(p, LEN, 3);
	cmem_map(LEN, mode, p + LEN, 4);
	drv = mt_user(p + LEN);
	exdev = refused_exdev();
	fd = t_export(p, 2 * LEN, O_RDWR | O_CLOEXEC);
	if (fd == -EXDEV)
		t_ok(exdev >= 0 && refused_exdev() == exdev + 1,
		     "%s: counted in refused/EXDEV (%ld, then %ld)", what, exdev, refused_exdev());
	if (drv == VMEM_TEST_DMA_MT_CACHED)
		t_ok(fd >= 0, "%s: the allocator maps cacheable here: one type, exported: %s",
		     what, fd < 0 ? strerror(-fd) : "done");
	else
		t_ok_errno(fd, drv == VMEM_TEST_DMA_MT_WC ? err : ENXIO, what);
	if (fd >= 0)
		close(fd);
	munmap(p, 2 * LEN);
}

/* vivid instance @inst's MMAP buffer, exported. */
static void vivid_case(const char *what, int inst, unsigned int want)
{
	size_t size, len;
	unsigned int drv;
	int video, ret;
	void *p;

	video = vivid_open(inst, false, W, H, &size);
	ret = vivid_mmap_frame(video, &p, &len);
	if (!t_ok(!ret, "%s: vivid captures into its MMAP buffer", what))
		t_bail("MMAP capture: %s", strerror(-ret));
	drv = mt_user(p);
	t_ok(drv == want, "%s: vivid maps its buffer %s (expected %s)",
	     what, mt_name(drv), mt_name(want));
	export_as(what, p, len, drv, false);
	munmap(p, len);
	vivid_free_mmap(video);
	close(video);
}

/*
 * How many kernel mappings of @pages pages vmem-exp's vmap has made that
 * /proc/vmallocinfo lists now; *@start: the start of the last one. A line
 * is "START-END SIZE CALLER ..."; a vmap()'s SIZE counts its guard page,
 * and it has no "pages=" (only vmalloc's areas do).
 */
static int kernel_maps(unsigned long pages, unsigned long long *start)
{
	unsigned long long from, size;
	char line[512];
	FILE *f = fopen("/proc/vmallocinfo", "re");
	int n = 0;

	if (!f)
		t_bail("/proc/vmallocinfo: %m");
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "vmem_exp_vmap") &&
		    sscanf(line, "%llx-%*[0-9a-fx] %llu", &from, &size) == 2 &&
		    size == (pages + 1) * PAGE) {
			*start = from;
			n++;
		}
	fclose(f);
	return n;
}

/*
 * A buffer's kernel mapping is made by the first vmap and kept until the
 * buffer is released (64-bit kernels), so that an importer that vmaps and
 * vunmaps it per use (vb2's vmalloc allocator, per frame) finds it made:
 * two such uses in turn leave one mapping, at one address, and closing
 * the buffer's only fd frees it. The page count (23) is this case's alone.
 */
static void kept_vmap(void)
{
	const unsigned long pages = 23;
	unsigned long long first = 0, second = 0;
	char *p = t_map_anon(pages * PAGE);
	int fd, dev = tdma(), n;

	t_fill(p, pages * PAGE, 3);
	fd = t_export(p, pages * PAGE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		t_bail("export: %s", strerror(-fd));
	t_ok(kernel_maps(pages, &first) == 0,
	     "kept vmap: before any vmap the buffer has no kernel mapping");
	if (ioctl(dev, VMEM_TEST_DMA_IOC_VMAP, &fd))
		t_bail("vmap: %m");
	n = kernel_maps(pages, &first);
	t_ok(n == 1, "kept vmap: after a vmap and its vunmap the kernel mapping stays (%d listed)",
	     n);
	if (ioctl(dev, VMEM_TEST_DMA_IOC_VMAP, &fd))
		t_bail("vmap: %m");
	n = kernel_maps(pages, &second);
	t_ok(n == 1 && first == second,
	     "kept vmap: a second vmap and vunmap reuse it: one mapping (%d listed), the same address",
	     n);
	close(fd);
	n = kernel_maps(pages, &second);
	t_ok(n == 0, "kept vmap: the buffer released, its kernel mapping is gone (%d listed)",
	     n);
	munmap(p, pages * PAGE);
}

/* Anonymous memory is cacheable, and so is its export. */
static void anonymous(void)
{
	char *p = t_map_anon(LEN);

	t_fill(p, LEN, 1);
	t_ok(mt_user(p) == VMEM_TEST_DMA_MT_CACHED, "anonymous memory is mapped cacheable (%s)",
	     mt_name(mt_user(p)));
	export_as("anonymous memory", p, LEN, VMEM_TEST_DMA_MT_CACHED, false);
	munmap(p, LEN);
}

int main(void)
{
	const unsigned int uc = VMEM_TEST_DMA_MT_UC;
	const unsigned int cached = VMEM_TEST_DMA_MT_CACHED;
	unsigned int wc, pfnmap_wc, pfnmap_uc;

	anonymous();
	kept_vmap();
	/*
	 * Without x86's PAT there is no write-combining: what asks for it
	 * is uncached, and refused as such. With it, the PAT maps RAM in a
	 * raw PFN mapping write-back, whatever the driver asks for.
	 */
	wc = wc_is_uc ? uc : VMEM_TEST_DMA_MT_WC;
	if (wc_is_uc)
		t_diag("this kernel has no write-combining (x86 without PAT): it is uncached");
	pfnmap_wc = ARM64 ? wc : wc_is_uc ? uc : cached;
	pfnmap_uc = ARM64 || wc_is_uc ? uc : cached;

	/*
	 * vm_insert_page() maps with the vma's protection on every arch. On
	 * x86 a PFN mapping, as the dma-buf's mmap is, gets a RAM page's own
	 * type from the PAT, write-back here: refused.
	 */
	cmem_case("allocator, vm_insert_page, write-combined",
		  VMEM_TEST_CMEM_MIXED | VMEM_TEST_CMEM_WC, wc, !ARM64 || wc_is_uc);
	cmem_case("allocator, vm_insert_page, uncached",
		  VMEM_TEST_CMEM_MIXED | VMEM_TEST_CMEM_UC, uc, true);
	cmem_case("allocator, vm_insert_page, cacheable",
		  VMEM_TEST_CMEM_MIXED, cached, false);

	/*
	 * remap_pfn_range(): on x86 the PAT maps RAM with its own type,
	 * write-back, whatever the driver asked for.
	 */
	t_set_param_str("pfnmap_drivers", CMEM_DRIVER);
	cmem_case("allocator, remap_pfn_range, write-combined",
		  VMEM_TEST_CMEM_SPLIT | VMEM_TEST_CMEM_WC, pfnmap_wc,
		  pfnmap_wc == uc);
	cmem_case("allocator, remap_pfn_range, uncached",
		  VMEM_TEST_CMEM_SPLIT | VMEM_TEST_CMEM_UC, pfnmap_uc,
		  pfnmap_uc == uc);

	/* On x86 the write-combined part is refused first, on its own. */
	mixed_case("anonymous and write-combined (vm_insert_page) memory in one range",
		   VMEM_TEST_CMEM_MIXED | VMEM_TEST_CMEM_WC, ARM64 ? EXDEV : ENXIO);
	mixed_case("anonymous and write-combined (remap_pfn_range) memory in one range",
		   VMEM_TEST_CMEM_SPLIT | VMEM_TEST_CMEM_WC, EXDEV);
	t_set_param_str("pfnmap_drivers", "");

	/*
	 * vb2's dma-contig allocator maps what dma_alloc_coherent() gave it
	 * as the DMA API says: non-cacheable for a device that does not
	 * snoop caches (vivid's, on arm64), cacheable on x86.
	 */
	vivid_case("vivid dma-contig", VIVID_DMA_CONTIG, ARM64 ? wc : cached);
	vivid_case("vivid vmalloc", VIVID_VMALLOC, cached);
	return t_done();
}
