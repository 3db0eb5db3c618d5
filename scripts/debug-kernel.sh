#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build a kernel of scripts/kernels.sh that comes from Debian's source
# rather than an image package (bookworm-debug: make check-debug;
# sid-debug; bookworm-arm64-debug) and print its root ($K_ROOT), laid out
# like an unpacked Debian image:
#   boot/bzImage (arm64: Image)   the kernel ($K_VMLINUZ)
#   lib/modules/KVER/             its modules, with modules.dep
#   build/                        the kbuild output dir ($K_KDIR), kept for
#                                 building external modules with M=
#   linux-source-X.Y/             the unpacked source it needs
#   config/                       the fragments it was configured with
#   kernelrelease                 KVER (uname -r), read by kernel_vars
# Usage: debug-kernel.sh SPEC (NAME, or NAME=VERSION of the source package)
#
# The source is the version of $K_SOURCE that the cache resolved (what the
# release served when it was first prepared, until make refresh), its
# package downloaded into the cache, not installed.
#
# It is built in its release's build root ($K_BROOT): the host, with the
# host's compiler, for a kernel of the host's release (bookworm-debug);
# else that release's chroot, made by debian_root, with the release's
# default compiler (sid-debug: sid's gcc), where the tree then lies. A
# kernel of another architecture (K_CROSS: bookworm-arm64-debug) is built
# in the chroot that cross-builds modules for it, chroot-REL-ARCH, with
# the release's default cross compiler, gcc-$K_CROSS.
#
# The configuration is `make ARCH=$K_KMAKE tinyconfig` plus kvm_guest.config
# plus the fragments of $K_CONFIG in order (scripts/debug-kernel.config:
# KASAN, KFENCE, kmemleak, lockdep, DMA-API debug, fault injection, and
# what the tests need; debug-kernel-7.config: what differs on 7.x;
# debug-kernel-arm64.config: on arm64); every
# option of the fragments is checked after olddefconfig (the last line
# for a symbol counts). Built once per machine into $K_ROOT, and again
# (incrementally) only when a fragment, this recipe, the source's version
# or a chroot's compiler changes.
# Times on the 2-core development machine: docs/debug-kernel.md.
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"
kernel_vars "$1"
here=$(cd "$(dirname "$0")" && pwd)
[ -n "$K_SOURCE" ] || { echo "debug-kernel: $1 is not built from source" >&2; exit 1; }

# Bump when the steps below change in a way that needs a rebuild.
recipe=1
broot=$K_BROOT
# $root is the tree as the host sees it, $in as its build root does.
root=$K_ROOT
in=${K_KDIR%/build}
src=$root/$K_SOURCE
obj=$root/build

say() {
	echo "debug-kernel: $*" >&2
}

# What builds it (and, later, modules against it: build-env.sh).
build="flex bison bc libelf-dev libssl-dev"
if [ -z "$broot" ]; then
	# shellcheck disable=SC2086 # a list of packages
	"$here/deps.sh" $build
else
	debian_root "$K_REL" "$broot" \
		"gcc,${K_CROSS:+gcc-$K_CROSS,}make,libc6-dev,$(echo "$build" | tr ' ' ,),kmod,xz-utils,python3,perl,cpio"
fi
# The compiler that builds the kernel: the build root's own, or its
# cross compiler for K_ARCH (which needs the host's too, for kbuild's
# tools).
cc=${K_CROSS:+$K_CROSS-}gcc

# One build at a time per cache.
mkdir -p "$root"
exec 9> "$root/.lock"
flock 9

# run CMD ARGS...: in the build root. A chroot gets a /proc of its own
# (objtool reads it), in a mount namespace of its own: other users of the
# root mount and unmount theirs (build-module.sh).
run() {
	if [ -z "$broot" ]; then
		"$@"
	else
		# shellcheck disable=SC2016 # expanded by the inner sh
		unshare --mount --propagation private sh -c \
			'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' "$broot" "$@"
	fi
}

srcver=$K_PKGVER
tarball=$(source_tarball)
key="recipe $recipe, $K_SOURCE $srcver"
for c in $K_CONFIG; do
	key="$key, $c $(cksum < "$here/$c")"
