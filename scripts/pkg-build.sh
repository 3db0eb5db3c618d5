#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The packaged path, as a user takes it: build the Debian packages from the
# checkout's files with dpkg-buildpackage, install them into a Debian root
# of the kernel's release together with the kernel's headers, let DKMS
# build the module there, and compile examples/share.c and
# examples/libvmemexp.c (libvmemexp(3)'s example) against the installed
# libvmemexp-dev with pkg-config, through which <linux/vmem_exp.h> must
# compile too (the package installs nothing in /usr/include/linux,
# linux-libc-dev's). For make check's packaged kernels (K_PACKAGED in
# kernels.sh): the guest then runs the core tests against the module DKMS
# built, and the examples.
# Usage: pkg-build.sh SPEC OUTDIR
# Leaves in OUTDIR: vmem_exp.ko (DKMS's), share and libvmemexp (the
# examples, static), example.t (the guest test that runs them), the
# packages (debs/).
set -eu
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/common.sh"
kernel_vars "$1"
mkdir -p "$2"
out=$(cd "$2" && pwd)
here=$(cd "$(dirname "$0")/.." && pwd)
version=$(cat "$here/VERSION")

say() {
	echo "pkg-build: $*" >&2
}

# 1. The packages, from a copy of the checkout's files (what git tracks,
# and new files it does not ignore), as from a clean clone.
"$here/scripts/deps.sh" dpkg-dev debhelper dh-dkms
src=$out/src
rm -rf "$src" "$out/debs"
mkdir -p "$src/vmem-exp" "$out/debs"
(cd "$here" && git ls-files -z -c -o --exclude-standard |
	xargs -0 tar -cf - --) | tar -xf - -C "$src/vmem-exp"
dpkg_build() {
	cd "$src/vmem-exp" && dpkg-buildpackage -b -us -uc
}
step pkg-build "the Debian packages (dpkg-buildpackage -b -us -uc)" dpkg_build
mv "$src"/*.deb "$out/debs/"
rm -rf "$src"

# 2. A Debian root of the kernel's release with DKMS and pkg-config; the
# packages and the kernel's headers installed with its apt, as a user would.
root=$VMEM_EXP_CACHE/root-$K_REL
debian_root "$K_REL" "$root" "dkms,$K_GCC,make,libc6-dev,pkg-config,kmod,xz-utils"
mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
trap 'umount "$root/proc" 2>/dev/null || true' EXIT
rm -rf "$root/tmp/debs"
cp -r "$out/debs" "$root/tmp/debs"
# Whatever an earlier run installed goes first: this run's packages are new.
chroot "$root" dpkg --purge vmem-exp-dkms vmemexp-tools libvmemexp-dev libvmemexp1 \
	> /dev/null 2>&1 || true
arch=$(dpkg --print-architecture)
# shellcheck disable=SC2086 # a list of packages
step pkg-install "the packages and linux-headers-$K_VER, installed into $root" \
	root_apt "$root" $K_HEADERS /tmp/debs/vmem-exp-dkms_"$version"_all.deb \
	/tmp/debs/libvmemexp1_"$version"_"$arch".deb /tmp/debs/libvmemexp-dev_"$version"_"$arch".deb \
	/tmp/debs/vmemexp-tools_"$version"_"$arch".deb

# 3. DKMS builds the module for the guest's kernel. The package's own
# postinst builds for the kernels it finds; this is the step a user's
# kernel upgrade runs (dkms autoinstall) for a kernel it did not see.
ko=lib/modules/$K_VER/updates/dkms/vmem_exp.ko
dkms_build() {
	chroot "$root" dkms autoinstall -k "$K_VER" ||
		{ cat "$root/var/lib/dkms/vmem-exp/$version/build/make.log"; exit 1; }
}
[ -f "$root/$ko" ] || step pkg-dkms "the module, built by dkms autoinstall -k $K_VER" dkms_build
[ -f "$root/$ko" ] || { say "DKMS left no $ko"; exit 1; }
chroot "$root" dkms status vmem-exp >&2
cp "$root/$ko" "$out/vmem_exp.ko"
modinfo -F version "$out/vmem_exp.ko" | grep -qx "$version" ||
	{ say "the DKMS module's version is not $version"; exit 1; }

# 4. The headers and the examples, against the installed library, with
# pkg-config (static: the guest has no C library of its own). Each is a
# result of the guest's example.t: what the host found, and the examples
# run. An example that does not build is a script that says so and fails.
host_tap=$out/example-host.tap
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
for ex in share libvmemexp; do
	cp "$here/examples/$ex.c" "$root/tmp/$ex.c"
	rm -f "$root/tmp/$ex"
	# shellcheck disable=SC2016 # expanded in the root's shell
	if ! chroot "$root" sh -c "cc -O2 -Wall -Wextra -Werror -static -o /tmp/$ex /tmp/$ex.c"' \
		$(pkg-config --cflags --libs --static libvmemexp)' >&2; then
		say "examples/$ex.c does not build against libvmemexp-dev"
		printf '#!/bin/sh\necho "examples/%s.c did not build against libvmemexp-dev"\nexit 1\n' \
			"$ex" > "$root/tmp/$ex"
		chmod +x "$root/tmp/$ex"
	fi
	cp "$root/tmp/$ex" "$out/$ex"
done
# libvmemexp(3)'s example opens the device once for all its exports: it
# runs with room for a few descriptors only.
cat > "$out/example.t" <<'EOF'
#!/bin/sh
# examples/share.c and examples/libvmemexp.c, built against the installed
# libvmemexp-dev, and what the host found of its headers.
echo "TAP version 13"
if /bin/share 4 > /tmp/share.out 2>&1; then
	echo "ok 1 - examples/share.c (pkg-config, libvmemexp-dev) runs against the DKMS module"
else
	echo "not ok 1 - examples/share.c (pkg-config, libvmemexp-dev) runs against the DKMS module"
fi
sed 's/^/# /' /tmp/share.out
if (ulimit -n 16 && exec /bin/libvmemexp) > /tmp/libvmemexp.out 2>&1; then
	echo "ok 2 - examples/libvmemexp.c, libvmemexp(3)'s example, runs with 16 descriptors (ulimit -n)"
else
	echo "not ok 2 - examples/libvmemexp.c, libvmemexp(3)'s example, runs with 16 descriptors (ulimit -n)"
fi
sed 's/^/# /' /tmp/libvmemexp.out
EOF
n=2
{
	echo "cat <<'TAP'"
	while read -r line; do
		n=$((n + 1))
		echo "${line%% -*} $n -${line#* -}"
	done < "$host_tap"
	echo "1..$n"
	echo "TAP"
} >> "$out/example.t"
chmod +x "$out/example.t"
say "done: $out/vmem_exp.ko (DKMS), $out/share and $out/libvmemexp (pkg-config)"
