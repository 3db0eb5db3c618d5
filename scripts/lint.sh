#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make lint: checkpatch --strict on every source file, a sparse pass over
# the module and the test-only module (make C=2) and a W=1 build against
# bookworm's kernel headers, all warnings fatal; shellcheck over the
# harness's, the guests' and make bench's shell scripts (following what
# they source); and the checks of one fact in two places and of function
# length below.
# checkpatch.pl ships in Debian's linux-source-6.1 tarball, the same one
# make check-debug builds its kernel from (scripts/common.sh,
# source_tarball); it is unpacked once into $VMEM_EXP_CACHE.
# shellcheck disable=SC2046 # $(git ls-files ...): lists of files
set -eu
# Warnings are errors in every build lint makes (Makefile, Kbuild).
export VMEM_EXP_WERROR=y
cd "$(dirname "$0")/.."
# shellcheck source=scripts/common.sh
. scripts/common.sh
kernel_vars bookworm-debug
tarball=$(source_tarball)
cp_dir=$VMEM_EXP_CACHE/checkpatch-$K_PKGVER
kernel_vars bookworm

# shellcheck disable=SC2086 # a list of packages
scripts/deps.sh sparse shellcheck dpkg-dev mandoc $K_HEADERS
if [ ! -x "$cp_dir/scripts/checkpatch.pl" ]; then
	echo "lint: unpacking checkpatch.pl from linux-source-6.1" >&2
	mkdir -p "$cp_dir"
	tar -xJf "$tarball" -C "$cp_dir" --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
fi

status=0
cp="$cp_dir/scripts/checkpatch.pl --strict --no-tree --terse --show-types"
cp="$cp --ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG"
echo "lint: checkpatch --strict"
# The module: everything applies, but the compat header exists to test
# LINUX_VERSION_CODE, so those two rules are off for it.
$cp -f $(git ls-files 'kernel/*.[ch]' 'include/*.h' 'tests/kmod/*.[ch]' |
	grep -v 'compat.h\|errnos.h') || status=1
$cp --ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON -f kernel/compat.h || status=1
# The errno list is an X-macro: a list of calls of its argument.
$cp --ignore COMPLEX_MACRO,MACRO_ARG_REUSE -f kernel/errnos.h || status=1
# Userspace: kernel-only idioms (u32, __printf, __func__ in messages,
# negative errnos) off, and volatile, which the tests use to force memory
# accesses through a mapping.
$cp --ignore PREFER_KERNEL_TYPES,CAMELCASE,PREFER_DEFINED_ATTRIBUTE_MACRO,EMBEDDED_FUNCTION_NAME,USE_NEGATIVE_ERRNO,VOLATILE \
	-f $(git ls-files 'lib/*.[ch]' 'tests/*.[ch]' 'bench/*.[ch]' 'tools/*.[ch]' 'examples/*.[ch]' |
		grep -v '^tests/kmod/') || status=1

echo "lint: sparse and W=1"
kdir=$K_KDIR
for m in kernel tests/kmod; do
	make -s -C "$kdir" M="$PWD/$m" clean
	if ! make -s -C "$kdir" M="$PWD/$m" W=1 C=2 CHECK="sparse -Wsparse-error" modules \
		>> build-lint.log 2>&1; then
		status=1
	fi
done
grep -v 'Skipping BTF generation' build-lint.log || true
rm -f build-lint.log

echo "lint: mandoc -T lint"
make -s man
mandoc -T lint build/man/* || status=1

# One errno list: kernel/errnos.h, and vmem-exp(4)'s ERRORS of
# DBUFIOC_VMEM_EXP name the same errnos (the tags of its .TP entries).
echo "lint: errnos"
table=$(sed -n 's/^[[:space:]]*X(\(E[A-Z0-9]*\),.*/\1/p' kernel/errnos.h | sort)
man=$(sed -n '/^\.SH ERRORS/,/^\.SH /p' man/vmem-exp.4 |
	sed -n '/^\.SS DBUFIOC_VMEM_EXP/,/^\.SS /p' |
	sed -n '/^\.TP$/{n;s/^\.B \(E[A-Z0-9]*\)$/\1/p;}' | sort)
