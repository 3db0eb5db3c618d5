#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in the guest: load the modules, run every test file under a timeout,
# and print one TAP 13 stream. Each file's results are renumbered and
# prefixed with its name; two more results per file say whether it finished
# (exit status, complete plan) and whether the kernel log stayed clean
# while it ran.
TIMEOUT=${TIMEOUT:-120}
BAD='BUG:|WARNING:|Oops|general protection|KASAN|UBSAN|Call Trace|kernel BUG|possible circular|INFO: task'
n=0

result() {
	n=$((n + 1))
	echo "$1 $n $2"
}

echo "TAP version 13"
echo "# kernel $(uname -r)"

while read -r mod args; do
	if insmod "/lib/modules/$mod" $args 2>/tmp/err; then
		result ok "insmod ${mod##*/} $args"
	else
		result "not ok" "insmod ${mod##*/} $args"
		sed 's/^/# /' /tmp/err
	fi
done < /etc/modules.load

for t in /tests/*.t; do
	name=${t##*/}
	name=${name%.t}
	name=${name#*-}
	echo "vmem-exp-test: start $name" > /dev/kmsg
	timeout "$TIMEOUT" "$t" > /tmp/out 2>&1
	rc=$?
	awk -v name="$name" -v n="$n" -v state=/tmp/state '
		/^(not )?ok( |$)/ {
			st = ($1 == "not") ? "not ok" : "ok"
			rest = $0
			sub(/^(not )?ok *[0-9]* *(- )?/, "", rest)
			n++; count++
			if (st == "not ok") fails++
			if (rest ~ /# SKIP/) skips++
			print st " " n " " name ": " rest
			next
		}
		/^1\.\.[0-9]+/ { plan = substr($1, 4) + 0; hasplan = 1; next }
		/^TAP version/ { next }
		/^#/ { print; next }
		{ print "# " $0 }
		END { print n, count + 0, (hasplan ? plan : -1), fails + 0, skips + 0 > state }
	' /tmp/out
	read -r n count plan fails skips < /tmp/state
	if [ "$rc" = 4 ] && [ "$count" = 0 ]; then
		reason=$(grep -m1 '^#' /tmp/out | sed 's/^# *//')
		result ok "$name # SKIP ${reason:-the test could not run here}"
		continue
	fi
	if [ "$rc" = 124 ] || [ "$rc" = 143 ]; then
		result "not ok" "$name: finished (killed after ${TIMEOUT}s)"
	elif [ "$plan" != "$count" ]; then
		result "not ok" "$name: finished (plan 1..$plan, $count results, exit $rc)"
	elif [ "$fails" = 0 ] && [ "$rc" != 0 ]; then
		result "not ok" "$name: finished (exit $rc with no failure reported)"
	else
		result ok "$name: finished (exit $rc, $count results)"
	fi
	dmesg | sed -n "/vmem-exp-test: start $name\$/,\$p" | grep -E "$BAD" > /tmp/klog
	if [ -s /tmp/klog ]; then
		result "not ok" "$name: kernel log clean"
		sed 's/^/# kernel: /' /tmp/klog | head -20
	else
		result ok "$name: kernel log clean"
	fi
done

echo "1..$n"
echo "vmem-exp-guest: done"
