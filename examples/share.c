// SPDX-License-Identifier: MIT
/*
 * The smallest complete use of libvmemexp. It exports a buffer
 * that malloc-style code filled, maps the dma-buf as any importer would,
 * and shows that both are the same memory: no copy was made.
 *
 * Build it against the installed library (libvmemexp-dev):
 *   cc -O2 -o share-demo <this file> $(pkg-config --cflags --libs libvmemexp)
 * Run it where the vmem_exp module is loaded: ./share-demo [MiB]
 */
#include <fcntl.h>
#include <linux/dma-buf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <vmemexp.h>

int main(int argc, char **argv)
{
	size_t len = (argc > 1 ? strtoul(argv[1], NULL, 0) : 4) << 20;
	unsigned char *frame, *view;
	long page = sysconf(_SC_PAGESIZE);
	int dev, buf, ret;

	/* Memory the application already has: page-aligned, any source. */
	if (posix_memalign((void **)&frame, page, len))
		return 1;
	memset(frame, 0xab, len);

	dev = vmemexp_open();
	if (dev < 0) {
		fprintf(stderr, "share: /dev/vmem-exp: %s\n", strerror(-dev));
		return 1;
	}
	buf = vmemexp_export(dev, frame, len, O_RDWR | O_CLOEXEC);
	if (buf < 0) {
		fprintf(stderr, "share: export: %s\n", strerror(-buf));
		return 1;
	}
	printf("share: %zu bytes at %p are now dma-buf fd %d\n", len, (void *)frame, buf);

	/* What an importer does: map the dma-buf, bracket CPU access. */
	view = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	if (view == MAP_FAILED) {
		perror("share: mmap");
		return 1;
	}
	ret = vmemexp_sync(dev, buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW, 0, 0);
	if (ret) {
		fprintf(stderr, "share: sync: %s\n", strerror(-ret));
		return 1;
	}
	if (view[0] != 0xab || view[len - 1] != 0xab) {
		fprintf(stderr, "share: the dma-buf does not show the frame\n");
		return 1;
	}
	memset(view, 0x5c, len);
	vmemexp_sync(dev, buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW, 0, 0);
	if (frame[0] != 0x5c || frame[len - 1] != 0x5c) {
		fprintf(stderr, "share: writes through the dma-buf did not reach the frame\n");
		return 1;
	}
	printf("share: the dma-buf and the frame are the same memory (zero copy)\n");

	munmap(view, len);
	close(buf);
	close(dev);
	free(frame);
	return 0;
}
