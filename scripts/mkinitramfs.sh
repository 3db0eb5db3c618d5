#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build the test guest's initramfs.
# Usage: mkinitramfs.sh OUT KERNEL_ROOT KVER VMEM_EXP_KO TEST...
# KERNEL_ROOT holds the unpacked Debian image (lib/modules/KVER); the tests
# are installed in the given order as /tests/NN-name.t.
set -eu
out=$1 kroot=$2 kver=$3 ko=$4
shift 4
here=$(cd "$(dirname "$0")" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage/bin" "$stage/etc" "$stage/proc" "$stage/sys" "$stage/dev" \
	"$stage/tests" "$stage/lib/modules"
cp /bin/busybox "$stage/bin/busybox"
for app in $(/bin/busybox --list); do
	[ "$app" = busybox ] || ln -s busybox "$stage/bin/$app"
done
cp "$here/../tests/init" "$stage/init"
cp "$here/../tests/run.sh" "$stage/tests/run.sh"
chmod +x "$stage/init"

# Real importers and their dependencies, in load order, then vmem_exp.
moddir=$kroot/lib/modules/$kver
: > "$stage/etc/modules.load"
for m in $("$here/modclosure.sh" "$moddir" vgem vivid); do
	mkdir -p "$stage/lib/modules/$(dirname "$m")"
	cp "$moddir/$m" "$stage/lib/modules/$m"
	echo "$m" >> "$stage/etc/modules.load"
done
cp "$ko" "$stage/lib/modules/vmem_exp.ko"
echo "vmem_exp.ko" >> "$stage/etc/modules.load"

i=10
for t in "$@"; do
	cp "$t" "$stage/tests/$i-$(basename "$t")"
	i=$((i + 1))
done

(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) > "$out"
