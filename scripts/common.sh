# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# shellcheck disable=SC2034 # K_* are set for the scripts that source this
# Sourced by the harness's scripts: the kernel table (kernels.sh), the
# cache, apt for any Debian release, and kernel_vars, which tells
# everything about one kernel of the table.

# shellcheck source=scripts/kernels.sh
. "$(dirname "$0")/kernels.sh"
VMEM_EXP_CACHE=${VMEM_EXP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmem-exp}

# step NAME WHAT CMD [ARG...]: run CMD as one step of preparing a run (host
# packages, a download, a Debian root, a build), quietly: "prep: WHAT ..."
# when it starts, a line a minute while it runs (with the log's last line)
# and its time when it ends, on stderr; what CMD prints (apt, debootstrap,
# make) goes to $VMEM_EXP_CACHE/logs/NAME.log. When CMD fails, the log's
# last lines and its path are printed, and step returns CMD's status. With
# V=1 in the environment CMD's output goes to stderr as it comes, and no
# log is kept. CMD runs in a subshell with set -e (in the background, where
# set -e holds even when step's caller tests its status): it sets no
# variable of the caller.
step() {
	_step_log=$VMEM_EXP_CACHE/logs/$1.log _step_what=$2
	shift 2
	if [ "${V:-0}" != 0 ]; then
		echo "prep: $_step_what" >&2
		(set -e; "$@") >&2 &
		wait "$!"
		return
	fi
	echo "prep: $_step_what ..." >&2
	mkdir -p "$VMEM_EXP_CACHE/logs"
	_step_start=$(date +%s)
	(set -e; "$@") > "$_step_log" 2>&1 &
	_step_pid=$! _step_t=0
	while kill -0 "$_step_pid" 2>/dev/null; do
		sleep 1
		_step_t=$((_step_t + 1))
		[ $((_step_t % 60)) != 0 ] ||
			echo "prep:   $((_step_t / 60)) min: $(tail -n 1 "$_step_log" | cut -c 1-64)" >&2
	done
	_step_rc=0
	wait "$_step_pid" || _step_rc=$?
	_step_t=$(($(date +%s) - _step_start))
	if [ "$_step_rc" != 0 ]; then
		tail -n 20 "$_step_log" | sed 's/^/  | /' >&2
		echo "prep: $_step_what: failed (exit status $_step_rc) after $_step_t s;" \
			"the whole log: $_step_log" >&2
		return "$_step_rc"
	fi
	echo "prep: $_step_what: done in $_step_t s" >&2
}

# kernel_names: every name (and alias) of kernel_table, one a line, read
# from its case labels.
kernel_names() {
	sed -n '/^kernel_table()/,/^}/s/^\t\([a-z0-9][a-z0-9. |-]*\))$/\1/p' \
		"$(dirname "$0")/kernels.sh" | tr -d ' ' | tr '|' '\n'
}

