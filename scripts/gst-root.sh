#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# gst-root.sh REL: print the path of a Debian REL root with the GStreamer
# guest's userspace (GStreamer's tools and base/good plugins, v4l-utils),
# making it the first time in $VMEM_EXP_CACHE (debootstrap minbase plus
# those packages: a few minutes, once per machine). The GStreamer guest
# (kernels.sh, K_GUEST=gst) mounts a copy of it as its root over virtio-9p.
set -eu
cd "$(dirname "$0")/.."
# shellcheck source=scripts/common.sh
. scripts/common.sh
rel=$1
root=$VMEM_EXP_CACHE/gstroot-$rel
# debootstrap's own resolver fails on GStreamer's dependencies (dconf,
# libsoup): a minbase root first, then apt installs the rest.
# Once made, only the second call runs, and it does nothing.
[ -f "$root/.complete" ] || debian_root "$rel" "$root" kmod >&2
debian_root "$rel" "$root" \
	kmod,gstreamer1.0-tools,gstreamer1.0-plugins-base,gstreamer1.0-plugins-good,v4l-utils,kmod,busybox,procps >&2
echo "$root"
