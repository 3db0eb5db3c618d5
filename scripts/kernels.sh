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
kernel_vars() {
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
	*)
		echo "unknown kernel '$1' (known: $KNOWN_KERNELS)" >&2
		return 1 ;;
	esac
	K_HEADERS="linux-headers-$K_VER linux-headers-${K_VER%-amd64}-common $K_KBUILD"
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
