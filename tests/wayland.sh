#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Description: a vmem-exp dma-buf shown by a Wayland compositor, in a Debian
# userspace (tests/userspace-mount.sh runs it; the client and this script are in
# /mnt). For each kind of buffer, udmabuf's (a memfd: the comparison) then
# vmem-exp's, a fresh Weston (headless backend, GL renderer: Mesa's
# llvmpipe) and tests/wayland-dmabuf.c: the compositor offers linear
# XRGB8888 over zwp_linux_dmabuf_v1, accepts two such buffers (created, not
# failed), draws the toplevel the first is attached to (frame callback),
# draws the second and releases the first, shows the second in a
# screenshot (weston-screenshooter; Weston runs with --debug to allow it)
# with its blue channel as written, and is still running afterwards. Once
# Weston has exited, no vmem-exp buffer is left.
#
# First the same with wl_shm buffers of the same pictures (no dma-buf): the
# compositor's plain path. Each dma-buf's screenshot must be the wl_shm
# one, byte for byte (red and green read back as 0 in all three: see
# below), and vmem-exp's udmabuf's.
#
# A vmem-exp step that fails because Weston died is reported as a SKIP,
# with the reason, only when udmabuf's buffer killed Weston at the same
# step in this run (a crash in the compositor's stack, not in what
# vmem-exp gives it); otherwise it fails.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp
export XDG_RUNTIME_DIR=/tmp/xdg
mkdir -m 0700 $XDG_RUNTIME_DIR
STEPS="format created configured frame release"
n=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); echo "not ok $n $1"; }
diag() { sed 's/^/# /'; }

echo "# $(weston --version 2>&1); Mesa $(dpkg-query -W -f '${Version}' libgl1-mesa-dri);" \
	"libwayland $(dpkg-query -W -f '${Version}' libwayland-client0)"
