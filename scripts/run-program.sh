#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Boot kernel NAME under QEMU with vivid, vgem and vmem_exp loaded and a
# single program in place of the test suite (make demo, make bench).
# Usage: run-program.sh SPEC OUTDIR PROGRAM (SPEC: NAME or NAME=VERSION)
# Its TAP stream ends up in OUTDIR/guest/tap.log; on failure the whole run
# is printed and the exit status is non-zero.
set -eu
cd "$(dirname "$0")/.."
# shellcheck source=scripts/common.sh
. scripts/common.sh
name=$1 out=$2 program=$3
kernel_vars "$name"

scripts/build-module.sh "$name" "$out"
kroot=$(scripts/fetch-kernel.sh "$name")
kernel_vars "$name"
scripts/mkinitramfs.sh "$out/initramfs.cpio.gz" "$kroot" "$K_VER" \
	"$out/vmem_exp.ko" "$program"
if ! scripts/run-guest.sh "$name" "$kroot/$K_VMLINUZ" "$out/initramfs.cpio.gz" \
	"$out/guest" > "$out/run.log"; then
	cat "$out/run.log"
	exit 1
fi
