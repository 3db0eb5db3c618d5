#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench's pipeline section, in the GStreamer guest's Debian root
# (scripts/bench-gst.sh; tests/userspace-mount.sh runs it as gst.sh): the
# CPU (user + sys of the process) a frame costs, stock v4l2sink against
# vmemexport, and the application's frames exported in place against
# copied, into vivid's HDMI output, at each size of SIZES. The runs of
# one size are interleaved (each round runs every pipeline once, the
# order rotating), so load from outside biases all alike. Prints "# csv,"
# lines (kind, frame bytes, metric, value) for scripts/bench-report.sh:
# cpurun, a frame's CPU in microseconds after the first WARMUP, measured
# in the process (its start and end left out), and cpuwhole, the whole
# process's CPU over its frames, per round; frames, a run's frames; the CPU of one copy
# of a frame as the copied path makes it (copy) and of the application's
# drawing of one (draw), bench/frame-copy.c, once a round;
# and, from one more traced run of each pipeline (tracedframes: its
# frames), how often each function of the dma-buf path is called per
# frame (ftrace's function tracer).
# shellcheck source=tests/gst-lib.sh
. /mnt/gst-lib.sh
unset GST_TRACERS
export GST_DEBUG=1
ROUNDS=${ROUNDS:-7}
SIZES=${SIZES:-640x480 1280x720}
KINDS="stock vmemexport inplace copied"
T=/sys/kernel/tracing
# The frames of the traced run of each pipeline.
TRACED_FRAMES=120
# The frames a run's CPU per frame leaves out, as examples/gst-appsrc.c's
# -c does.
WARMUP=60
# The functions counted: ours, vb2-vmalloc's dma-buf ops, the dma-buf
# core's, and the kernel mapping underneath.
TRACED="vmem_exp_attach vmem_exp_detach vmem_exp_map_dma_buf
vmem_exp_unmap_dma_buf vmem_exp_begin_cpu_access vmem_exp_end_cpu_access
vmem_exp_vmap vmem_exp_vunmap vmem_exp_sync_part vmem_exp_create
vmem_exp_release dma_buf_vmap dma_buf_vunmap dma_buf_attach dma_buf_detach
vb2_vmalloc_attach_dmabuf vb2_vmalloc_detach_dmabuf vb2_vmalloc_map_dmabuf
vb2_vmalloc_unmap_dmabuf vmap vunmap vmem_exp_mmap vmem_exp_vm_fault"

echo "1..1"
if [ -z "$cap" ] || [ -z "$out" ]; then
	echo "not ok 1 vivid instance 0 has a capture and an output device"
	exit 1
fi
echo "# kernel $(uname -r); $(gst-launch-1.0 --version | head -n 1)"
gst-inspect-1.0 vmemexport > /dev/null 2>&1

# run KIND FRAMES: runs KIND's pipeline for FRAMES frames of $W x $H;
# prints the CPU of a frame after the first WARMUP, measured in the process
# (bench/gst-cpu.c; gst-appsrc -c), and the whole process's user + sys
# CPU, in microseconds.
run() {
	caps="video/x-raw,format=YUY2,width=$W,height=$H,framerate=30/1"
	sink="v4l2sink name=sink device=$out sync=false"
	case $1 in
	stock) set -- /mnt/gst-cpu $WARMUP "videotestsrc num-buffers=$2 ! $caps ! \
		$sink io-mode=mmap" ;;
	vmemexport) set -- /mnt/gst-cpu $WARMUP "videotestsrc num-buffers=$2 ! \
		$caps ! vmemexport ! $sink io-mode=dmabuf-import" ;;
	inplace) set -- /mnt/gst-appsrc -c -s "${W}x$H" -n "$2" \
		"$sink io-mode=dmabuf-import" ;;
	copied) set -- /mnt/gst-appsrc -c -u -s "${W}x$H" -n "$2" \
		"$sink io-mode=dmabuf-import" ;;
	esac
	# times: the shell's, then its children's user and sys (NmS.SSSs).
	whole=$( ( "$@" > /tmp/run.log 2>&1 || { : > /tmp/failed
		echo "# $* failed: $(tail -n 1 /tmp/run.log)" >&2; }
	  times ) | tail -n 1 | tr 'ms' '  ' |
		awk '{ printf "%.0f\n", (($1 + $3) * 60 + $2 + $4) * 1e6 }')
	frame=$(sed -n 's/.*, \([0-9]*\) us .*per frame$/\1/p' /tmp/run.log)
	echo "${frame:-0} $whole"
}

