#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Fetch a Debian kernel image (vmlinuz + modules) for the guest.
# Usage: fetch-kernel.sh KVER
# Prints the directory holding boot/vmlinuz-KVER and lib/modules/KVER.
# The download is cached in $VMEM_EXP_CACHE (default ~/.cache/vmem-exp):
# a second run does not touch the network.
set -eu
kver=$1
cache=${VMEM_EXP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmem-exp}
root=$cache/kernel-$kver

if [ ! -f "$root/.complete" ]; then
	echo "fetch-kernel: downloading linux-image-$kver into $root" >&2
	rm -rf "$root"
	mkdir -p "$root/debs"
	# A fresh machine may have no package lists yet.
	(cd "$root/debs" && { apt-get download -q "linux-image-$kver" ||
		{ apt-get update -q && apt-get download -q "linux-image-$kver"; }; } >&2)
	for deb in "$root"/debs/*.deb; do
		dpkg -x "$deb" "$root"
	done
	rm -rf "$root/debs"
	# The package leaves modules.dep to its postinst; make it here.
	/sbin/depmod -b "$root" "$kver"
	touch "$root/.complete"
fi
echo "$root"