if [ -z "$table" ] || [ "$table" != "$man" ]; then
	echo "lint: kernel/errnos.h and vmem-exp(4) (ERRORS, DBUFIOC_VMEM_EXP) disagree:"
	echo "$table" > build-errnos.table
	echo "$man" | diff build-errnos.table - | sed -n 's/^[<>]/  &/p' |
		sed 's/^  </  only in errnos.h:/; s/^  >/  only in vmem-exp(4):/'
	rm -f build-errnos.table
	status=1
fi

# libvmemexp(3)'s example is examples/libvmemexp.c, which make check
# builds against the installed package and runs (pkg-guest.sh): the man
# page's text, unescaped and indented with tabs again, is that file but
# its first two lines (the SPDX line and a comment).
echo "lint: libvmemexp(3)'s example"
sed -n '/^\.EX$/,/^\.EE$/p' man/libvmemexp.3 | sed -e '1d' -e '$d' \
	-e 's/\\-/-/g' -e 's/\\e/\\/g' -e ':a' -e 's/^\(\t*\)    /\1\t/' -e 'ta' > build-lint.c
if ! tail -n +3 examples/libvmemexp.c | diff -u - build-lint.c; then
	echo "lint: man/libvmemexp.3's example is not examples/libvmemexp.c"
	status=1
fi
rm -f build-lint.c

# No function of the module, the library, the tool or the plugin is longer
# than 60 lines (between the braces that open and close it in column 0).
echo "lint: function length"
long=$(awk 'FNR == 1 { open = 0 }
	/^[A-Za-z_].*\(/ { name = $0 }
	/^\{/ { open = FNR; fn = name }
	/^\}/ && open {
		if (FNR - open - 1 > 60)
			printf "  %s:%d: %d lines: %s\n", FILENAME, open, FNR - open - 1, fn
		open = 0
	}' $(git ls-files 'kernel/*.[ch]' 'lib/*.[ch]' 'tools/*.[ch]' 'gst/*.[ch]'))
if [ -n "$long" ]; then
	echo "lint: functions over 60 lines:"
	echo "$long"
	status=1
fi

# One version number: VERSION, and the Debian changelog says the same.
echo "lint: version"
if [ "$(dpkg-parsechangelog -S Version)" != "$(cat VERSION)" ]; then
	echo "lint: debian/changelog is at $(dpkg-parsechangelog -S Version), VERSION at $(cat VERSION)"
	status=1
fi

# step (common.sh): a step that fails prints its log's last 20 lines and
# path and returns the tool's status; its log holds everything.
echo "lint: step"
tmp=$(mktemp -d)
# shellcheck disable=SC2016 # expanded by the inner sh
out=$(V='' VMEM_EXP_CACHE=$tmp sh -c '. scripts/common.sh
	step lint-ok "a step that works" true &&
	step lint-fail "a step that fails" sh -c "echo first; seq 30; exit 3"
	echo "status $?"' scripts/lint 2>&1)
log=$tmp/logs/lint-fail.log
if ! echo "$out" | grep -qx 'prep: a step that works: done in [0-9]* s' ||
	! echo "$out" | grep -qx '  | 11' || echo "$out" | grep -qx '  | 10' ||
	! echo "$out" | grep -q "failed (exit status 3).* the whole log: $log\$" ||
	! echo "$out" | grep -qx 'status 3' || ! grep -qx first "$log"; then
	echo "lint: step (scripts/common.sh) did not report a failing step as it should:"
	echo "$out"
	status=1
fi
rm -rf "$tmp"

echo "lint: shellcheck"
shellcheck -x $(git ls-files 'scripts/*.sh' 'tests/*.sh' 'bench/*.sh') tests/init .ci/run || status=1
[ "$status" = 0 ] && echo "lint: clean"
exit "$status"
