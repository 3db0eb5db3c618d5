// SPDX-License-Identifier: GPL-2.0
/*
 * vmem_test_dma: a test-only DMA device. /dev/vmem-test-dma attaches to a
 * dma-buf and maps it for DMA through the DMA API like any importing
 * driver, then plays the device: it reads and writes the buffer where the
 * device would, at the DMA addresses of its mapping. With swiotlb=force
 * those are bounce buffers, so what the CPU sees of a device's writes (and
 * the reverse) depends on the syncs the exporter does: tests/sync.c.
 *
 * The device reaches memory without an IOMMU and without a DMA offset, as
 * the guests' devices do: a DMA address is a physical address.
 *
 * It also tells memory types (tests/memtype.c): of the page table entry
 * that maps a user address, and of the mapping dma_buf_vmap() makes.
 */

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/iosys-map.h>
#include <linux/kprobes.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/swiotlb.h>
#include <linux/uaccess.h>

#include "vmem_test_dma.h"
/*
 * VMEM_EXP_PROT_MT_MASK (which bits of a PTE are its memory type), the
 * DMA_BUF namespace and dma_buf_vmap_unlocked() on every kernel.
 */
#include "../../kernel/compat.h"

VMEM_EXP_IMPORT_DMA_BUF_NS();

/**
 * struct tdma - one open file: at most one mapped dma-buf
 * @lock: protects the other fields.
 * @dmabuf: the attached dma-buf, referenced, or NULL.
 * @attach: its attachment.
 * @sgt: the mapping.
 * @dir: the mapping's direction.
 */
struct tdma {
	struct mutex lock;	/* protects the fields below */
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	enum dma_data_direction dir;
};

static struct miscdevice tdma_misc;

/* The device's DMA parameters; max_segment_size set by each attach. */
static struct device_dma_parameters tdma_parms;

/* Serialises attaches, which set the device's maximum segment size. */
static DEFINE_MUTEX(tdma_attach_lock);

static const enum dma_data_direction tdma_dirs[] = {
	[VMEM_TEST_DMA_BIDIRECTIONAL] = DMA_BIDIRECTIONAL,
	[VMEM_TEST_DMA_TO_DEVICE] = DMA_TO_DEVICE,
	[VMEM_TEST_DMA_FROM_DEVICE] = DMA_FROM_DEVICE,
};

static void tdma_detach(struct tdma *t)
{
	if (!t->dmabuf)
		return;
	dma_buf_unmap_attachment_unlocked(t->attach, t->sgt, t->dir);
	dma_buf_detach(t->dmabuf, t->attach);
	dma_buf_put(t->dmabuf);
	t->dmabuf = NULL;
}

static long tdma_ioctl_attach(struct tdma *t,
			      struct vmem_test_dma_attach __user *uarg)
{
	struct device *dev = tdma_misc.this_device;
	struct vmem_test_dma_attach arg;
	struct dma_buf *dmabuf;
	long ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.dir >= ARRAY_SIZE(tdma_dirs) || arg.max_seg > UINT_MAX)
		return -EINVAL;
	if (t->dmabuf)
		return -EBUSY;
	dmabuf = dma_buf_get(arg.fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);

	mutex_lock(&tdma_attach_lock);
	tdma_parms.max_segment_size = arg.max_seg ?: SZ_64K;
	t->attach = dma_buf_attach(dmabuf, dev);
	if (IS_ERR(t->attach)) {
		ret = PTR_ERR(t->attach);
		goto err_unlock;
	}
	t->dir = tdma_dirs[arg.dir];
	t->sgt = dma_buf_map_attachment_unlocked(t->attach, t->dir);
	if (IS_ERR(t->sgt)) {
		ret = PTR_ERR(t->sgt);
		goto err_detach;
	}
	mutex_unlock(&tdma_attach_lock);
	t->dmabuf = dmabuf;

	arg.nents = t->sgt->nents;
	/*
	 * Whether the device's addresses are bounce buffers. Not by comparing
	 * them with sg_phys(): an importer must not look at the pages of a
	 * dma-buf's scatterlist, and CONFIG_DMABUF_DEBUG scrambles them to
	 * catch importers that do.
	 */
	arg.bounced = is_swiotlb_force_bounce(dev);
	if (copy_to_user(uarg, &arg, sizeof(arg))) {
		tdma_detach(t);
		return -EFAULT;
	}
	return 0;

err_detach:
	dma_buf_detach(dmabuf, t->attach);
err_unlock:
	mutex_unlock(&tdma_attach_lock);
	dma_buf_put(dmabuf);
	return ret;
}

