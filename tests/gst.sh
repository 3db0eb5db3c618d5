#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Description: the vmemexp GStreamer plugin with stock GStreamer tools, in a
# Debian userspace (tests/userspace-mount.sh runs it; the plugin, the example and
# this script are in /mnt). Frames go through vmemexport into vivid's
# HDMI output with v4l2sink io-mode=dmabuf-import and come back through
# vivid's capture loopback; they must be identical, and the element must
# report zero copies (the appsrc path with unaligned frames must report
# copies). 1,000 frames must leave no dma-buf alive and no pin held.
# shellcheck source=tests/gst-lib.sh
. /mnt/gst-lib.sh
n=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); echo "not ok $n $1"; }
check() { if [ "$1" = 0 ]; then ok "$2"; else notok "$2"; fi; }
diag() { sed 's/^/# /'; }

# (The first run also makes the registry: its tracer log is of no test.)
echo "# vivid capture $cap, output $out; $(gst-launch-1.0 --version 2>/dev/null | head -n 1)"
if [ -z "$cap" ] || [ -z "$out" ]; then
	echo "1..1"
	echo "not ok 1 vivid instance 0 has a capture and an output device"
	exit 1
fi
echo "1..29"

vivid_loop

# /proc/vmstat lags behind per-CPU counters unless they are folded first;
# even then a count read as another process's pins go (sid-gst once read
# -4 before the 1,000 frames, 0 after) is taken again until two reads
# a fifth of a second apart agree (five seconds at most).
pins_now() { echo 1 > /proc/sys/vm/stat_refresh
	awk '/^nr_foll_pin_(acquired|released)/ { v[$1] = $2 }
	END { print v["nr_foll_pin_acquired"] - v["nr_foll_pin_released"] }' /proc/vmstat; }
pins() {
	a=$(pins_now) i=0
	while [ $i -lt 25 ]; do
		sleep 0.2
		b=$(pins_now)
		[ "$a" != "$b" ] || break
		a=$b i=$((i + 1))
	done
	echo "$a"
}
# While a stream plays: the lowest of three reads a tenth of a second
# apart. The count is the whole system's, and a read() from the 9p root
# into a process's buffer may pin that buffer while it runs (on 7.x 9p
# reads through netfs, whose unbuffered reads extract the user pages;
# bookworm's 6.1 has never shown it): a sample on
# sid-gst once read 5 pages over the pool's, and vmem-exp pins only when
# it exports. A pin the stream held would be in every read.
pins_low() {
	a=$(pins_now)
	for _ in 1 2; do
		sleep 0.1
		b=$(pins_now)
		[ "$b" -ge "$a" ] || a=$b
	done
	echo "$a"
}
live() { cat /sys/class/misc/vmem-exp/buffers; }

# 1: the plugin registers, and inspecting it says nothing bad.
gst-inspect-1.0 vmemexp > /tmp/inspect 2>&1
rc=$?
grep -q vmemexport /tmp/inspect || rc=1
! grep -Eq 'CRITICAL|WARNING|ERROR' /tmp/inspect || rc=1
check $rc "gst-inspect-1.0 vmemexp: the plugin and its element, no warning"
[ $rc = 0 ] || diag < /tmp/inspect
gst-inspect-1.0 vmemexport > /dev/null 2>&1
check $? "gst-inspect-1.0 vmemexport"

# GStreamer loads the plugin to scan it and to inspect it: neither opens
# the device, which only a running element needs. With no /dev/vmem-exp
# (an empty /dev in a mount namespace) and a registry made afresh there,
# gst-inspect-1.0 lists the element, exits 0, and logs nothing of the
# device even at the allocator's and element's debug level.
rm -f /tmp/gst-registry-nodev.bin
GST_REGISTRY=/tmp/gst-registry-nodev.bin GST_DEBUG="*:2,vmemexp*:7,$LEAKS" \
	unshare -m sh -c 'mount -t tmpfs tmpfs /dev && exec gst-inspect-1.0 vmemexport' \
	> /tmp/inspect-nodev.log 2>&1
rc=$?
grep -q 'Factory Details' /tmp/inspect-nodev.log && grep -q 'vmemexport' /tmp/inspect-nodev.log || rc=1
! grep -Eq '/dev/vmem-exp|CRITICAL|ERROR' /tmp/inspect-nodev.log || rc=1
check $rc "no /dev/vmem-exp: gst-inspect-1.0 vmemexport lists the element, exits 0, does not open the device"
[ $rc = 0 ] || grep -E 'vmem-exp|CRITICAL|ERROR|WARN' /tmp/inspect-nodev.log | head -n 10 | diag

# Nothing alive at exit: the leaks tracer (every pipeline here runs under
# it, gst-lib.sh) finds no object of ours, nor any buffer or memory.
gst-launch-1.0 -q videotestsrc num-buffers=50 ! "$CAPS" ! vmemexport ! \
	fakesink > /tmp/fakesink.log 2>&1
rc=$?
noleaks /tmp/fakesink.log || rc=1
check $rc "videotestsrc num-buffers=50 ! vmemexport ! fakesink: the leaks tracer finds nothing alive at exit"

# Without the device, or without the right to open it, the element fails
# to start with an error that names the device and the cause: the module
# not loaded (a mount namespace whose /dev is empty), and uid 65534 while
# the device is 0600.
unshare -m sh -c 'mount -t tmpfs tmpfs /dev && exec gst-launch-1.0 \
	videotestsrc num-buffers=1 ! vmemexport ! fakesink' > /tmp/nodev.log 2>&1
rc=$?
grep -F 'Could not open vmem-exp device "/dev/vmem-exp": No such file or directory' \
	/tmp/nodev.log > /dev/null && [ $rc != 0 ]
check $? "no /dev/vmem-exp: the element's error names the device and the cause"
grep -E 'ERROR|error|Could not' /tmp/nodev.log | head -n 5 | diag
mode=$(stat -c %a /dev/vmem-exp)
chmod 0600 /dev/vmem-exp
cp /tmp/gst-registry.bin /tmp/gst-registry-65534.bin
chown 65534 /tmp/gst-registry-65534.bin
GST_REGISTRY=/tmp/gst-registry-65534.bin setpriv --reuid=65534 --regid=65534 \
	--clear-groups gst-launch-1.0 videotestsrc num-buffers=1 ! vmemexport ! \
	fakesink > /tmp/noperm.log 2>&1
rc=$?
chmod "$mode" /dev/vmem-exp
grep -F 'Could not open vmem-exp device "/dev/vmem-exp": Permission denied' \
	/tmp/noperm.log > /dev/null && [ $rc != 0 ]
check $? "/dev/vmem-exp 0600, uid 65534: the element's error names the device and the cause"
grep -E 'ERROR|error|Could not' /tmp/noperm.log | head -n 5 | diag

# Upstream (videotestsrc) writes into the element's pool.
gst-launch-1.0 -q videotestsrc num-buffers=1 pattern=smpte75 ! "$CAPS" ! \
	filesink location=/tmp/ref.yuv 2> /tmp/ref.log
GST_DEBUG="$LEAKS,vmemexport:4" gst-launch-1.0 -q videotestsrc \
	num-buffers=600 pattern=smpte75 ! "$CAPS" ! vmemexport ! \
	v4l2sink device="$out" io-mode=dmabuf-import sync=false > /tmp/pool.log 2>&1 &
await_loopback /tmp/ref.yuv $!
check $rc "videotestsrc ! vmemexport ! v4l2sink io-mode=dmabuf-import: pipeline runs"
[ $rc = 0 ] || tail -n 20 /tmp/pool.log | diag
s=$(stats /tmp/pool.log)
echo "# pool: $s"
case $s in
"stream: 600 frames, 600 zero-copy"*", 0 copied, 0 bytes copied") ok "pool: 600 of 600 frames zero copy, 0 bytes copied" ;;
*) notok "pool: 600 of 600 frames zero copy, 0 bytes copied" ;;
esac
if [ "$looped" = 0 ]; then
	ok "pool: the frame vivid looped back is videotestsrc's, byte for byte ($FRAME bytes)"
