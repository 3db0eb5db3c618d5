#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# bench-gst.sh KERNEL [CSV]: make bench's pipeline section on a GStreamer
# guest of kernels.sh (bookworm-gst or sid-gst: the release's kernel and
# userspace, as make check KERNELS=KERNEL runs it), as its -bench entry
# (one CPU), with the freshly built module, running bench/gst-pipelines.sh
# alone. Appends its "# csv," rows, as "KERNEL,RELEASE,..." rows, to CSV
# (make bench's), or prints them without one.
set -eu
cd "$(dirname "$0")/.."
# shellcheck source=scripts/common.sh
. scripts/common.sh
g=$1-bench out=build/bench-$1
echo "# bench: the GStreamer pipelines ($g: 15 to 30 minutes under TCG)" >&2
gst_guest_run "$g" "$out" bench/gst-pipelines.sh
grep '^# .* failed: \|^not ok' "$out/guest/tap.log" >&2 || true
rel=$(sed -n 's/^# kernel \([0-9][^;]*\);.*/\1/p' "$out/guest/tap.log" | head -n 1)
sed -n "s/^# csv,/$1,${rel:-unknown},/p" "$out/guest/tap.log" >> "${2:-/dev/stdout}"
