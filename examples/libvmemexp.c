// SPDX-License-Identifier: MIT
/* The example of libvmemexp(3); make lint checks that both say the same. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <vmemexp.h>

/* New memory of len bytes, whole pages, as a dma-buf: its fd, or -errno. */
static int share(int dev, size_t len, void **mem)
{
	size_t page = sysconf(_SC_PAGESIZE);
	int fd;

	len = (len + page - 1) / page * page;
	if (posix_memalign(mem, page, len))
		return -ENOMEM;
	memset(*mem, 0x5a, len);
	fd = vmemexp_export(dev, *mem, len, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		free(*mem);
	return fd;
}

int main(void)
{
	unsigned char *view;
	size_t len;
	void *mem;
	int dev, fd, i;

	dev = vmemexp_open(); /* once, for every export */
	if (dev < 0) {
		fprintf(stderr, "/dev/vmem-exp: %s\n", strerror(-dev));
		return 1;
	}
	for (i = 0; i < 100; i++) {
		len = 1000 * (i + 1); /* any size */
		fd = share(dev, len, &mem);
		if (fd < 0) {
			fprintf(stderr, "export: %s\n", strerror(-fd));
			close(dev);
			return 1;
		}
		/* Hand fd on (SCM_RIGHTS, VIDIOC_QBUF, ...); here, map it. */
		view = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
		if (view == MAP_FAILED || view[len - 1] != 0x5a) {
			fprintf(stderr, "the dma-buf does not show the memory\n");
			close(dev);
			return 1;
		}
		munmap(view, len);
		close(fd); /* the buffer goes with its last user */
		free(mem);
	}
	close(dev);
	printf("%d buffers exported through one device fd\n", i);
	return 0;
}
