#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Fetch a Debian kernel image (vmlinuz + modules) for the guest.
# Usage: fetch-kernel.sh SPEC (a name of kernels.sh, or NAME=VERSION)
# Prints the directory it was unpacked into; vmlinuz is at $K_VMLINUZ in it
# and the modules in lib/modules/$K_VER. Cached in $VMEM_EXP_CACHE: a second
# run does not touch the network. A kernel built from Debian's source
# (bookworm-debug, sid-debug) is built instead, by debug-kernel.sh, with the same
# layout.
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"
kernel_vars "$1"
[ -z "$K_SOURCE" ] || exec "$(dirname "$0")/debug-kernel.sh" "$1"
root=$VMEM_EXP_CACHE/kernel-$K_VER

# fetch: download and unpack $K_IMAGE into $root.
fetch() {
	rm -rf "$root"
	mkdir -p "$root"
	# shellcheck disable=SC2086 # a list of packages
	download_debs "$K_APT" "$root" $K_IMAGE
	# Merged-/usr packages put the modules in usr/lib/modules.
	[ -e "$root/lib" ] || ln -s usr/lib "$root/lib"
	# vmlinuz is in /boot (bookworm, trixie) or beside the modules
	# (sid's linux-binary package).
	for v in "boot/vmlinuz-$K_VER" "lib/modules/$K_VER/vmlinuz"; do
		[ ! -f "$root/$v" ] || ln -sf "$v" "$root/$K_VMLINUZ"
	done
	[ -e "$root/$K_VMLINUZ" ] || { echo "fetch-kernel: no vmlinuz in $K_IMAGE"; return 1; }
	# The package leaves modules.dep to its postinst; make it here.
	/sbin/depmod -b "$root" "$K_VER"
}

if [ ! -f "$root/.complete" ]; then
	step "kernel-$K_VER" "the $K_NAME kernel, $K_VER, downloaded" fetch
	touch "$root/.complete"
fi
echo "$root"
