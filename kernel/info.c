// SPDX-License-Identifier: GPL-2.0
/*
 * vmem-exp: what an administrator can see of the driver (the vmemexp tool
 * reads it).
 *
 * - Every export names its dma-buf "vmem-exp", where the dma-buf core shows
 *   names: fdinfo, /proc/PID/maps ("/dmabuf:NAME") and the core's debugfs
 *   bufinfo. Everyone who holds or maps the buffer sees the name, so it
 *   says nothing of the exporter; fdinfo's exp_name, "vmem_exp", is what
 *   no holder can change.
 * - /sys/kernel/debug/vmem_exp/buffers (root) lists the live buffers with
 *   what the core does not show: the exporter (pid, address, command), how
 *   the pages are held and the devices attached; .../users what each
 *   user holds, against its share of max_pinned_mb.
 * - /sys/class/misc/vmem-exp/ (everyone) counts buffers, pages held and
 *   exports made, and exports refused by errno (refused/EINVAL, ...).
 */

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "errnos.h"
#include "vmem_exp.h"

/* Protects vmem_exp_buffers and the &vmem_exp_buf.node of each entry. */
static DEFINE_MUTEX(vmem_exp_buffers_lock);
/* Every live buffer, newest first. */
static LIST_HEAD(vmem_exp_buffers);
static struct dentry *vmem_exp_debugfs;

static atomic_long_t vmem_exp_exports_made = ATOMIC_LONG_INIT(0);

/*
 * The errnos an export may fail with (errnos.h), each counted in
 * refused/NAME; anything else in the last entry, refused/other.
 */
#define VMEM_EXP_REFUSAL(err, remote, why)	{ err, #err },
static const struct {
	int err;
	const char *name;
} vmem_exp_refusals[] = {
	VMEM_EXP_EXPORT_ERRNOS(VMEM_EXP_REFUSAL)
	{ 0, "other" },
};

#define VMEM_EXP_NR_REFUSALS	ARRAY_SIZE(vmem_exp_refusals)

static atomic_long_t vmem_exp_refused[VMEM_EXP_NR_REFUSALS];

/**
 * vmem_exp_info_export_done() - count the outcome of one DBUFIOC_VMEM_EXP
 * @ret: 0 for an export made, else the negative errno it was refused with.
 */
void vmem_exp_info_export_done(int ret)
{
	unsigned int i;

	if (!ret) {
		atomic_long_inc(&vmem_exp_exports_made);
		return;
	}
	for (i = 0; i < VMEM_EXP_NR_REFUSALS - 1; i++)
		if (vmem_exp_refusals[i].err == -ret)
			break;
	atomic_long_inc(&vmem_exp_refused[i]);
}

/*
 * The name of every export's dma-buf. It says where the buffer comes from
 * and nothing about whom: the core shows it to every process that holds or
 * maps the buffer, in any pid namespace (fdinfo, /proc/PID/maps), where the
 * exporter's pid or an address in its memory would give them away.
 */
static const char vmem_exp_name[] = "vmem-exp";

/**
 * vmem_exp_info_add() - name a new buffer's dma-buf and list the buffer
 * @buf: the buffer, whose @origin_* fields are set.
 * @dmabuf: its dma-buf, not yet visible to user space.
 *
 * A name that cannot be allocated is left out: the name only informs. It
 * is allocated because the core frees it (release, DMA_BUF_SET_NAME).
 */
void vmem_exp_info_add(struct vmem_exp_buf *buf, struct dma_buf *dmabuf)
{
	const char *name;

	/* i_ino: an unsigned long on 6.1 and 6.12, a u64 on 7.2. */
	buf->ino = file_inode(dmabuf->file)->i_ino;
	name = kmemdup(vmem_exp_name, sizeof(vmem_exp_name), GFP_KERNEL);
	if (name) {
		spin_lock(&dmabuf->name_lock);
		dmabuf->name = name;
		spin_unlock(&dmabuf->name_lock);
	}

	mutex_lock(&vmem_exp_buffers_lock);
	list_add(&buf->node, &vmem_exp_buffers);
	mutex_unlock(&vmem_exp_buffers_lock);
}

/**
 * vmem_exp_info_del() - take a buffer off the list, before it is freed
 * @buf: a buffer given to vmem_exp_info_add().
 */
void vmem_exp_info_del(struct vmem_exp_buf *buf)
{
	mutex_lock(&vmem_exp_buffers_lock);
	list_del(&buf->node);
	mutex_unlock(&vmem_exp_buffers_lock);
}

/*
 * debugfs buffers: a header, then one tab-separated line per buffer:
 * inode of the dma-buf, size, access mode, exporter's pid, start address,
 * pages held by pins, by page references and by vb2 buffers, the attached
 * devices (comma-separated, "-" for none) and the exporter's command
 * (escaped: it is the one field that may contain blanks).
 */
