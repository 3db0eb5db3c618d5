#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench's baseline on 6.1: Debian's 6.1 kernel is built without
# udmabuf (CONFIG_UDMABUF is not set), so build it as a module from the
# same release's linux-source-6.1 (the tarball make lint and
# make check-debug use), against kernel SPEC's headers. Only the benchmark
# uses it; none of its code is part of vmem-exp.
# Usage: udmabuf-module.sh SPEC OUTDIR  (leaves OUTDIR/udmabuf.ko)
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"
here=$(cd "$(dirname "$0")" && pwd)
kernel_vars bookworm-debug
tarball=$(source_tarball)
src_dir=$VMEM_EXP_CACHE/udmabuf-$K_PKGVER
kernel_vars "$1"
mkdir -p "$2"
out=$(cd "$2" && pwd)
root=$("$here/build-env.sh" "$1")
[ "$root" = / ] || { echo "udmabuf-module: $1: only for the host's release" >&2; exit 1; }

if [ ! -f "$src_dir/udmabuf.c" ]; then
	echo "udmabuf-module: unpacking udmabuf.c from linux-source-6.1" >&2
	mkdir -p "$src_dir"
	tar -xJf "$tarball" -C "$src_dir" --strip-components=3 \
		linux-source-6.1/drivers/dma-buf/udmabuf.c
fi
rm -rf "$out/udmabuf-src"
mkdir -p "$out/udmabuf-src"
# Built in, udmabuf.c reaches three symbols 6.1 does not export to modules
# (memfd_fcntl, is_file_shm_hugepages, hugetlbfs_file_operations) and
# the DMA_BUF namespace without importing it. Out of tree it makes the same
# two checks with helpers of its own: the memfd's seals read from its
# inode, hugetlbfs recognised by its superblock. Nothing else changes.
sed -e 's/memfd_fcntl(memfd, F_GET_SEALS, 0)/bench_memfd_seals(memfd)/' \
	-e 's/is_file_hugepages(memfd)/bench_is_hugetlbfs(memfd)/' \
	-e "/^#include <linux\/hugetlb.h>/r $here/../tests/kmod/udmabuf-6.1.h" \
	"$src_dir/udmabuf.c" > "$out/udmabuf-src/udmabuf.c"
grep -q 'bench_memfd_seals(memfd)' "$out/udmabuf-src/udmabuf.c" ||
	{ echo "udmabuf-module: udmabuf.c changed: adapt tests/kmod/udmabuf-6.1.h" >&2; exit 1; }
echo 'obj-m := udmabuf.o' > "$out/udmabuf-src/Kbuild"
make -s -C "$K_KDIR" M="$out/udmabuf-src" modules 2>&1 |
	grep -v 'Skipping BTF generation' >&2 || true
[ -f "$out/udmabuf-src/udmabuf.ko" ] ||
	{ echo "udmabuf-module: $1: udmabuf.ko: build failed" >&2; exit 1; }
cp "$out/udmabuf-src/udmabuf.ko" "$out/"
