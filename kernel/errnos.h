/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The errnos DBUFIOC_VMEM_EXP may fail with, the one list of them: the
 * driver counts each refusal under its name (info.c: refused/NAME in
 * sysfs), vmemexp(1) explains each (tools/vmemexp.c), and vmem-exp(4)
 * documents each (make lint checks that it names exactly these).
 *
 * X(errno, only a remote export fails so, what it means to a user).
 * Data only: no includes, for the module and the tool alike.
 */
#ifndef VMEM_EXP_ERRNOS_H
#define VMEM_EXP_ERRNOS_H

#define VMEM_EXP_EXPORT_ERRNOS(X)					\
	X(EINVAL, 0,							\
	  "a bad argument: not page-aligned, length 0, unknown flags; or O_RDONLY\n" \
	  "asked for a whole read-write dma-buf mapping")		\
	X(EFAULT, 0,							\
	  "a page of the range is not mapped, not readable, cannot be faulted in\n" \
	  "or is hardware-poisoned, or the range covers part of a dma-buf mapping") \
	X(EPERM, 0,							\
	  "part of the range is a VM_PFNMAP/VM_IO mapping of a driver that nothing\n" \
	  "can hold (not videobuf2, not named in pfnmap_drivers); or the range is a\n" \
	  "whole dma-buf mapping and you hold no fd of it; or, remote, a dma-buf\n" \
	  "mapping, or read-only a page the pin would copy into the target") \
	X(ENXIO, 0,							\
	  "a driver mapping maps a frame that is not ordinary RAM, or one with no\n" \
	  "reference count of its own; or memory mapped uncached")	\
	X(EXDEV, 0,							\
	  "parts of the range are mapped with different memory types (cacheable and\n" \
	  "write-combined, say): one dma-buf has one")		\
	X(EACCES, 0,							\
	  "read-write asked for a range that is not mapped writable")	\
	X(EOPNOTSUPP, 0,						\
	  "read-write asked for a shared mapping whose dirty pages are tracked (a\n" \
	  "file or block device written back, a mapping with page_mkwrite): only\n" \
	  "shmem and hugetlbfs can be exported writable")		\
	X(E2BIG, 0, "the length is over the module's max_export_mb")	\
	X(ENOMEM, 0,							\
	  "the pages would take you past RLIMIT_MEMLOCK (ulimit -l), pages could\n" \
	  "not be moved out of ZONE_MOVABLE or CMA for the pin, or the kernel is\n" \
	  "out of memory")						\
	X(ENOSPC, 0,							\
	  "the pages would take all exports together past max_pinned_mb, or you\n" \
	  "past your share of it (max_pinned_user_percent; CAP_IPC_LOCK exempts)") \
	X(EMFILE, 0, "no free file descriptor")				\
	X(EINTR, 0, "interrupted by a fatal signal")			\
	X(EBADF, 1, "remote: the /proc/PID/mem fd is not open")	\
	X(ESRCH, 1,							\
	  "remote: the process has exited or exec'd since its /proc/PID/mem was opened")

#endif /* VMEM_EXP_ERRNOS_H */
