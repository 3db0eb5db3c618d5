// SPDX-License-Identifier: GPL-2.0
/*
 * vmem-exp: what pinned pages are charged to, and the limits on them.
 *
 * Every page a buffer holds counts against its exporting user's
 * RLIMIT_MEMLOCK (user->locked_vm), against that user's share of
 * max_pinned_mb (max_pinned_user_percent) and against max_pinned_mb, all
 * users together, until the buffer is released. debugfs and sysfs show
 * what is held (info.c).
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uidgid.h>

#include "vmem_exp.h"

static unsigned long max_pinned_mb;
module_param(max_pinned_mb, ulong, 0644);
MODULE_PARM_DESC(max_pinned_mb,
		 "Most memory pinned through vmem-exp at once, all users together, in MiB; beyond it exports fail with ENOSPC (default: half of RAM, set at load)");

static unsigned int max_pinned_user_percent = 50;

/* 1 to 100: a share of 0 would shut every unprivileged user out. */
static int vmem_exp_set_user_percent(const char *val,
				     const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, 100);
}

static const struct kernel_param_ops vmem_exp_user_percent_ops = {
	.set = vmem_exp_set_user_percent,
	.get = param_get_uint,
};

module_param_cb(max_pinned_user_percent, &vmem_exp_user_percent_ops,
		&max_pinned_user_percent, 0644);
__MODULE_PARM_TYPE(max_pinned_user_percent, "uint");
MODULE_PARM_DESC(max_pinned_user_percent,
		 "Most of max_pinned_mb that one user may hold at once, in percent, 1 to 100; beyond it that user's exports fail with ENOSPC, unless the caller has CAP_IPC_LOCK (default: 50)");

/* Pages pinned through vmem-exp now, all buffers together. */
static atomic_long_t vmem_exp_pinned_pages = ATOMIC_LONG_INIT(0);

/**
 * struct vmem_exp_share - what one user holds through vmem-exp
 * @uid: the user: the uid of the user_struct its pins are charged to.
 * @pages: pages its live buffers hold; the entry exists only while this
 *	is not zero.
 * @node: entry in vmem_exp_shares.
 */
struct vmem_exp_share {
	kuid_t uid;
	unsigned long pages;
	struct hlist_node node;
};

/* Protects vmem_exp_shares and the @pages of each of its entries. */
static DEFINE_MUTEX(vmem_exp_shares_lock);
/* A &struct vmem_exp_share per user that holds pages now, by uid. */
static DEFINE_HASHTABLE(vmem_exp_shares, 6);

/* max_pinned_mb's default, half of RAM, once the module is loaded. */
void vmem_exp_limits_init(void)
{
	if (!max_pinned_mb)
		max_pinned_mb = (totalram_pages() >> (20 - PAGE_SHIFT)) / 2;
}

/* Pages held through vmem-exp now, all buffers together (for sysfs). */
unsigned long vmem_exp_held_pages(void)
{
	return atomic_long_read(&vmem_exp_pinned_pages);
}

/* Adds @nr to @counter unless that would take it past @limit. */
static bool vmem_exp_add_capped(atomic_long_t *counter, unsigned long nr,
				unsigned long limit)
{
	long cur = atomic_long_read(counter);

	do {
		if (nr > limit || cur > limit - nr)
			return false;
	} while (!atomic_long_try_cmpxchg(counter, &cur, cur + nr));
	return true;
}

/* The share of @uid, or NULL if it holds nothing. Under the shares lock. */
static struct vmem_exp_share *vmem_exp_share_find(kuid_t uid)
{
	struct vmem_exp_share *share;

	hash_for_each_possible(vmem_exp_shares, share, node, __kuid_val(uid))
		if (uid_eq(share->uid, uid))
			return share;
	return NULL;
}

/*
 * Adds @nr pages to the share of @uid unless that would take it past
 * @limit pages. Returns the share, or an ERR_PTR(): -ENOSPC past the
 * limit, -ENOMEM if a new entry cannot be allocated.
 */
static struct vmem_exp_share *vmem_exp_share_add(kuid_t uid, unsigned long nr,
						 unsigned long limit)
{
	struct vmem_exp_share *share;

	mutex_lock(&vmem_exp_shares_lock);
	share = vmem_exp_share_find(uid);
	if (nr > limit || (share && share->pages > limit - nr)) {
		share = ERR_PTR(-ENOSPC);
		goto out_unlock;
	}
	if (!share) {
		share = kzalloc(sizeof(*share), GFP_KERNEL_ACCOUNT);
		if (!share) {
			share = ERR_PTR(-ENOMEM);
			goto out_unlock;
		}
		share->uid = uid;
		hash_add(vmem_exp_shares, &share->node, __kuid_val(uid));
	}
	share->pages += nr;
out_unlock:
	mutex_unlock(&vmem_exp_shares_lock);
	return share;
}

