#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# gst-guest.sh REL OUT [SCRIPT]: what the GStreamer guest needs beside the
# test initramfs: the vmemexp plugin (make gst), examples/gst-appsrc.c,
# tests/gst-cases.c, bench/frame-copy.c and bench/gst-cpu.c (make bench),
# built inside the Debian REL root (made once by guest-root.sh) against its own GStreamer,
# with SCRIPT (tests/gst.sh; make demo's is tests/gst-demo.sh) as gst.sh
# and tests/gst-lib.sh, in OUT/userspace, and the test file that runs it,
# OUT/gst.t (tests/userspace-mount.sh). Prints the root's path.
set -eu
cd "$(dirname "$0")/.."
# shellcheck source=scripts/common.sh
. scripts/common.sh
root=$(scripts/guest-root.sh gst "$1")
# shellcheck disable=SC2016 # expanded in the root
root_build "$root" gst-build "${root##*/}: the GStreamer plugin and programs, built" '
	make -s gst VMEM_EXP_WERROR='"${VMEM_EXP_WERROR:-}"'
	cc -O2 -Wall -Wextra -Werror -o gst-appsrc examples/gst-appsrc.c \
		$(pkg-config --cflags --libs gstreamer-app-1.0)
	cc -O2 -Wall -Wextra -Werror -o gst-cases tests/gst-cases.c \
		$(pkg-config --cflags --libs gstreamer-app-1.0 gstreamer-allocators-1.0 \
			gstreamer-video-1.0)
	cc -O2 -Wall -Wextra -Werror -o frame-copy bench/frame-copy.c
	cc -O2 -Wall -Wextra -Werror -o gst-cpu bench/gst-cpu.c \
		$(pkg-config --cflags --libs gstreamer-1.0)
	test -f build/gst/libgstvmemexp.so' \
	Makefile VERSION gst lib include examples/gst-appsrc.c tests/gst-cases.c \
	bench/frame-copy.c bench/gst-cpu.c
rm -rf "$2/userspace"
mkdir -p "$2/userspace"
cp "$RB/build/gst/libgstvmemexp.so" "$RB/gst-appsrc" "$RB/gst-cases" "$RB/frame-copy" "$RB/gst-cpu" \
	tests/gst-lib.sh "$2/userspace/"
rm -rf "$RB"
cp "${3:-tests/gst.sh}" "$2/userspace/gst.sh"
cp tests/userspace-mount.sh "$2/gst.t"
echo "$root"
