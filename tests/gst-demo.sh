#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Description: make demo's GStreamer case, in the GStreamer guest's Debian
# root (scripts/demo.sh puts it where tests/userspace-mount.sh runs tests/gst.sh).
# The design document's integration case with stock tools: videotestsrc
# draws into memory that vmemexport exported, v4l2sink hands the dma-bufs
# to vivid's HDMI output, and vivid's capture loops the picture back.
# shellcheck source=tests/gst-lib.sh
. /mnt/gst-lib.sh
# A demonstration: without the leaks tracer the tests run under (its
# GST_TRACER:7 log would be shown).
unset GST_TRACERS GST_DEBUG
echo "1..1"

# thumbnail FILE: a YUYV frame's luma as characters, every 16th column and
# 24th line (as tests/demo.c draws it).
thumbnail() {
	y=0
	while [ $y -lt "$H" ]; do
		dd if="$1" bs=$((W * 2)) skip=$y count=1 2>/dev/null | od -An -v -tu1 |
			awk -v ramp=' .:-=+*#%@' '{ for (i = 1; i <= NF; i++) b[n++] = $i }
			END { for (x = 0; x < n; x += 32)
				l = l substr(ramp, int(b[x] * 9 / 255) + 1, 1)
			print "#     |" l "|" }'
		y=$((y + 24))
	done
}

vivid_loop
pipeline="videotestsrc num-buffers=600 pattern=smpte75 ! $CAPS ! vmemexport ! v4l2sink device=$out io-mode=dmabuf-import"
echo "# 14. GStreamer ($(gst-launch-1.0 --version | sed -n 's/.*version //p' | head -n 1)), stock elements and the vmemexp plugin:"
echo "#     gst-launch-1.0 $pipeline"
echo "#     videotestsrc draws every frame straight into page-aligned memory that"
echo "#     vmemexport exported; v4l2sink queues the dma-bufs on vivid's HDMI output"
gst-launch-1.0 -q videotestsrc num-buffers=1 pattern=smpte75 ! "$CAPS" ! \
	filesink location=/tmp/ref.yuv
# shellcheck disable=SC2086 # the pipeline's words
GST_DEBUG=vmemexport:4 GST_DEBUG_NO_COLOR=1 gst-launch-1.0 -q $pipeline sync=false \
	> /tmp/pool.log 2>&1 &
await_loopback /tmp/ref.yuv $!
echo "# 15. vivid loops its output back to its capture; the frame that arrives:"
if [ -s /tmp/cap.yuv ]; then
	thumbnail /tmp/cap.yuv
fi
s=$(stats /tmp/pool.log)
echo "#     vmemexport counted: ${s#stream: }"
if [ "$looped" = 0 ]; then
	echo "#     byte for byte the frame videotestsrc drew: $FRAME bytes, none copied"
fi
case $s in
*", 0 bytes copied") copied=0 ;;
*) copied=1 ;;
esac
if [ "$rc" = 0 ] && [ "$looped" = 0 ] && [ "$copied" = 0 ]; then
	echo "ok 1 GStreamer's picture arrived through vmem-exp with zero bytes copied"
else
	tail -n 20 /tmp/pool.log | sed 's/^/# /'
	echo "not ok 1 GStreamer's picture arrived through vmem-exp with zero bytes copied"
fi