/* Reads or writes bytes of the mapping at their DMA addresses. */
static long tdma_ioctl_access(struct tdma *t,
			      struct vmem_test_dma_access __user *uarg)
{
	struct vmem_test_dma_access arg;
	struct scatterlist *sg;
	u64 pos = 0, from, to, n;
	u8 *va;
	int i;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (!t->dmabuf)
		return -ENOTCONN;
	if (arg.offset > t->dmabuf->size ||
	    arg.len > t->dmabuf->size - arg.offset || arg.value > 0xff)
		return -EINVAL;

	arg.differ = 0;
	for_each_sgtable_dma_sg(t->sgt, sg, i) {
		from = max(pos, arg.offset);
		to = min_t(u64, pos + sg_dma_len(sg), arg.offset + arg.len);
		if (from < to) {
			va = phys_to_virt(sg_dma_address(sg)) + (from - pos);
			if (arg.write) {
				memset(va, arg.value, to - from);
			} else {
				for (n = 0; n < to - from; n++)
					arg.differ += va[n] != arg.value;
			}
		}
		pos += sg_dma_len(sg);
		cond_resched();
	}
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}

static int tdma_read_pte(pte_t *ptep, unsigned long addr, void *data)
{
	pte_t *pte = data;

	*pte = ptep_get(ptep);
	return 0;
}

static u32 tdma_memtype_of(pgprot_t prot)
{
	u64 mt = pgprot_val(prot) & VMEM_EXP_PROT_MT_MASK;

	if (mt == (pgprot_val(PAGE_KERNEL) & VMEM_EXP_PROT_MT_MASK))
		return VMEM_TEST_DMA_MT_CACHED;
	if (mt == (pgprot_val(pgprot_noncached(PAGE_KERNEL)) &
		   VMEM_EXP_PROT_MT_MASK))
		return VMEM_TEST_DMA_MT_UC;
	if (mt == (pgprot_val(pgprot_writecombine(PAGE_KERNEL)) &
		   VMEM_EXP_PROT_MT_MASK))
		return VMEM_TEST_DMA_MT_WC;
	return VMEM_TEST_DMA_MT_OTHER;
}

/* Reads the PTE that maps @addr in the caller's address space. */
static u32 tdma_user_memtype(unsigned long addr)
{
	pte_t pte = __pte(0);

	if (apply_to_page_range(current->mm, addr & PAGE_MASK, PAGE_SIZE,
				tdma_read_pte, &pte) || !pte_present(pte))
		return VMEM_TEST_DMA_MT_NONE;
	return tdma_memtype_of(pte_pgprot(pte));
}

/*
 * A kernel mapping's page table entries are init_mm's, which a module
 * cannot reach (init_mm is not exported, and Debian's kernels list no data
 * symbols in kallsyms). What a vmap's entries get is the protection vmap()
 * is called with: a probe on vmap() catches it, for calls by the task in
 * tdma_vmap_memtype(), serialised by tdma_probe_lock.
 */
static DEFINE_MUTEX(tdma_probe_lock);
static struct task_struct *tdma_probe_task;	/* under tdma_probe_lock */
static u64 tdma_probe_prot;			/* likewise */
static bool tdma_probe_seen;			/* likewise */

static int tdma_vmap_pre(struct kprobe *kp, struct pt_regs *regs)
{
	/* vmap(pages, count, flags, prot): prot is the fourth argument. */
	if (current == READ_ONCE(tdma_probe_task)) {
		tdma_probe_prot = regs_get_kernel_argument(regs, 3);
		tdma_probe_seen = true;
	}
	return 0;
}

/* The memory type a dma_buf_vmap() of @dmabuf maps its pages with. */
static int tdma_vmap_memtype(struct dma_buf *dmabuf, u32 *memtype)
{
	struct kprobe kp = { .symbol_name = "vmap", .pre_handler = tdma_vmap_pre };
	struct iosys_map map;
	int ret;

	mutex_lock(&tdma_probe_lock);
	tdma_probe_seen = false;
	WRITE_ONCE(tdma_probe_task, current);
	ret = register_kprobe(&kp);
	if (ret)
		goto out;
	ret = dma_buf_vmap_unlocked(dmabuf, &map);
	unregister_kprobe(&kp);
	if (ret)
		goto out;
	if (map.is_iomem || !tdma_probe_seen)
		*memtype = map.is_iomem ? VMEM_TEST_DMA_MT_OTHER :
			   VMEM_TEST_DMA_MT_NONE;
	else
		*memtype = tdma_memtype_of(__pgprot(tdma_probe_prot));
	dma_buf_vunmap_unlocked(dmabuf, &map);
out:
	WRITE_ONCE(tdma_probe_task, NULL);
	mutex_unlock(&tdma_probe_lock);
	return ret;
}

