/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmem-exp: state shared by the device, pinning and dma-buf parts.
 */
#ifndef VMEM_EXP_H
#define VMEM_EXP_H

#include <linux/dma-buf.h>
#include <linux/dma-direction.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pgtable.h>
#include <linux/sched.h>
#include <linux/scatterlist.h>
#include <linux/types.h>

struct attribute_group;
struct file;
struct mm_struct;
struct seq_file;
struct page;
struct vb2_vmarea_handler;
struct vm_area_struct;
struct vmem_exp_share;

/**
 * struct vmem_exp_range - the range an export asks for, and where it lies
 * @mm: the address space of the range: the caller's own, or for a remote
 *	export the one its /proc/PID/mem file was opened on, held with
 *	mmget() for as long as the export is being made.
 * @start: page-aligned start address in @mm.
 * @nr_pages: number of pages, at least one; the range lies in user space.
 * @writable: the caller asked for a read-write export.
 * @remote: a remote export (%VMEM_EXP_F_REMOTE): dma-buf mappings in the
 *	range are refused rather than exported as their dma-buf.
 */
struct vmem_exp_range {
	struct mm_struct *mm;
	unsigned long start;
	unsigned long nr_pages;
	bool writable;
	bool remote;
};

/**
 * enum vmem_exp_hold_kind - what keeps a run of a buffer's pages alive
 * @VMEM_EXP_HOLD_PIN: a long-term gup pin on each page: ordinary memory,
 *	and pages a driver inserted one by one (VM_MIXEDMAP).
 * @VMEM_EXP_HOLD_REF: a page reference on each frame of a VM_PFNMAP
 *	mapping made by a driver the administrator named in pfnmap_drivers.
 * @VMEM_EXP_HOLD_VB2: one reference on the videobuf2 buffer behind a
 *	VM_PFNMAP mapping, the one vb2's own vm_ops->open takes, plus a
 *	reference on the mapping's file.
 */
enum vmem_exp_hold_kind {
	VMEM_EXP_HOLD_PIN,
	VMEM_EXP_HOLD_REF,
	VMEM_EXP_HOLD_VB2,
};

/**
 * struct vmem_exp_hold - the pages one mapping contributed to a buffer
 * @kind: how they are held.
 * @first: index of the first of them in &vmem_exp_buf.pages.
 * @count: how many are held so far (all of them once the export is made).
 * @gup_flags: for %VMEM_EXP_HOLD_PIN, the flags they are pinned with.
 * @by_file: for %VMEM_EXP_HOLD_PIN, pinned through the mapping's file
 *	(a shared mapping of shmem or hugetlbfs, see vmem_exp_pin_file()):
 *	one pin per folio rather than one per page.
 * @file: for %VMEM_EXP_HOLD_VB2, the mapping's file, referenced.
 * @vb2: for %VMEM_EXP_HOLD_VB2, vb2's handler for the buffer, referenced.
 */
struct vmem_exp_hold {
	enum vmem_exp_hold_kind kind;
	unsigned long first;
	unsigned long count;
	unsigned int gup_flags;
	bool by_file;
	struct file *file;
	struct vb2_vmarea_handler *vb2;
};

/**
 * enum vmem_exp_memtype - how the CPU maps a buffer's pages (memtype.c)
 * @VMEM_EXP_MT_UNSET: not known yet: no part of the range looked at.
 * @VMEM_EXP_MT_CACHED: normal cacheable memory.
 * @VMEM_EXP_MT_WC: write-combined (on arm64, normal non-cacheable): what a
 *	driver's DMA-coherent memory is mapped as where the device does not
 *	snoop the CPU's caches.
 */
enum vmem_exp_memtype {
	VMEM_EXP_MT_UNSET,
	VMEM_EXP_MT_CACHED,
	VMEM_EXP_MT_WC,
};

/**
 * struct vmem_exp_buf - one exported range; the private data of its dma-buf
 * @pages: the pages, in the order of the addresses they back.
 * @nr_pages: number of entries in @pages.
 * @holds: what keeps @pages alive, one entry per mapping of the range.
 * @nr_holds: number of entries in @holds.
 * @writable: the export is O_RDWR: importers may write, and the pages are
 *	marked dirty when they are unpinned.
 * @memtype: the memory type the owner's mappings gave the pages, which
 *	every mapping of the dma-buf takes.
 * @user: the exporting user (the caller of the ioctl, also for a remote
 *	export), charged @nr_pages of locked memory (RLIMIT_MEMLOCK) until
 *	the buffer is released.
 * @share: the same user's share of max_pinned_mb (account.c), which counts
 *	@nr_pages until the buffer is released.
 * @mm: the exporting process's mm (held by mmgrab(), not mmget(): only the
 *	struct, not the address space), whose pinned_vm counts @nr_pages.
 *	For a remote export too it is the caller's, not the target's.
 * @lock: protects @attachments (and each attachment's mapping state),
 *	@vaddr and @vmap_count. Taken inside dmabuf->resv where the dma-buf
 *	core holds that; never the other way round.
 * @attachments: the &struct vmem_exp_attachment of every attached device.
 * @vaddr: the kernel mapping of all pages, made by the first vmap; kept,
 *	where VMEM_EXP_KEEP_VMAP (compat.h), until the buffer is released,
 *	else while @vmap_count > 0.
 * @vmap_count: number of vmap calls not yet matched by a vunmap.
 * @ino: the inode number of the buffer's dma-buf, taken when it is
 *	exported, for debugfs: the dma-buf's inode is freed (__fput(): dput,
 *	iput) before its release callback takes the buffer off the list, so
 *	the list never reaches the inode through the dma-buf.
 * @origin_pid: the exporting process (thread group id, in the initial pid
 *	namespace's numbering as debugfs shows it), for debugfs only.
 * @origin_comm: its command at export time.
 * @origin_addr: the start of the exported range in its address space.
 * @node: entry in the list of live buffers (info.c, under its own lock).
 */
