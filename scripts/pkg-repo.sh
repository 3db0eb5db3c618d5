#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pkg-repo.sh REL[:ARCH] OUT [VERSION]: the Debian packages of the checkout,
# built as a user of Debian REL builds them, in a root of REL (guest-root.sh
# pkgbuild; with ARCH, cross-built for ARCH there: dpkg-buildpackage -a) with
# the Build-Depends of debian/control installed there by apt-get build-dep,
# so that each package depends on REL's own libraries; checked with REL's
# lintian --pedantic (it fails on any tag but the overrides in debian/);
# and put into a flat apt repository, OUT/repo, signed with a key made for
# it (OUT/gnupg, no passphrase; the public key is OUT/repo/key.gpg). make
# repo runs it for REL=$(host release); scripts/pkg-build.sh for a
# packaged kernel's release. A user's sources.list line for it:
#   deb [signed-by=OUT/repo/key.gpg] file:OUT/repo ./
# With VERSION, the same tree released as VERSION instead (VERSION and a
# new debian/changelog entry, in the build's copy only): the next release
# that tests/pkg.sh upgrades to (scripts/pkg-build.sh).
set -eu
cd "$(dirname "$0")/.."
# shellcheck source=scripts/common.sh
. scripts/common.sh
rel=${1%%:*} arch=$(apt_arch "$1") name=$(apt_name "$1")
mkdir -p "$2"
out=$(cd "$2" && pwd)
root=$(scripts/guest-root.sh pkgbuild "$1")
version=${3:-$(cat VERSION)}

# The source tree: what git tracks, and new files it does not ignore, as
# from a clean clone.
build=/tmp/vmem-exp-pkg.$$
rm -rf "${root:?}$build"
mkdir -p "$root$build/vmem-exp"
git ls-files -z -c -o --exclude-standard | xargs -0 tar -cf - -- |
	tar -xf - -C "$root$build/vmem-exp"
trap 'rm -rf "${root:?}$build"' EXIT
if [ $# -gt 2 ]; then
	src=$root$build/vmem-exp
	echo "$version" > "$src/VERSION"
	maint=$(sed -n 's/^ -- \(.*>\)  .*/\1/p' debian/changelog | head -n 1)
	{
		printf 'vmem-exp (%s) unstable; urgency=medium\n\n' "$version"
		printf '  * The next release, as the upgrade test makes it.\n\n'
		printf ' -- %s  %s\n\n' "$maint" "$(date -R)"
		cat debian/changelog
	} > "$src/debian/changelog"
fi
build_deps() {
	DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get build-dep -y \
		--no-install-recommends ${arch:+-a "$arch"} "$build/vmem-exp"
}
step "pkgbuild-$name-deps" "${root##*/}: the Build-Depends (apt-get build-dep)" build_deps
dpkg_build() {
	chroot "$root" sh -c "cd $build/vmem-exp && dpkg-buildpackage -b -us -uc ${arch:+-a $arch}"
}
step "pkgbuild-$name${3:+-$3}" \
	"${root##*/}: the Debian packages (dpkg-buildpackage -b -us -uc${arch:+ -a $arch})" dpkg_build
# Every tag lintian --pedantic reports that debian/*.lintian-overrides
# does not is a failure.
changes=$(cd "$root$build" && ls vmem-exp_"$version"_*.changes)
chroot "$root" lintian --pedantic --fail-on error,warning,info,pedantic \
	"$build/$changes" || { echo "pkg-repo: lintian --pedantic on $rel: the tags above" >&2; exit 1; }

# The repository, its index made with apt-ftparchive in the root.
repo=$out/repo
rm -rf "$repo"
mkdir -p "$repo"
# shellcheck disable=SC2016 # expanded in the root's shell
chroot "$root" sh -euc 'cd "$1"; mkdir repo; mv ./*.deb repo/; cd repo
	apt-ftparchive packages . > Packages
	gzip -9nk Packages
	apt-ftparchive -o APT::FTPArchive::Release::Origin=vmem-exp \
		-o APT::FTPArchive::Release::Label=vmem-exp \
		-o APT::FTPArchive::Release::Suite="$2" release . > Release' \
	sh "$build" "$rel"
cp "$root$build"/repo/* "$repo/"
# Its key: made once for this OUT, kept (apt then trusts the same key).
export GNUPGHOME="$out/gnupg"
if [ ! -s "$GNUPGHOME/pubring.kbx" ]; then
	rm -rf "$GNUPGHOME"
	mkdir -m 0700 "$GNUPGHOME"
	gpg -q --batch --passphrase '' --quick-gen-key \
		'vmem-exp test repository <repo@vmem-exp.invalid>' ed25519 sign never
fi
gpg -q --batch --yes --clearsign -o "$repo/InRelease" "$repo/Release"
gpg -q --batch --yes --armor --detach-sign -o "$repo/Release.gpg" "$repo/Release"
gpg -q --batch --yes --export -o "$repo/key.gpg"
gpgconf --kill gpg-agent
echo "pkg-repo: $repo: $(cd "$repo" && echo ./*.deb)" >&2
