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
# shellcheck source=/dev/null # the guest's, not the host's
echo "# $(. /etc/os-release && echo "$PRETTY_NAME"); $(gst-launch-1.0 --version | head -n 1)"
echo "1..$((15 + $(grep -c . /mnt/host.tap)))"

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

# Upgrade and removal. The module loaded, a buffer exported (pkg-keep
# holds it); the repository gains the next release (the same tree as
# version N+1, pkg-build.sh) and the packages are upgraded from it: DKMS
# builds N+1 here, in the guest. The loaded module stays N and serves the
# kept buffer until it is reloaded; then it is N+1. Then apt purges the
# packages: no DKMS tree, no module, no package's record, and no file that
# was not in the root before they were installed (pre-install.list,
# pkg-build.sh) but what dkms, apt and dpkg keep of their own (below).
pkgs="vmem-exp-dkms vmemexp-tools gstreamer1.0-vmemexp libvmemexp-dev libvmemexp1"
cur=$(cat /sys/module/vmem_exp/version)
next=$(sed -n 's/^Version: //p' /mnt/next-repo/Packages | sort -u)
mkfifo /tmp/go
/mnt/pkg-keep < /tmp/go > /tmp/keep.out 2>&1 &
keep=$!
exec 3> /tmp/go
i=0
until grep -q '^exported' /tmp/keep.out || [ $i = 30 ]; do
	sleep 1
	i=$((i + 1))
done
cp /mnt/next-repo/* /srv/vmem-exp-repo/
start=$(date +%s)
# The guest has no network: apt reads the lists of this repository only,
# and upgrades these packages only (the others' lists are the host's).
# shellcheck disable=SC2086 # a list of packages
{
	apt-get update -o Dir::Etc::SourceList=sources.list.d/vmem-exp.list \
		-o Dir::Etc::SourceParts=- -o APT::Get::List-Cleanup=0 &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y --only-upgrade $pkgs
} > /tmp/upgrade.log 2>&1
rc=$?
secs=$(($(date +%s) - start))
[ "$cur" != "$next" ] || rc=1
for p in $pkgs; do
	[ "$(dpkg-query -W -f '${Version}' "$p")" = "$next" ] || rc=1
done
dkms status vmem-exp | grep -q "^vmem-exp/$next, $(uname -r), .*installed" || rc=1
check $rc "the packages upgraded from $cur to $next from the repository that gained it (apt-get install --only-upgrade), DKMS built $next here ($secs s)"
[ $rc = 0 ] || tail -n 30 /tmp/upgrade.log | diag
dkms status vmem-exp | diag
now=$(cat /sys/module/vmem_exp/version)
inst=$(modinfo -F version vmem_exp 2>&1)
[ "$now" = "$cur" ] && [ "$inst" = "$next" ]
check $? "until reloaded, the loaded vmem_exp is still $cur ($now); modinfo vmem_exp: $next ($inst)"
echo go >&3
exec 3>&-
wait $keep
check $? "the buffer exported before the upgrade reads right after it (the old module serves it)"
diag < /tmp/keep.out
{ rmmod vmem_exp && modprobe vmem_exp; } > /tmp/reload 2>&1 &&
	[ "$(cat /sys/module/vmem_exp/version)" = "$next" ] &&
	[ "$(cat /sys/module/vmem_exp/srcversion)" = "$(modinfo -F srcversion vmem_exp)" ] &&
	vmemexp export --size 1M -- true >> /tmp/reload 2>&1
check $? "reloaded (rmmod, modprobe): the loaded vmem_exp is $next, its srcversion DKMS's; it exports"
diag < /tmp/reload

# shellcheck disable=SC2086 # a list of packages
DEBIAN_FRONTEND=noninteractive apt-get purge -y $pkgs > /tmp/purge.log 2>&1
rc=$?
[ ! -e /var/lib/dkms/vmem-exp ] || rc=1
find /lib/modules/ -name 'vmem_exp.ko*' > /tmp/left
for p in $pkgs; do
	for f in /var/lib/dpkg/info/"$p".* /var/lib/dpkg/info/"$p":*; do
		[ ! -e "$f" ] || echo "$f"
	done
done >> /tmp/left
[ -s /tmp/left ] && rc=1
check $rc "apt-get purge: no /var/lib/dkms/vmem-exp, no vmem_exp.ko under /lib/modules, nothing of the packages in /var/lib/dpkg/info"
[ $rc = 0 ] || cat /tmp/left /tmp/purge.log | diag
# Allowed after the purge, and nothing else: the MOK key pair DKMS made
# for signing what it builds (/var/lib/dkms/mok.key, mok.pub; README,
# "Secure Boot"), dkms's, not ours: made at DKMS's first build, which was
# ours, and kept for whatever DKMS signs next (dkms, pulled in by our
# Depends, stays installed); and the repository itself, which gained the
# next release's .deb files above (/srv/vmem-exp-repo: the test's, as a
# mirror is). apt's and dpkg's own records (/var/lib/dpkg, /var/lib/apt,
# /var/cache, /var/log) were all there before: pkg-build.sh installed
# dkms and the headers with apt before it listed the root.
find / -xdev | LC_ALL=C sort > /tmp/after.list
LC_ALL=C comm -13 /mnt/pre-install.list /tmp/after.list |
	grep -v -e '^/var/lib/dkms/mok\.key$' -e '^/var/lib/dkms/mok\.pub$' \
		-e '^/srv/vmem-exp-repo/' > /tmp/left
[ ! -s /tmp/left ]
check $? "apt-get purge: no file that was not in the root before the install ($(wc -l < /tmp/left) left, apart from dkms's MOK key pair and the repository)"
diag < /tmp/left

while read -r line; do
	n=$((n + 1))
	echo "${line%% -*} $n -${line#* -}"
done < /mnt/host.tap
