#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build the test guest's initramfs.
# Usage: mkinitramfs.sh OUT KERNEL_ROOT KVER VMEM_EXP_KO TEST...
# The test-only modules (vmem_test_cmem.ko, vmem_test_dma.ko) and the
# benchmark's udmabuf.ko (6.1) are taken from beside VMEM_EXP_KO, where
# they are. Programs in VMEM_EXP_EXTRA_BINS
# go into /bin; the directory VMEM_EXP_USERSPACE_DIR (a userspace guest's
# programs and tests, kernels.sh K_GUEST) becomes /userspace, and the modules VMEM_EXP_EXTRA_MODULES
# (with their dependencies) are loaded before vgem and vivid.
# KERNEL_ROOT holds the unpacked Debian image (lib/modules/KVER); the tests
# are installed in the given order as /tests/NN-name.t. For a guest of
# another architecture, VMEM_EXP_BUSYBOX names its static busybox (default:
# the host's /bin/busybox; the applets linked are the host's busybox's, of
# the same Debian package) and VMEM_EXP_BUILD the build directory of its
# static tool (default: build).
set -eu
out=$1 kroot=$2 kver=$3 ko=$4
shift 4
here=$(cd "$(dirname "$0")" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
# mktemp makes the directory 0700; it becomes the guest's /.
chmod 755 "$stage"

mkdir -p "$stage/bin" "$stage/etc" "$stage/proc" "$stage/sys" "$stage/dev" \
	"$stage/tests" "$stage/lib/modules"
cp "${VMEM_EXP_BUSYBOX:-/bin/busybox}" "$stage/bin/busybox"
for app in $(/bin/busybox --list); do
	[ "$app" = busybox ] || ln -s busybox "$stage/bin/$app"
done
# The vmemexp tool, static, for tests/tool.c (make tests builds it).
tool=$here/../${VMEM_EXP_BUILD:-build}/tools/vmemexp.static
[ ! -f "$tool" ] || cp "$tool" "$stage/bin/vmemexp"
cp "$here/../tests/init" "$stage/init"
cp "$here/../tests/run.sh" "$stage/tests/run.sh"
chmod +x "$stage/init"

# Real importers and their dependencies, in load order, then vmem_exp;
# brd, where the kernel has a block layer: a block device whose page
# cache tests/errno.c maps.
moddir=$kroot/lib/modules/$kver
brd=
! grep -q '/brd\.ko' "$moddir/modules.dep" || brd=brd
: > "$stage/etc/modules.load"
# shellcheck disable=SC2086 # a list of module names
for m in $("$here/modclosure.sh" "$moddir" ${VMEM_EXP_EXTRA_MODULES:-} vgem vivid $brd); do
	plain=${m%.xz}
	plain=${plain%.zst}
	mkdir -p "$stage/lib/modules/$(dirname "$m")"
	# Newer Debian kernels compress their modules: unpack them here, so
	# the guest's insmod needs no decompressor.
	case $m in
	*.xz) xz -dc "$moddir/$m" > "$stage/lib/modules/$plain" ;;
	*.zst) zstd -qdc "$moddir/$m" > "$stage/lib/modules/$plain" ;;
	*) cp "$moddir/$m" "$stage/lib/modules/$plain" ;;
	esac
	# vivid: two instances per vb2 allocator (vmalloc, dma-contig):
	# one whose buffers are exported, one that imports them.
	case $plain in
	*/vivid.ko) echo "$plain n_devs=4 allocators=0,1,0,1" ;;
	*/brd.ko) echo "$plain rd_nr=1 rd_size=1024" ;;
	*) echo "$plain" ;;
	esac >> "$stage/etc/modules.load"
done
cp "$ko" "$stage/lib/modules/vmem_exp.ko"
echo vmem_exp.ko >> "$stage/etc/modules.load"
for m in vmem_test_cmem.ko vmem_test_dma.ko udmabuf.ko; do
	if [ -f "$(dirname "$ko")/$m" ]; then
		cp "$(dirname "$ko")/$m" "$stage/lib/modules/"
		case $m in
		# make bench's buffers go up to 1 GiB.
		udmabuf.ko) echo "$m size_limit_mb=4096" ;;
		*) echo "$m" ;;
		esac >> "$stage/etc/modules.load"
	fi
done
[ -z "${VMEM_EXP_USERSPACE_DIR:-}" ] || cp -r "$VMEM_EXP_USERSPACE_DIR" "$stage/userspace"
for b in ${VMEM_EXP_EXTRA_BINS:-}; do
	cp "$b" "$stage/bin/"
done

i=10
for t in "$@"; do
	cp "$t" "$stage/tests/$i-$(basename "$t")"
	i=$((i + 1))
done

(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) > "$out"
