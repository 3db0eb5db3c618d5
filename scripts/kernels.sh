# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# shellcheck disable=SC2034 # the table is read by scripts/common.sh
# The kernels vmem-exp is built and tested on: data only, read through
# scripts/common.sh. No version is written here: each name stands for what
# a Debian release's archive serves, and common.sh resolves it from that
# release's metapackages the first time it is prepared (docs/testing.md,
# "Supported kernels"). To add a kernel, add a case (docs/testing.md,
# "Adding a kernel").

# make check's default: the three kernels, and trixie's again with every
# device mapping bounced, where a sync copies (tests/sync.c); bookworm-debug
# is make check-debug (sid-debug the same on 7.x, docs/debug-kernel.md),
# bookworm-pkg, trixie-pkg, sid-pkg and trixie-arm64-pkg the packaged path
# (make check-packages).
KNOWN_KERNELS="bookworm trixie sid trixie-swiotlb"

# kernel_table NAME: sets
#   K_NAME     the kernel's name (NAME, or what the alias NAME stands for)
#   K_REL      the Debian release whose archive serves it and whose
#              toolchain builds for it
#   K_ARCH     the Debian architecture of the kernel and the guest
#              (amd64 unless set; arch_table below tells the rest)
#   K_FLAVOUR  the flavour of its metapackages (linux-image-$K_FLAVOUR,
#              linux-headers-$K_FLAVOUR); K_ARCH unless set
# and, for a kernel built here from Debian's source by
# scripts/debug-kernel.sh instead of downloaded (empty otherwise):
#   K_SOURCE   the source package (its .deb holds /usr/src/K_SOURCE.tar.xz),
#              or linux-source, the metapackage: then the linux-source-X.Y
#              of the version the cache resolved (kernel_vars)
#   K_CONFIG   its config fragments, in scripts/, merged in this order
# and (empty otherwise):
#   K_PACKAGED the module is the one DKMS builds from the Debian packages,
#              installed into a root of K_REL (scripts/pkg-build.sh)
#   K_TESTS    the tests that run (empty: all, the make check default),
#              besides the example of a packaged kernel
#   K_GUEST    the kind of guest: empty, the busybox initramfs alone;
#              else a userspace guest: that initramfs plus a Debian K_REL
#              userspace shared over virtio-9p (made once by
#              scripts/guest-root.sh; tests/userspace-mount.sh mounts it),
#              where the GStreamer tests run (gst: tests/gst.sh),
#              Weston's (wayland: tests/wayland.sh) or the installed
#              packages' (pkg: tests/pkg.sh). scripts/K_GUEST-guest.sh
#              builds the guest's programs in that root.
#   K_MODULES  more of the kernel's modules its initramfs holds and the
#              guest loads (besides the tests' and virtio-9p's)
# and, for the guest (empty: run-guest.sh's defaults):
#   K_APPEND   more kernel parameters
#   K_MEM      guest memory (QEMU -m)
#   K_SMP      its CPUs (QEMU -smp; 2 unless set)
#   K_TIMEOUT  seconds for each test file, and for the whole guest x5
#   K_REQUIRE  what this guest exists to test, which a test that finds it
#              missing reports as a failure rather than a skip (harness.h,
#              required(); tests/run.sh): movable (a hugetlb page in
#              ZONE_MOVABLE), bounce (the test DMA device's mappings go
#              through swiotlb), failslab (failslab and fail_page_alloc),
#              kmemleak, lockdep, dma-debug
# Returns 1 for an unknown NAME. The aliases are the kernel series a
# stable release keeps for its whole life; sid has none, as it moves on.
kernel_table() {
	K_SOURCE='' K_CONFIG='' K_APPEND='' K_MEM='' K_SMP='' K_TIMEOUT='' K_PACKAGED='' K_TESTS=''
	K_REQUIRE=''
	K_GUEST='' K_MODULES='' K_ARCH=amd64 K_FLAVOUR=''
	case $1 in
	bookworm | 6.1)
		K_NAME=bookworm K_REL=bookworm ;;
	trixie | 6.12)
		K_NAME=trixie K_REL=trixie ;;
	sid)
		K_NAME=sid K_REL=sid ;;
	bookworm-arm64 | 6.1-arm64)
		# The same releases' arm64 kernels, cross-built for and run
		# in an emulated arm64 machine (arch_table).
		K_NAME=bookworm-arm64 K_REL=bookworm K_ARCH=arm64 ;;
	trixie-arm64 | 6.12-arm64)
		K_NAME=trixie-arm64 K_REL=trixie K_ARCH=arm64 ;;
	sid-arm64)
		K_NAME=sid-arm64 K_REL=sid K_ARCH=arm64 ;;
	bookworm-movable | trixie-movable | sid-movable)
		# The release's kernel booted with half of memory in
		# ZONE_MOVABLE, where the hugetlb pool then lies: what a
		# long-term pin does to such pages (tests/movable.c).
		K_NAME=$1 K_REL=${1%-movable}
		K_APPEND="movablecore=50%"
		K_TESTS=movable
		K_REQUIRE=movable ;;
	trixie-swiotlb)
		# trixie's kernel with every device mapping bounced through
		# swiotlb (256 MiB of bounce buffers), where a sync copies:
		# what a partial DBUFIOC_VMEM_SYNC copies (tests/sync.c).
		K_NAME=trixie-swiotlb K_REL=trixie
		K_APPEND="swiotlb=131072,force"
		K_TESTS="sync vgem mmap"
		K_REQUIRE=bounce ;;
	sid-arm64-swiotlb)
		# The same on sid's arm64 kernel, where a device that is not
		# DMA-coherent (the test DMA device) also gets real cache
		# maintenance from the DMA API.
		K_NAME=sid-arm64-swiotlb K_REL=sid K_ARCH=arm64
		K_APPEND="swiotlb=131072,force"
		K_TESTS="sync vgem mmap memtype"
		K_REQUIRE=bounce ;;
	bookworm-bench | trixie-bench | sid-bench)
		# make bench's guest: every device mapping bounced (a sync
		# copies; 512 MiB of bounce buffers), udmabuf allowed buffers
		# of 1 GiB, memory for 1 GiB of each kind at once.
		K_NAME=$1 K_REL=${1%-bench}
		K_APPEND="swiotlb=262144,force udmabuf.size_limit_mb=4096"
		K_MEM=6G
		K_TIMEOUT=1800 ;;
	bookworm-bench-direct | trixie-bench-direct | sid-bench-direct)
		# The same without swiotlb: the scatterlist entries a device
		# that reaches memory directly gets.
		K_NAME=$1 K_REL=${1%-bench-direct}
		K_MEM=6G
		K_TIMEOUT=1800 ;;
	bookworm-pkg | trixie-pkg | sid-pkg)
		# The release's kernel with the module DKMS built from our
		# Debian packages, installed from their signed repository
		# into a Debian root of the release (scripts/pkg-build.sh),
		# which the guest then has as its userspace: the core tests,
		# and the installed tool, examples/ built against
		# libvmemexp-dev and the GStreamer plugin; the upgrade to
		# the next release and the purge (tests/pkg.sh).
		K_NAME=$1 K_REL=${1%-pkg} K_PACKAGED=1 K_GUEST=pkg
		# Its userspace is an overlay (tests/userspace-mount.sh).
		K_MODULES=overlay
		K_TESTS="sources mmap errno rdonly lifetime fdpass vgem tool unload"
		# tests/pkg.sh upgrades the packages: DKMS compiles in the guest.
		K_TIMEOUT=1200 ;;
	trixie-arm64-pkg)
		# The same on arm64: the packages cross-built for arm64
		# (dpkg-buildpackage -a arm64), installed from their
		# repository into an arm64 root of trixie, where DKMS builds
		# the module for trixie's arm64 kernel, run through
		# qemu-user (arch_table, K_QUSER); the arm64 guest then boots
		# that kernel with that root.
		K_NAME=$1 K_REL=trixie K_ARCH=arm64 K_PACKAGED=1 K_GUEST=pkg
		K_MODULES=overlay
		K_TESTS="sources mmap errno rdonly lifetime fdpass vgem tool unload"
		# DKMS compiles in the emulated arm64 machine.
		K_TIMEOUT=2400 ;;
	bookworm-gst)
		# bookworm's kernel with a bookworm userspace (GStreamer 1.22,
		# the host's, which builds the plugin): the vmemexp plugin
		# with stock GStreamer elements into vivid (tests/gst.sh),
		# and the vivid loopback test it relies on.
		K_NAME=bookworm-gst K_REL=bookworm K_GUEST=gst
		K_TESTS=vividloop
		K_TIMEOUT=300 ;;
	sid-gst)
		# The same on sid's kernel (udmabuf built in) and userspace
		# (GStreamer 1.28, whose own GstUdmabufAllocator and
		# GstVideoDmabufPool meet the plugin there: tests/gst-cases.c,
		# udmabuf).
		K_NAME=sid-gst K_REL=sid K_GUEST=gst
		K_TESTS=vividloop
		K_TIMEOUT=300 ;;
	bookworm-gst-bench | sid-gst-bench)
		# The same guests for make bench's pipeline section
		# (scripts/bench-gst.sh: bench/gst-pipelines.sh alone), with
		# one CPU: under TCG a guest's clock runs on while the host
		# has its CPU thread off a core, and the time goes to
		# whatever task the guest was running; one CPU thread leaves
		# the host's second core to QEMU's others (virtio-9p).
		K_NAME=$1 K_REL=${1%-gst-bench} K_GUEST=gst
		K_SMP=1
		K_TIMEOUT=3600 ;;
	sid-wayland)
		# sid's kernel (udmabuf built in) with a sid userspace: Weston
		# (headless, GL renderer on Mesa's llvmpipe) shown a vmem-exp
		# dma-buf and a udmabuf one over zwp_linux_dmabuf_v1
		# (tests/wayland.sh), beside the vgem test.
		K_NAME=sid-wayland K_REL=sid K_GUEST=wayland
		K_TESTS=vgem
		K_TIMEOUT=600 ;;
	bookworm-debug | 6.1-debug)
		# bookworm's linux-source-6.1 with KASAN, KFENCE, kmemleak,
		# lockdep, DMA-API debug and fault injection, built with the
		# host's gcc-12 (docs/debug-kernel.md).
		K_NAME=bookworm-debug K_REL=bookworm
		K_SOURCE=linux-source-6.1 K_CONFIG=debug-kernel.config
		# Every KASAN report, not only the first; KFENCE samples
		# every 10 ms instead of 100; failslab may fail every slab
		# cache but those of DMA-API debug and kmemleak (tests/init).
		K_APPEND="kasan_multi_shot kfence.sample_interval=10 slub_debug=A;-,radix_tree_node,kmemleak_object,kmemleak_scan_area"
		K_REQUIRE="failslab kmemleak lockdep dma-debug"
		# KASAN's shadow and quarantine take memory.
		K_MEM=3G
		# Export paths run about 10x slower under KASAN and TCG
		# (the whole suite takes about 2 minutes, though).
		K_TIMEOUT=300 ;;
	sid-debug)
		# The same checkers, and debug objects, on sid's newest kernel:
		# the linux-source-X.Y that sid's linux-source metapackage
		# stands for, built in sid's build root with sid's default
		# compiler (docs/debug-kernel.md).
		K_NAME=sid-debug K_REL=sid
		K_SOURCE=linux-source K_CONFIG="debug-kernel.config debug-kernel-7.config"
		# As bookworm-debug's, and failslab spares debug objects'
		# cache too (it switches itself off when that cannot allocate).
		K_APPEND="kasan_multi_shot kfence.sample_interval=10 slub_debug=A;-,radix_tree_node,kmemleak_object,kmemleak_scan_area,debug_objects_cache"
		K_REQUIRE="failslab kmemleak lockdep dma-debug"
		K_MEM=3G
		K_TIMEOUT=300 ;;
	bookworm-arm64-debug | 6.1-arm64-debug)
		# bookworm-debug's source, checkers and compiler (the cross
		# gcc-12 of bookworm-arm64's build root), for arm64, running
		# the tests whose paths differ by architecture (page tables,
		# memory types, cache maintenance): make check-debug-arm64
		# (docs/debug-kernel.md).
		K_NAME=bookworm-arm64-debug K_REL=bookworm K_ARCH=arm64
		K_SOURCE=linux-source-6.1
		K_CONFIG="debug-kernel.config debug-kernel-arm64.config"
		K_APPEND="kasan_multi_shot kfence.sample_interval=10 slub_debug=A;-,radix_tree_node,kmemleak_object,kmemleak_scan_area"
		# The core tests (the -pkg guests' list), memtype and sync.
		K_TESTS="sources mmap errno rdonly lifetime fdpass vgem tool unload memtype sync"
		K_REQUIRE="failslab kmemleak lockdep dma-debug"
		K_MEM=3G
		K_TIMEOUT=600 ;;
	sid-kcsan)
		# sid-debug's source, compiler and checkers with KCSAN, the
		# data race detector, in place of KASAN (which it excludes)
		# and gcov, running the tests that race (docs/debug-kernel.md).
		K_NAME=sid-kcsan K_REL=sid
		K_SOURCE=linux-source
		K_CONFIG="debug-kernel.config debug-kernel-7.config debug-kernel-kcsan.config"
		K_APPEND="kfence.sample_interval=10"
		K_TESTS="stress lifetime fuzz buffers races"
		K_REQUIRE="kmemleak lockdep dma-debug kcsan"
		K_MEM=3G
		K_TIMEOUT=300 ;;
	*)
		return 1 ;;
	esac
	K_FLAVOUR=${K_FLAVOUR:-$K_ARCH}
	arch_table "$K_ARCH"
}

