#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make demo: boot Debian bookworm's kernel (DEMO_KERNEL) under QEMU with vivid, vgem and
# vmem_exp, run tools/demo.c there, and show what it says.
set -eu
cd "$(dirname "$0")/.."
k=${DEMO_KERNEL:-bookworm}
scripts/deps.sh
make -s build/tools/demo.t
echo "demo: building the module and booting the $k kernel under QEMU" >&2
scripts/run-program.sh "$k" "build/demo-$k" build/tools/demo.t
sed -n 's/^# \([ 0-9]\)/\1/p' "build/demo-$k/guest/tap.log" | grep -v '^ *kernel '