else
	notok "pool: the frame vivid looped back is videotestsrc's, byte for byte"
	{ cat /tmp/cap.err; ls -l /tmp/ref.yuv /tmp/cap.yuv; cmp /tmp/ref.yuv /tmp/cap.yuv | head -n 1
	  od -An -tx1 -N32 /tmp/ref.yuv; od -An -tx1 -N32 /tmp/cap.yuv
	  v4l2-ctl -d "$cap" -I -V --get-ctrl loop_video; v4l2-ctl -d "$out" -O -V; } 2>&1 | diag
fi

# vb2's imports of dma-bufs: vb2_vmalloc_attach_dmabuf() counted by
# ftrace's function tracer (vivid's buffers are vb2-vmalloc's).
T=/sys/kernel/tracing
attaches_on() {
	{ [ -d $T/events ] || mount -t tracefs nodev $T; } 2> /dev/null &&
		echo vb2_vmalloc_attach_dmabuf > $T/set_ftrace_filter &&
		: > $T/trace && echo function > $T/current_tracer &&
		echo 1 > $T/tracing_on
}
# Prints the count; the tracer stopped before it is read (switching it
# off empties its buffer).
attaches_off() {
	echo 0 > $T/tracing_on
	grep -c ' vb2_vmalloc_attach_dmabuf' $T/trace
	echo nop > $T/current_tracer
	: > $T/set_ftrace_filter
}

