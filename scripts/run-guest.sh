#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Boot a kernel with the test initramfs under QEMU (TCG), collect the TAP
# stream (second serial port) and the console (first serial port), and
# judge the run. The emulator, its machine and the guest's devices for
# both streams are those of the kernel's architecture (kernels.sh,
# arch_table). Usage: run-guest.sh NAME VMLINUZ INITRAMFS OUTDIR [TEST...]
# where each TEST named must have reported (finished or skipped).
# Prints the TAP lines as they come and ends with one line:
#   # kernel NAME: N passed, N failed, N skipped
# Exit status: 0 only if nothing failed, the guest finished, and the kernel
# log has no BUG/WARNING/Oops/general protection/KASAN line, nor a report of
# the debug kernel's checkers (lockdep, DMA-API debug, KFENCE, hung tasks,
# RCU stalls).
# NAME's entry in kernels.sh may add kernel parameters (K_APPEND), guest
# memory (K_MEM), its CPUs (K_SMP), a longer timeout per test file (K_TIMEOUT; the whole
# guest then gets five times that) and what the guest must have
# (K_REQUIRE: a test finding it missing fails instead of skipping).
set -u
name=$1 kernel=$2 initrd=$3 out=$4
shift 4
# shellcheck source=scripts/kernels.sh
. "$(dirname "$0")/kernels.sh"
if ! kernel_table "${name%%=*}"; then
	K_APPEND='' K_MEM='' K_SMP='' K_TIMEOUT='' K_REQUIRE=''
	arch_table amd64
fi
# tests/init writes to the devices VMEM_EXP_CONSOLE and VMEM_EXP_TAP.
# Every message reaches the console as it is logged (a warning too, were
# the guest to die before /init dumps the log), and the log buffer holds
# a whole run, so that tests/run.sh finds each test's start marker.
append="console=$K_CONSOLE ignore_loglevel log_buf_len=16M oops=panic panic=-1"
append="$append VMEM_EXP_CONSOLE=$K_CONSOLE VMEM_EXP_TAP=$K_TAP"
# Unknown name=value parameters reach /init's environment: tests/run.sh
# reads its timeout per test file from there, the tests what they require
# (harness.h, required()).
[ -z "$K_TIMEOUT" ] || append="$append VMEM_EXP_TIMEOUT=$K_TIMEOUT"
# shellcheck disable=SC2086 # a list of words, joined by commas
[ -z "$K_REQUIRE" ] || append="$append VMEM_EXP_REQUIRE=$(echo $K_REQUIRE | tr ' ' ,)"
[ -z "$K_APPEND" ] || append="$append $K_APPEND"
guest_timeout=600
[ -z "$K_TIMEOUT" ] || guest_timeout=$((K_TIMEOUT * 5))
timeout=${VMEM_EXP_GUEST_TIMEOUT:-$guest_timeout}
# A boot takes seconds (a minute for a debug kernel or arm64 under load);
# a guest with no TAP header by this time hung while booting.
boot_limit=${VMEM_EXP_BOOT_TIMEOUT:-300}
mkdir -p "$out"
tap=$out/tap.log console=$out/console.log
rm -f "$out"/console.boot-*.log
# A userspace guest's Debian root (check.sh), shared read-only over 9p.
virtfs=
[ -z "${VMEM_EXP_VIRTFS:-}" ] ||
	virtfs="-virtfs local,path=$VMEM_EXP_VIRTFS,mount_tag=userspace,security_model=none,readonly=on"

