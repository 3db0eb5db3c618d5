#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make check: for each kernel in $KERNELS (default: all known; each a name
# of scripts/kernels.sh, or NAME=VERSION to pin one), build the module,
# boot that Debian kernel under QEMU with vgem, vivid and vmem_exp loaded,
# and run the suite (make check-debug: KERNELS=bookworm-debug, a kernel
# built from Debian's source with the checkers on, see debug-kernel.sh).
# Ends with the kernels the guests ran (uname -r and -v, as each guest
# printed them), then one line for all kernels together:
#   N passed, N failed, N skipped
# and exits non-zero if anything failed on any kernel.
set -eu
cd "$(dirname "$0")/.."
# Warnings are errors in everything make check builds (Makefile, Kbuild).
export VMEM_EXP_WERROR=y
# shellcheck source=scripts/common.sh
. scripts/common.sh
KERNELS=${KERNELS:-$KNOWN_KERNELS}
# Every name is checked, and the version of each resolved, before anything
# is built; what the host needs for each kernel's architecture (emulator,
# cross compilers) is installed.
hostpkgs=
for k in $KERNELS; do
	kernel_vars "$k" > /dev/null
	hostpkgs="$hostpkgs $K_HOSTPKGS"
done

# shellcheck disable=SC2086 # a list of packages
scripts/deps.sh $hostpkgs
make -s tests

passed=0 failed=0 skipped=0 failures='' ran=''

# On the host: make install puts every file where DESTDIR and PREFIX say,
# and make uninstall removes exactly those. Nothing goes in include/linux
# (the kernel's headers', Debian's linux-libc-dev): the UAPI header is in
# include/vmemexp/linux, and the installed pkg-config file's Cflags find
# it and vmemexp.h.
dest=$(mktemp -d)
uapi_builds() {
	cflags=$(PKG_CONFIG_SYSROOT_DIR="$dest" PKG_CONFIG_LIBDIR="$dest/usr/lib/pkgconfig" \
		pkg-config --cflags libvmemexp) || return 1
	# shellcheck disable=SC2086 # pkg-config's flags
	printf '#include <linux/vmem_exp.h>\n#include <vmemexp.h>\nint main(void) { return DBUFIOC_VMEM_EXP == 0; }\n' |
		${CC:-cc} -fsyntax-only $cflags -x c -
}
if make -s install DESTDIR="$dest" PREFIX=/usr > "$dest.log" 2>&1 &&
	[ "$(find "$dest" -type f -o -type l | wc -l)" -ge 14 ] &&
	! find "$dest" -type f -o -type l | grep -v "^$dest/usr/\|^$dest/lib/udev/" &&
	! find "$dest" -path "$dest/usr/include/linux*" | grep . >> "$dest.log" &&
	[ -f "$dest/usr/include/vmemexp/linux/vmem_exp.h" ] &&
	uapi_builds >> "$dest.log" 2>&1 &&
	make -s uninstall DESTDIR="$dest" PREFIX=/usr >> "$dest.log" 2>&1 &&
	[ -z "$(find "$dest" -type f -o -type l)" ]; then
	echo "ok - make install (DESTDIR, PREFIX=/usr) installs the library, headers, pkg-config file, tool, man pages and udev rule, nothing in include/linux, <linux/vmem_exp.h> found through pkg-config; make uninstall removes them"
	passed=$((passed + 1))
else
	echo "not ok - make install (DESTDIR, PREFIX=/usr) and make uninstall"
	sed 's/^/# /' "$dest.log"
	find "$dest" | sed 's/^/# left: /'
	failed=$((failed + 1)) failures="$failures install"