# The application's own page-aligned frames through appsrc (examples/gst-appsrc.c).
head -c "$FRAME" /dev/zero | tr '\0' '\200' > /tmp/ref80.yuv
attaches_on && traced=1 || traced=0
GST_DEBUG="*:2,vmemexport:4,$LEAKS" /mnt/gst-appsrc -f 128 -n 600 \
	"v4l2sink device=$out io-mode=dmabuf-import" > /tmp/app.log 2>&1 &
await_loopback /tmp/ref80.yuv $!
[ "$traced" = 0 ] || attached=$(attaches_off)
check $rc "appsrc, application-allocated page-aligned frames: pipeline runs, 0 bytes copied"
grep -E 'gst-appsrc:|ERROR|WARN' /tmp/app.log | head -n 20 | diag
s=$(stats /tmp/app.log)
echo "# appsrc aligned: $s"
# One export per frame the application made (it makes one only when none
# is free), each reused from then on.
made=$(sed -n 's/^gst-appsrc: 600 frames pushed, \([0-9]*\) made, .*/\1/p' /tmp/app.log)
made=${made:-0}
case $made.$s in
[1-9]*"600 zero-copy ($made exported in place, $((600 - made)) cache hits), 0 copied, 0 bytes copied") ok "appsrc aligned: 600 frames zero copy, the application's $made exports reused $((600 - made)) times" ;;
*) notok "appsrc aligned: 600 frames zero copy, one export per frame the application made ($made), reused" ;;
esac
# Frames in step with the sink (gst/README.md): vb2 attaches a dma-buf
# to a V4L2 buffer only when another was there, so the application's
# frames are attached once to each buffer they meet at the start and then
# kept; pushed from a thread of the application's own they met another
# buffer nearly every frame (601 attaches; docs/profiling.md).
if [ "$traced" = 0 ]; then
	ok "appsrc aligned: vb2 keeps the application's dma-bufs on its buffers # SKIP no tracefs or function tracer"
elif [ "$attached" -le 30 ]; then
	ok "appsrc aligned: vb2 keeps the application's dma-bufs on its buffers ($attached attaches for 600 frames)"
else
	notok "appsrc aligned: vb2 keeps the application's dma-bufs on its buffers ($attached attaches for 600 frames, at most 30)"
fi
if [ "$looped" = 0 ]; then
	ok "appsrc aligned: the frame vivid looped back is the application's, byte for byte"