boot() {
	: > "$tap"
	: > "$console"
	tail -f "$tap" &
	tailpid=$!
	# shellcheck disable=SC2086 # the emulator's words, options of
	# the table, and $virtfs: QEMU's words, or none
	timeout "$timeout" $K_QEMU -nodefaults -no-user-config \
		-smp "${K_SMP:-2}" -m "${K_MEM:-2G}" -display none \
		-monitor none -no-reboot \
		-chardev "file,id=con,path=$console" \
		-chardev "file,id=tap,path=$tap" $K_SERIAL \
		-kernel "$kernel" -initrd "$initrd" \
		-append "$append" $virtfs \
		> "$out/qemu.log" 2>&1 &
	qpid=$!
	waited=0
	while kill -0 "$qpid" 2>/dev/null && ! grep -q '^TAP version' "$tap"; do
		if [ "$waited" -ge "$boot_limit" ]; then
			echo "# $name: no TAP header after ${boot_limit}s: the boot hung, stopping it"
			kill "$qpid"
			break
		fi
		sleep 1
		waited=$((waited + 1))
	done
	wait "$qpid"
	qrc=$?
	sleep 0.3
	kill "$tailpid" 2>/dev/null
	wait "$tailpid" 2>/dev/null
	# The guest's tty turns every newline into CR LF.
	tr -d '\r' < "$tap" > "$tap.tmp" && mv "$tap.tmp" "$tap"
	tr -d '\r' < "$console" > "$console.tmp" && mv "$console.tmp" "$console"
}

# A guest whose kernel dies or hangs before /init starts the runner never
# loaded vmem_exp (the runner loads the modules after its TAP header):
# that is the emulator or the stock kernel (seen: an int3 oops in kernel
# text patching under multi-threaded TCG; a sid guest silent for 18
# minutes). Such a boot is tried again, at most twice, and said so; its
# console is kept. Anything later is never retried.
attempt=1
boot
while [ "$attempt" -lt 3 ] && ! grep -q '^TAP version' "$tap"; do
	cp "$console" "$out/console.boot-$attempt.log"
	echo "# $name: the guest died or hung before any test ran (boot $attempt of 3):" \
		"$(grep -m1 -E 'Oops|BUG:|panic' "$console" || echo 'no kernel message')"
	echo "# $name: its console is in $out/console.boot-$attempt.log; booting again"
	attempt=$((attempt + 1))
	boot
done

passed=$(grep -Ec '^ok [0-9]+' "$tap")
skipped=$(grep -E '^ok [0-9]+' "$tap" | grep -Ec '# SKIP')
passed=$((passed - skipped))
failed=$(grep -Ec '^not ok [0-9]+' "$tap")
total=$((passed + skipped + failed))

if [ "$qrc" != 0 ]; then
	echo "# $name: qemu exited with status $qrc (124: timed out after ${timeout}s)"
	sed 's/^/# qemu: /' "$out/qemu.log" | tail -5
	failed=$((failed + 1))
fi
if ! grep -q '^vmem-exp-guest: done' "$tap"; then
	echo "# $name: the guest did not finish its tests"
	failed=$((failed + 1))
elif ! grep -qx "1\.\.$total" "$tap"; then
	echo "# $name: the plan does not match the $total results"
	failed=$((failed + 1))
fi
# Every test file meant for this guest said that it finished, or why it
# could not run.
for t in "$@"; do
	if ! grep -Eq "^(not )?ok [0-9]+ $t(: finished | # SKIP)" "$tap"; then
		echo "# $name: test $t never reported (not in the guest, or its runner stopped)"
		failed=$((failed + 1))
	fi
done
# Lockdep's reports start with WARNING: (possible circular locking, ...)
# except "INFO: trying to register non-static key"; DMA-API debug errors
# are WARNINGs too, and "DMA-API: DRIVER DEVICE: ..." or "...disabl..."
# lines; KFENCE says "BUG: KFENCE".
bad=$(grep -E 'BUG:|WARNING:|Oops|general protection|KASAN|KFENCE|UBSAN|Kernel panic|kernel BUG|possible circular|possible recursive|INFO: trying to register|INFO: task .* blocked|detected stall|DMA-API: ([^ ]+ [^ ]+: |.*disabl)' "$console")
if [ -n "$bad" ]; then
	echo "# $name: the guest's kernel log is not clean:"
	echo "$bad" | head -20 | sed 's/^/#   /'
	failed=$((failed + 1))
fi
grep '^not ok' "$tap" | sed "s/^/# $name: /"
echo "# kernel $name: $passed passed, $failed failed, $skipped skipped"
echo "$passed $failed $skipped" > "$out/counts"
[ "$failed" = 0 ]
