#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Description: the installed Debian packages, in the Debian root they were
# installed into with apt (the package guests, K_GUEST=pkg;
# tests/userspace-mount.sh runs this from /mnt): the module loaded is the
# one DKMS built in the root; vmemexp-tools' vmemexp, linked against
# libvmemexp1, runs; examples/ built against libvmemexp-dev run; stock
# GStreamer finds gstreamer1.0-vmemexp's plugin in its plugin directory
# (no GST_PLUGIN_PATH) and plays through vmemexport into vivid with
# v4l2sink io-mode=dmabuf-import, the frame looped back intact, no copy.
# Then the results of what scripts/pkg-build.sh checked on the host.
# shellcheck source=tests/gst-lib.sh
. /mnt/gst-lib.sh
unset GST_PLUGIN_PATH
n=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); echo "not ok $n $1"; }
check() { if [ "$1" = 0 ]; then ok "$2"; else notok "$2"; fi; }
diag() { sed 's/^/# /'; }
echo "# $(. /etc/os-release && echo "$PRETTY_NAME"); $(gst-launch-1.0 --version | head -n 1)"
echo "1..$((9 + $(grep -c . /mnt/host.tap)))"

ko=$(ls /lib/modules/"$(uname -r)"/updates/dkms/vmem_exp.ko*)
src=$(modinfo -F srcversion "$ko" 2>&1)
[ "$(cat /sys/module/vmem_exp/srcversion)" = "$src" ]
check $? "the loaded vmem_exp is the one DKMS built in the root ($ko, srcversion $src)"
dpkg -s vmem-exp-dkms | grep -qx 'Status: install ok installed' &&
	dkms status vmem-exp | grep -q "$(uname -r).*installed"
check $? "vmem-exp-dkms installed, dkms status: installed for $(uname -r)"
dkms status vmem-exp | diag

# The installed tool, dynamically linked against the installed library.
# (Paths are the packages' once resolved: the loader and GStreamer may
# name /lib, which merged /usr makes a link to /usr/lib.)
owner() { dpkg -S "$(readlink -f "$1")" 2>/dev/null | grep -q "^$2[:]"; }
tool=$(command -v vmemexp)
ldd "$tool" > /tmp/ldd 2>&1
lib=$(sed -n 's/^\tlibvmemexp\.so\.1 => \([^ ]*\) .*/\1/p' /tmp/ldd)
[ -n "$lib" ] && owner "$lib" libvmemexp1 && owner "$tool" vmemexp-tools
check $? "vmemexp-tools' $tool, linked against libvmemexp1's libvmemexp.so.1 ($lib)"
diag < /tmp/ldd
vmemexp status > /tmp/status 2>&1
check $? "vmemexp status"
diag < /tmp/status
# shellcheck disable=SC2016 # expanded in the command's shell
vmemexp export --size 1M -- sh -c \
	'readlink /proc/self/fd/$VMEMEXP_FD | grep -q dmabuf && test "$VMEMEXP_SIZE" = 1048576' \
	> /tmp/export 2>&1
check $? "vmemexp export --size 1M -- sh: a 1 MiB dma-buf in \$VMEMEXP_FD"
diag < /tmp/export

# The examples, against libvmemexp-dev (pkg-guest.sh built them). The
# example of libvmemexp(3) opens the device once for all its exports: it
# runs with room for a few descriptors only.
/mnt/share 4 > /tmp/share.out 2>&1
check $? "examples/share.c (pkg-config, libvmemexp-dev) runs against the DKMS module"
diag < /tmp/share.out
# shellcheck disable=SC3045 # dash's ulimit has -n
(ulimit -n 16 && exec /mnt/libvmemexp) > /tmp/libvmemexp.out 2>&1
check $? "examples/libvmemexp.c, libvmemexp(3)'s example, runs with 16 descriptors (ulimit -n)"
diag < /tmp/libvmemexp.out

# The plugin from gstreamer1.0-vmemexp, found by GStreamer itself.
gst-inspect-1.0 vmemexport > /tmp/inspect 2>&1
rc=$?
file=$(sed -n 's/^ *Filename *//p' /tmp/inspect)
owner "$file" gstreamer1.0-vmemexp || rc=1
check $rc "gst-inspect-1.0 vmemexport: gstreamer1.0-vmemexp's $file"
[ $rc = 0 ] || diag < /tmp/inspect

if [ -z "$cap" ] || [ -z "$out" ]; then
	notok "vivid instance 0 has a capture and an output device"
else
	vivid_loop
	gst-launch-1.0 -q videotestsrc num-buffers=1 pattern=smpte75 ! "$CAPS" ! \
		filesink location=/tmp/ref.yuv 2> /tmp/ref.log
	GST_DEBUG="$LEAKS,vmemexport:4" gst-launch-1.0 -q videotestsrc \
		num-buffers=300 pattern=smpte75 ! "$CAPS" ! vmemexport ! \
		v4l2sink device="$out" io-mode=dmabuf-import sync=false > /tmp/pool.log 2>&1 &
	await_loopback /tmp/ref.yuv $!
	s=$(stats /tmp/pool.log)
	case $s in
	"stream: 300 frames, 300 zero-copy"*", 0 copied, 0 bytes copied") ;;
	*) rc=1 ;;
	esac
	[ "$looped" = 0 ] || rc=1
	check $rc "videotestsrc ! vmemexport ! v4l2sink io-mode=dmabuf-import: runs, 300 of 300 frames zero copy, vivid loops the frame back intact"
	echo "# $s; looped back: $looped"
	[ $rc = 0 ] || tail -n 20 /tmp/pool.log | diag
fi

while read -r line; do
	n=$((n + 1))
	echo "${line%% -*} $n -${line#* -}"
done < /mnt/host.tap
