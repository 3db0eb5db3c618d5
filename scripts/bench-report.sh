#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Turn make bench's CSV (kernel,release,kind,bytes,metric,value) into
# ratios: a Markdown page (DIR/README.md) and PNG plots (gnuplot). Only
# ratios of results measured in the same guest run are shown, never
# absolute times. Usage: bench-report.sh CSV DIR
set -eu
csv=$1 dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ratio NUM DEN: lines "kernel kind bytes NUM/DEN" for every result that
# has both.
ratio() {
	awk -F, -v num="$1" -v den="$2" 'NR > 1 {
		k = $1 SUBSEP $3 SUBSEP $4
		if ($5 == num) n[k] = $6
		if ($5 == den) d[k] = $6
		if (!(k in seen)) { seen[k] = 1; order[++nk] = k }
	} END {
		for (i = 1; i <= nk; i++) {
			k = order[i]
			if ((k in n) && (k in d) && d[k] > 0) {
				split(k, f, SUBSEP)
				printf "%s %s %s %.4g\n", f[1], f[2], f[3], n[k] / d[k]
			}
		}
	}' "$csv"
}

size() {
	awk -v b="$1" 'BEGIN {
		if (b >= 1073741824) printf "%g GiB", b / 1073741824
		else if (b >= 1048576) printf "%g MiB", b / 1048576
		else printf "%g KiB", b / 1024
	}'
}

ratio export uexport > "$work/export-udmabuf"
ratio release urelease > "$work/release-udmabuf"
ratio export memcpy > "$work/export-memcpy"
ratio touch otouch > "$work/touch-original"
ratio touch utouch > "$work/touch-udmabuf"
ratio psync wsync > "$work/psync-wsync"
awk -F, '$5 == "nents" { print $1, $3, $4, $6 }' "$csv" > "$work/nents"
awk -F, '$5 == "nents64k" { print $1, $3, $4, $6 }' "$csv" > "$work/nents64k"
awk -F, '$5 == "dentries" { print $1, $3, $4, $6 }' "$csv" > "$work/dentries"

# cell FILE KERNEL KIND BYTES: the value, or an en dash.
cell() {
	awk -v k="$2" -v t="$3" -v b="$4" '$1 == k && $2 == t && $3 == b { v = $4 }
		END { print (v == "" ? "–" : v) }' "$1"
}

# median KERNEL METRIC: lines "kind bytes median runs" of the pipeline
# rows (scripts/bench-gst.sh) of KERNEL and METRIC, and "A/B bytes median
# runs" of the ratios vmemexport/stock and inplace/copied: the median of
# each round's ratio (a round runs every pipeline once, back to back, so
# what slows the host for a while slows both sides of its ratio).
median() {
	awk -F, -v k="$1" -v m="$2" '
	function med(a, c,    x, y, t) {
		for (x = 1; x <= c; x++)
			for (y = x + 1; y <= c; y++)
				if (a[y] < a[x]) {
					t = a[x]; a[x] = a[y]; a[y] = t
				}
		return c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
	}
	$1 == k && $5 == m {
		key = $3 " " $4
		if (!(key in n)) order[++nk] = key
		v[key, ++n[key]] = $6
		if (!($4 in sizes)) size[++ns] = $4
		sizes[$4] = 1
	} END {
		split("vmemexport stock inplace copied", pair, " ")
		for (j = 1; j <= ns; j++)
			for (p = 1; p < 4; p += 2) {
				a = pair[p] " " size[j]
				b = pair[p + 1] " " size[j]
				c = n[a] < n[b] ? n[a] : n[b]
				for (i = 1; i <= c; i++)
					r[i] = v[b, i] > 0 ? v[a, i] / v[b, i] : 0
				if (c)
					print pair[p] "/" pair[p + 1], size[j], med(r, c), c
			}
		for (i = 1; i <= nk; i++) {
			key = order[i]
			for (j = 1; j <= n[key]; j++)
				r[j] = v[key, j]
			print key, med(r, n[key]), n[key]
		}
	}' "$csv"
}

# pipeline_row FILE BYTES: a table row of the medians in FILE (median's
# lines) at frame size BYTES: each kind's, and the two ratios' (of rounds).
pipeline_row() {
	awk -v b="$2" '$2 == b { m[$1] = $3; n = $4 } END {
		if (!("stock" in m)) exit
		r1 = m["vmemexport/stock"] > 0 ? sprintf("%.2f", m["vmemexport/stock"]) : "–"
		r2 = m["inplace/copied"] > 0 ? sprintf("%.2f", m["inplace/copied"]) : "–"
		printf " | %d | %.1f | %.1f | **%s** | %.1f | %.1f | **%s** |\n", n,
			m["stock"] / 1000, m["vmemexport"] / 1000, r1,
			m["inplace"] / 1000, m["copied"] / 1000, r2
	}' "$1"
}

# An awk function: a frame's name from its bytes (YUY2, two a pixel).
frame_fn='function frame(b) { return b == 614400 ? "640x480" : b == 1843200 ? "1280x720" : b " bytes" }'

