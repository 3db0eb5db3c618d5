#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make demo: boot Debian's 6.1 kernel under QEMU with vivid, vgem and
# vmem_exp, run tools/demo.c there, and show what it says.
set -eu
cd "$(dirname "$0")/.."
. scripts/kernels.sh
k=${DEMO_KERNEL:-6.1}
kernel_vars "$k"
out=build/demo-$k

scripts/deps.sh
make -s build/tools/demo.t
echo "demo: building the module and booting $K_VER under QEMU (a minute the first time)" >&2
scripts/build-module.sh "$k" "$out"
kroot=$(scripts/fetch-kernel.sh "$k")
scripts/mkinitramfs.sh "$out/initramfs.cpio.gz" "$kroot" "$K_VER" \
	"$out/vmem_exp.ko" build/tools/demo.t
if ! scripts/run-guest.sh "demo-$k" "$kroot/$K_VMLINUZ" "$out/initramfs.cpio.gz" \
	"$out/guest" > "$out/run.log"; then
	cat "$out/run.log"
	exit 1
fi
sed -n 's/^# \([ 0-9]\)/\1/p' "$out/guest/tap.log" | grep -v '^ *kernel '