done
# A chroot's compiler may be upgraded when another user adds packages.
[ -z "$broot" ] || key="$key, $(run "$cc" --version | head -n 1)"
if [ -f "$root/.complete" ] && [ "$(cat "$root/.complete")" = "$key" ] &&
	[ -f "$root/$K_VMLINUZ" ]; then
	echo "$root"
	exit 0
fi
rm -f "$root/.complete"
start=$(date +%s)

if [ "$(cat "$src/.vmem-exp-version" 2>/dev/null)" != "$srcver" ]; then
	rm -rf "$src" "$obj"
	mkdir -p "$src"
	step "$K_NAME-unpack" "$K_SOURCE $srcver, unpacked into $src" \
		tar -xJf "$tarball" -C "$src" --strip-components=1
	echo "$srcver" > "$src/.vmem-exp-version"
fi

# kmake ARGS...: make in the out-of-tree build dir, for K_ARCH.
kmake() {
	run make -C "$in/$K_SOURCE" O="$in/build" ARCH="$K_KMAKE" \
		${K_CROSS:+CROSS_COMPILE=$K_CROSS-} "$@"
}

# The fragments, where the build root sees them.
rm -rf "$root/config"
mkdir -p "$root/config" "$obj"
frags=
for c in $K_CONFIG; do
	cp "$here/$c" "$root/config/"
	frags="$frags $in/config/$c"
done
configure() {
	kmake tinyconfig
	# shellcheck disable=SC2086 # a list of files
	run "$in/$K_SOURCE/scripts/kconfig/merge_config.sh" -m -O "$in/build" "$in/build/.config" \
		"$in/$K_SOURCE/kernel/configs/kvm_guest.config" $frags
	kmake olddefconfig
}
step "$K_NAME-config" "configuring $K_SOURCE ($srcver) with$frags, with $(run "$cc" --version | head -n 1)" \
	configure

# Every option asked for must have survived olddefconfig: several drop
# silently when a dependency is missing (KASAN and KFENCE under SLOB, ...).
# "# CONFIG_X is not set" means: neither y nor m.
# shellcheck disable=SC2086 # a list of files
if ! (cd "$root/config" && cat $K_CONFIG) | awk '
	FNR == NR {
		# The last line for a symbol counts, as in merge_config.sh.
		if ($0 ~ /^CONFIG_[A-Za-z0-9_]+=/) {
			s = $0; sub(/=.*/, "", s); v = $0; sub(/^[^=]*=/, "", v)
		} else if ($0 ~ /^# CONFIG_[A-Za-z0-9_]+ is not set$/) {
			s = $2; v = "n"
		} else
			next
		if (!(s in want))
			order[++n] = s
		want[s] = v
		next
	}
	/^CONFIG_/ { s = $0; sub(/=.*/, "", s); v = $0; sub(/^[^=]*=/, "", v); have[s] = v }
	END {
		for (i = 1; i <= n; i++) {
			s = order[i]; w = want[s]; h = (s in have) ? have[s] : "n"
			if (w == "n" ? (h == "y" || h == "m") : h != w) {
				print "debug-kernel:   " s "=" w ", but the result has " h
				bad++
			}
		}
		exit bad > 0
	}' - "$obj/.config" >&2; then
	say "these options of$frags did not survive olddefconfig"
	say "(a dependency is missing: see $obj/.config and the Kconfig files)"
	exit 1
fi

# build: the kernel and its modules, installed into $root.
build() {
	kmake -j"$(nproc)" "$K_KIMAGE" modules
	rm -rf "${root:?}/lib/modules" "${root:?}/boot"
	mkdir -p "$root/boot"
	kmake modules_install INSTALL_MOD_PATH="$in" DEPMOD=/sbin/depmod
}
step "$K_NAME-build" "$K_NAME: $K_KIMAGE and modules, built with -j$(nproc) (docs/debug-kernel.md gives the time it takes)" \
	build
kver=$(cat "$obj/include/config/kernel.release")
cp "$obj/arch/$K_KARCH/boot/$K_KIMAGE" "$root/boot/$K_KIMAGE"
cp "$obj/.config" "$root/boot/config-$kver"
cp "$obj/System.map" "$root/boot/System.map-$kver"
echo "$kver" > "$root/kernelrelease"
echo "$key" > "$root/.complete"
say "$kver built in $(( $(date +%s) - start )) s"
echo "$root"
