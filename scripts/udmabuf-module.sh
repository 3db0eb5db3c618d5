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
cp "$src_dir/udmabuf.c" "$out/udmabuf-src/"
echo 'obj-m := udmabuf.o' > "$out/udmabuf-src/Kbuild"
make -s -C "$K_KDIR" M="$out/udmabuf-src" modules 2>&1 |
	grep -v 'Skipping BTF generation' >&2 || true
cp "$out/udmabuf-src/udmabuf.ko" "$out/"