fi
rm -rf "$dest" "$dest.log"
# A warning does not stop DKMS, and does stop make check: tested once, with
# the first stock kernel of the host's architecture in $KERNELS.
dkms_warning=
for k in $KERNELS; do
	kernel_vars "$k"
	out=build/$K_NAME
	mkdir -p "$out"
	echo "# kernel $K_NAME: Debian $K_REL's $K_PKGVER; building the module" \
		"(the first run also downloads and prepares)" >&2
	rm -f "$out/guest/counts"
	build=scripts/build-module.sh
	[ -z "$K_PACKAGED" ] || build=scripts/pkg-build.sh
	if ! $build "$k" "$out" || ! kroot=$(scripts/fetch-kernel.sh "$k"); then
		echo "not ok - $K_NAME: build the module and fetch the kernel"
		failed=$((failed + 1)) failures="$failures $K_NAME"
		continue
	fi
	# The release of a kernel built from source is known once it is built.
	kernel_vars "$k"
	if [ -z "$dkms_warning$K_CROSS$K_PACKAGED$K_SOURCE" ]; then
		dkms_warning=$K_NAME
		scripts/dkms-warning.sh "$k" > "$out/dkms-warning.log" || failures="$failures dkms-warning"
		cat "$out/dkms-warning.log"
		passed=$((passed + $(grep -c '^ok' "$out/dkms-warning.log" || true)))
		failed=$((failed + $(grep -c '^not ok' "$out/dkms-warning.log" || true)))
	fi
	# A kernel's own list (kernels.sh) may name tests that make check's
	# default list does not build.
	names=${K_TESTS:-$(make -s print-test-names)}
	# Another architecture's test programs: its cross compilers, a build
	# directory of its own, its busybox.
	bld=build cross=
	[ -z "$K_CROSS" ] || bld=build/$K_ARCH cross="CC=$K_CROSS-gcc AR=$K_CROSS-ar"
	# shellcheck disable=SC2086 # make's variables, one a word
	make -s B="$bld" $cross tests TESTS="$names"
	tests=$(make -s B="$bld" print-tests TESTS="$names")
	VMEM_EXP_BUSYBOX=$(guest_busybox)
	export VMEM_EXP_BUILD="$bld" VMEM_EXP_BUSYBOX
	unset VMEM_EXP_EXTRA_BINS
	unset VMEM_EXP_EXTRA_MODULES VMEM_EXP_USERSPACE_DIR VMEM_EXP_VIRTFS
	if [ -n "$K_GUEST" ]; then
		if ! root=$(scripts/$K_GUEST-guest.sh "$K_APT" "$out"); then
			echo "not ok - $K_NAME: build the $K_GUEST guest's programs and prepare its Debian root"
			failed=$((failed + 1)) failures="$failures $K_NAME"
			continue
		fi
		tests="$tests $out/$K_GUEST.t"
		VMEM_EXP_EXTRA_MODULES=$(guest_modules "$kroot" "$K_VER")
		export VMEM_EXP_EXTRA_MODULES
		export VMEM_EXP_USERSPACE_DIR="$out/userspace" VMEM_EXP_VIRTFS="$root"
	fi
	# shellcheck disable=SC2086 # a list of files
	scripts/mkinitramfs.sh "$out/initramfs.cpio.gz" "$kroot" "$K_VER" \
		"$out/vmem_exp.ko" $tests
	echo "# kernel $K_NAME: booting $K_VER under QEMU" >&2
	# shellcheck disable=SC2046 # the test files' names, one a word
	scripts/run-guest.sh "$k" "$kroot/$K_VMLINUZ" "$out/initramfs.cpio.gz" "$out/guest" \
		$(for t in $tests; do t=${t##*/}; echo "${t%.t}"; done) ||
		failures="$failures $K_NAME"
	# A debug kernel's module counted with gcov: its data, for make
	# coverage (a guest that did not print it is said so, not failed).
	[ ! -d "$out/gcov" ] || scripts/coverage.sh collect "$out" || true
	if [ -f "$out/guest/counts" ]; then
		read -r p f s < "$out/guest/counts"
		passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	else
		failed=$((failed + 1)) failures="$failures $K_NAME"
	fi
	ran="$ran#   $K_NAME: $(sed -n 's/^# kernel \([0-9]\)/\1/p' "$out/guest/tap.log" |
		head -n 1 | grep . || echo "did not say (no guest output)")
"
done

if [ -z "$dkms_warning" ]; then
	echo "ok - a warning does not stop DKMS's build # SKIP no stock kernel of the host's architecture in KERNELS"
	skipped=$((skipped + 1))
fi
echo "# kernels the guests ran (uname -r, uname -v):"
printf '%s' "$ran"
[ -z "$failures" ] || echo "# failed on:$failures"
echo "$passed passed, $failed failed, $skipped skipped"
[ -z "$failures" ] && [ "$failed" = 0 ]