/* Takes @nr pages off @share, which goes when it holds none. */
static void vmem_exp_share_sub(struct vmem_exp_share *share, unsigned long nr)
{
	mutex_lock(&vmem_exp_shares_lock);
	WARN_ON(share->pages < nr);
	share->pages -= nr;
	if (!share->pages) {
		hash_del(&share->node);
		kfree(share);
	}
	mutex_unlock(&vmem_exp_shares_lock);
}

/**
 * vmem_exp_shares_show() - list what each user holds, for debugfs
 * @m: the seq_file: one line per user that holds pages now, its uid (as
 *	the reader's user namespace sees it) and the pages, tab-separated,
 *	after a header.
 */
void vmem_exp_shares_show(struct seq_file *m)
{
	struct vmem_exp_share *share;
	unsigned int bkt;

	seq_puts(m, "uid\tpages\n");
	mutex_lock(&vmem_exp_shares_lock);
	hash_for_each(vmem_exp_shares, bkt, share, node)
		seq_printf(m, "%u\t%lu\n",
			   from_kuid_munged(seq_user_ns(m), share->uid),
			   share->pages);
	mutex_unlock(&vmem_exp_shares_lock);
}

/**
 * vmem_exp_charge() - charge a buffer's pages to the caller
 * @buf: the buffer; records whom it charged (@buf->user, @buf->share,
 *	@buf->mm) for vmem_exp_uncharge().
 * @nr_pages: the pages it will hold.
 *
 * Charge @nr_pages to the calling user's locked memory, as io_uring and
 * RDMA do: against RLIMIT_MEMLOCK unless the caller has CAP_IPC_LOCK, and
 * per user rather than per process, so that the charge binds all of the
 * user's processes and outlives the exporter as long as the buffer does.
 * The same user's share of max_pinned_mb (max_pinned_user_percent of it,
 * CAP_IPC_LOCK exempt) keeps one user from taking the whole of it from
 * the others, and max_pinned_mb binds everyone. The pages also show in
 * the exporter's VmPin. A remote export charges the caller too, never the
 * target: the caller made the buffer and can release it, while the target
 * can do nothing to end the pins, not even exit.
 *
 * Return: 0, -ENOMEM past RLIMIT_MEMLOCK (without CAP_IPC_LOCK) or if
 * memory ran out, -ENOSPC past max_pinned_mb or (without CAP_IPC_LOCK)
 * the user's share of it.
 */
int vmem_exp_charge(struct vmem_exp_buf *buf, unsigned long nr_pages)
{
	unsigned long memlock = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	unsigned long cap = READ_ONCE(max_pinned_mb) << (20 - PAGE_SHIFT);
	unsigned long per_user = mult_frac(cap,
					   READ_ONCE(max_pinned_user_percent),
					   100);
	struct user_struct *user = current_user();
	struct vmem_exp_share *share;
	int ret;

	/*
	 * CAP_IPC_LOCK is asked for only past a limit: the check costs
	 * every LSM's hook, and a privilege should be used only when needed.
	 */
	if (!vmem_exp_add_capped(&user->locked_vm, nr_pages, memlock)) {
		if (!capable(CAP_IPC_LOCK))
			return -ENOMEM;
		atomic_long_add(nr_pages, &user->locked_vm);
	}

	share = vmem_exp_share_add(user->uid, nr_pages, per_user);
	if (PTR_ERR(share) == -ENOSPC && capable(CAP_IPC_LOCK))
		share = vmem_exp_share_add(user->uid, nr_pages, ULONG_MAX);
	if (IS_ERR(share)) {
		ret = PTR_ERR(share);
		goto err_locked_vm;
	}

	if (!vmem_exp_add_capped(&vmem_exp_pinned_pages, nr_pages, cap)) {
		ret = -ENOSPC;
		goto err_share;
	}

	buf->user = get_uid(user);
	buf->share = share;
	buf->mm = current->mm;
	mmgrab(buf->mm);
	atomic64_add(nr_pages, &buf->mm->pinned_vm);
	return 0;

err_share:
	vmem_exp_share_sub(share, nr_pages);
err_locked_vm:
	atomic_long_sub(nr_pages, &user->locked_vm);
	return ret;
}

/* Takes back what vmem_exp_charge() charged for @buf's @nr_pages. */
void vmem_exp_uncharge(struct vmem_exp_buf *buf, unsigned long nr_pages)
{
	atomic64_sub(nr_pages, &buf->mm->pinned_vm);
	mmdrop(buf->mm);
	atomic_long_sub(nr_pages, &vmem_exp_pinned_pages);
	vmem_exp_share_sub(buf->share, nr_pages);
	atomic_long_sub(nr_pages, &buf->user->locked_vm);
	free_uid(buf->user);
	buf->mm = NULL;
	buf->share = NULL;
	buf->user = NULL;
}