echo "# /dev/dri:" /dev/dri/*
echo "1..28"

# weston_up KIND: start Weston on socket wl-KIND; 0 once it listens.
weston_up() {
	weston --backend=headless --renderer=gl --shell=kiosk --idle-time=0 --debug \
		--socket="wl-$1" --log="/tmp/weston-$1.log" > "/tmp/weston-$1.out" 2>&1 &
	wpid=$!
	i=0
	while [ $i -lt 120 ]; do
		[ -S "$XDG_RUNTIME_DIR/wl-$1" ] && return 0
		kill -0 $wpid 2>/dev/null || return 1
		sleep 1
		i=$((i + 1))
	done
	return 1
}

# run KIND: Weston and the client with KIND's buffer; sets reached (the
# last step the client printed) and died (Weston's exit status, or empty
# if it is still running).
run() {
	reached='' died=''
	if weston_up "$1"; then
		ok "$1: Weston starts (headless backend, GL renderer) and listens"
	else
		notok "$1: Weston starts (headless backend, GL renderer) and listens"
		diag < "/tmp/weston-$1.log"
		diag < "/tmp/weston-$1.out"
	fi
	grep -Ei 'renderer|EGL_|GL_RENDERER|GL version|dmabuf|dma-buf' "/tmp/weston-$1.log" |
		head -n 20 | diag
	mkdir "/tmp/shot-$1"
	WAYLAND_DISPLAY=wl-$1 WAYLAND_DEBUG=1 timeout 240 /mnt/wayland-dmabuf "$1" 180 \
		"/tmp/expect-$1.ppm" "cd /tmp/shot-$1 && WAYLAND_DEBUG=0 weston-screenshooter" \
		> "/tmp/client-$1.out" 2> "/tmp/client-$1.err"
	rc=$?
	reached=$(tail -n 1 "/tmp/client-$1.out")
	sleep 1
	if kill -0 $wpid 2>/dev/null; then
		kill $wpid
		wait $wpid
	else
		wait $wpid
		died=$?
	fi
	echo "# $1: client exit $rc, last step '${reached:-none}';" \
		"Weston ${died:+died (exit status $died)}${died:-still running}"
	grep -v '^\[' "/tmp/client-$1.err" | diag
	grep -E '^\[.*(params|wl_buffer|wl_surface|configure|done|release|error)' \
		"/tmp/client-$1.err" | head -n 40 | diag
	if [ -n "$died" ]; then
		echo "# $1: the end of Weston's log:"
		tail -n 40 "/tmp/weston-$1.log" | diag
	fi
}

# steps KIND WHAT: a result for each step of the client.
steps() {
	for s in $STEPS; do
		case $s in
		format) d="Weston offers linear XRGB8888 over zwp_linux_dmabuf_v1" ;;
		created) d="Weston accepts two of $2 (created, not failed)"
			[ "$1" != shm ] || d="two wl_shm buffers made" ;;
		configured) d="the toplevel is configured" ;;
		frame) d="Weston draws the first of $2 (frame callback)" ;;
		release) d="Weston draws the second and releases the first" ;;
		esac
		if grep -qx "$s" "/tmp/client-$1.out"; then
			ok "$1: $d"
		elif [ "$1" = vmem ] && [ -n "$died" ] && [ -n "$udied" ] &&
			[ "$reached" = "$ureached" ]; then
			ok "$1: $d # SKIP Weston died after '$reached' (exit $died), as it did with udmabuf's buffer (exit $udied)"
		else
			notok "$1: $d"
		fi
	done
	# The output is black but for the surface: cropping the black
	# leaves the second buffer's picture. On this stack (Weston 16,
	# Mesa 26.2 llvmpipe) its red and green read back as 0, for a
	# wl_shm buffer as for the dma-bufs: the screenshot's doing, not
	# the import's. So the blue channel is compared with what was
	# written, and every channel of each dma-buf's picture with the
	# wl_shm buffer's.
	shot=$(find "/tmp/shot-$1" -name '*.png' | head -n 1)
	: > "/tmp/got-$1.ppm"
	[ -z "$shot" ] || pngtopnm "$shot" 2>/dev/null | pnmcrop -black > "/tmp/got-$1.ppm" 2>/dev/null
	# cmp -l offsets count from 1 and the 15-byte header comes first:
	# offset % 3 is 1 for red, 2 for green, 0 for blue.
	cmp -l "/tmp/got-$1.ppm" "/tmp/expect-$1.ppm" 2>/dev/null | awk '
		{ c[$1 % 3]++ }
		END { printf "%d %d %d\n", c[1], c[2], c[0] }' > /tmp/diff
	read -r dr dg db < /tmp/diff
	size=$(wc -c < "/tmp/got-$1.ppm")
	echo "# screenshot: ${shot:-none}, cropped to $size bytes (expected 196623);" \
		"bytes differing from the buffer's: red $dr, green $dg, blue $db"
	if [ "$size" = 196623 ] && [ "$db" = 0 ]; then
		ok "$1: Weston's screenshot shows the second of $2, blue channel as written"
	else
		notok "$1: Weston's screenshot shows the second of $2, blue channel as written"
	fi
	if [ "$1" != shm ]; then
		if [ "$size" = 196623 ] && cmp -s "/tmp/got-$1.ppm" /tmp/got-shm.ppm; then
			ok "$1: its screenshot is the wl_shm buffer's, byte for byte"
		else
			notok "$1: its screenshot is the wl_shm buffer's, byte for byte"
		fi
	fi
	if [ "$1" = vmem ]; then
		if [ "$size" = 196623 ] && cmp -s /tmp/got-vmem.ppm /tmp/got-udmabuf.ppm; then
			ok "vmem: its screenshot is udmabuf's, byte for byte"
		else
			notok "vmem: its screenshot is udmabuf's, byte for byte"
		fi
	fi
	if [ -z "$died" ]; then
		ok "$1: Weston still runs after $2"
	elif [ "$1" = vmem ] && [ -n "$udied" ] && [ "$reached" = "$ureached" ]; then
		ok "$1: Weston still runs after $2 # SKIP it died the same way on udmabuf's buffer"
	else
		notok "$1: Weston still runs after $2"
	fi
}

run shm
steps shm "wl_shm buffers"
run udmabuf
ureached=$reached udied=$died
steps udmabuf "udmabuf's buffers"
run vmem
steps vmem "vmem-exp's buffers"
left=$(cat /sys/class/misc/vmem-exp/buffers)
if [ "$left" = 0 ]; then
	ok "no vmem-exp buffer left once Weston has exited"
else
	notok "no vmem-exp buffer left once Weston has exited ($left)"
fi