# The output's timings: HDMI at W x H (vivid takes its output format from them).
timings() {
	v4l2-ctl -d "$out" --set-dv-bt-timings \
		"width=$W,height=$H,interlaced=0,polarities=3,pixelclock=74250000,hfp=110,hs=40,hbp=220,vfp=5,vs=5,vbp=20" \
		> /dev/null 2>&1
}

# trace KIND FRAMES: calls of each TRACED function per frame in one run.
trace() {
	[ -d $T/events ] || mount -t tracefs nodev $T || return 0
	echo nop > $T/current_tracer
	: > $T/set_ftrace_filter
	for f in $TRACED; do echo "$f" >> $T/set_ftrace_filter 2> /dev/null; done
	echo 4096 > $T/buffer_size_kb
	: > $T/trace
	echo function > $T/current_tracer
	echo 1 > $T/tracing_on
	run "$1" "$2" > /dev/null
	# Stopped, not switched off: a change of tracer empties the buffer.
	echo 0 > $T/tracing_on
	awk -v k="$1" -v n="$2" -v b="$((W * H * 2))" '
		/^#/ { next } { f = $0; sub(/^.*[0-9]: /, "", f); sub(/ <-.*/, "", f); c[f]++ }
		END { for (f in c) printf "# csv,%s,%d,calls:%s,%.2f\n", k, b, f, c[f] / n }' $T/trace |
		sort
	echo nop > $T/current_tracer
	: > $T/set_ftrace_filter
	umount $T
}

rm -f /tmp/failed
vivid_loop
for size in $SIZES; do
	W=${size%x*} H=${size#*x}
	timings
	# A first, untimed run of each: the registry, caches, translated code.
	for k in $KINDS; do run $k 90 > /dev/null; done
	r=0
	while [ $r -lt "$ROUNDS" ]; do
		r=$((r + 1))
		# The order rotates: round r starts at the r-th kind.
		order=$(echo "$KINDS $KINDS" | cut -d ' ' -f "$(( (r - 1) % 4 + 1 ))-$(( (r - 1) % 4 + 4 ))")
		# Under TCG the start of a process varies by a second or more:
		# a frame's CPU is measured in the process, after its first
		# WARMUP (cpurun), beside the whole run's over its frames
		# (cpuwhole).
		# The application's pipelines, a few milliseconds a frame, run
		# more frames (vivid takes them at its output's frame rate).
		for k in $order; do
			case $k.$W in
			stock.640 | vmemexport.640) n=600 ;;
			stock.* | vmemexport.*) n=300 ;;
			*.640) n=3000 ;;
			*) n=1200 ;;
			esac
			[ $r != 1 ] || echo "# csv,$k,$((W * H * 2)),frames,$n"
			r2=$(run "$k" $n)
			echo "# csv,$k,$((W * H * 2)),cpurun,${r2% *}"
			echo "# csv,$k,$((W * H * 2)),cpuwhole,$((${r2#* } / n))"
		done
		# The copy alone and the drawing, beside them.
		/mnt/frame-copy "${W}x$H" 11 | awk -v b="$((W * H * 2))" '
			{ printf "# csv,copy,%d,cpurun,%s\n# csv,draw,%d,cpurun,%s\n", b, $2, b, $4 }'
	done
	for k in $KINDS; do
		echo "# csv,$k,$((W * H * 2)),tracedframes,$TRACED_FRAMES"
		trace "$k" $TRACED_FRAMES
	done
done
if [ -e /tmp/failed ]; then
	echo "not ok 1 every pipeline ran"
else
	echo "ok 1 every pipeline ran"
fi
