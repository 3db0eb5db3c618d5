#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pkg-guest.sh REL[:ARCH] OUT: what the package guest (kernels.sh, K_GUEST=pkg)
# needs beside the test initramfs, once scripts/pkg-build.sh has installed
# the packages into the Debian REL root (guest-root.sh pkg):
# examples/share.c, examples/libvmemexp.c (the example of libvmemexp(3))
# and tests/pkg-keep.c, built in the root against the installed
# libvmemexp-dev with pkg-config (linked to libvmemexp1's libvmemexp.so.1),
# with tests/pkg.sh, tests/gst-lib.sh and pkg-build.sh's results (host.tap,
# pre-install.list, the next release's repository as next-repo) in
# OUT/userspace, and the test file that runs them, OUT/pkg.t
# (tests/userspace-mount.sh). Prints the root's path.
set -eu
cd "$(dirname "$0")/.."
# shellcheck source=scripts/common.sh
. scripts/common.sh
root=$(scripts/guest-root.sh pkg "$1")
# shellcheck disable=SC2016 # expanded in the root
root_build "$root" "pkg-examples-${root##*/}" "${root##*/}: examples/ built against libvmemexp-dev" '
	for ex in examples/share examples/libvmemexp tests/pkg-keep; do
		cc -O2 -Wall -Wextra -Werror -o ${ex#*/} $ex.c \
			$(pkg-config --cflags --libs libvmemexp)
	done' examples/share.c examples/libvmemexp.c tests/pkg-keep.c
rm -rf "$2/userspace"
mkdir -p "$2/userspace"
cp "$RB/share" "$RB/libvmemexp" "$RB/pkg-keep" tests/pkg.sh tests/gst-lib.sh "$2/userspace/"
cp "$2/pkg-host.tap" "$2/userspace/host.tap"
cp "$2/pre-install.list" "$2/userspace/"
cp -r "$2/next/repo" "$2/userspace/next-repo"
rm -rf "$RB"
cp tests/userspace-mount.sh "$2/pkg.t"
echo "$root"
