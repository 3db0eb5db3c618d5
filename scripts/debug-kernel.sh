#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build a kernel of scripts/kernels.sh that comes from Debian's source
# rather than an image package (bookworm-debug: make check-debug) and print
# its root, laid out like an unpacked Debian image:
#   boot/bzImage                  the kernel ($K_VMLINUZ)
#   lib/modules/KVER/             its modules, with modules.dep
#   build/                        the kbuild output dir ($K_KDIR), kept for
#                                 building external modules with M=
#   linux-source-6.1/             the unpacked source it needs
#   kernelrelease                 KVER (uname -r), read by kernel_vars
# Usage: debug-kernel.sh SPEC (NAME, or NAME=VERSION of the source package)
#
# The source is the version of $K_SOURCE that the cache resolved (what the
# release served when it was first prepared, until make refresh), its
# package downloaded into the cache, not installed.
#
# The configuration is `make ARCH=x86_64 tinyconfig` plus kvm_guest.config
# plus $K_CONFIG (scripts/debug-kernel.config: KASAN, KFENCE, kmemleak,
# lockdep, DMA-API debug, fault injection, and what the tests need); every
# option of $K_CONFIG is checked after olddefconfig. Built once per machine
# into $K_ROOT under $VMEM_EXP_CACHE, and again (incrementally) only when
# $K_CONFIG, this recipe or the source's version changes.
# Measured on the 2-core development machine (make -j2): 8 min 36 s the
# first time, unpacking included (13 min with two QEMU guests running
# alongside); about 30 s after a change to one option; 0.2 s when cached
# (docs/debug-kernel.md).
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"
kernel_vars "$1"
here=$(cd "$(dirname "$0")" && pwd)
[ -n "$K_SOURCE" ] || { echo "debug-kernel: $1 is not built from source" >&2; exit 1; }

# Bump when the steps below change in a way that needs a rebuild.
recipe=1
config=$here/$K_CONFIG
root=$K_ROOT
src=$root/$K_SOURCE
obj=$K_KDIR
log=$root/build.log

say() {
	echo "debug-kernel: $*" >&2
}

# One build at a time per cache.
mkdir -p "$root"
exec 9> "$root/.lock"
flock 9

"$here/deps.sh" flex bison bc libelf-dev libssl-dev
srcver=$K_PKGVER
tarball=$(source_tarball)
key="recipe $recipe, $K_SOURCE $srcver, $(basename "$config") $(cksum < "$config")"
if [ -f "$root/.complete" ] && [ "$(cat "$root/.complete")" = "$key" ] &&
	[ -f "$root/$K_VMLINUZ" ]; then
	echo "$root"
	exit 0
fi
rm -f "$root/.complete"
start=$(date +%s)

if [ "$(cat "$src/.vmem-exp-version" 2>/dev/null)" != "$srcver" ]; then
	say "unpacking $tarball into $src"
	rm -rf "$src" "$obj"
	mkdir -p "$src"
	tar -xJf "$tarball" -C "$src" --strip-components=1
	echo "$srcver" > "$src/.vmem-exp-version"
fi

# kmake ARGS...: make in the out-of-tree build dir.
kmake() {
	make -C "$src" O="$obj" ARCH=x86_64 "$@"
}

say "configuring $K_SOURCE ($srcver) with $config"
mkdir -p "$obj"
: > "$log"
{
	kmake tinyconfig
	"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
		"$src/kernel/configs/kvm_guest.config" "$config"
	kmake olddefconfig
} >> "$log" 2>&1 || { tail -20 "$log" >&2; say "configuration failed; see $log"; exit 1; }

# Every option asked for must have survived olddefconfig: several drop
# silently when a dependency is missing (KASAN and KFENCE under SLOB, ...).
# "# CONFIG_X is not set" means: neither y nor m.
if ! awk '
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
	}' "$config" "$obj/.config" >&2; then
	say "these options of $config did not survive olddefconfig"
	say "(a dependency is missing: see $obj/.config and the Kconfig files)"
	exit 1
fi

jobs=$(nproc)
say "building bzImage and modules with -j$jobs (about 9 minutes the first time on 2 cores; log: $log)"
kmake -j"$jobs" bzImage modules >> "$log" 2>&1 &
pid=$!
# A line a minute, so a long first build does not look hung.
t=0
while kill -0 "$pid" 2>/dev/null; do
	sleep 2
	t=$((t + 2))
	[ $((t % 60)) != 0 ] ||
		say "still building ($((t / 60)) min, $(grep -c '^  CC ' "$log") files compiled)"
done
wait "$pid" || { tail -30 "$log" >&2; say "build failed; see $log"; exit 1; }

kver=$(cat "$obj/include/config/kernel.release")
say "installing $kver into $root"
rm -rf "${root:?}/lib/modules" "${root:?}/boot"
mkdir -p "$root/boot"
kmake modules_install INSTALL_MOD_PATH="$root" DEPMOD=/sbin/depmod >> "$log" 2>&1 ||
	{ tail -20 "$log" >&2; say "modules_install failed; see $log"; exit 1; }
cp "$obj/arch/x86/boot/bzImage" "$root/boot/bzImage"
cp "$obj/.config" "$root/boot/config-$kver"
cp "$obj/System.map" "$root/boot/System.map-$kver"
echo "$kver" > "$root/kernelrelease"
echo "$key" > "$root/.complete"
say "$kver built in $(( $(date +%s) - start )) s"
echo "$root"
