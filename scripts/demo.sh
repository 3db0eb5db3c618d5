#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make demo: boot Debian bookworm's kernel (DEMO_KERNEL) under QEMU with vivid, vgem and
# vmem_exp, run tests/demo.c there, and show what it says; then the
# GStreamer case (tests/gst-demo.sh) in the GStreamer guest (bookworm's
# kernel and a bookworm userspace over virtio-9p, gst/README.md).
set -eu
cd "$(dirname "$0")/.."
k=${DEMO_KERNEL:-bookworm}
scripts/deps.sh
make -s build/tests/demo.t
echo "demo: building the module and booting the $k kernel under QEMU" >&2
scripts/run-program.sh "$k" "build/demo-$k" build/tests/demo.t
sed -n 's/^# \([ 0-9]\)/\1/p' "build/demo-$k/guest/tap.log" | grep -v '^ *kernel '

# The GStreamer case: a Debian root (made once, a few minutes), the plugin
# built in it, and the guest of make check KERNELS=bookworm-gst.
g=bookworm-gst out=build/demo-gst
echo "demo: the GStreamer case: the plugin, a Debian userspace, the $g guest" >&2
# shellcheck source=scripts/common.sh
. scripts/common.sh
gst_guest_run "$g" "$out" tests/gst-demo.sh
sed -n 's/^# \([ 0-9]\)/\1/p' "$out/guest/tap.log" | grep -v '^ *kernel '
