/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers for the vmem-exp guest tests: TAP output and the small
 * pieces every test file needs. Each test prints TAP 13 with its plan at the
 * end, so a test that dies half way has no plan and is counted as failed.
 */
#ifndef VMEM_EXP_TEST_HARNESS_H
#define VMEM_EXP_TEST_HARNESS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE	((size_t)4096)
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Exit code of a test file that could not run at all (kselftest's skip). */
#define KSFT_SKIP 4

/* Record one result; returns @cond so callers can bail out on failure. */
bool t_ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Record one skipped case with its reason. */
void t_skip(const char *reason, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void t_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Count one more failure in *@n (threads may share it) and say what it was,
 * for the first five only: a race that goes wrong goes wrong thousands of
 * times, and the count, checked afterwards, is the result.
 */
void t_diag_counted(atomic_long *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Whether this guest exists to test @what (VMEM_EXP_REQUIRE, from
 * scripts/kernels.sh's K_REQUIRE): where it is, a test that finds @what
 * missing fails rather than skips.
 */
bool t_required(const char *what);
/*
 * A test file that cannot run here: its reason, and KSFT_SKIP for main() to
 * return; or, where @what is required, a failure and t_done()'s exit code.
 */
int t_skip_file(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Stop the file with a failure: nothing after this could be meaningful. */
void t_bail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Print the plan and return the exit code for main(). */
int t_done(void);

/* /dev/vmem-exp, opened once; bails out if it cannot be opened. */
int t_dev(void);
/* Export through libvmemexp: the dma-buf fd, or -errno. */
int t_export(void *addr, size_t len, int fd_flags);
/* The raw ioctl with every field given: 0 or -errno, fd in *fd. */
int t_export_raw(uint64_t addr, uint64_t len, uint32_t fd_flags, uint32_t flags,
		 int32_t src_fd, int *fd);
/* t_ok() that a call returned -@err; prints what it got otherwise. */
bool t_ok_errno(int ret, int err, const char *what);

/*
 * Open /proc/@pid/mem with @flags (O_RDONLY or O_RDWR; O_CLOEXEC is added):
 * the src_fd of a remote export. The fd, or -errno.
 */
int t_proc_mem(int pid, int flags);

/*
 * A new ramfs (whose shared mappings track dirty pages) mounted at @dir,
 * and in it the file @dir/file of @len bytes: its fd, open read-write.
 * Bails out on failure; the caller unmounts @dir.
 */
int t_ramfs_file(const char *dir, size_t len);

/* Anonymous private mapping of @len bytes; bails out on failure. */
void *t_map_anon(size_t len);
/* Shared mapping of a dma-buf: the address or NULL (errno set). */
void *t_map_dmabuf(int fd, size_t len, int prot, off_t off);

/* Fill or check @len bytes with a pattern derived from @seed. */
void t_fill(void *p, size_t len, uint32_t seed);
bool t_check(const void *p, size_t len, uint32_t seed);
/* Whether every one of @len bytes is @val. */
bool t_all_bytes(const void *p, size_t len, unsigned char val);

/* Whether two fds are the same open file (the same dma-buf, say). */
bool t_same_file(int a, int b);

/* Read or write a vmem_exp module parameter; bail out on failure. */
long t_get_param(const char *name);
void t_set_param(const char *name, long val);
void t_set_param_str(const char *name, const char *val);

/* This process's VmPin in kB: what vmem-exp charged to its pinned_vm. */
long t_vm_pin_kb(void);
/* The same for process @pid, -1 if unknown. */
long t_vm_pin_kb_of(int pid);
/* The frame behind @addr (from /proc/self/pagemap), 0 if none is mapped. */
uint64_t t_pfn_of(const void *addr);
/* The same at @addr in process @pid (its /proc/PID/pagemap). */
uint64_t t_pfn_in(int pid, uint64_t addr);
/* Whether the mapping of @addr has VmFlags @flag in smaps ("pf", "mm"...). */
bool t_vma_flag(const void *addr, const char *flag);

/* Entries in /proc/self/fd: to check that nothing leaked an fd. */
int t_open_fds(void);

/* Pins held system-wide: nr_foll_pin_acquired - nr_foll_pin_released. */
long t_pins_held(void);

/* Pass an fd over a unix socket. recv_fd returns the fd or -1. */
int t_send_fd(int sock, int fd);
int t_recv_fd(int sock);

/* Wait for a child and return its exit status, or -1 if it did not exit. */
int t_wait_child(int pid);

#endif /* VMEM_EXP_TEST_HARNESS_H */
