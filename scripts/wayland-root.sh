#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# wayland-root.sh REL: print the path of a Debian REL root for the Wayland
# guest (kernels.sh, K_GUEST=wayland): Weston with Mesa's GL drivers
# (llvmpipe), and what builds tests/wayland-dmabuf.c against the root's own
# libwayland (gcc, libwayland-dev, wayland-protocols) and netpbm (the test
# reads Weston's screenshot), made the first time
# in $VMEM_EXP_CACHE like gst-root.sh's (debootstrap minbase, then apt).
set -eu
cd "$(dirname "$0")/.."
# shellcheck source=scripts/common.sh
. scripts/common.sh
rel=$1
root=$VMEM_EXP_CACHE/wlroot-$rel
# (debian_root installs again whenever the list differs from the last.)
[ -f "$root/.complete" ] || debian_root "$rel" "$root" kmod >&2
# The mirror's sid may be older than its Release file's Valid-Until says
# it may be, by this machine's clock: apt in the root then refuses it.
echo 'Acquire::Check-Valid-Until "false";' > "$root/etc/apt/apt.conf.d/99valid-until"
debian_root "$rel" "$root" \
	kmod,busybox,procps,weston,libgl1-mesa-dri,libegl1,libegl-mesa0,libgbm1,gcc,libc6-dev,libwayland-dev,wayland-protocols,pkgconf,libdrm-dev,netpbm >&2
echo "$root"
