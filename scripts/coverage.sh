#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Coverage of kernel/*.c by the suite on the debug kernels, where
# vmem_exp is built with gcov (kernel/Kbuild, build-module.sh) and the
# guest prints its counts to the console (tests/init). docs/coverage.md.
#
#   coverage.sh collect OUT   after a guest run (check.sh): the .gcda files
#                             of OUT/guest/console.log into OUT/gcov, where
#                             build-module.sh left the .gcno files
set -eu
cd "$(dirname "$0")/.."
# shellcheck source=scripts/common.sh
. scripts/common.sh

fail() {
	echo "coverage: $*" >&2
	exit 1
}

[ "${1:-}" = collect ] || fail "usage: coverage.sh collect OUT"
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
