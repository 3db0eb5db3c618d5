// SPDX-License-Identifier: GPL-2.0
/*
 * vmem-exp demo, run in a guest by `make demo`: the design document's use
 * case, narrated. Plain malloc'd memory becomes a dma-buf; vivid captures a
 * video frame straight into it; vgem (a DRM driver) imports it; another
 * process receives it over a unix socket and reads the same bytes. No byte
 * is copied on the way; a small picture of the frame shows it is real.
 * Then the legacy-driver case: a driver's own buffer, exported, freed by
 * that driver, played by another. Last, memory that already exists in
 * another process, exported by a debugger-like process.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "importers.h"
#include "vmemexp.h"

#define REPLY	"and hello back from the debugger, through a dma-buf"

#define W	640
#define H	480

static uint32_t checksum(const unsigned char *p, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* The frame's luma as characters: YUYV, every 16th column, 24th line. */
static void thumbnail(const unsigned char *frame, unsigned int bpl)
{
	static const char ramp[] = " .:-=+*#%@";

	for (unsigned int y = 0; y < H; y += 24) {
		char line[W / 16 + 1];

		for (unsigned int x = 0; x < W / 16; x++)
			line[x] = ramp[frame[y * bpl + x * 16 * 2] * 9 / 255];
		line[W / 16] = 0;
		printf("#   |%s|\n", line);
	}
}

/*
 * The legacy-driver case: memory that a driver without dma-buf export
 * allocated and mapped (vivid's own MMAP buffer, a VM_PFNMAP mapping of
 * vb2's dma-contig allocator) reaches another driver, even after its own
 * driver freed it.
 */
static void legacy(void)
{
	unsigned char *looped;
	size_t size, len;
	uint32_t sum;
	int video, fd, ret;
	void *p;

	printf("# 7. a driver without dma-buf export: vivid captures into its own MMAP buffer\n");
	video = vivid_open(VIVID_DMA_CONTIG, false, W, H, &size);
	ret = vivid_mmap_frame(video, &p, &len);
	if (ret)
		t_bail("MMAP capture: %s", strerror(-ret));
	sum = checksum(p, size);
	printf("#    mapped at %p (VM_PFNMAP), checksum %08x\n", p, sum);
	fd = t_export(p, len, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		t_bail("export: %s", strerror(-fd));
	printf("# 8. DBUFIOC_VMEM_EXP makes it a dma-buf (fd %d), holding vivid's buffer\n", fd);
	munmap(p, len);
	vivid_free_mmap(video);
	close(video);
	printf("# 9. vivid frees the buffer (munmap, REQBUFS 0): the dma-buf keeps it alive\n");
	looped = malloc(size);
	if (!looped)
		t_bail("malloc");
	ret = vivid_loop_frame(VIVID_DMA_CONTIG_2, fd, len, looped, size);
	if (ret)
		t_bail("loop: %s", strerror(-ret));
	printf("# 10. a second vivid plays the dma-buf on its output (V4L2_MEMORY_DMABUF)\n");
	printf("#     and loops it back to its capture: checksum %08x\n", checksum(looped, size));
	thumbnail(looped, W * 2);
	close(fd);
	t_ok(checksum(looped, size) == sum, "legacy driver demo");
	free(looped);
}

/*
 * Another process's memory (the design document's "gdb wants to access
 * mapped memory of a process"): a program keeps a message in its heap; a
 * debugger-like process exports that heap through the program's
 * /proc/PID/mem, reads the message and writes a reply the program reads;
 * the program exits and the buffer still holds the bytes.
 */
static void remote(void)
{
	int sv[2], pid, mem, fd, st;
	char *heap, *q, c;
	uint64_t addr;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		t_bail("socketpair: %m");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (posix_memalign((void **)&heap, PAGE, PAGE))
			_exit(1);
		snprintf(heap, PAGE, "hello from pid %d, in memory it never shared", getpid());
		addr = (uintptr_t)heap;
		if (write(sv[1], &addr, sizeof(addr)) != sizeof(addr) || read(sv[1], &c, 1) != 1)
			_exit(1);
		printf("#     pid %d now reads in its heap: \"%s\"\n", getpid(), heap);
		fflush(stdout);
		_exit(strcmp(heap, REPLY) ? 1 : 0);
	}
	if (read(sv[0], &addr, sizeof(addr)) != sizeof(addr))
		t_bail("the program did not start");
	printf("# 11. another process's memory: pid %d keeps a message in its heap at 0x%llx\n",
	       pid, (unsigned long long)addr);
	mem = t_proc_mem(pid, O_RDWR);
	if (mem < 0)
		t_bail("/proc/%d/mem: %s", pid, strerror(-mem));
	fd = vmemexp_export_remote(t_dev(), mem, addr, PAGE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		t_bail("remote export: %s", strerror(-fd));
	close(mem);
	printf("# 12. a debugger-like process opens /proc/%d/mem (the kernel checks it may\n"
	       "#     ptrace pid %d) and exports that page with VMEM_EXP_F_REMOTE: fd %d\n",
	       pid, pid, fd);
	q = t_map_dmabuf(fd, PAGE, PROT_READ | PROT_WRITE, 0);
	if (!q)
		t_bail("mmap: %m");
	printf("#     it reads through the dma-buf: \"%s\"\n", q);
	strcpy(q, REPLY);
	fflush(stdout);
	if (write(sv[0], "g", 1) != 1)
		t_bail("write: %m");
	st = t_wait_child(pid);
	printf("# 13. pid %d has exited; the dma-buf still holds its page: \"%s\"\n", pid, q);
	t_ok(st == 0 && !strcmp(q, REPLY), "remote memory demo");
	munmap(q, PAGE);
	close(fd);
	close(sv[0]);
	close(sv[1]);
}

/*
 * Step 5: another process receives @fd over a unix socket, maps its @len
 * bytes and checksums the @size of the frame, as the exporter does at
 * @frame. The child's exit status.
 */
static int share(int fd, size_t len, size_t size, unsigned char *frame)
{
	int sv[2], pid, st;

	printf("# 5. another process receives the fd over a unix socket and maps it\n");
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		t_bail("socketpair: %m");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int rfd = t_recv_fd(sv[1]);
		unsigned char *q = t_map_dmabuf(rfd, len, PROT_READ, 0);

		if (!q)
			_exit(1);
		printf("#    pid %d sees checksum %08x\n", getpid(), checksum(q, size));
		fflush(stdout);
		_exit(0);
	}
	t_send_fd(sv[0], fd);
	st = t_wait_child(pid);
	printf("#    pid %d (the exporter) has checksum %08x in its malloc'd memory\n",
	       getpid(), checksum(frame, size));
	close(sv[0]);
	close(sv[1]);
	return st;
}

