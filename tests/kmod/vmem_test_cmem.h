/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vmem_test_cmem: the ioctls of the test-only legacy allocator, shared by the
 * module and the tests.
 */
#ifndef VMEM_TEST_CMEM_H
#define VMEM_TEST_CMEM_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* A high-order allocation split into pages, each with its own count. */
#define VMEM_TEST_CMEM_SPLIT	0
/* A high-order allocation never split: its tail pages have no count. */
#define VMEM_TEST_CMEM_UNSPLIT	1
/* Split pages marked reserved, as old drivers did for remap_pfn_range(). */
#define VMEM_TEST_CMEM_RESERVED	2
/* A physical range that is not RAM: no struct page behind it. */
#define VMEM_TEST_CMEM_NOPAGE	3
/* Single pages, each allocated on its own (not contiguous). */
#define VMEM_TEST_CMEM_PAGES	4
/* Split pages inserted one by one with vm_insert_page(): VM_MIXEDMAP. */
#define VMEM_TEST_CMEM_MIXED	5
/* Split pages inserted as raw PFNs (vmf_insert_mixed()) into VM_MIXEDMAP. */
#define VMEM_TEST_CMEM_MIXED_PFN 6

/* Or'ed into a mode: mapped write-combined (pgprot_writecombine()). */
#define VMEM_TEST_CMEM_WC	0x100
/* Or'ed into a mode: mapped uncached (pgprot_noncached()). */
#define VMEM_TEST_CMEM_UC	0x200
/*
 * Or'ed into a mode: read-only entries in the (writable, shared) mapping;
 * a write fault makes an entry writable, as the kernel does by default.
 */
#define VMEM_TEST_CMEM_RO	0x400
/* Or'ed in with VMEM_TEST_CMEM_RO: a write fault is refused (SIGBUS). */
#define VMEM_TEST_CMEM_NOWRITE	0x800

/**
 * struct vmem_test_cmem_alloc - argument of %VMEM_TEST_CMEM_IOC_ALLOC
 * @size: in: bytes, a positive multiple of the page size, at most 4 MiB.
 * @mode: in: VMEM_TEST_CMEM_*, a mode, with VMEM_TEST_CMEM_WC or
 *	VMEM_TEST_CMEM_UC or'ed in for a mapping of that memory type.
 * @id: out: the allocation; mmap() it at offset @id * page size.
 */
struct vmem_test_cmem_alloc {
	__u64 size;
	__u32 mode;
	__u32 id;
};

/**
 * struct vmem_test_cmem_pfn - argument of %VMEM_TEST_CMEM_IOC_PFN
 * @id: in: the allocation.
 * @index: in: a page of it.
 * @pfn: out: the frame of that page (pagemap shows none for VM_PFNMAP).
 */
struct vmem_test_cmem_pfn {
	__u32 id;
	__u32 index;
	__u64 pfn;
};

/**
 * struct vmem_test_cmem_refs - argument of %VMEM_TEST_CMEM_IOC_REFS
 * @pfn: in: a frame of RAM (one that VMEM_TEST_CMEM_IOC_PFN reported).
 * @refs: out: the reference count of its struct page: 0 once it is free.
 */
struct vmem_test_cmem_refs {
	__u64 pfn;
	__u64 refs;
};

#define VMEM_TEST_CMEM_IOC_ALLOC _IOWR('y', 0, struct vmem_test_cmem_alloc)
#define VMEM_TEST_CMEM_IOC_PFN	_IOWR('y', 2, struct vmem_test_cmem_pfn)
/* Frees allocation @id at once, mapped or not, as legacy drivers do. */
#define VMEM_TEST_CMEM_IOC_FREE	_IOW('y', 1, __u32)
/* Whether a frame that an allocation had is still referenced, after it. */
#define VMEM_TEST_CMEM_IOC_REFS	_IOWR('y', 3, struct vmem_test_cmem_refs)

#endif /* VMEM_TEST_CMEM_H */