struct vmem_exp_buf {
	struct page **pages;
	unsigned long nr_pages;
	struct vmem_exp_hold *holds;
	unsigned int nr_holds;
	bool writable;
	enum vmem_exp_memtype memtype;
	struct user_struct *user;
	struct vmem_exp_share *share;
	struct mm_struct *mm;

	/* See @lock above: attachments, their mappings, vaddr, vmap_count. */
	struct mutex lock;
	struct list_head attachments;
	void *vaddr;
	unsigned int vmap_count;

	u64 ino;
	pid_t origin_pid;
	char origin_comm[TASK_COMM_LEN];
	unsigned long origin_addr;
	struct list_head node;
};

/**
 * struct vmem_exp_attachment - one device attached to a &struct vmem_exp_buf
 * @dev: the attached device.
 * @sgt: the device's DMA mapping of the buffer, NULL while unmapped. It
 *	belongs to the importer while mapped: with CONFIG_DMABUF_DEBUG the
 *	dma-buf core scrambles its page links until it is unmapped.
 * @sync_sgt: a private copy of @sgt, entry for entry, made when it was
 *	mapped: what begin/end_cpu_access sync.
 * @dir: the direction @sgt was mapped with.
 * @per_entry: each DMA segment of @sgt is exactly one of its entries, at
 *	the same offset in the buffer (no IOMMU merged entries): a part of
 *	the buffer can be synced by syncing the part of the segments that
 *	cover it. Else a partial sync syncs all of @sgt.
 * @node: entry in &vmem_exp_buf.attachments.
 *
 * @sgt, @sync_sgt, @dir and @per_entry are protected by the buffer's lock.
 */
struct vmem_exp_attachment {
	struct device *dev;
	struct sg_table *sgt;
	struct sg_table sync_sgt;
	enum dma_data_direction dir;
	bool per_entry;
	struct list_head node;
};

/* account.c: charges against RLIMIT_MEMLOCK and max_pinned_mb */
void vmem_exp_limits_init(void);
unsigned long vmem_exp_held_pages(void);
void vmem_exp_shares_show(struct seq_file *m);
int vmem_exp_charge(struct vmem_exp_buf *buf, unsigned long nr_pages);
void vmem_exp_uncharge(struct vmem_exp_buf *buf, unsigned long nr_pages);

/* policy.c: what a mapping is, and whether and how it may be exported */
int vmem_exp_vma_kind(struct vm_area_struct *vma,
		      const struct vmem_exp_range *range,
		      unsigned int *gup_flags);
struct dma_buf *vmem_exp_dmabuf_of(struct vm_area_struct *vma,
				   const struct vmem_exp_range *range);

/* pin.c: find and hold the pages of a range */
int vmem_exp_pin(const struct vmem_exp_range *range, struct vmem_exp_buf **bufp,
		 struct dma_buf **found);
void vmem_exp_unpin(struct vmem_exp_buf *buf);

/* pfnmap.c: the frames of raw PFN mappings */
int vmem_exp_pfnmap_hold(struct vmem_exp_buf *buf, struct vm_area_struct *vma,
			 unsigned long addr, unsigned long end,
			 struct vmem_exp_hold *hold, struct page **pages);
void vmem_exp_pfnmap_release(struct vmem_exp_hold *hold, struct page **pages,
			     bool writable);

/* memtype.c */
int vmem_exp_memtype_add(struct vmem_exp_buf *buf, pgprot_t prot, bool pte);
pgprot_t vmem_exp_memtype_prot(const struct vmem_exp_buf *buf, pgprot_t prot);

/* info.c */
extern const struct attribute_group *vmem_exp_info_groups[];
void vmem_exp_info_init(void);
void vmem_exp_info_exit(void);
void vmem_exp_info_export_done(int ret);
void vmem_exp_info_add(struct vmem_exp_buf *buf, struct dma_buf *dmabuf);
void vmem_exp_info_del(struct vmem_exp_buf *buf);

/* dmabuf.c */
struct dma_buf *vmem_exp_create(const struct vmem_exp_range *range);
struct vmem_exp_buf *vmem_exp_buf_new(const struct vmem_exp_range *range);
void vmem_exp_buf_free(struct vmem_exp_buf *buf);
bool vmem_exp_is_ours(const struct dma_buf *dmabuf);
int vmem_exp_sync_part(struct dma_buf *dmabuf, u64 offset, u64 len,
		       enum dma_data_direction dir, bool end);

/* remote.c */
void vmem_exp_remote_init(void);
struct mm_struct *vmem_exp_remote_get(int src_fd, bool writable);

#endif /* VMEM_EXP_H */