int main(void)
{
	size_t size, len, used;
	int video, fd, card, st, ret;
	unsigned char *frame;
	uint32_t handle;

	printf("# 1. malloc a frame buffer, as any program would\n");
	video = vivid_open(VIVID_VMALLOC, false, W, H, &size);
	len = (size + PAGE - 1) & ~(PAGE - 1);
	if (posix_memalign((void **)&frame, PAGE, len))
		t_bail("posix_memalign");
	memset(frame, 0, len);
	printf("#    %zu bytes at %p\n", len, (void *)frame);

	printf("# 2. DBUFIOC_VMEM_EXP turns that memory into a dma-buf\n");
	fd = t_export(frame, len, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		t_bail("export: %s", strerror(-fd));
	printf("#    dma-buf fd %d, same pages, nothing copied\n", fd);

	printf("# 3. vivid (a V4L2 capture driver) captures into it with V4L2_MEMORY_DMABUF\n");
	ret = vivid_dmabuf_frame(video, fd, len, &used);
	if (ret)
		t_bail("capture: %s", strerror(-ret));
	printf("#    %zu bytes of %ux%u YUYV landed straight in the malloc'd memory:\n",
	       used, W, H);
	thumbnail(frame, W * 2);

	printf("# 4. vgem (a DRM driver) imports the same buffer with DRM PRIME\n");
	card = vgem_open();
	ret = vgem_import(card, fd, &handle);
	if (ret)
		t_bail("PRIME import: %s", strerror(-ret));
	printf("#    GEM handle %u\n", handle);

	st = share(fd, len, size, frame);

	vgem_close_handle(card, handle);
	close(fd);
	close(card);
	close(video);
	printf("# 6. closing the last fd unpins the memory; it is plain malloc'd memory again\n");
	free(frame);
	t_ok(st == 0, "demo");

	legacy();
	remote();
	return t_done();
}
