#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# wayland-guest.sh REL OUT: what the Wayland guest (kernels.sh,
# K_GUEST=wayland) needs beside the test initramfs: tests/wayland-dmabuf.c
# built inside the Debian REL root against its own libwayland (the
# protocols' code generated there by wayland-scanner), with tests/wayland.sh,
# in OUT/userspace, and the test file that runs it, OUT/wayland.t
# (tests/userspace-mount.sh); the root made (once) by guest-root.sh. Prints the
# root's path.
set -eu
cd "$(dirname "$0")/.."
# shellcheck source=scripts/common.sh
. scripts/common.sh
root=$(scripts/guest-root.sh wayland "$1")
# shellcheck disable=SC2016 # expanded in the root
root_build "$root" wayland-build "${root##*/}: the Wayland client, built" '
	p=$(pkg-config --variable=pkgdatadir wayland-protocols)
	for x in "$p/stable/linux-dmabuf/linux-dmabuf-v1.xml:linux-dmabuf-v1" \
		"$p/stable/xdg-shell/xdg-shell.xml:xdg-shell"; do
		wayland-scanner client-header "${x%:*}" "${x#*:}-client.h"
		wayland-scanner private-code "${x%:*}" "${x#*:}-protocol.c"
	done
	cc -O2 -Wall -Wextra -Wno-unused-parameter -Werror -I. -Iinclude/uapi \
		-o wayland-dmabuf tests/wayland-dmabuf.c linux-dmabuf-v1-protocol.c \
		xdg-shell-protocol.c $(pkg-config --cflags --libs wayland-client)' \
	tests/wayland-dmabuf.c include/uapi/linux/vmem_exp.h
rm -rf "$2/userspace"
mkdir -p "$2/userspace"
cp "$RB/wayland-dmabuf" tests/wayland.sh "$2/userspace/"
rm -rf "$RB"
cp tests/userspace-mount.sh "$2/wayland.t"
echo "$root"
