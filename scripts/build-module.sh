#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build vmem_exp.ko for kernel NAME with W=1 (warnings as errors where
# VMEM_EXP_WERROR=y, as make check sets it), from a
# copy of the sources, so builds for several kernels do not clash; and the
# test-only modules of tests/kmod (vmem_test_cmem.ko, vmem_test_dma.ko)
# beside it.
# Usage: build-module.sh SPEC OUTDIR  (the modules land in OUTDIR)
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"
kernel_vars "$1"
mkdir -p "$2"
out=$(cd "$2" && pwd)
here=$(cd "$(dirname "$0")/.." && pwd)
root=$("$here/scripts/build-env.sh" "$1")

if [ "$root" = / ]; then
	src=$out/src
else
	src=$root/vmem-exp
fi
rm -rf "$src" "$out/vmem_exp.ko" "$out/vmem_test_cmem.ko" "$out/vmem_test_dma.ko"
mkdir -p "$src/kernel" "$src/include/uapi/linux" "$src/tests/kmod" "$out"
# Sources only: never a module or object left by another build.
cp "$here"/kernel/Kbuild "$here"/kernel/*.[ch] "$src/kernel/"
cp "$here"/VERSION "$src/"
cp "$here"/include/uapi/linux/*.h "$src/include/uapi/linux/"
cp "$here"/tests/kmod/Kbuild "$here"/tests/kmod/*.[ch] "$src/tests/kmod/"

# A path on the host, or inside the chroot.
kdir=$K_KDIR
# Another architecture's kernel: its cross compilers (the headers name
# the compiler, gcc-N, after CROSS_COMPILE).
cross=
[ -z "$K_CROSS" ] || cross="ARCH=$K_KARCH CROSS_COMPILE=$K_CROSS-"
# A kernel built here from source with gcov (the debug kernels; not
# sid-kcsan) gets a module with gcov's counters, for make coverage
# (kernel/Kbuild).
gcov=
[ -z "$K_SOURCE" ] || ! grep -qx 'CONFIG_GCOV_KERNEL=y' "$K_ROOT/build/.config" ||
	gcov=VMEM_EXP_GCOV=y
if [ "$root" = / ]; then
	# shellcheck disable=SC2086 # make's variables, one a word
	make -s -C "$kdir" $cross $gcov M="$src/kernel" W=1 modules &&
		make -s -C "$kdir" $cross M="$src/tests/kmod" W=1 modules
else
	# objtool of newer kernels reads /proc.
	mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
	trap 'umount "$root/proc" 2>/dev/null || true' EXIT
	# shellcheck disable=SC2086 # make's variables, one a word
	chroot "$root" make -s -C "$kdir" $cross $gcov M=/vmem-exp/kernel W=1 modules &&
		chroot "$root" make -s -C "$kdir" $cross M=/vmem-exp/tests/kmod W=1 modules
fi 2>&1 | grep -v 'Skipping BTF generation' >&2 || true
for ko in kernel/vmem_exp.ko tests/kmod/vmem_test_cmem.ko \
	tests/kmod/vmem_test_dma.ko; do
	[ -f "$src/$ko" ] || { echo "build-module: $1: $ko: build failed" >&2; exit 1; }
	cp "$src/$ko" "$out/"
done
# gcov's notes (.gcno) and the sources they describe, kept beside the
# module: the build dir goes with the next build (in a chroot, another
# kernel's); the guest's counts (.gcda) join them after the run
# (coverage.sh collect).
rm -rf "$out/gcov"
if [ -n "$gcov" ]; then
	mkdir -p "$out/gcov"
	cp "$src"/kernel/*.gcno "$here"/kernel/*.[ch] "$out/gcov/"
	if [ "$root" = / ]; then
		echo "$src/kernel"
	else
		echo /vmem-exp/kernel
	fi > "$out/gcov/builddir"
fi
