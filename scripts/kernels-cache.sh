#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make kernels, make refresh: the kernel versions this cache uses.
# Usage: kernels-cache.sh list [SPEC...]   each kernel's version in this
#                                          cache (resolved now if it has
#                                          none), and what Debian serves
#                                          today where that differs
#        kernels-cache.sh refresh          forget the versions, and what
#                                          was prepared for them
set -eu
cd "$(dirname "$0")/.."
# shellcheck source=scripts/common.sh
. scripts/common.sh

case ${1:-} in
list)
	shift
	# shellcheck disable=SC2086 # a list of names
	[ $# != 0 ] || set -- $KNOWN_KERNELS bookworm-debug sid-debug
	for k in "$@"; do
		kernel_vars "$k"
		now=$(kernel_resolve 2>/dev/null)
		if [ -n "$K_PIN" ]; then
			note="pinned"
		elif [ "$now" = "$K_PKGVER" ]; then
			note="what Debian $K_REL serves today"
		else
			note="Debian $K_REL serves ${now:-nothing we can tell} today: make refresh to move on"
		fi
		[ -z "$K_SOURCE" ] || K_PKGVER="$K_SOURCE $K_PKGVER"
		printf '%-15s %-28s %s\n' "$K_NAME" "$K_PKGVER" "($note)"
	done ;;
refresh)
	# What a version was resolved to and everything prepared for it:
	# lists, build chroots (their compiler follows the kernel) with the
	# debug kernels built in them (sid-debug, sid-kcsan,
	# bookworm-arm64-debug), kernels and source packages. Kept:
	# debootstrap, and bookworm-debug's tree, which debug-kernel.sh
	# rebuilds when its source changes.
	echo "refresh: forgetting the kernels of $VMEM_EXP_CACHE; the next" \
		"run takes what Debian serves then" >&2
	rm -rf --one-file-system "$VMEM_EXP_CACHE/kernels" "$VMEM_EXP_CACHE"/apt-* \
		"$VMEM_EXP_CACHE"/chroot-* "$VMEM_EXP_CACHE"/kernel-* \
		"$VMEM_EXP_CACHE/src" "$VMEM_EXP_CACHE"/checkpatch-* ;;
*)
	echo "usage: $0 list [KERNEL...] | refresh" >&2
	exit 2 ;;
esac
