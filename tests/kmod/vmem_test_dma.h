/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vmem_test_dma: the ioctls of the test-only DMA device, shared by the
 * module and the tests.
 */
#ifndef VMEM_TEST_DMA_H
#define VMEM_TEST_DMA_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Directions of %VMEM_TEST_DMA_IOC_ATTACH, as the DMA API's. */
#define VMEM_TEST_DMA_BIDIRECTIONAL	0
#define VMEM_TEST_DMA_TO_DEVICE		1
#define VMEM_TEST_DMA_FROM_DEVICE	2

/**
 * struct vmem_test_dma_attach - argument of %VMEM_TEST_DMA_IOC_ATTACH
 * @fd: in: the dma-buf to attach to and map.
 * @dir: in: VMEM_TEST_DMA_*, the direction of the mapping.
 * @max_seg: in: the device's maximum DMA segment size in bytes, 0 for the
 *	DMA API's default (64 KiB).
 * @nents: out: the number of DMA segments of the mapping.
 * @bounced: out: 1 if the device reaches other memory than the buffer's
 *	pages (swiotlb bounce buffers: a sync copies), else 0.
 */
struct vmem_test_dma_attach {
	__s32 fd;
	__u32 dir;
	__u64 max_seg;
	__u32 nents;
	__u32 bounced;
};

/**
 * struct vmem_test_dma_access - argument of %VMEM_TEST_DMA_IOC_ACCESS
 * @offset: in: start of the byte range of the buffer, as the device sees it.
 * @len: in: its length.
 * @value: in: the byte the device writes, or compares with.
 * @write: in: 1: the device writes @value to the range; 0: it reads it.
 * @differ: out: for a read, how many bytes of the range are not @value.
 */
struct vmem_test_dma_access {
	__u64 offset;
	__u64 len;
	__u32 value;
	__u32 write;
	__u64 differ;
};

/* Memory types of %VMEM_TEST_DMA_IOC_MEMTYPE. */
#define VMEM_TEST_DMA_MT_NONE		0	/* nothing mapped there */
#define VMEM_TEST_DMA_MT_CACHED		1	/* as PAGE_KERNEL */
#define VMEM_TEST_DMA_MT_WC		2	/* as pgprot_writecombine() */
#define VMEM_TEST_DMA_MT_UC		3	/* as pgprot_noncached() */
#define VMEM_TEST_DMA_MT_OTHER		4

/**
 * struct vmem_test_dma_memtype - argument of %VMEM_TEST_DMA_IOC_MEMTYPE
 * @addr: in: an address in the caller's address space, or 0.
 * @fd: in: if @addr is 0, a dma-buf, which the device maps into the kernel
 *	with dma_buf_vmap() (and unmaps again).
 * @memtype: out: VMEM_TEST_DMA_MT_*, read from the page table entry that
 *	maps @addr, or the protection the dma-buf's vmap passed to vmap()
 *	(VMEM_TEST_DMA_MT_NONE if it made none).
 * @wc_is_uc: out: 1 if this kernel's write-combined protection is its
 *	uncached one (x86 without PAT): such mappings read as uncached.
 * @pad: 0.
 */
struct vmem_test_dma_memtype {
	__u64 addr;
	__s32 fd;
	__u32 memtype;
	__u32 wc_is_uc;
	__u32 pad;
};

/* One mapping per open file; a second attach fails with EBUSY. */
#define VMEM_TEST_DMA_IOC_ATTACH _IOWR('z', 0, struct vmem_test_dma_attach)
#define VMEM_TEST_DMA_IOC_ACCESS _IOWR('z', 1, struct vmem_test_dma_access)
/* Unmaps and detaches (closing the file does too). */
#define VMEM_TEST_DMA_IOC_DETACH _IO('z', 2)
/* Needs no attached dma-buf; @addr's page must not be in a huge mapping. */
#define VMEM_TEST_DMA_IOC_MEMTYPE _IOWR('z', 3, struct vmem_test_dma_memtype)
/*
 * Maps the attached dma-buf a second time through the same attachment, as
 * no in-tree importer does, and unmaps that mapping again: what the
 * exporter says (vmem-exp: EBUSY), ENOTCONN if nothing is attached.
 */
#define VMEM_TEST_DMA_IOC_REMAP _IO('z', 4)
/*
 * Maps the dma-buf whose fd the argument is into the kernel with
 * dma_buf_vmap() and unmaps it again, as vb2's vmalloc allocator does for
 * each buffer queued: what stays of that mapping is the exporter's choice
 * (/proc/vmallocinfo shows it).
 */
#define VMEM_TEST_DMA_IOC_VMAP _IOW('z', 5, __s32)

#endif /* VMEM_TEST_DMA_H */