# copy_table FILE: what the copy alone costs (bench/frame-copy.c), from
# FILE's medians (median's lines), beside the copied pipeline's frame.
copy_table() {
	grep -q '^copy ' "$1" || return 0
	echo
	echo "The copy alone, in the same guest and rounds (bench/frame-copy.c): one"
	echo "\`memcpy()\` of a frame as the copied path makes it (**copy**), and the"
	echo "application's drawing of one (\`memset()\`, both paths: **draw**), in ms;"
	echo "**at best**: (copied − copy) / copied, what in place / copied would be"
	echo "if exporting in place saved the copy and cost nothing else (timed alone,"
	echo "the copy's buffers stay hot in the host's caches; the pipeline's rotate)."
	echo
	echo "| frame | copy | draw | copied, per frame | in place / copied | at best |"
	echo "|---|---|---|---|---|---|"
	awk "$frame_fn"'{ m[$1, $2] = $3; if (!s[$2]++) b[++n] = $2 } END {
		for (i = 1; i <= n; i++) {
			f = b[i]
			if (!(("copy" SUBSEP f) in m) || m["copied", f] <= 0) continue
			w = frame(f)
			printf "| %s | %.2f | %.2f | %.2f | %.2f | %.2f |\n", w,
				m["copy", f] / 1000, m["draw", f] / 1000,
				m["copied", f] / 1000, m["inplace/copied", f],
				(m["copied", f] - m["copy", f]) / m["copied", f]
		}
	}' "$1"
}

# frames KERNEL: the frames of a run of each pipeline at each size, as
# bench/gst-pipelines.sh's "frames" rows give them.
frames() {
	awk -F, -v k="$1" "$frame_fn"'$1 == k && $5 == "frames" {
		f = frame($4)
		if (!(f in l)) order[++n] = f
		l[f] = l[f] (l[f] == "" ? "" : ", ") $3 " " $6
	} END {
		for (i = 1; i <= n; i++)
			printf "%s%s: %s", (i > 1 ? "; " : ""), order[i], l[order[i]]
		print ""
	}' "$csv"
}

# wu: the frames a run's CPU per frame leaves out (bench/gst-pipelines.sh).
wu() {
	sed -n 's/^WARMUP=//p' bench/gst-pipelines.sh
}

# The GStreamer pipelines (scripts/bench-gst.sh, bench/gst-pipelines.sh).
pipelines() {
	# shellcheck disable=SC2013 # kernel names, one word each
	for k in $(awk -F, '$5 == "cpurun" && !s[$1]++ { print $1 }' "$csv"); do
		rel=$(awk -F, -v k="$k" '$1 == k { print $2; exit }' "$csv")
		median "$k" cpurun > "$work/cpurun"
		median "$k" cpuwhole > "$work/cpuwhole"
		echo
		echo "## GStreamer pipelines: $k ($rel)"
		echo
		echo "CPU (user + sys of the pipeline's process) per frame into vivid's HDMI"
		echo "output (vb2-vmalloc), YUY2, \`sync=false\`, in ms: **stock**"
		echo "\`videotestsrc ! caps ! v4l2sink io-mode=mmap\`; **vmemexport** the same"
		echo "with \`vmemexport ! v4l2sink io-mode=dmabuf-import\`; **in place**"
		echo "\`examples/gst-appsrc\` (page-aligned frames, exported in place); **copied**"
		echo "\`gst-appsrc -u\` (copied by vmemexport). Medians of the rounds (runs"
		echo "column), the pipelines interleaved in each round; a ratio is the"
		echo "median of the rounds' ratios. **per frame**: the"
		echo "process's CPU from the end of its first $(wu) frames to its end of"
		echo "stream, over the frames in between, measured in the process"
		echo "(bench/gst-cpu.c; \`gst-appsrc -c\`: the process's start and end,"
		echo "seconds under TCG, left out; frames a run, $(frames "$k")); **whole**: the whole"
		echo "run's CPU over its frames, as a user would time it. Times are of TCG"
		echo "emulation with one guest CPU: only the ratios compare."
		echo
		echo "| frame | measure | runs | stock | vmemexport | vmemexport / stock | in place | copied | in place / copied |"
		echo "|---|---|---|---|---|---|---|---|---|"
		for b in $(awk '!s[$2]++ { print $2 }' "$work/cpurun"); do
			w=$(awk -v b="$b" "$frame_fn"'BEGIN { print frame(b) }')
			printf '| %s | per frame' "$w"
			pipeline_row "$work/cpurun" "$b"
			printf '| %s | whole' "$w"
			pipeline_row "$work/cpuwhole" "$b"
		done
		copy_table "$work/cpurun"
		echo
		echo "Calls per frame of the dma-buf path's functions, from one more run of"
		echo "$(awk -F, -v k="$k" '$1 == k && $5 == "tracedframes" { print $6; exit }' "$csv") frames of each pipeline under ftrace's function tracer:"
		echo
		echo "| frame | pipeline | calls per frame |"
		echo "|---|---|---|"
		awk -F, -v k="$k" "$frame_fn"'$1 == k && $5 ~ /^calls:/ {
			key = $4 " " $3
			if (!(key in l)) order[++n] = key
			f = substr($5, 7)
			l[key] = l[key] (l[key] == "" ? "" : ", ") "`" f "` " $6
		} END {
			for (i = 1; i <= n; i++) {
				split(order[i], p, " ")
				w = frame(p[1])
				printf "| %s | %s | %s |\n", w, p[2], l[order[i]]
			}
		}' "$csv"
	done
}

