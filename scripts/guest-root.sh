#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# guest-root.sh GUEST REL[:ARCH]: print the path of a Debian REL root with
# the userspace of a guest kind of kernels.sh (K_GUEST), making it the first
# time in $VMEM_EXP_CACHE (debootstrap minbase, then apt: a few minutes,
# once per machine); with ARCH, another architecture's (kernels.sh K_APT),
# whose programs run here through qemu-user (common.sh, foreign_exec). The
# guest mounts a copy of it as its root over virtio-9p
# (tests/userspace-mount.sh). The kinds:
#   gst      GStreamer's tools and base/good plugins, v4l-utils, and what
#            builds the plugin and the programs of gst-guest.sh against the
#            root's own GStreamer (gcc, make, GStreamer's -dev packages)
#   wayland  Weston with Mesa's GL drivers (llvmpipe), and what builds
#            tests/wayland-dmabuf.c against the root's own libwayland
#            (gcc, libwayland-dev, wayland-protocols) and netpbm (the test
#            reads Weston's screenshot)
#   pkg      what the package guest's tests run beside the packages
#            (scripts/pkg-build.sh installs those from their repository
#            with their Depends, nothing else): GStreamer's tools and
#            good plugins (v4l2sink), v4l-utils, the compiler and
#            pkgconf that build examples/ against libvmemexp-dev, and
#            openssl, which a Secure Boot machine has and with which DKMS
#            makes its MOK key and signs what it builds (no package
#            depends on it)
#   pkgbuild not a guest's: the root scripts/pkg-repo.sh builds the
#            packages in (dpkg-dev, lintian, apt-utils; it installs the
#            Build-Depends itself, with apt-get build-dep); with ARCH, a
#            root of the host's architecture that cross-builds for ARCH
#            (ARCH added to dpkg, Debian's crossbuild-essential-ARCH)
set -eu
cd "$(dirname "$0")/.."
# shellcheck source=scripts/common.sh
. scripts/common.sh
guest=$1 rel=${2%%:*} arch=$(apt_arch "$2") name=$(apt_name "$2")
# A root of ARCH: its name ends in -ARCH (NAME, REL-ARCH). pkgbuild's is
# the host's architecture's, with ARCH's cross compilers.
cross=
[ "$guest" != pkgbuild ] || cross=$arch arch=
case $guest in
gst)
	root=$VMEM_EXP_CACHE/gstroot-$name
	pkgs=gstreamer1.0-tools,gstreamer1.0-plugins-base,gstreamer1.0-plugins-good,v4l-utils
	pkgs=$pkgs,gcc,libc6-dev,make,pkgconf,libgstreamer-plugins-base1.0-dev
	;;
wayland)
	root=$VMEM_EXP_CACHE/wlroot-$name
	pkgs=weston,libgl1-mesa-dri,libegl1,libegl-mesa0,libgbm1,gcc,libc6-dev,libwayland-dev,wayland-protocols,pkgconf,libdrm-dev,netpbm
	;;
pkg)
	root=$VMEM_EXP_CACHE/pkgroot-$name
	pkgs=gstreamer1.0-tools,gstreamer1.0-plugins-good,v4l-utils,gcc,libc6-dev,pkgconf,openssl
	;;
pkgbuild)
	root=$VMEM_EXP_CACHE/pkgbuild-$name
	pkgs=dpkg-dev,lintian,apt-utils${cross:+,crossbuild-essential-$cross}
	;;
*)
	echo "guest-root: no root for a guest of kind '$guest'" >&2
	exit 1
	;;
esac
# debootstrap's own resolver fails on some of these dependencies (dconf,
# libsoup for GStreamer): a minbase root first, then apt installs the rest.
# Once made, only the second call runs, and it does nothing (debian_root
# installs again whenever the list differs from the last).
# The minbase root is made once per release, minbase-REL, and copied for
# each kind (debootstrap takes minutes, a copy seconds).
base=$VMEM_EXP_CACHE/minbase-$rel${arch:+-$arch}
if [ ! -f "$root/.complete" ]; then
	debian_root "$rel" "$base" kmod "$arch" >&2
	rm -rf --one-file-system "$root"
	cp -a "$base" "$root"
fi
[ -z "$cross" ] || chroot "$root" dpkg --add-architecture "$cross"
# The mirror's sid may be older than its Release file's Valid-Until says
# it may be, by this machine's clock: apt in the root then refuses it.
echo 'Acquire::Check-Valid-Until "false";' > "$root/etc/apt/apt.conf.d/99valid-until"
debian_root "$rel" "$root" "kmod,busybox,procps,$pkgs" "$arch" >&2
echo "$root"
