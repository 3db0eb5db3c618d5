#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/gst.sh and tests/gst-demo.sh in the GStreamer guest's
# Debian root: the environment, vivid instance 0's devices, its HDMI
# loopback, and capturing what it loops back.
# shellcheck disable=SC2034 # what it sets is for the scripts that source it
export GST_PLUGIN_PATH=/mnt GST_REGISTRY=/tmp/gst-registry.bin HOME=/tmp
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
# Every pipeline runs under the leaks tracer. GStreamer 1.22's logs, at
# gst_deinit(), an "object-alive" record under GST_TRACER:7 for each object
# still alive (the records' own ".class" descriptions come first, when it
# starts) and warns "Leaks detected": a GST_DEBUG of a test keeps $LEAKS.
LEAKS=GST_TRACER:7
export GST_TRACERS=leaks GST_DEBUG=$LEAKS GST_DEBUG_NO_COLOR=1
W=640 H=480
CAPS="video/x-raw,format=YUY2,width=$W,height=$H,framerate=30/1"
FRAME=$((W * H * 2))

# vivid instance 0 (vb2-vmalloc: it vmaps an imported dma-buf).
dev() { for d in /sys/class/video4linux/video*; do
	[ "$(cat "$d/name")" = "$1" ] && echo "/dev/${d##*/}" && return; done; }
cap=$(dev vivid-000-vid-cap) out=$(dev vivid-000-vid-out)

# vivid_loop: HDMI in (input 3) and out (output 1), 640x480, looped, no
# OSD text. Kernels before 6.11 have loop_video; later ones the connection
# menu.
vivid_loop() {
	v4l2-ctl -d "$cap" -i 3 >/dev/null
	v4l2-ctl -d "$out" -o 1 >/dev/null
	v4l2-ctl -d "$cap" --set-ctrl osd_text_mode=2 >/dev/null 2>&1
	v4l2-ctl -d "$cap" --set-ctrl loop_video=1 >/dev/null 2>&1 ||
		v4l2-ctl -d "$cap" --set-ctrl hdmi_000_0_is_connected_to=2 >/dev/null 2>&1
	v4l2-ctl -d "$cap" -v width=$W,height=$H,pixelformat=YUYV >/dev/null
}

# capture SKIP: one frame captured after SKIP more.
capture() {
	rm -f /tmp/cap.yuv
	v4l2-ctl -d "$cap" --stream-mmap --stream-skip="$1" --stream-count=1 \
		--stream-to=/tmp/cap.yuv 2>/tmp/cap.err
}
# loopback REF PID: capture frames while the pipeline PID plays until one
# is REF byte for byte. When v4l2sink sets the output's format, vivid's
# capture sees new timings and stops streaming ("New timings found"), and
# frames from before the pipeline played are vivid's own: both are
# retried, at most 10 times, and only while the pipeline still plays.
loopback() {
	tries=0
	while [ $tries -lt 10 ] && kill -0 "$2" 2>/dev/null; do
		tries=$((tries + 1))
		capture 2
		cmp -s "$1" /tmp/cap.yuv && return 0
		sleep 0.5
	done
	return 1
}
# await_loopback REF PID: loopback REF while the pipeline PID plays, then
# wait for it. Sets looped (0: a frame was REF byte for byte) and rc (its
# exit status).
await_loopback() {
	loopback "$1" "$2"
	looped=$?
	wait "$2"
	rc=$?
}
# stats LOG NAME: the element's closing line.
stats() { grep -o 'stream: [0-9]* frames.*bytes copied' "$1" | tail -n 1; }
# noleaks [-s REGEX] LOG...: every LOG shows the leaks tracer ran and
# found nothing alive at exit; prints what it found otherwise, as TAP
# comments. With -s, the records REGEX matches are of objects a stock
# element leaves alive by itself (V4L2SINK_OWN): counted, not failed.
# (A record names a type; the format the tracer announces has %s there.)
ALIVE='object-alive, type-name=\(string\)[A-Za-z]'
# GStreamer 1.22.0's v4l2sink leaves itself, its pad, its buffer pool,
# the pool's allocator and caps alive at exit, with no vmemexport in the
# pipeline too (tests/gst.sh shows it with a control pipeline).
V4L2SINK_OWN='type-name=\(string\)(GstV4l2Sink|GstV4l2BufferPool|GstV4l2Allocator|GstCaps),|description=\(string\)<v4l2sink[0-9]*:'
noleaks() {
	stock='^$'
	if [ "$1" = -s ]; then
		stock=$2
		shift 2
	fi
	leakrc=0
	for l in "$@"; do
		if ! grep -q 'object-alive\.class' "$l"; then
			echo "# $l: the leaks tracer did not run"
			leakrc=1
		fi
		grep -E "$ALIVE" "$l" | grep -Ev "$stock" > /tmp/noleaks.out
		# Its warning is printed whenever a record is: stock ones too.
		[ -s /tmp/noleaks.out ] || [ "$stock" != '^$' ] ||
			grep 'Leaks detected' "$l" > /tmp/noleaks.out
		grep 'leaks tracer was finalizing' "$l" >> /tmp/noleaks.out
		if [ -s /tmp/noleaks.out ]; then
			cut -c 1-300 /tmp/noleaks.out | sed "s|^|# $l: |"
			leakrc=1
		fi
		own=$(grep -E "$ALIVE" "$l" | grep -Ec "$stock")
		[ "$own" = 0 ] || echo "# $l: $own objects of a stock element's own alive at exit (not counted)"
	done
	return $leakrc
}
