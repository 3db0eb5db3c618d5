#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages that the host itself runs to build and test
# vmem-exp (the compiler, QEMU; what a guest's userspace needs is built in
# that guest's Debian root, scripts/guest-root.sh), and the packages named
# as arguments, if any is missing. Needs root (or sudo) only when something
# is missing.
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"
pkgs="gcc make libc6-dev libdrm-dev pkgconf kmod cpio xz-utils busybox-static qemu-system-x86 $*"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
sudo=
# sudo asks for a password here, not in the step's background.
[ "$(id -u)" = 0 ] || { sudo=sudo && sudo -v; }
deps_install() {
	$sudo apt-get update
	# shellcheck disable=SC2086 # a list of packages
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends $missing
}
step deps "host packages:$missing" deps_install