static int vmem_exp_buffers_show(struct seq_file *m, void *unused)
{
	unsigned long held[VMEM_EXP_HOLD_VB2 + 1];
	struct vmem_exp_attachment *a;
	struct vmem_exp_buf *buf;
	unsigned int i;
	bool first;

	seq_puts(m, "ino\tsize\tmode\tpid\taddr\tpins\trefs\tvb2\tdevices\tcomm\n");
	mutex_lock(&vmem_exp_buffers_lock);
	list_for_each_entry(buf, &vmem_exp_buffers, node) {
		memset(held, 0, sizeof(held));
		for (i = 0; i < buf->nr_holds; i++)
			held[buf->holds[i].kind] += buf->holds[i].count;
		/*
		 * Only what the buffer holds itself: its dma-buf's file and
		 * inode may be gone already (see &vmem_exp_buf.ino).
		 */
		seq_printf(m, "%llu\t%lu\t%s\t%d\t0x%lx\t%lu\t%lu\t%lu\t",
			   buf->ino, buf->nr_pages << PAGE_SHIFT,
			   buf->writable ? "rw" : "ro",
			   buf->origin_pid, buf->origin_addr,
			   held[VMEM_EXP_HOLD_PIN], held[VMEM_EXP_HOLD_REF],
			   held[VMEM_EXP_HOLD_VB2]);
		first = true;
		mutex_lock(&buf->lock);
		list_for_each_entry(a, &buf->attachments, node) {
			seq_printf(m, "%s%s", first ? "" : ",", dev_name(a->dev));
			first = false;
		}
		mutex_unlock(&buf->lock);
		seq_puts(m, first ? "-\t" : "\t");
		seq_escape(m, buf->origin_comm, " \t\n\\");
		seq_putc(m, '\n');
	}
	mutex_unlock(&vmem_exp_buffers_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmem_exp_buffers);

/* debugfs users: what each user holds, see vmem_exp_shares_show(). */
static int vmem_exp_users_show(struct seq_file *m, void *unused)
{
	vmem_exp_shares_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmem_exp_users);

static ssize_t buffers_show(struct device *dev, struct device_attribute *attr,
			    char *out)
{
	struct vmem_exp_buf *buf;
	unsigned long n = 0;

	mutex_lock(&vmem_exp_buffers_lock);
	list_for_each_entry(buf, &vmem_exp_buffers, node)
		n++;
	mutex_unlock(&vmem_exp_buffers_lock);
	return sysfs_emit(out, "%lu\n", n);
}
static DEVICE_ATTR_RO(buffers);

static ssize_t held_pages_show(struct device *dev,
			       struct device_attribute *attr, char *out)
{
	return sysfs_emit(out, "%lu\n", vmem_exp_held_pages());
}
static DEVICE_ATTR_RO(held_pages);

static ssize_t exports_show(struct device *dev, struct device_attribute *attr,
			    char *out)
{
	return sysfs_emit(out, "%ld\n", atomic_long_read(&vmem_exp_exports_made));
}
static DEVICE_ATTR_RO(exports);

static struct attribute *vmem_exp_attrs[] = {
	&dev_attr_buffers.attr,
	&dev_attr_held_pages.attr,
	&dev_attr_exports.attr,
	NULL
};

static const struct attribute_group vmem_exp_group = {
	.attrs = vmem_exp_attrs,
};

/*
 * refused/NAME: one read-only file per entry of vmem_exp_refusals, whose
 * index is the attribute's var; filled in by vmem_exp_info_init().
 */
static ssize_t refused_show(struct device *dev, struct device_attribute *attr,
			    char *out)
{
	struct dev_ext_attribute *ea = container_of(attr, struct dev_ext_attribute, attr);
	unsigned long i = (unsigned long)ea->var;

	return sysfs_emit(out, "%ld\n", atomic_long_read(&vmem_exp_refused[i]));
}

static struct dev_ext_attribute vmem_exp_refused_attrs[VMEM_EXP_NR_REFUSALS];
static struct attribute *vmem_exp_refused_list[VMEM_EXP_NR_REFUSALS + 1];

static const struct attribute_group vmem_exp_refused_group = {
	.name = "refused",
	.attrs = vmem_exp_refused_list,
};

/* The misc device's sysfs attributes (miscdevice.groups). */
const struct attribute_group *vmem_exp_info_groups[] = {
	&vmem_exp_group,
	&vmem_exp_refused_group,
	NULL
};

/* Before misc_register(), which creates the files of vmem_exp_info_groups. */
void vmem_exp_info_init(void)
{
	struct dev_ext_attribute *ea;
	unsigned long i;

	for (i = 0; i < VMEM_EXP_NR_REFUSALS; i++) {
		ea = &vmem_exp_refused_attrs[i];
		sysfs_attr_init(&ea->attr.attr);
		ea->attr.attr.name = vmem_exp_refusals[i].name;
		ea->attr.attr.mode = 0444;
		ea->attr.show = refused_show;
		ea->var = (void *)i;
		vmem_exp_refused_list[i] = &ea->attr.attr;
	}

	/* Without debugfs the list is simply not shown. */
	vmem_exp_debugfs = debugfs_create_dir("vmem_exp", NULL);
	debugfs_create_file("buffers", 0400, vmem_exp_debugfs, NULL,
			    &vmem_exp_buffers_fops);
	debugfs_create_file("users", 0400, vmem_exp_debugfs, NULL,
			    &vmem_exp_users_fops);
}

void vmem_exp_info_exit(void)
{
	debugfs_remove_recursive(vmem_exp_debugfs);
}
