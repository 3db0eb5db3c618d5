#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A compiler warning must not stop a user's DKMS build, and must stop ours:
# the module's DKMS source (make dkms-source) with a #warning added is
# built for kernel SPEC with the MAKE line of its dkms.conf, once as DKMS
# runs it (the module is built, the warning shown) and once with
# VMEM_EXP_WERROR=y, as make check and make lint build (it fails).
# Prints two TAP lines ("ok - ..." or "not ok - ..."); exit status 1 if
# either failed.
# Usage: dkms-warning.sh SPEC (a kernel of the host's architecture)
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"
kernel_vars "$1"
here=$(cd "$(dirname "$0")/.." && pwd)
root=$("$here/scripts/build-env.sh" "$1")
tree=/vmem-exp-dkms-warning
src=${root%/}$tree
log=$(mktemp)
trap 'rm -rf "$src" "$log"' EXIT
rm -rf "$src"
make -s -C "$here" dkms-source DESTDIR="${root%/}" DKMSDIR="$tree" > "$log" 2>&1
echo '#warning "dkms-warning.sh: a warning that a new compiler might give"' >> "$src/kernel/dev.c"
# dkms.conf's own MAKE line, with what DKMS puts in its variables.
cmd=$(sed -n 's/^MAKE\[0\]="\(.*\)"$/\1/p' "$src/dkms.conf" |
	sed -e "s|\${kernel_source_dir}|$K_KDIR|" \
	    -e "s|\${dkms_tree}/\${PACKAGE_NAME}/\${PACKAGE_VERSION}/build|$tree|")
# run ENV-ARGS: the MAKE line under env ENV-ARGS; its exit status.
run() {
	rm -f "$src/kernel/vmem_exp.ko"
	if [ "$root" = / ]; then
		# shellcheck disable=SC2086 # dkms.conf's command line, split as DKMS does
		env "$@" $cmd > "$log" 2>&1
	else
		# shellcheck disable=SC2086 # the same
		chroot "$root" env "$@" $cmd > "$log" 2>&1
	fi
}
# objtool of newer kernels reads /proc.
if [ "$root" != / ] && ! mountpoint -q "$root/proc"; then
	mount -t proc proc "$root/proc"
	trap 'umount "$root/proc" 2>/dev/null || true; rm -rf "$src" "$log"' EXIT
fi
status=0
if run -u VMEM_EXP_WERROR && [ -f "$src/kernel/vmem_exp.ko" ] &&
	grep -q 'dkms-warning.sh: a warning' "$log"; then
	echo "ok - DKMS's build of the module goes on past a compiler warning ($K_NAME)"
else
	echo "not ok - DKMS's build of the module goes on past a compiler warning ($K_NAME)"
	sed 's/^/# /' "$log" | tail -20
	status=1
fi
if ! run VMEM_EXP_WERROR=y && [ ! -f "$src/kernel/vmem_exp.ko" ]; then
	echo "ok - with VMEM_EXP_WERROR=y (make check, make lint) the same warning fails the build ($K_NAME)"
else
	echo "not ok - with VMEM_EXP_WERROR=y (make check, make lint) the same warning fails the build ($K_NAME)"
	sed 's/^/# /' "$log" | tail -20
	status=1
fi
exit $status
