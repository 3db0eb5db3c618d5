#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Description: the GStreamer tests, in a Debian userspace. Runs in the test
# initramfs as a test file (the GStreamer guest, K_GUEST=gst in
# scripts/kernels.sh): mounts the Debian root that QEMU shares over
# virtio-9p (read-only; tag gstroot), gives it /dev, /proc, /sys, a tmpfs
# /tmp and this initramfs's /gst (the plugin, the example, the tests) at
# /mnt, and runs tests/gst.sh there, which prints TAP.
r=/newroot
mkdir -p $r
if ! mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=524288 gstroot $r; then
	echo "1..1"
	echo "not ok 1 mount the Debian root over virtio-9p"
	exit 1
fi
mount -t tmpfs tmpfs $r/tmp
mount -o bind /dev $r/dev
mount -t proc proc $r/proc
mount -t sysfs sysfs $r/sys
mount -o bind /gst $r/mnt
chroot $r /bin/sh /mnt/gst.sh
rc=$?
umount $r/mnt $r/sys $r/proc $r/dev $r/tmp $r
exit $rc