# kernel_vars SPEC: SPEC is a name of the table (kernels.sh), or
# NAME=VERSION to pin that kernel to one exact version (for reproducing a
# report; a kernel release such as 6.1.0-56-amd64, or for a kernel built
# from source the version of its source package). Sets what kernel_table
# sets, and
#   K_PIN      VERSION, or empty
#   K_APT      the apt setup its packages come from: K_REL, or K_REL:K_ARCH
#              for an architecture other than the host's (apt_release)
#   K_PKGVER   the version in use: the pin, else the one this cache
#              resolved (kernel_version)
#   K_VER      the kernel release (uname -r); for a kernel built from
#              source, known once it is built ("not-built-yet" before)
#   K_IMAGE    the packages holding vmlinuz and the modules
#   K_HEADERS  the packages of its headers (with -common and kbuild)
#   K_GCC      the compiler package the headers expect (empty: the host's)
#   K_KDIR     the kbuild dir modules build against (make -C K_KDIR M=...),
#              a path in the build root
#   K_VMLINUZ  where vmlinuz lies in the kernel's root (fetch-kernel.sh)
# and for a kernel built from source:
#   K_SOURCE   linux-source (the metapackage) replaced by the
#              linux-source-X.Y of K_PKGVER, Debian's name for that series
#   K_BROOT    the build root it is built in: empty for the host (a kernel
#              of the host's release), else the release's chroot
#              (build_root), where K_KDIR then lies
#   K_ROOT     where it is built, as the host sees it
kernel_vars() {
	if ! kernel_table "${1%%=*}"; then
		echo "unknown kernel '${1%%=*}'; the names of scripts/kernels.sh:" \
			"$(kernel_names | tr '\n' ' ')" >&2
		return 1
	fi
	K_PIN=
	case $1 in *=?*) K_PIN=${1#*=} ;; esac
	K_APT=$K_REL
	[ "$K_ARCH" = "$(dpkg --print-architecture)" ] || K_APT=$K_REL:$K_ARCH
	K_PKGVER=$(kernel_version) || return 1
	if [ -n "$K_SOURCE" ]; then
		[ "$K_SOURCE" != linux-source ] ||
			K_SOURCE=linux-source-$(echo "$K_PKGVER" | sed 's/^\([0-9]*\.[0-9]*\).*/\1/')
		# In the host's build root, or in a chroot of its release
		# (debug-kernel.sh), which the tree then belongs to: made
		# with that root's compiler, it goes with it (make refresh).
		if [ "$K_REL" = "$(host_release)" ] && [ -z "$K_CROSS" ]; then
			K_BROOT='' K_KDIR=$VMEM_EXP_CACHE/$K_NAME/build
		else
			K_BROOT=$(build_root) K_KDIR=/$K_NAME/build
		fi
		K_ROOT=$K_BROOT${K_KDIR%/build}
		K_VER=$(cat "$K_ROOT/kernelrelease" 2>/dev/null || echo not-built-yet)
		K_IMAGE='' K_HEADERS='' K_GCC=''
		K_VMLINUZ=boot/$K_KIMAGE
		return 0
	fi
	K_ROOT=''
	K_VER=$K_PKGVER
	mkdir -p "$VMEM_EXP_CACHE/kernels"
	_pkgs=$VMEM_EXP_CACHE/kernels/$K_VER.pkgs
	if [ ! -s "$_pkgs" ]; then
		kernel_packages > "$_pkgs.tmp" || { rm -f "$_pkgs.tmp"; return 1; }
		mv "$_pkgs.tmp" "$_pkgs"
	fi
	. "$_pkgs"
	K_KDIR=/usr/src/linux-headers-$K_VER
	K_VMLINUZ=vmlinuz
}

# build_root: print the chroot that builds for K_REL and K_ARCH
# (build-env.sh; for another architecture, the host's with K_ARCH's cross
# compilers).
build_root() {
	if [ -n "$K_CROSS" ]; then
		echo "$VMEM_EXP_CACHE/chroot-$K_REL-$K_ARCH"
	else
		echo "$VMEM_EXP_CACHE/chroot-$K_REL"
	fi
}

# kernel_version: print the version K_NAME stands for in this cache: the
# pin if there is one, else what kernel_resolve found the first time (kept
# in $VMEM_EXP_CACHE/kernels/REL, kernels/REL-ARCH for another
# architecture, or kernels/NAME for a kernel built from source, until make refresh forgets it, so that a developer's runs stay
# reproducible; a new cache, as CI's, always resolves what Debian serves
# that day).
kernel_version() {
	if [ -n "$K_PIN" ]; then
		echo "$K_PIN"
		return 0
	fi
	# Downloaded kernels are the release's: trixie-pkg runs what trixie
	# does.
	_f=$VMEM_EXP_CACHE/kernels/$K_NAME
	[ -n "$K_SOURCE" ] || _f=$VMEM_EXP_CACHE/kernels/$(apt_name "$K_APT")
	if [ ! -s "$_f" ]; then
		mkdir -p "$VMEM_EXP_CACHE/kernels"
		_v=$(kernel_resolve)
		if [ -z "$_v" ]; then
			echo "kernels: cannot tell which kernel Debian $K_REL serves today" \
				"(see apt's messages above)" >&2
			return 1
		fi
		echo "$_v" > "$_f"
		echo "kernels: $K_NAME is $_v, what Debian $K_REL serves today" \
			"(kept in this cache until make refresh)" >&2
	fi
	cat "$_f"
}

