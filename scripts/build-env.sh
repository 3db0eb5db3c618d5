#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Prepare what builds the module for kernel SPEC (kernels.sh; NAME or
# NAME=VERSION) and print its root: "/" for a kernel of the host's own
# release and architecture (bookworm; headers installed with the system's
# apt), otherwise a chroot of that kernel's Debian release with the
# compiler its headers expect, made with debootstrap once and cached in
# $VMEM_EXP_CACHE (a minute or two and about 600 MB the first time), with
# the kernel's headers unpacked inside. For another architecture
# (K_CROSS) the chroot, chroot-REL-ARCH, is the host's architecture with
# that compiler's cross version, the kernel's headers of that
# architecture and the host's own kbuild tools (the headers' scripts
# and tools point at them). A kernel built here from Debian's source
# (bookworm-debug, sid-debug) is built first, by debug-kernel.sh, in the
# same root (K_BROOT: the host's for bookworm, else the release's chroot):
# its build dir ($K_KDIR) is what modules build against.
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"
kernel_vars "$1"
here=$(cd "$(dirname "$0")" && pwd)

if [ -n "$K_SOURCE" ]; then
	"$here/debug-kernel.sh" "$1" > /dev/null
	echo "${K_BROOT:-/}"
	exit 0
fi
if [ "$K_REL" = "$(host_release)" ] && [ -z "$K_CROSS" ]; then
	# shellcheck disable=SC2086 # a list of packages
	"$here/deps.sh" $K_HEADERS
	echo /
	exit 0
fi

root=$(build_root)
gcc=$K_GCC
[ -z "$K_CROSS" ] || gcc=$K_GCC-$K_CROSS
# perl: kernel-doc runs in W=1 builds. bookworm's libraries have no t64.
libs="libelf1t64,libssl3t64"
[ "$K_REL" != bookworm ] || libs="libelf1,libssl3"
pkgs="$gcc,make,libc6-dev,$libs,pahole,kmod,xz-utils,bc,python3,perl"
# A newer kernel of the release may want a newer compiler: then it is
# installed into the existing chroot.
debian_root "$K_REL" "$root" "$pkgs"
# headers: unpack the kernel's headers, and the kbuild tools of the
# host's architecture, into the root.
headers() {
	hdrs='' kbuild=''
	for p in $K_HEADERS; do
		case $p in
		linux-kbuild-*) kbuild="$kbuild $p" ;;
		*) hdrs="$hdrs $p" ;;
		esac
	done
	# shellcheck disable=SC2086 # a list of packages
	download_debs "$K_APT" "$root" $hdrs
	# shellcheck disable=SC2086 # a list of packages
	download_debs "$K_REL" "$root" $kbuild
}
if [ ! -f "$root/.headers-$K_VER" ]; then
	step "headers-$K_VER" "${root##*/}: the $K_VER headers, unpacked" headers
	touch "$root/.headers-$K_VER"
fi
echo "$root"
