#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make check: for each kernel in $KERNELS (default: all known), build the
# module, boot that Debian kernel under QEMU with vgem, vivid and vmem_exp
# loaded, and run the suite (make check-debug: KERNELS=6.1-debug, a kernel
# built from Debian's source with the checkers on, see debug-kernel.sh).
# Ends with one line for all kernels together:
#   N passed, N failed, N skipped
# and exits non-zero if anything failed on any kernel.
set -eu
cd "$(dirname "$0")/.."
. scripts/kernels.sh
KERNELS=${KERNELS:-$KNOWN_KERNELS}
for k in $KERNELS; do
	kernel_vars "$k" > /dev/null
done

scripts/deps.sh
make -s tests

passed=0 failed=0 skipped=0 failures=
for k in $KERNELS; do
	kernel_vars "$k"
	out=build/$k
	mkdir -p "$out"
	echo "# kernel $k ($K_VER): building the module (the first run also downloads and prepares)" >&2
	if ! scripts/build-module.sh "$k" "$out" || ! kroot=$(scripts/fetch-kernel.sh "$k"); then
		echo "not ok - $k: build the module and fetch the kernel"
		failed=$((failed + 1)) failures="$failures $k"
		continue
	fi
	# The release of a kernel built from source is known once it is built.
	kernel_vars "$k"
	scripts/mkinitramfs.sh "$out/initramfs.cpio.gz" "$kroot" "$K_VER" \
		"$out/vmem_exp.ko" $(make -s print-tests)
	echo "# kernel $k: booting under QEMU" >&2
	scripts/run-guest.sh "$k" "$kroot/$K_VMLINUZ" "$out/initramfs.cpio.gz" "$out/guest" ||
		failures="$failures $k"
	read -r p f s < "$out/guest/counts"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done

[ -z "$failures" ] || echo "# failed on:$failures"
echo "$passed passed, $failed failed, $skipped skipped"
[ -z "$failures" ] && [ "$failed" = 0 ]
