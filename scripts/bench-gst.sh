#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench's pipeline section: the GStreamer guest (bookworm's kernel,
# a bookworm userspace over virtio-9p, as make check KERNELS=bookworm-gst)
# with the freshly built module, running bench/gst-pipelines.sh alone.
# Appends its "# csv," rows, as "bookworm-gst,RELEASE,..." rows, to the
# CSV named (make bench's), or prints them without one.
set -eu
cd "$(dirname "$0")/.."
# shellcheck source=scripts/common.sh
. scripts/common.sh
g=bookworm-gst-bench out=build/bench-gst
echo "# bench: the GStreamer pipelines ($g: 15 to 30 minutes under TCG)" >&2
gst_guest_run "$g" "$out" bench/gst-pipelines.sh
grep '^# .* failed: \|^not ok' "$out/guest/tap.log" >&2 || true
rel=$(sed -n 's/^# kernel \([0-9][^;]*\);.*/\1/p' "$out/guest/tap.log" | head -n 1)
sed -n "s/^# csv,/bookworm-gst,${rel:-unknown},/p" "$out/guest/tap.log" >> "${1:-/dev/stdout}"
