/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inserted into 6.1's udmabuf.c by scripts/udmabuf-module.sh for make bench: the
 * checks udmabuf makes through symbols 6.1 does not export to modules.
 */
#include <uapi/linux/magic.h>

static bool bench_is_hugetlbfs(struct file *file)
{
	return file_inode(file)->i_sb->s_magic == HUGETLBFS_MAGIC;
}

static int bench_memfd_seals(struct file *file)
{
	if (bench_is_hugetlbfs(file))
		return HUGETLBFS_I(file_inode(file))->seals;
	if (shmem_mapping(file->f_mapping))
		return SHMEM_I(file_inode(file))->seals;
	return -EINVAL;
}

MODULE_IMPORT_NS(DMA_BUF);
