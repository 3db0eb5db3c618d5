#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make check: build the module and the tests for each kernel in $KERNELS,
# boot that kernel under QEMU with vgem, vivid and vmem_exp loaded, run the
# suite, and print one closing line: N passed, N failed, N skipped.
set -eu
cd "$(dirname "$0")/.."
KERNELS=${KERNELS:-6.1}

kver_of() {
	case $1 in
	6.1) echo 6.1.0-56-amd64 ;;
	*) echo "check: unknown kernel '$1' (known: 6.1)" >&2; return 1 ;;
	esac
}

headers=
for k in $KERNELS; do
	headers="$headers linux-headers-$(kver_of "$k")"
done
scripts/deps.sh $headers
make -s tests

passed=0 failed=0 skipped=0 status=0
for k in $KERNELS; do
	kver=$(kver_of "$k")
	echo "# kernel $k ($kver): preparing" >&2
	kroot=$(scripts/fetch-kernel.sh "$kver")
	make -s module KDIR="/lib/modules/$kver/build"
	scripts/mkinitramfs.sh "build/initramfs-$k.cpio.gz" "$kroot" "$kver" \
		kernel/vmem_exp.ko $(make -s print-tests)
	echo "# kernel $k: booting under QEMU" >&2
	scripts/run-guest.sh "$k" "$kroot/boot/vmlinuz-$kver" \
		"build/initramfs-$k.cpio.gz" "build/guest-$k" || status=1
	read -r p f s < "build/guest-$k/counts"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$status" = 0 ] && [ "$failed" = 0 ]