# kernel_resolve: print what $K_REL's archive serves today: the kernel
# release its linux-image-FLAVOUR and linux-headers-FLAVOUR metapackages
# both depend on, or for a kernel built from source, the version of the
# source package. Empty when they cannot be found or do not agree.
kernel_resolve() {
	# Fresh lists: a new setup fetches them, an old one is updated.
	if [ -s "$VMEM_EXP_CACHE/apt-$(apt_name "$K_APT")/sources.list" ]; then
		step "apt-$(apt_name "$K_APT")" "apt lists of Debian $K_APT, updated" \
			apt_release "$K_APT" update || return 0
	else
		apt_setup "$K_APT" || return 0
	fi
	if [ -n "$K_SOURCE" ]; then
		apt_cache_release "$K_REL" show --no-all-versions "$K_SOURCE" |
			sed -n 's/^Version: //p'
		return 0
	fi
	_img=$(apt_deps "$K_APT" "linux-image-$K_FLAVOUR" | sed -n "s/^linux-image-\([0-9].*-$K_FLAVOUR\)\$/\1/p")
	_hdr=$(apt_deps "$K_APT" "linux-headers-$K_FLAVOUR" | sed -n "s/^linux-headers-\([0-9].*-$K_FLAVOUR\)\$/\1/p")
	if [ "$_img" != "$_hdr" ]; then
		echo "kernels: in $K_REL, linux-image-$K_FLAVOUR wants '$_img' but" \
			"linux-headers-$K_FLAVOUR wants '$_hdr' (an upload in progress?)" >&2
		return 0
	fi
	echo "$_img"
}

# kernel_packages: print, as shell assignments, the packages of kernel
# release K_VER in $K_REL's archive: K_IMAGE (linux-image-VER, and where
# that is only a metapackage, as in sid, the linux-binary and
# linux-modules packages it depends on), K_HEADERS (linux-headers-VER, its
# -common and kbuild packages) and K_GCC (the gcc-N of the
# compiler the headers depend on).
kernel_packages() {
	_image=linux-image-$K_VER _headers=linux-headers-$K_VER _gcc=
	_deps=$(apt_deps "$K_APT" "$_image")
	if [ -z "$_deps" ]; then
		echo "kernels: Debian $K_REL does not serve $_image (any more?), and this" \
			"cache does not have it: pin a version it serves, or make refresh" >&2
		return 1
	fi
	for _p in $_deps; do
		case $_p in
		linux-binary-"$K_VER" | linux-modules-"$K_VER") _image="$_image $_p" ;;
		esac
	done
	for _p in $(apt_deps "$K_APT" "$_headers"); do
		case $_p in
		linux-headers-* | linux-kbuild-*) _headers="$_headers $_p" ;;
		# linux-compiler-gcc-12-x86 (bookworm), gcc-14 (trixie),
		# gcc-16-for-host (sid): gcc-N.
		linux-compiler-gcc-[0-9]* | gcc-[0-9]*)
			_gcc=gcc-${_p#*gcc-} _gcc=${_gcc%%-[!0-9]*} ;;
		esac
	done
	if [ -z "$_gcc" ]; then
		echo "kernels: $K_REL's linux-headers-$K_VER names no compiler" >&2
		return 1
	fi
	printf "K_IMAGE='%s'\nK_HEADERS='%s'\nK_GCC=%s\n" "$_image" "$_headers" "$_gcc"
}

# apt_deps REL PKG: the names of the packages that PKG depends on in REL
# (REL as for apt_release).
apt_deps() {
	apt_cache_release "$1" depends --no-recommends --no-suggests \
		--no-conflicts --no-breaks --no-replaces --no-enhances "$2" 2>/dev/null |
		awk '$1 ~ /^\|?(Pre)?Depends:$/ && $2 !~ /^</ { print $2 }'
}

# apt_release REL ARGS...: apt-get for Debian release REL with lists and a
# cache of its own under $VMEM_EXP_CACHE, from the mirrors the system's apt
# already uses; the system's apt setup is not touched. REL:ARCH (such as
# bookworm:arm64) is a setup of its own for the packages of Debian
# architecture ARCH. apt_cache_release is apt-cache in the same setup. The
# first use fetches the lists.
apt_release() {
	apt_in apt-get "$@"
}

apt_cache_release() {
	apt_in apt-cache "$@"
}