{
	echo "# make bench: vmem-exp beside udmabuf, memcpy and the original memory"
	echo
	echo "Generated by \`make bench\` (scripts/bench.sh, bench/bench.c) from"
	echo "[bench.csv](bench.csv): one guest per kernel under QEMU TCG, booted"
	echo "with \`swiotlb=force\`; every ratio compares results of the same guest"
	echo "run (medians of 51 runs below 2 MiB, 11 up to 16 MiB, 5 up to 64 MiB,"
	echo "3 from 256 MiB). Below 1 means vmem-exp is faster. **export**:"
	echo "DBUFIOC_VMEM_EXP / UDMABUF_CREATE of the same memfd; **release**: the"
	echo "close that frees each; **export/memcpy**:"
	echo "exporting vs copying the same bytes; **touch/orig**: mmap of the"
	echo "dma-buf + a read of every 4 KiB page vs the same on a fresh mapping"
	echo "of the original memfd; **touch/udmabuf**: the same vs udmabuf's"
	echo "dma-buf; **psync/wsync**: DBUFIOC_VMEM_SYNC start+end of 4 KiB vs"
	echo "of the whole buffer, mapped by a device whose mapping bounces;"
	echo "**entries**: scatterlist entries of a device's mapping that allows"
	echo "2 GiB segments, booted without swiotlb (**direct**) and with it"
	echo "(swiotlb caps a segment at 256 KiB), and with the DMA API's default"
	echo "of 64 KiB (bounced). – : not measured (udmabuf takes memfds only,"
	echo "and 6.1's no hugetlb memfd; the bounce pool holds 512 MiB, so the"
	echo "device maps at most 256 MiB)."
	echo
	echo "![export / udmabuf](export-udmabuf.png) ![release / udmabuf](release-udmabuf.png)"
	echo "![export / memcpy](export-memcpy.png) ![touch / original](touch-original.png)"
	pipelines
	# shellcheck disable=SC2013 # kernel names, one word each
	for k in $(awk -F, 'NR > 1 && $5 !~ /^(cpu|calls:|frames|tracedframes)/ && !s[$1]++ { print $1 }' "$csv"); do
		rel=$(awk -F, -v k="$k" '$1 == k { print $2; exit }' "$csv")
		echo
		echo "## $k ($rel)"
		echo
		echo "| kind | size | export / udmabuf | release / udmabuf | export / memcpy | touch / orig | touch / udmabuf | psync / wsync | entries (direct) | entries (bounced) | entries (64 KiB) |"
		echo "|---|---|---|---|---|---|---|---|---|---|---|"
		awk -F, -v k="$k" '$1 == k && !s[$3 "," $4]++ { print $3, $4 }' "$csv" |
		while read -r kind bytes; do
			printf '| %s | %s' "$kind" "$(size "$bytes")"
			for f in export-udmabuf release-udmabuf export-memcpy touch-original \
				touch-udmabuf psync-wsync dentries nents nents64k; do
				printf ' | %s' "$(cell "$work/$f" "$k" "$kind" "$bytes")"
			done
			echo ' |'
		done
	done
} > "$dir/README.md"

# plot FILE TITLE: one line per kernel and kind, ratio against size.
plot() {
	_plots=
	# shellcheck disable=SC2013 # KERNEL-KIND, one word each
	for s in $(awk '!s[$1 "-" $2]++ { print $1 "-" $2 }' "$work/$1"); do
		awk -v s="$s" '$1 "-" $2 == s { print $3, $4 }' "$work/$1" > "$work/$1.$s.dat"
		_plots="$_plots${_plots:+, }'$work/$1.$s.dat' using 1:2 with linespoints title '$s'"
	done
	[ -n "$_plots" ] || return 0
	gnuplot <<-GNUPLOT
		set terminal pngcairo size 800,500 noenhanced
		set output '$dir/$1.png'
		set title '$2'
		set logscale x 2
		set xrange [3000:1.5e9]
		set xtics ('4K' 4096, '64K' 65536, '2M' 2097152, '16M' 16777216, '64M' 67108864, '256M' 268435456, '1G' 1073741824)
		set logscale y 10
		set xlabel 'buffer size (bytes, K = 1024)'
		set ylabel 'ratio'
		set key outside right
		set grid
		plot $_plots, 1 with lines dashtype 2 lc rgb 'gray' title '1.0'
	GNUPLOT
}

plot export-udmabuf "export, vmem-exp / udmabuf (same memfd, same guest)"
plot release-udmabuf "release, vmem-exp / udmabuf"
plot export-memcpy "export / memcpy of the same bytes"
plot touch-original "mmap + first touch, dma-buf / fresh mapping of the original"
