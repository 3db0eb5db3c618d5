#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# gst-guest.sh REL OUT [SCRIPT]: what the GStreamer guest needs beside the
# test initramfs: the vmemexp plugin, examples/gst-appsrc.c and
# tests/gst-cases.c built against the host's GStreamer (the same release
# as the root: bookworm's), with SCRIPT (tests/gst.sh; make demo's is tests/gst-demo.sh) as gst.sh
# and tests/gst-lib.sh, in OUT/gst, and the test file that runs it,
# OUT/gst.t (tests/gst-mount.sh); the Debian REL root made (once) by
# guest-root.sh. Prints the root's path.
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh libgstreamer-plugins-base1.0-dev pkg-config >&2
[ "$1" = "$(. scripts/common.sh && host_release)" ] || {
	echo "gst-guest: the plugin is built with the host's GStreamer; a $1 root needs a $1 host" >&2
	exit 1
}
make -s gst >&2
rm -rf "$2/gst"
mkdir -p "$2/gst"
cp build/gst/libgstvmemexp.so tests/gst-lib.sh "$2/gst/"
cp "${3:-tests/gst.sh}" "$2/gst/gst.sh"
cp tests/gst-mount.sh "$2/gst.t"
# shellcheck disable=SC2046 # pkg-config's flags
${CC:-cc} -O2 -Wall -Wextra -Werror -o "$2/gst/gst-appsrc" examples/gst-appsrc.c \
	$(pkg-config --cflags --libs gstreamer-app-1.0)
# shellcheck disable=SC2046 # pkg-config's flags
${CC:-cc} -O2 -Wall -Wextra -Werror -o "$2/gst/gst-cases" tests/gst-cases.c \
	$(pkg-config --cflags --libs gstreamer-app-1.0 gstreamer-allocators-1.0)
scripts/guest-root.sh gst "$1"