# apt_in TOOL REL ARGS...
# apt drops to its _apt user to download, which may not reach a cache
# under a private home (or mktemp's 0700 directory); the user running this
# downloads instead.
apt_in() {
	_d=$VMEM_EXP_CACHE/apt-$(apt_name "$2")
	if [ ! -s "$_d/sources.list" ]; then
		apt_setup "$2" || return 1
	fi
	_tool=$1 _arch=$(apt_arch "$2")
	shift 2
	"$_tool" -o Dir::Etc::SourceList="$_d/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$_d/lists" \
		-o Dir::Cache="$_d" -o Dir::Cache::Archives="$_d/archives" \
		-o Dir::State::Status="$_d/status" \
		-o APT::Architecture="${_arch:-$(dpkg --print-architecture)}" \
		-o APT::Architectures="${_arch:-$(dpkg --print-architecture)}" \
		-o APT::Sandbox::User="$(id -un)" "$@"
}

# apt_name REL: the name of REL's apt setup in the cache (apt-NAME):
# bookworm, or bookworm-arm64 for bookworm:arm64.
apt_name() {
	echo "$1" | tr : -
}

# apt_arch REL[:ARCH]: ARCH, or nothing (REL's, the host's architecture).
apt_arch() {
	case $1 in *:*) echo "${1#*:}" ;; esac
}

# apt_setup REL: write REL's sources list and fetch its lists.
apt_setup() {
	_d=$VMEM_EXP_CACHE/apt-$(apt_name "$1")
	mkdir -p "$_d/lists/partial" "$_d/archives/partial"
	: > "$_d/status"
	_main=$(debian_mirror '') _sec=$(debian_mirror -security)
	if [ -z "$_main" ]; then
		echo "apt: no Debian mirror in the system's apt sources" >&2
		return 1
	fi
	_rel=${1%%:*}
	case $_rel in
	sid) echo "deb $_main sid main" ;;
	*) printf 'deb %s %s main\ndeb %s %s-updates main\ndeb %s %s-security main\n' \
		"$_main" "$_rel" "$_main" "$_rel" "${_sec:-$_main}" "$_rel" ;;
	esac > "$_d/sources.list.new"
	mv "$_d/sources.list.new" "$_d/sources.list"
	if ! step "apt-$(apt_name "$1")" "apt lists of Debian $1" apt_in apt-get "$1" update; then
		rm -f "$_d/sources.list"
		return 1
	fi
}

# debian_mirror SUFFIX: the URI the system's apt uses for HOST$SUFFIX
# (the host's own release: bookworm, bookworm-security).
debian_mirror() {
	_suite=$(host_release)$1
	for _f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$_f" ] && awk -v s="$_suite" '
			/^URIs:/ { u = $2 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) { print u; exit } }' "$_f"
	done | head -n 1 | grep . && return
	awk -v s="$_suite" '$1 == "deb" && $3 == s { print $2; exit }' \
		/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n 1
}

host_release() {
	sed -n 's/^VERSION_CODENAME=//p' /etc/os-release
}

