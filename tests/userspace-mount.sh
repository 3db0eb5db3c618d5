#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Description: the GStreamer or Wayland tests, in a Debian userspace. Runs
# in the test initramfs as a test file, gst.t or wayland.t (the guests of
# K_GUEST=gst and K_GUEST=wayland in scripts/kernels.sh): mounts the Debian
# root that QEMU shares over virtio-9p (read-only; tag userspace; for
# pkg.t under a writable overlay, below), gives it
# /dev, /proc, /sys, a tmpfs /tmp and this initramfs's /userspace (the programs
# and tests) at /mnt, and runs the script named as this file there (gst.sh:
# tests/gst.sh; wayland.sh: tests/wayland.sh), which prints TAP.
r=/newroot
mkdir -p $r
# This file is /tests/NN-NAME.t.
name=${0##*/}
name=${name%.t}
name=${name#*-}
# The package guest's root is writable: an overlay whose upper layer is a
# tmpfs (what apt, dpkg and DKMS write in tests/pkg.sh lands there, the
# root on the host stays as it was).
low=$r
[ "$name" != pkg ] || low=/lower
mkdir -p $low
if ! mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=524288 userspace $low; then
	echo "1..1"
	echo "not ok 1 mount the Debian root over virtio-9p"
	exit 1
fi
if [ $low != $r ]; then
	mkdir -p /rw
	mount -t tmpfs tmpfs /rw
	mkdir -p /rw/upper /rw/work
	if ! mount -t overlay -o lowerdir=$low,upperdir=/rw/upper,workdir=/rw/work overlay $r; then
		echo "1..1"
		echo "not ok 1 an overlay with a tmpfs upper layer over the Debian root"
		exit 1
	fi
fi
mount -t tmpfs tmpfs $r/tmp
mount -o bind /dev $r/dev
# /dev/fd, as udev makes it: bash's <(...) needs it (dkms uses that).
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
mount -t proc proc $r/proc
mount -t sysfs sysfs $r/sys
mount -o bind /userspace $r/mnt
chroot $r /bin/sh "/mnt/$name.sh"
rc=$?
umount $r/mnt $r/sys $r/proc $r/dev $r/tmp $r
[ $low = $r ] || umount $low /rw
exit $rc
