#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench: boot one kernel (BENCH_KERNEL, default trixie: its udmabuf is
# built in, the baseline to compare with) with only the benchmark in the
# guest, and print its table. Speed is reported, never judged.
set -eu
cd "$(dirname "$0")/.."
k=${BENCH_KERNEL:-trixie}
scripts/deps.sh
make -s build/bench/bench.t
scripts/run-program.sh "$k" "build/bench-$k" build/bench/bench.t
grep -m 1 "^# kernel [0-9]" "build/bench-$k/guest/tap.log"
grep -E '^# (benchmark|no /dev| +(MiB|[0-9]))' "build/bench-$k/guest/tap.log"
