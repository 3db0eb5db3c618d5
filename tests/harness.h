/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers for the vmem-exp guest tests: TAP output and the small
 * pieces every test file needs. Each test prints TAP 13 with its plan at the
 * end, so a test that dies half way has no plan and is counted as failed.
 */
#ifndef VMEM_EXP_TEST_HARNESS_H
#define VMEM_EXP_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE	((size_t)4096)
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Exit code of a test file that could not run at all (kselftest's skip). */
#define KSFT_SKIP 4

/* Record one result; returns @cond so callers can bail out on failure. */
bool ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Record one skipped case with its reason. */
void skip(const char *reason, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Whether this guest exists to test @what (VMEM_EXP_REQUIRE, from
 * scripts/kernels.sh's K_REQUIRE): where it is, a test that finds @what
 * missing fails rather than skips.
 */
bool required(const char *what);
/*
 * A test file that cannot run here: its reason, and KSFT_SKIP for main() to
 * return; or, where @what is required, a failure and done()'s exit code.
 */
int skip_file(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Stop the file with a failure: nothing after this could be meaningful. */
void bail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Print the plan and return the exit code for main(). */
int done(void);

/* /dev/vmem-exp, opened once; bails out if it cannot be opened. */
int dev(void);
/* Export through libvmemexp: the dma-buf fd, or -errno. */
int export(void *addr, size_t len, int fd_flags);
/* The raw ioctl with every field given: 0 or -errno, fd in *fd. */
int export_raw(uint64_t addr, uint64_t len, uint32_t fd_flags, uint32_t flags,
	       int32_t src_fd, int *fd);
/* ok() that a call returned -@err; prints what it got otherwise. */
bool ok_errno(int ret, int err, const char *what);

/*
 * Open /proc/@pid/mem with @flags (O_RDONLY or O_RDWR; O_CLOEXEC is added):
 * the src_fd of a remote export. The fd, or -errno.
 */
int proc_mem(int pid, int flags);

/* Anonymous private mapping of @len bytes; bails out on failure. */
void *map_anon(size_t len);
/* Shared mapping of a dma-buf: the address or NULL (errno set). */
void *map_dmabuf(int fd, size_t len, int prot, off_t off);

/* Fill or check @len bytes with a pattern derived from @seed. */
void fill(void *p, size_t len, uint32_t seed);
bool check(const void *p, size_t len, uint32_t seed);
/* Whether every one of @len bytes is @val. */
bool all_bytes(const void *p, size_t len, unsigned char val);

/* Whether two fds are the same open file (the same dma-buf, say). */
bool same_file(int a, int b);

/* Read or write a vmem_exp module parameter; bail out on failure. */
long get_param(const char *name);
void set_param(const char *name, long val);
void set_param_str(const char *name, const char *val);

/* This process's VmPin in kB: what vmem-exp charged to its pinned_vm. */
long vm_pin_kb(void);
/* The same for process @pid, -1 if unknown. */
long vm_pin_kb_of(int pid);
/* The frame behind @addr (from /proc/self/pagemap), 0 if none is mapped. */
uint64_t pfn_of(const void *addr);
/* The same at @addr in process @pid (its /proc/PID/pagemap). */
uint64_t pfn_in(int pid, uint64_t addr);
/* Whether the mapping of @addr has VmFlags @flag in smaps ("pf", "mm"...). */
bool vma_flag(const void *addr, const char *flag);

/* Entries in /proc/self/fd: to check that nothing leaked an fd. */
int open_fds(void);

/* Pins held system-wide: nr_foll_pin_acquired - nr_foll_pin_released. */
long pins_held(void);

/* Pass an fd over a unix socket. recv_fd returns the fd or -1. */
int send_fd(int sock, int fd);
int recv_fd(int sock);

/* Wait for a child and return its exit status, or -1 if it did not exit. */
int wait_child(int pid);

#endif /* VMEM_EXP_TEST_HARNESS_H */