# download_debs REL DIR PKG...: fetch packages (PKG or PKG=VERSION) of
# release REL (as for apt_release) into DIR and unpack them there (no maintainer scripts run).
# Lists that no longer know a package are fetched again once.
download_debs() {
	_rel=$1 _dir=$2
	shift 2
	_tmp=$(mktemp -d)
	if ! (cd "$_tmp" && apt_release "$_rel" -qq download "$@" >&2) &&
		! { apt_release "$_rel" -qq update >&2 &&
		    (cd "$_tmp" && apt_release "$_rel" -qq download "$@" >&2); }; then
		rm -rf "$_tmp"
		return 1
	fi
	# As dpkg -x, but a symlink to a directory in DIR stays one (a
	# merged-/usr root's /lib, where bookworm's headers put
	# /lib/modules/VER/build).
	for _deb in "$_tmp"/*.deb; do
		dpkg-deb --fsys-tarfile "$_deb" |
			tar -C "$_dir" -x --keep-directory-symlink || return 1
	done
	rm -rf "$_tmp"
}

# guest_busybox: print the path of a static busybox for the guests of
# K_ARCH: the host's (busybox-static), or K_APT's busybox-static, unpacked
# into the cache the first time.
guest_busybox() {
	if [ -z "$K_CROSS" ]; then
		echo /bin/busybox
		return 0
	fi
	_b=$VMEM_EXP_CACHE/busybox-$(apt_name "$K_APT")
	if [ ! -f "$_b/.complete" ]; then
		rm -rf "$_b"
		mkdir -p "$_b"
		step "busybox-$(apt_name "$K_APT")" "$K_APT's busybox-static" \
			download_debs "$K_APT" "$_b" busybox-static || return 1
		touch "$_b/.complete"
	fi
	# Merged-/usr packages put it in usr/bin.
	for _f in "$_b/bin/busybox" "$_b/usr/bin/busybox"; do
		[ ! -f "$_f" ] || { echo "$_f"; return 0; }
	done
	echo "guest_busybox: no busybox in $K_APT's busybox-static" >&2
	return 1
}

# source_tarball: print the path of $K_SOURCE's tarball at version
# K_PKGVER, downloading its package into the cache the first time.
source_tarball() {
	_s=$VMEM_EXP_CACHE/src/$K_SOURCE-$K_PKGVER
	if [ ! -f "$_s/.complete" ]; then
		rm -rf "$_s"
		mkdir -p "$_s"
		step "$K_SOURCE-$K_PKGVER" "$K_SOURCE $K_PKGVER, downloaded" \
			download_debs "$K_REL" "$_s" "$K_SOURCE=$K_PKGVER" || return 1
		touch "$_s/.complete"
	fi
	echo "$_s/usr/src/$K_SOURCE.tar.xz"
}

# guest_modules KROOT VER: the modules a userspace guest (K_GUEST) loads
# besides the tests': those of virtio-9p, which shares its root, that the
# kernel in KROOT has as modules (sid's has virtio_pci built in), and the
# table's K_MODULES; blank-separated.
guest_modules() {
	for _m in virtio_pci 9p 9pnet_virtio; do
		! grep -q "/$_m\.ko" "$1/lib/modules/$2/modules.dep" || printf '%s ' "$_m"
	done
	printf '%s\n' "$K_MODULES"
}

# foreign_exec ARCH: let this machine run the programs of Debian
# architecture ARCH (chroot into a root of it: debian_root), through
# qemu-user-static and its binfmt_misc entry (K_QUSER, arch_table), which
# this registers if the kernel does not have it. Its flags (F) have the
# kernel open the emulator once, at registration, so that it runs in any
# chroot. Nothing to do for the host's own architecture.
foreign_exec() {
	arch_table "$1" || return 1
	[ -n "$K_QUSER" ] || return 0
	"$(dirname "$0")/deps.sh" qemu-user-static
	_bm=/proc/sys/fs/binfmt_misc
	[ -f "$_bm/register" ] || mount -t binfmt_misc binfmt_misc "$_bm" || return 1
	[ -f "$_bm/qemu-$K_QUSER" ] ||
		cat "/usr/lib/binfmt.d/qemu-$K_QUSER.conf" > "$_bm/register" || return 1
}

# debian_root REL DIR PKGS [ARCH]: make DIR a minimal Debian REL root
# (debootstrap minbase, from the system's mirror, the first time: a minute
# or two; for another architecture ARCH, run through qemu-user: several) with
# the packages PKGS (comma-separated) installed, and apt sources for REL,
# REL-updates and REL-security. A root made earlier gets what PKGS adds
# (several users share one root, each with its own list). Both are steps
# (step), logged as DIR's name with -debootstrap and -apt.
debian_root() {
	_name=${2##*/}
	# In a subshell: arch_table sets the caller's K_ variables.
	[ -z "${4:-}" ] || (foreign_exec "$4") || return 1
	if [ ! -f "$2/.complete" ]; then
		"$(dirname "$0")/deps.sh" debian-archive-keyring
		_ds=$VMEM_EXP_CACHE/debootstrap
		if [ ! -x "$_ds/usr/sbin/debootstrap" ]; then
			mkdir -p "$_ds"
			step debootstrap "debootstrap (trixie's), downloaded" \
				download_debs trixie "$_ds" debootstrap || return 1
		fi
		rm -rf --one-file-system "$2"
		# debootstrap's own log: DIR/debootstrap/debootstrap.log.
		_arch=${4:+--arch=$4}
		# shellcheck disable=SC2086 # one word, or none
		step "$_name-debootstrap" "$_name: a Debian $1${4:+ $4} root (debootstrap, once)" \
			env DEBOOTSTRAP_DIR="$_ds/usr/share/debootstrap" "$_ds/usr/sbin/debootstrap" \
			$_arch --variant=minbase --include="$3" "$1" "$2" "$(debian_mirror '')" || return 1
		# The same sources as the harness's own apt for REL.
		if [ ! -s "$VMEM_EXP_CACHE/apt-$1/sources.list" ]; then
			apt_setup "$1" || return 1
		fi
		cp "$VMEM_EXP_CACHE/apt-$1/sources.list" "$2/etc/apt/sources.list"
		echo "$3" > "$2/.complete"
	fi
	# What was asked for so far: when it was made (.complete), and
	# since (.packages).
	_new=$(echo "$3" | tr , '\n' |
		grep -vxF "$(cat "$2/.complete" "$2/.packages" 2>/dev/null | tr , '\n')" |
		tr '\n' ' ')
	if [ -n "$_new" ]; then
		# shellcheck disable=SC2086 # a list of packages
		step "$_name-apt" "$_name: $(echo "$_new" | wc -w) packages installed (apt)" \
			root_apt "$2" $_new || return 1
		echo "$_new" | tr ' ' '\n' | grep . >> "$2/.packages"
	fi
}

