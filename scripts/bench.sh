#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench: boot one kernel (BENCH_KERNEL, default 6.12: its udmabuf is
# built in, the baseline to compare with) with only the benchmark in the
# guest, and print its table. Speed is reported, never judged.
set -eu
cd "$(dirname "$0")/.."
. scripts/kernels.sh
k=${BENCH_KERNEL:-6.12}
kernel_vars "$k"
out=build/bench-$k

scripts/deps.sh
make -s build/bench/bench.t
scripts/build-module.sh "$k" "$out"
kroot=$(scripts/fetch-kernel.sh "$k")
scripts/mkinitramfs.sh "$out/initramfs.cpio.gz" "$kroot" "$K_VER" \
	"$out/vmem_exp.ko" build/bench/bench.t
scripts/run-guest.sh "bench-$k" "$kroot/$K_VMLINUZ" "$out/initramfs.cpio.gz" \
	"$out/guest" > "$out/run.log" || { cat "$out/run.log"; exit 1; }
echo "# kernel $k ($K_VER)"
grep -E '^# (benchmark|no /dev| +(MiB|[0-9]))' "$out/guest/tap.log"
