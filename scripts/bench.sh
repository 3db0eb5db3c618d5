#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench: boot each kernel of BENCH_KERNELS (default: bookworm trixie
# sid bookworm-gst sid-gst) as its -bench entry of kernels.sh (swiotlb=force, 6 GiB) and, for
# the scatterlist entries of a device that does not bounce, once more as
# its -bench-direct entry,
# with only bench/bench.c in the guest, beside udmabuf in the same guest
# (built in on 6.12 and 7.2; built from linux-source-6.1 for 6.1:
# udmabuf-module.sh); and bookworm-gst and sid-gst (GStreamer 1.22 and
# 1.28), the pipeline section: the GStreamer guest running
# bench/gst-pipelines.sh (scripts/bench-gst.sh).
# Collects the results into docs/bench/bench.csv (the
# rows of kernels not run this time are kept) and
# turns them into docs/bench/README.md (ratios) and PNG plots
# (bench-report.sh). Speed is reported, never judged.
set -eu
cd "$(dirname "$0")/.."
kernels=${BENCH_KERNELS:-bookworm trixie sid bookworm-gst sid-gst}
scripts/deps.sh gnuplot-nox
make -s build/bench/bench.t
mkdir -p docs/bench
csv=build/bench.csv
echo "kernel,release,kind,bytes,metric,value" > "$csv"
for k in $kernels; do
	case $k in
	*-gst)
		scripts/bench-gst.sh "$k" "$csv"
		continue ;;
	esac
	out=build/bench-$k
	mkdir -p "$out"
	rm -f "$out/udmabuf.ko"
	[ "$k" != bookworm ] || scripts/udmabuf-module.sh "$k" "$out"
	echo "# bench: $k (a few minutes under TCG)" >&2
	scripts/run-program.sh "$k-bench" "$out" build/bench/bench.t
	rel=$(sed -n 's/^# kernel \([0-9][^ ]*\).*/\1/p' "$out/guest/tap.log" | head -n 1)
	sed -n "s/^# csv,/$k,${rel:-unknown},/p" "$out/guest/tap.log" >> "$csv"
	grep "^# .*cannot map\|^# no /dev\|^# udmabuf refuses" "$out/guest/tap.log" >&2 || true
	echo "# bench: $k without swiotlb (scatterlist entries)" >&2
	scripts/run-program.sh "$k-bench-direct" "$out-direct" build/bench/bench.t
	sed -n "s/^# csv,/$k,${rel:-unknown},/p" "$out-direct/guest/tap.log" >> "$csv"
done
# A run of some kernels only (BENCH_KERNELS) keeps the others' rows.
if [ -f docs/bench/bench.csv ]; then
	awk -F, -v run=" $kernels " 'NR > 1 && index(run, " " $1 " ") == 0' \
		docs/bench/bench.csv >> "$csv"
fi
cp "$csv" docs/bench/bench.csv
scripts/bench-report.sh docs/bench/bench.csv docs/bench
echo "bench: docs/bench/README.md, docs/bench/*.png" >&2
