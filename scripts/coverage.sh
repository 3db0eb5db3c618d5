#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Coverage of kernel/*.c by the suite on the debug kernels, where
# vmem_exp is built with gcov (kernel/Kbuild, build-module.sh) and the
# guest prints its counts to the console (tests/init). docs/coverage.md.
#
#   coverage.sh collect OUT   after a guest run (check.sh): the .gcda files
#                             of OUT/guest/console.log into OUT/gcov, where
#                             build-module.sh left the .gcno files
#   coverage.sh [NAME...]     make coverage (default: both debug kernels):
#                             gcov of the compiler that built each module,
#                             in its build root (host or chroot), a gcovr
#                             JSON tracefile per kernel
#                             (build/NAME/coverage.json), then all merged:
#                             gcovr's per-file table, an HTML report in
#                             build/coverage/, and one line:
#   coverage: lines N.N% (C of T), functions N.N%, branches N.N%
set -eu
cd "$(dirname "$0")/.."
# shellcheck source=scripts/common.sh
. scripts/common.sh

fail() {
	echo "coverage: $*" >&2
	exit 1
}

if [ "${1:-}" = collect ]; then
	g=$2/gcov
	[ -f "$g/builddir" ] || exit 0
	rm -f "$g"/*.gcda
	scripts/deps.sh xxd
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	sed -n '/^vmem-exp-guest: gcov data follows$/,/^vmem-exp-guest: gcov data ends$/p' \
		"$2/guest/console.log" | sed '1d;$d' | xxd -r -p | tar -xzf - -C "$tmp" ||
		fail "$2: no complete gcov data in the guest's console"
	# Only vmem_exp is built with gcov: its files, wherever it was built.
	find "$tmp" -name '*.gcda' -exec cp {} "$g/" \;
	ls "$g"/*.gcda > /dev/null 2>&1 || fail "$2: the guest printed no .gcda file"
	exit 0
fi

scripts/deps.sh gcovr
rm -rf build/coverage
mkdir -p build/coverage
names=${*:-bookworm-debug sid-debug}
traces=
for k in $names; do
	kernel_vars "$k"
	g=build/$K_NAME/gcov
	ls "$g"/*.gcda > /dev/null 2>&1 ||
		fail "no coverage data of $K_NAME: run make check-debug (or make check KERNELS=$K_NAME) first"
	# The report shows kernel/ as it is: it must be what ran.
	for f in kernel/*.[ch]; do
		# What kbuild generates in the checkout (make, make lint).
		case $f in *.mod.c) continue ;; esac
		cmp -s "$f" "$g/${f##*/}" ||
			fail "$f is not what ran on $K_NAME: run make check-debug again"
	done
	# gcov reads only the notes and counts of its own compiler: the
	# build root's (bookworm-debug: the host's gcc-12; sid-debug: sid's
	# gcc in its chroot), in a directory that root sees.
	if [ -z "$K_BROOT" ]; then
		work=$(mktemp -d)
	else
		work=$(mktemp -d "$K_BROOT/tmp/vmem-exp-gcov.XXXXXX")
	fi
	# With the sources: gcov finds a relative name (7.x builds external
	# modules from their own directory) from where it runs, and writes
	# no line of a source it cannot read.
	cp -p "$g"/*.gcno "$g"/*.gcda "$g"/*.[ch] "$work/"
	if [ -z "$K_BROOT" ]; then
		(cd "$work" && gcov -b -c -p ./*.gcda) > "$work/gcov.log" 2>&1
	else
		# shellcheck disable=SC2016 # expanded by the inner sh
		chroot "$K_BROOT" sh -c 'cd "$1" && gcov -b -c -p ./*.gcda' sh \
			"${work#"$K_BROOT"}" > "$work/gcov.log" 2>&1
	fi || { cat "$work/gcov.log" >&2; rm -rf "$work"; fail "gcov failed on $K_NAME's data"; }
	# The notes name the sources where the module was built (builddir),
	# by full path or relative to it; they are kernel/'s files (above).
	# gcovr 5.2 does not know gcc 16's "never executed (fallthrough)".
	bdir=$(cat "$g/builddir")
	sed -i -e "s|^\\( *-: *0:Source:\\)$bdir/|\\1$PWD/kernel/|" \
		-e "s|^\\( *-: *0:Source:\\)\\(\\./\\)\\{0,1\\}\\([^/]*\\)\$|\\1$PWD/kernel/\\3|" \
		-e 's/^\(branch  *[0-9]* never executed\) (fallthrough)$/\1/' \
		"$work"/*.gcov
	gcovr -g -r . -f 'kernel/[^/]*\.c$' --json "build/$K_NAME/coverage.json" "$work"
	rm -rf "$work"
	traces="$traces -a build/$K_NAME/coverage.json"
done

# shellcheck disable=SC2086 # gcovr's options, one a word
gcovr -r . $traces --txt --html-details build/coverage/index.html \
	--html-title "vmem-exp: kernel/*.c on $names" \
	-s > build/coverage/summary.txt
sed '/^lines: /,$d' build/coverage/summary.txt
awk '/^lines:/ { l = $2; c = substr($3, 2); t = $6; sub(/\)/, "", t) }
	/^functions:/ { f = $2 }
	/^branches:/ { b = $2 }
	END { printf "coverage: lines %s (%s of %s), functions %s, branches %s\n", l, c, t, f, b }' \
	build/coverage/summary.txt