# root_apt ROOT PKG...: apt-get update, then install PKG... (no
# recommends) in the Debian root ROOT.
root_apt() {
	_r=$1
	shift
	# The host's apt's view of the archive's dates (a snapshot mirror's
	# Release file may be past its Valid-Until).
	_o=$(apt-config dump | sed -n \
		's/^\(Acquire::Check-\(Valid-Until\|Date\)\) "\(.*\)";$/-o \1=\3/p')
	# shellcheck disable=SC2086 # apt's options, one a word
	chroot "$_r" apt-get $_o update &&
		DEBIAN_FRONTEND=noninteractive chroot "$_r" apt-get $_o install -y \
			--no-install-recommends "$@"
}

# root_build ROOT NAME WHAT SCRIPT FILE...: build in the Debian root ROOT
# what its guest runs there, with the root's own compiler and libraries
# (scripts/guest-root.sh; the host's packages are not involved): copy
# FILE... (paths in the checkout, from its top) into a new directory of
# ROOT and run the shell SCRIPT (set -eu) there in a chroot, as the step
# NAME (WHAT). Sets RB to that directory as the host sees it; the caller
# takes what was built from it and removes it.
root_build() {
	_root=$1 _name=$2 _what=$3 _script=$4
	shift 4
	RB=$_root/tmp/vmem-exp-$_name.$$
	rm -rf "$RB"
	mkdir -p "$RB"
	tar -cf - "$@" | tar -xf - -C "$RB"
	if ! step "$_name" "$_what" chroot "$_root" /bin/sh -euc "cd ${RB#"$_root"}; $_script"; then
		rm -rf "$RB"
		return 1
	fi
}

# gst_guest_run KERNEL OUT SCRIPT: the GStreamer guest of KERNEL (a Debian
# userspace over virtio-9p, as make check KERNELS=bookworm-gst runs it)
# with the module built into OUT, running SCRIPT (a path in the checkout)
# alone; its TAP ends in OUT/guest/tap.log. Shows the guest's log and
# fails if the guest did not finish.
gst_guest_run() {
	_g=$1 _out=$2
	mkdir -p "$_out"
	scripts/build-module.sh "$_g" "$_out"
	_kroot=$(scripts/fetch-kernel.sh "$_g")
	kernel_vars "$_g"
	_root=$(scripts/gst-guest.sh "$K_REL" "$_out" "$3")
	VMEM_EXP_EXTRA_MODULES=$(guest_modules "$_kroot" "$K_VER") \
		VMEM_EXP_USERSPACE_DIR="$_out/userspace" \
		scripts/mkinitramfs.sh "$_out/initramfs.cpio.gz" "$_kroot" "$K_VER" \
		"$_out/vmem_exp.ko" "$_out/gst.t"
	if ! VMEM_EXP_VIRTFS="$_root" scripts/run-guest.sh "$_g" "$_kroot/$K_VMLINUZ" \
		"$_out/initramfs.cpio.gz" "$_out/guest" > "$_out/run.log"; then
		cat "$_out/run.log"
		return 1
	fi
}