# arch_table ARCH: what building for and booting a guest of Debian
# architecture ARCH takes (kernel_table calls it). Sets
#   K_CROSS    the GNU triplet of the cross compilers that build for it
#              (empty: the host's own compilers, amd64)
#   K_KARCH    the kernel's name for it (arch/K_KARCH, make ARCH= of
#              its headers)
#   K_KMAKE    make ARCH= for configuring a kernel for it
#              (debug-kernel.sh: x86_64, so that tinyconfig is 64-bit)
#   K_KIMAGE   the kernel image QEMU boots, a make target and the file
#              arch/K_KARCH/boot/K_KIMAGE
#   K_HOSTPKGS the host's packages that build its test programs and
#              emulate it
#   K_QUSER    qemu-user's name for it, whose binfmt_misc entry lets the
#              host run its programs (a Debian root of it, chrooted into:
#              foreign_exec); empty for the host's own
#   K_QEMU     the emulator, with its machine and CPU
#   K_CONSOLE  the guest's console device (the kernel log)
#   K_TAP      the device the guest's /init writes the TAP stream to
#   K_SERIAL   QEMU options that connect the host's chardev "con" to
#              K_CONSOLE and "tap" to K_TAP
# Returns 1 for an unknown ARCH.
arch_table() {
	case $1 in
	amd64)
		K_CROSS='' K_KARCH=x86 K_KMAKE=x86_64 K_KIMAGE=bzImage K_QUSER=''
		K_HOSTPKGS="qemu-system-x86"
		K_QEMU="qemu-system-x86_64 -machine pc -cpu max"
		K_CONSOLE=ttyS0 K_TAP=ttyS1
		K_SERIAL="-serial chardev:con -serial chardev:tap" ;;
	arm64)
		K_CROSS=aarch64-linux-gnu K_KARCH=arm64 K_KMAKE=arm64 K_QUSER=aarch64
		# arm64 has no self-decompressing image: Image, as is.
		K_KIMAGE=Image
		K_HOSTPKGS="qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross"
		# pauth-impdef: a cheaper pointer-authentication cipher,
		# which boots TCG several times faster than QARMA.
		K_QEMU="qemu-system-aarch64 -machine virt -cpu max,pauth-impdef=on"
		# The virt machine has one UART (PL011): the TAP stream
		# goes through a 16550 on PCI (8250_pci and the generic PCI
		# host are built in; virtio_console is a module).
		K_CONSOLE=ttyAMA0 K_TAP=ttyS0
		K_SERIAL="-serial chardev:con -device pci-serial,chardev=tap" ;;
	*)
		return 1 ;;
	esac
}