else
	notok "appsrc aligned: the frame vivid looped back is the application's, byte for byte"
	{ cat /tmp/cap.err; cmp /tmp/ref80.yuv /tmp/cap.yuv | head -n 1; } 2>&1 | diag
fi

# Unaligned frames cannot be exported in place: copied once, counted.
GST_DEBUG="$LEAKS,vmemexport:4" /mnt/gst-appsrc -u -f 128 -n 600 \
	"v4l2sink device=$out io-mode=dmabuf-import" > /tmp/unal.log 2>&1 &
await_loopback /tmp/ref80.yuv $!
s=$(stats /tmp/unal.log)
echo "# appsrc unaligned: $s"
case $s in
*"0 zero-copy (0 exported in place, 0 cache hits), 600 copied, $((600 * FRAME)) bytes copied") [ $rc = 0 ] ;;
*) false ;;
esac
check $? "appsrc unaligned: 600 frames copied and counted ($((600 * FRAME)) bytes)"
[ "$looped" = 0 ]
check $? "appsrc unaligned: the copied frame vivid looped back is the application's, byte for byte"

# While a stream plays, upstream draws into the element's pool and every
# buffer goes back to it: the exports made are the pool's buffers, few
# (not one a frame), and the buffers alive and pages pinned, sampled four
# times while it plays, stay within them.
exports() { cat /sys/class/misc/vmem-exp/exports; }
e0=$(exports) p0=$(pins) b0=$(live)
GST_DEBUG="$LEAKS,bufferpool:6,vmemexport:5" gst-launch-1.0 -q videotestsrc \
	num-buffers=240 ! "$CAPS" ! vmemexport ! \
	v4l2sink device="$out" io-mode=dmabuf-import > /tmp/bounded.log 2>&1 &
pid=$!
samples='' nsamples=0
for _ in 1 2 3 4; do
	sleep 1.5
	kill -0 $pid 2>/dev/null || break
	samples="$samples $(($(live) - b0)):$(($(pins_low) - p0))"
	nsamples=$((nsamples + 1))
done
wait $pid
rc=$?
e1=$(exports)
# The buffers of the pools the element offered upstream (it logs their
# names), not those of others (the one GstBaseTransform makes for its src
# pad when v4l2sink offers none, of system memory).
npool=0
sed -n 's/.*offering upstream pool \([^ ]*\) .*/\1/p' /tmp/bounded.log | sort -u > /tmp/pools
while read -r pool; do
	npool=$((npool + $(grep -c "<$pool> allocated buffer" /tmp/bounded.log)))
done < /tmp/pools
echo "# 240 frames at 30/s: $((e1 - e0)) exports, $npool buffers in the pool;" \
	"buffers alive:pages pinned while it played:$samples"
check $rc "240 frames at 30 frames/s through the pool into v4l2sink"
[ $rc = 0 ] || tail -n 20 /tmp/bounded.log | diag
[ $((e1 - e0)) = "$npool" ] && [ "$npool" -gt 0 ] && [ "$npool" -le 16 ]
check $? "240 frames: the exports made are the pool's buffers ($npool, at most 16)"
bounded=0
[ $nsamples -ge 3 ] || bounded=1
for s in $samples; do
	[ "${s%:*}" -le "$npool" ] && [ "${s#*:}" -le $((npool * FRAME / 4096)) ] || bounded=1
done
check $bounded "240 frames: while it plays (at least 3 samples), buffers alive and pages pinned stay within the pool's"

# gst_case NAME DESCRIPTION: one case of tests/gst-cases.c, checked by
# its exit status, its own lines as diagnostics.
gst_case() {
	/mnt/gst-cases "$1" > "/tmp/$1.log" 2>&1
	check $? "$2"
	grep '^gst-cases:' "/tmp/$1.log" | diag
}