static long tdma_ioctl_memtype(struct vmem_test_dma_memtype __user *uarg)
{
	struct vmem_test_dma_memtype arg;
	struct dma_buf *dmabuf;
	long ret = 0;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	arg.wc_is_uc = tdma_memtype_of(pgprot_writecombine(PAGE_KERNEL)) ==
		       VMEM_TEST_DMA_MT_UC;
	if (arg.addr) {
		if (arg.addr >= TASK_SIZE)
			return -EINVAL;
		if (mmap_read_lock_killable(current->mm))
			return -EINTR;
		if (vma_lookup(current->mm, arg.addr))
			arg.memtype = tdma_user_memtype(arg.addr);
		else
			arg.memtype = VMEM_TEST_DMA_MT_NONE;
		mmap_read_unlock(current->mm);
	} else {
		dmabuf = dma_buf_get(arg.fd);
		if (IS_ERR(dmabuf))
			return PTR_ERR(dmabuf);
		ret = tdma_vmap_memtype(dmabuf, &arg.memtype);
		dma_buf_put(dmabuf);
		if (ret)
			return ret;
	}
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}

static long tdma_ioctl_remap(struct tdma *t)
{
	struct sg_table *sgt;

	if (!t->dmabuf)
		return -ENOTCONN;
	sgt = dma_buf_map_attachment_unlocked(t->attach, t->dir);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	dma_buf_unmap_attachment_unlocked(t->attach, sgt, t->dir);
	return 0;
}

/* VMEM_TEST_DMA_IOC_VMAP: a vmap of the dma-buf @ufd, and its vunmap. */
static long tdma_ioctl_vmap(const __s32 __user *ufd)
{
	struct dma_buf *dmabuf;
	struct iosys_map map;
	__s32 fd;
	int ret;

	if (get_user(fd, ufd))
		return -EFAULT;
	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	ret = dma_buf_vmap_unlocked(dmabuf, &map);
	if (!ret)
		dma_buf_vunmap_unlocked(dmabuf, &map);
	dma_buf_put(dmabuf);
	return ret;
}

static long tdma_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct tdma *t = file->private_data;
	long ret;

	mutex_lock(&t->lock);
	switch (cmd) {
	case VMEM_TEST_DMA_IOC_ATTACH:
		ret = tdma_ioctl_attach(t, (void __user *)arg);
		break;
	case VMEM_TEST_DMA_IOC_ACCESS:
		ret = tdma_ioctl_access(t, (void __user *)arg);
		break;
	case VMEM_TEST_DMA_IOC_DETACH:
		ret = t->dmabuf ? 0 : -ENOTCONN;
		tdma_detach(t);
		break;
	case VMEM_TEST_DMA_IOC_MEMTYPE:
		ret = tdma_ioctl_memtype((void __user *)arg);
		break;
	case VMEM_TEST_DMA_IOC_REMAP:
		ret = tdma_ioctl_remap(t);
		break;
	case VMEM_TEST_DMA_IOC_VMAP:
		ret = tdma_ioctl_vmap((const __s32 __user *)arg);
		break;
	default:
		ret = -ENOTTY;
	}
	mutex_unlock(&t->lock);
	return ret;
}

static int tdma_open(struct inode *inode, struct file *file)
{
	struct tdma *t = kzalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return -ENOMEM;
	mutex_init(&t->lock);
	file->private_data = t;
	return 0;
}

static int tdma_release(struct inode *inode, struct file *file)
{
	struct tdma *t = file->private_data;

	tdma_detach(t);
	mutex_destroy(&t->lock);
	kfree(t);
	return 0;
}

static const struct file_operations tdma_fops = {
	.owner = THIS_MODULE,
	.open = tdma_open,
	.release = tdma_release,
	.unlocked_ioctl = tdma_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice tdma_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vmem-test-dma",
	.fops = &tdma_fops,
	.mode = 0600,
};

static int __init tdma_init(void)
{
	struct device *dev;
	int ret;

	ret = misc_register(&tdma_misc);
	if (ret)
		return ret;
	dev = tdma_misc.this_device;
	dev->dma_parms = &tdma_parms;
	dev->dma_mask = &dev->coherent_dma_mask;
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret)
		misc_deregister(&tdma_misc);
	return ret;
}

static void __exit tdma_exit(void)
{
	misc_deregister(&tdma_misc);
}

module_init(tdma_init);
module_exit(tdma_exit);
MODULE_DESCRIPTION("vmem-exp test-only DMA device");
MODULE_LICENSE("GPL");
