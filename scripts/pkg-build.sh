#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The packaged path, as a user takes it, for make check's packaged kernels
# (K_PACKAGED in kernels.sh): the packages built for the kernel's release
# and put into a signed apt repository (scripts/pkg-repo.sh); that
# repository named in a sources.list line of the package guest's Debian
# root of the release (guest-root.sh pkg) and the packages installed from
# it with apt, with the kernel's headers, as a user would, their Depends
# pulling in the rest (DKMS, the libraries); DKMS then builds the module
# there. The guest (K_GUEST=pkg, scripts/pkg-guest.sh) boots with that
# root and runs the installed programs.
# Usage: pkg-build.sh SPEC OUTDIR
# Leaves in OUTDIR: vmem_exp.ko (DKMS's, from the root's /lib/modules),
# repo/ and gnupg/ (pkg-repo.sh), next/repo/ (the next release's),
# pre-install.list (the root's files before the packages were installed),
# pkg-host.tap (what was checked here: the headers, the module's signature).
set -eu
cd "$(dirname "$0")/.."
# shellcheck source=scripts/common.sh
. scripts/common.sh
kernel_vars "$1"
mkdir -p "$2"
out=$(cd "$2" && pwd)
version=$(cat VERSION)
pkgs="vmem-exp-dkms vmemexp-tools gstreamer1.0-vmemexp libvmemexp-dev"

say() {
	echo "pkg-build: $*" >&2
}

# 1. The packages and their repository; and the next release, the same
# tree as version N+1 (the last number one more), signed with the same key
# (OUT/next/repo), which tests/pkg.sh upgrades to.
scripts/pkg-repo.sh "$K_APT" "$out"
rm -rf "$out/next"
mkdir -p "$out/next"
cp -a "$out/gnupg" "$out/next/"
scripts/pkg-repo.sh "$K_APT" "$out/next" "$(echo "$version" | awk -F. -v OFS=. '{ $NF += 1 } 1')"

# 2. The repository in the root: a sources.list line, its key.
root=$(scripts/guest-root.sh pkg "$K_APT")
mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
trap 'umount "$root/proc" 2>/dev/null || true' EXIT
# Whatever an earlier run installed goes first: this run's packages are new.
# shellcheck disable=SC2086 # a list of packages
chroot "$root" apt-get purge -y $pkgs libvmemexp1 > /dev/null 2>&1 || true
rm -rf "$root/srv/vmem-exp-repo"
cp -r "$out/repo" "$root/srv/vmem-exp-repo"
echo "deb [signed-by=/srv/vmem-exp-repo/key.gpg] file:/srv/vmem-exp-repo ./" \
	> "$root/etc/apt/sources.list.d/vmem-exp.list"
# The kernel as a user's machine has it, the one it boots: its image and
# modules (K_IMAGE), and its headers, and DKMS; then the root's file list:
# what tests/pkg.sh finds again after it purged the packages. (Without the
# kernel's modules, sid's dkms 3.2 takes the empty modules.dep its depmod
# leaves after removing N for a kernel no longer installed, deletes the
# index, and installs N+1 without running depmod: modprobe then does not
# find it.) The image's postinst would make an initramfs the guest never
# boots (most of the arm64 root's time under qemu-user: docs/testing.md):
# the kernel's own hook skips it with INITRD=No.
export INITRD=No
# shellcheck disable=SC2086 # a list of packages
step "pkg-kernel-${root##*/}" "${root##*/}: linux-image and linux-headers-$K_VER, dkms (apt)" \
	root_apt "$root" $K_IMAGE $K_HEADERS dkms
# The image's postinst ran depmod, unless the root had it already: the
# index files (modules.dep and the rest, which DKMS's depmod makes again
# and the purge leaves, as on any system) are in the list either way.
chroot "$root" depmod "$K_VER" 2> /dev/null
chroot "$root" find / -xdev | LC_ALL=C sort > "$out/pre-install.list"
# shellcheck disable=SC2086 # a list of packages
step "pkg-install-${root##*/}" "${root##*/}: $pkgs, installed from the repository (apt)" \
	root_apt "$root" $pkgs

# 3. DKMS builds the module for the guest's kernel. The package's own
# postinst builds for the kernels it finds; this is the step a user's
# kernel upgrade runs (dkms autoinstall) for a kernel it did not see.
# DKMS compresses it as the kernel's own modules are (trixie's and sid's:
# vmem_exp.ko.xz); the initramfs gets it uncompressed.
ko=lib/modules/$K_VER/updates/dkms/vmem_exp.ko
[ ! -f "$root/$ko.xz" ] || ko=$ko.xz
dkms_build() {
	chroot "$root" dkms autoinstall -k "$K_VER" ||
		{ cat "$root/var/lib/dkms/vmem-exp/$version/build/make.log"; exit 1; }
}
if [ ! -f "$root/$ko" ]; then
	step "pkg-dkms-${root##*/}" "the module, built by dkms autoinstall -k $K_VER" dkms_build
	[ ! -f "$root/$ko.xz" ] || ko=$ko.xz
fi
[ -f "$root/$ko" ] || { say "DKMS left no $ko"; exit 1; }
chroot "$root" dkms status vmem-exp >&2
case $ko in
*.xz) xz -dc "$root/$ko" > "$out/vmem_exp.ko" ;;
*) cp "$root/$ko" "$out/vmem_exp.ko" ;;
esac
modinfo -F version "$out/vmem_exp.ko" | grep -qx "$version" ||
	{ say "the DKMS module's version is not $version"; exit 1; }

# 4. What is checked here, as TAP lines the guest prints after its own
# (pkg-guest.sh): the headers, and the module's signature.
host_tap=$out/pkg-host.tap
: > "$host_tap"
result() {
	if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fi >> "$host_tap"
}
if chroot "$root" dpkg -L libvmemexp-dev | grep '^/usr/include/linux/' >&2; then
	result 1 "libvmemexp-dev installs nothing in /usr/include/linux (linux-libc-dev's)"
else
	result 0 "libvmemexp-dev installs nothing in /usr/include/linux (linux-libc-dev's)"
fi
# shellcheck disable=SC2016 # expanded in the root's shell
printf '#include <linux/vmem_exp.h>\nint main(void) { return DBUFIOC_VMEM_EXP == 0; }\n' |
	chroot "$root" sh -c 'cc -fsyntax-only $(pkg-config --cflags libvmemexp) -x c -' >&2 &&
	rc=0 || rc=1
result "$rc" "<linux/vmem_exp.h> compiles with pkg-config --cflags libvmemexp (libvmemexp-dev)"
# Secure Boot: with openssl (in the root: guest-root.sh), DKMS makes a
# MOK key, /var/lib/dkms/mok.key and mok.pub, and signs what it builds
# with it (README, "Secure Boot").
signer=$(modinfo -F signer "$out/vmem_exp.ko")
[ -f "$root/var/lib/dkms/mok.key" ] && [ -n "$signer" ] && rc=0 || rc=1
result "$rc" "DKMS made its MOK key (/var/lib/dkms/mok.key) and signed the module with it (modinfo -F signer: '$signer')"
say "done: $out/vmem_exp.ko (DKMS, $K_REL), signer '$signer'"