# What the element makes of buffers an application shapes on purpose
# (tests/gst-cases.c): copies when their size grows, with the same caps or
# renegotiated ones.
gst_case resize "copies: buffers that grow mid-stream, and caps renegotiated to a larger frame"
# In-place exports: one memory resized between pushes is exported again.
gst_case recache "in-place export: a memory resized between pushes, the export of its new range"
# A buffer the element shares (a tee's) is exported read-only.
gst_case tee "in-place export: read-only behind a tee (the buffer shared), read-write without"
# A memory that ends inside a page is exported in place only if it owns
# the rest of that page: a dma-buf has whole pages, and its importers
# would see (and could write) another allocation's bytes.
gst_case tail "in-place export: no dma-buf shows bytes past a memory that are not its (copied instead)"

# The allocator applications find registered opens the device on its first
# export, and GstDmaBufAllocator's map brackets each map of its memory
# with one DMA_BUF_IOCTL_SYNC start and one end, in the map's directions.
gst_case sync "allocator: the registered one's memory, each map bracketed by one sync start and one end, none mmap()s it (mapped once, kept)"

# 1,000 frames: nothing left alive, no pin left held.
p0=$(pins) b0=$(live)
gst-launch-1.0 -q videotestsrc num-buffers=1000 ! "$CAPS" ! vmemexport ! \
	v4l2sink device="$out" io-mode=dmabuf-import sync=false > /tmp/k.log 2>&1
rc=$?
check $rc "1,000 frames through vmemexport into v4l2sink"
[ $rc = 0 ] || tail -n 20 /tmp/k.log | diag
p1=$(pins) b1=$(live)
echo "# pins held before $p0, after $p1; live vmem-exp buffers before $b0, after $b1"
[ "$p1" = "$p0" ]
check $? "1,000 frames: no page left pinned (nr_foll_pin_acquired - released unchanged)"
[ "$b0" = "$b1" ]
check $? "1,000 frames: no dma-buf left alive (no fd leaked)"

# GStreamer 1.28's own virtual-memory dma-bufs beside ours: its
# GstUdmabufAllocator's memory passes through vmemexport as it is, and its
# GstVideoDmabufPool keeps the vmemexp allocator and releases our dma-bufs
# through DMA_BUF_IOCTL_EXPORT_SYNC_FILE. Before 1.28 there is neither.
udma="GStreamer 1.28's GstUdmabufAllocator memory and GstVideoDmabufPool (given the vmemexp allocator) through vmemexport, as they are"
/mnt/gst-cases udmabuf > /tmp/udmabuf.log 2>&1
rc=$?
if [ $rc = 77 ]; then
	ok "$udma # SKIP $(sed -n 's/^gst-cases: //p' /tmp/udmabuf.log | head -n 1)"
else
	check $rc "$udma"
	grep '^gst-cases:' /tmp/udmabuf.log | diag
fi

# Every pipeline above ran under the leaks tracer, and left nothing alive;
# into v4l2sink, nothing but what v4l2sink leaves alive by itself, as this
# control pipeline without vmemexport shows.
gst-launch-1.0 -q videotestsrc num-buffers=30 ! "$CAPS" ! v4l2sink device="$out" io-mode=mmap \
	> /tmp/control.log 2>&1
echo "# v4l2sink alone (io-mode=mmap, no vmemexport) leaves alive at exit:" \
	"$(grep -Eo "$ALIVE"'[A-Za-z0-9]*' /tmp/control.log | sed 's/.*(string)//' | tr '\n' ' ')"
noleaks /tmp/inspect /tmp/inspect-nodev.log /tmp/nodev.log /tmp/noperm.log /tmp/ref.log \
	/tmp/resize.log /tmp/recache.log /tmp/tee.log /tmp/tail.log /tmp/sync.log /tmp/udmabuf.log
check $? "every pipeline above not into v4l2sink: the leaks tracer ran and found nothing alive at exit"
noleaks -s "$V4L2SINK_OWN" /tmp/pool.log /tmp/app.log /tmp/unal.log \
	/tmp/bounded.log /tmp/k.log
check $? "every pipeline above into v4l2sink: the leaks tracer ran and found nothing alive at exit but v4l2sink's own"
