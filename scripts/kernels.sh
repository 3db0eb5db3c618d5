# SPDX-License-Identifier: GPL-2.0
# Sourced by the harness: the kernels vmem-exp is built and tested on.
# To add one, add a case below (see README, "Adding a kernel").

KNOWN_KERNELS="6.1 6.12 7.2"
VMEM_EXP_CACHE=${VMEM_EXP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmem-exp}

# kernel_vars NAME: sets
#   K_VER      the Debian kernel release (uname -r)
#   K_REL      the Debian release whose toolchain builds for it
#   K_GCC      the compiler package its headers expect
#   K_KBUILD   the kbuild package its headers need
#   K_IMAGE    the packages holding vmlinuz and the modules
#   K_VMLINUZ  where vmlinuz lies inside those packages
#   K_HEADERS  the packages of its headers
#   K_KDIR     the kbuild dir modules build against (make -C K_KDIR M=...)
# and, for a kernel built here from Debian's source by scripts/debug-kernel.sh
# instead of downloaded (empty otherwise):
#   K_SOURCE   the source package (/usr/src/K_SOURCE.tar.xz)
#   K_CONFIG   its config fragment, in scripts/
#   K_ROOT     where it is built and installed (fetch-kernel.sh prints it)
# and, for the guest (empty: run-guest.sh's defaults):
#   K_APPEND   more kernel parameters
#   K_MEM      guest memory (QEMU -m)
#   K_TIMEOUT  seconds for each test file, and for the whole guest x5
kernel_vars() {
	K_SOURCE='' K_CONFIG='' K_ROOT='' K_KDIR='' K_APPEND='' K_MEM='' K_TIMEOUT=''
	case $1 in
	6.1)
		K_VER=6.1.0-56-amd64 K_REL=bookworm K_GCC=gcc-12
		K_KBUILD=linux-kbuild-6.1
		K_IMAGE="linux-image-$K_VER"
		K_VMLINUZ=boot/vmlinuz-$K_VER ;;
	6.12)
		K_VER=6.12.107+deb13-amd64 K_REL=trixie K_GCC=gcc-14
		K_KBUILD=linux-kbuild-6.12.107+deb13
		K_IMAGE="linux-image-$K_VER"
		K_VMLINUZ=boot/vmlinuz-$K_VER ;;
	7.2)
		K_VER=7.2.13+deb14-amd64 K_REL=sid K_GCC=gcc-16
		K_KBUILD=linux-kbuild-7.2.13+deb14
		K_IMAGE="linux-binary-$K_VER linux-modules-$K_VER"
		K_VMLINUZ=usr/lib/modules/$K_VER/vmlinuz ;;
	6.1-debug)
		# Not in KNOWN_KERNELS: make check-debug runs it. 6.1 from
		# Debian's linux-source-6.1 with KASAN, KFENCE, kmemleak,
		# lockdep, DMA-API debug and fault injection; built with the
		# host's gcc-12 (docs/debug-kernel.md). Its release is known
		# once it is built.
		K_SOURCE=linux-source-6.1 K_CONFIG=debug-kernel.config
		K_ROOT=$VMEM_EXP_CACHE/debug-6.1
		K_KDIR=$K_ROOT/build
		K_VER=$(cat "$K_ROOT/kernelrelease" 2>/dev/null || echo not-built-yet)
		K_REL=bookworm K_GCC=gcc-12 K_KBUILD='' K_IMAGE=''
		K_VMLINUZ=boot/bzImage
		# Every KASAN report, not only the first; KFENCE samples
		# every 10 ms instead of 100; failslab may fail every slab
		# cache but those of DMA-API debug and kmemleak (tests/init).
		K_APPEND="kasan_multi_shot kfence.sample_interval=10 slub_debug=A;-,radix_tree_node,kmemleak_object,kmemleak_scan_area"
		# KASAN's shadow and quarantine take memory.
		K_MEM=3G
		# Export paths run about 10x slower under KASAN and TCG
		# (the whole suite takes about 2 minutes, though).
		K_TIMEOUT=300 ;;
	*)
		echo "unknown kernel '$1' (known: $KNOWN_KERNELS, 6.1-debug)" >&2
		return 1 ;;
	esac
	if [ -n "$K_SOURCE" ]; then
		K_HEADERS=''
	else
		K_HEADERS="linux-headers-$K_VER linux-headers-${K_VER%-amd64}-common $K_KBUILD"
		K_KDIR=/usr/src/linux-headers-$K_VER
	fi
}

# The host is bookworm: its own apt serves bookworm.
host_release() {
	. /etc/os-release && echo "$VERSION_CODENAME"
}

# apt_release REL ARGS...: apt-get for another Debian release, with its own
# lists and cache under $VMEM_EXP_CACHE, from the mirrors the system's apt
# already uses. The system's apt setup is not touched.
apt_release() {
	_rel=$1
	shift
	if [ "$_rel" = "$(host_release)" ]; then
		apt-get "$@"
		return
	fi
	_d=$VMEM_EXP_CACHE/apt-$_rel
	if [ ! -s "$_d/sources.list" ]; then
		mkdir -p "$_d/lists/partial" "$_d/archives/partial"
		_main=$(debian_mirror '' ) _sec=$(debian_mirror -security)
		case $_rel in
		sid) echo "deb $_main sid main" ;;
		*) printf 'deb %s %s main\ndeb %s %s-updates main\ndeb %s %s-security main\n' \
			"$_main" "$_rel" "$_main" "$_rel" "$_sec" "$_rel" ;;
		esac > "$_d/sources.list"
		: > "$_d/status"
		_fresh=1
	fi
	set -- -o Dir::Etc::SourceList="$_d/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$_d/lists" \
		-o Dir::Cache="$_d" -o Dir::Cache::Archives="$_d/archives" \
		-o Dir::State::Status="$_d/status" "$@"
	if [ -n "${_fresh:-}" ]; then
		apt-get "$@" -q update >&2 || { rm -f "$_d/sources.list"; return 1; }
		unset _fresh
	fi
	apt-get "$@"
}

# debian_mirror SUFFIX: the URI the system's apt uses for bookworm$SUFFIX.
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

# download_debs REL DIR PKG...: fetch packages into DIR and unpack them
# there (no maintainer scripts run).
download_debs() {
	_rel=$1 _dir=$2
	shift 2
	_tmp=$(mktemp -d)
	(cd "$_tmp" && apt_release "$_rel" download -q "$@" >&2) ||
		(cd "$_tmp" && apt_release "$_rel" -q update >&2 &&
		 apt_release "$_rel" download -q "$@" >&2)
	for _deb in "$_tmp"/*.deb; do
		dpkg -x "$_deb" "$_dir"
	done
	rm -rf "$_tmp"
}
