// SPDX-License-Identifier: GPL-2.0
/*
 * vmem-exp: memory types. A driver may map its memory other than normal
 * cacheable: a DMA-coherent allocation for a device that does not snoop the
 * CPU's caches is mapped normal non-cacheable on arm64 (what
 * pgprot_writecombine() gives), and some drivers map write-combined for
 * the CPU's sake. A second mapping of the same frames with another memory
 * type is a mismatched-attribute alias, which arm64 does not allow and
 * which loses data on real hardware. So a buffer has one memory type, the
 * one its owner's mapping gives its frames, and every mapping the dma-buf
 * makes of them, userspace mmap and kernel vmap alike, uses it:
 *
 * - normal cacheable memory (with MTE's tagged memory on arm64, also
 *   cacheable) is mapped cacheable;
 * - write-combined memory (arm64: normal non-cacheable) is mapped
 *   write-combined;
 * - any other type (uncached, device memory, x86's write-through) is
 *   refused: kernel importers and userspace read and write a dma-buf as
 *   ordinary memory, with unaligned and combined accesses that fault or
 *   misbehave on device memory;
 * - a range whose parts have different types is refused: one mapping of
 *   the dma-buf has one type.
 *
 * The type of a page-backed mapping is its vma's page protection, which
 * the kernel maps its pages with; that of a raw PFN mapping is read from
 * each page table entry (on x86 the PAT may have given a RAM page its own
 * type rather than the one the driver asked for). On x86 the dma-buf's
 * mmap, a PFN mapping, maps a page write-combined only if the PAT tracks
 * it so; a page-backed mapping's write-combined protection says nothing of
 * that (vm_insert_page() does not ask the PAT), so there such parts are
 * refused too. A raw PFN mapping's write-combined entries were allowed by
 * the PAT, and are exported.
 */

#include <linux/mm.h>

#include "compat.h"
#include "vmem_exp.h"

static u64 vmem_exp_prot_mt(pgprot_t prot)
{
	return pgprot_val(prot) & VMEM_EXP_PROT_MT_MASK;
}

/**
 * vmem_exp_memtype_add() - account the memory type of part of a buffer
 * @buf: the buffer being made; @buf->memtype is %VMEM_EXP_MT_UNSET before
 *	its first part.
 * @prot: the protection the owner maps the part with.
 * @pte: @prot was read from a page table entry of a raw PFN mapping, not
 *	from a vma.
 *
 * Return: 0, with @buf->memtype set; -ENXIO if the part is neither
 * cacheable nor write-combined, or write-combined where the dma-buf's mmap
 * cannot be (see above); -EXDEV if its type differs from that of the parts
 * before it.
 */
int vmem_exp_memtype_add(struct vmem_exp_buf *buf, pgprot_t prot, bool pte)
{
	u64 mt = vmem_exp_prot_mt(prot);
	enum vmem_exp_memtype type;

	if (mt == vmem_exp_prot_mt(PAGE_KERNEL))
		type = VMEM_EXP_MT_CACHED;
#ifdef VMEM_EXP_PROT_MT_TAGGED
	else if (mt == VMEM_EXP_PROT_MT_TAGGED)
		type = VMEM_EXP_MT_CACHED;
#endif
	/*
	 * Uncached first: where the architecture has no write-combining
	 * (x86 without PAT), pgprot_writecombine() is uncached.
	 */
	else if (mt == vmem_exp_prot_mt(pgprot_noncached(PAGE_KERNEL)))
		return -ENXIO;
	else if (mt == vmem_exp_prot_mt(pgprot_writecombine(PAGE_KERNEL)))
		type = VMEM_EXP_MT_WC;
	else
		return -ENXIO;
#ifndef VMEM_EXP_PFNMAP_TAKES_PROT
	if (type == VMEM_EXP_MT_WC && !pte)
		return -ENXIO;
#endif

	if (buf->memtype != VMEM_EXP_MT_UNSET && buf->memtype != type)
		return -EXDEV;
	buf->memtype = type;
	return 0;
}

/**
 * vmem_exp_memtype_prot() - a protection with the memory type of a buffer
 * @buf: the buffer, made.
 * @prot: the protection of a new mapping of it (a vma's, or PAGE_KERNEL).
 *
 * Return: @prot with @buf's memory type.
 */
pgprot_t vmem_exp_memtype_prot(const struct vmem_exp_buf *buf, pgprot_t prot)
{
	if (buf->memtype == VMEM_EXP_MT_WC)
		return pgprot_writecombine(prot);
	return prot;
}
