#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs in the guest: load the modules, run every test file under a timeout,
# and print one TAP 13 stream. Each file's results are renumbered and
# prefixed with its name; two more results per file say whether it finished
# (exit status, complete plan) and whether the kernel log stayed clean
# while it ran. After the suite, where the kernel has them (the debug
# kernel of make check-debug; a stock kernel prints nothing here): kmemleak
# finds no leak from vmem_exp, lockdep is still on, and DMA-API debug
# counted no error; a checker that the guest requires (VMEM_EXP_REQUIRE)
# and does not have is a failure.
# VMEM_EXP_TIMEOUT comes from the kernel command line (run-guest.sh).
TIMEOUT=${TIMEOUT:-${VMEM_EXP_TIMEOUT:-120}}
BAD='BUG:|WARNING:|Oops|general protection|KASAN|KFENCE|UBSAN|Call [Tt]race|kernel BUG|possible circular|possible recursive|INFO: task|INFO: trying to register|detected stall|DMA-API: ([^ ]+ [^ ]+: |.*disabl)'
DBG=/sys/kernel/debug
n=0

# vivid_race: the kernel log, less vivid's one known complaint. Its
# capture and output threads check that their next frame is in the future,
# then sleep until it; when jiffies pass that point in between (TCG's clock
# runs in steps), schedule_timeout() gets a negative time, logs "wrong
# timeout value" with a call trace and does not sleep. Of a block whose
# trace ends (an x86 one with </TASK>, an arm64 one with its kernel
# thread's ret_from_fork) within 40 lines and is in vivid_thread_vid_cap
# or _out, only its "Call Trace:" line is dropped (and the block noted in
# /tmp/vivid-race): any other line of it, a report that another CPU
# printed in between say, still reaches the check. Any other block stays
# whole.
vivid_race() {
	: > /tmp/vivid-race
	end='</TASK>'
	[ "$(uname -m)" != aarch64 ] || end='ret_from_fork'
	awk -v end="$end" '/schedule_timeout: wrong timeout value/ { blk = 1; n = 0; vivid = 0 }
	blk {
		buf[++n] = $0
		if ($0 ~ /vivid_thread_vid_(cap|out)\+/)
			vivid = 1
		if ($0 ~ end || n > 40) {
			if (vivid && n <= 40)
				print buf[1] >> "/tmp/vivid-race"
			for (i = 1; i <= n; i++)
				if (!(vivid && n <= 40 && buf[i] ~ /Call [Tt]race:/))
					print buf[i]
			blk = 0
		}
		next
	}
	{ print }
	END { if (blk) for (i = 1; i <= n; i++) print buf[i] }'
}

result() {
	n=$((n + 1))
	echo "$1 $n $2"
}

# required WHAT: whether this guest exists to test WHAT (kernels.sh,
# K_REQUIRE): then a checker missing here is a failure.
required() {
	case ",${VMEM_EXP_REQUIRE:-}," in
	*",$1,"*) return 0 ;;
	esac
	return 1
}

# missing WHAT FILE: a checker's file is not there; a failure if required.
missing() {
	! required "$1" || result "not ok" "$1: $2 exists, as this guest requires"
}

echo "TAP version 13"
echo "# kernel $(uname -r) $(uname -v)"

while read -r mod args; do
	# shellcheck disable=SC2086 # the module's parameters, one a word
	if insmod "/lib/modules/$mod" $args 2>/tmp/err; then
		result ok "insmod ${mod##*/} $args"
	else
		result "not ok" "insmod ${mod##*/} $args"
		sed 's/^/# /' /tmp/err
	fi
done < /etc/modules.load

for t in /tests/*.t; do
	[ -e "$t" ] || continue
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
	read -r n count plan fails _ < /tmp/state
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
	# The log from this file's start marker on; a marker that is no
	# longer in the kernel's buffer (log_buf_len, run-guest.sh) leaves
	# nothing to judge, which is a failure, not a clean log.
	dmesg > /tmp/dmesg
	if ! grep -q "vmem-exp-test: start $name\$" /tmp/dmesg; then
		result "not ok" "$name: kernel log clean (its start marker is no longer in the kernel's log buffer)"
		continue
	fi
	sed -n "/vmem-exp-test: start $name\$/,\$p" /tmp/dmesg | vivid_race |
		grep -E "$BAD" > /tmp/klog
	if [ -s /tmp/vivid-race ]; then
		echo "# kernel: vivid's thread slept a negative time $(wc -l < /tmp/vivid-race) time(s) (its race with jiffies: see vivid_race in tests/run.sh): not ours, not counted"
	fi
	if [ -s /tmp/klog ]; then
		result "not ok" "$name: kernel log clean"
		sed 's/^/# kernel: /' /tmp/klog | head -20
	else
		result ok "$name: kernel log clean"
	fi
done

# kmemleak: two scans a pause apart (an object counts once it is 5 s old and
# still unreferenced). A leak whose backtrace names vmem_exp fails, as does
# one with an unresolved module address: only vmem_exp was unloaded (by the
# unload test), so its frames are the ones that lost their names.
if [ -e "$DBG/kmemleak" ]; then
	if sleep 6 && echo scan 2>/tmp/err > "$DBG/kmemleak" && sleep 6 &&
		echo scan 2>>/tmp/err > "$DBG/kmemleak" &&
		cat "$DBG/kmemleak" > /tmp/leaks 2>>/tmp/err; then
		# One summary line per leak (size, task, first frames past
		# the allocator) on stdout, vmem_exp's whole records in ours.
		awk -v ours=/tmp/leaks.ours -v counts=/tmp/leaks.counts '
			function flush() {
				if (rec == "")
					return
				if (hit) {
					mine++
					print rec > ours
				}
				printf "# kmemleak: %s bytes from \"%s\":%s\n", size, comm, frames
				rec = ""
			}
			/^unreferenced object/ {
				flush()
				all++; rec = $0; size = $5; sub(/[):]+$/, "", size)
				comm = ""; frames = ""; nf = 0; hit = 0
				next
			}
			{ rec = rec "\n" $0 }
			/^ *comm "/ { comm = $0; sub(/^ *comm "/, "", comm); sub(/".*/, "", comm) }
			/^ *\[</ {
				if ($NF == "[vmem_exp]" || $2 ~ /^0x[0-9a-f]+$/)
					hit = 1
				f = $2; sub(/\+.*/, "", f)
				if (nf < 4 && f !~ /kmalloc|kmem_cache|kmemleak|slab|alloc_node|__alloc|kvmalloc|kzalloc|krealloc/) {
					frames = frames " " f
					nf++
				}
			}
			END { flush(); print all + 0, mine + 0 > counts }
		' /tmp/leaks > /tmp/leaks.summary
		read -r all mine < /tmp/leaks.counts
		echo "# kmemleak: $all suspected leaks in the whole kernel"
		head -20 /tmp/leaks.summary
		if [ "$mine" = 0 ]; then
			result ok "kmemleak: no leak from vmem_exp"
		else
			result "not ok" "kmemleak: $mine leaks from vmem_exp"
			sed 's/^/# /' /tmp/leaks.ours | head -100
		fi
	else
		result "not ok" "kmemleak: no leak from vmem_exp (kmemleak did not scan)"
		sed 's/^/# /' /tmp/err
	fi
else
	missing kmemleak "$DBG/kmemleak"
fi

# lockdep switches itself off after its first report (or a KASAN report):
# it must still be on after the suite.
if [ -r /proc/lockdep_stats ]; then
	on=$(awk '$1 == "debug_locks:" { print $2 }' /proc/lockdep_stats)
	if [ "$on" = 1 ]; then
		result ok "lockdep: still on after the suite"
	else
		result "not ok" "lockdep: still on after the suite (debug_locks ${on:-missing}: see the kernel log)"
	fi
else
	missing lockdep /proc/lockdep_stats
fi

# DMA-API debug: no error counted (every one is printed: all_errors, set by
# /init), and not disabled on the way (out of entries, ...).
if [ -r "$DBG/dma-api/error_count" ]; then
	errors=$(cat "$DBG/dma-api/error_count")
	off=$(cat "$DBG/dma-api/disabled" 2>/dev/null)
	if [ "$errors" = 0 ] && [ "$off" != Y ]; then
		result ok "dma-api debug: no error"
	else
		result "not ok" "dma-api debug: no error ($errors errors, disabled: ${off:-?})"
	fi
else
	missing dma-debug "$DBG/dma-api/error_count"
fi

# KCSAN (sid-kcsan): still on after the suite, and it watched; a race it
# found is a "BUG: KCSAN:" report in the log, which the checks above fail.
if [ -r "$DBG/kcsan" ]; then
	sed -n 's/^\([a-z_]*\): \([0-9]*\)$/# kcsan: \1 \2/p' "$DBG/kcsan"
	on=$(sed -n 's/^enabled: //p' "$DBG/kcsan")
	watched=$(sed -n 's/^setup_watchpoints: //p' "$DBG/kcsan")
	if [ "$on" = 1 ] && [ "${watched:-0}" -gt 0 ]; then
		result ok "kcsan: on after the suite, $watched watchpoints set"
	else
		result "not ok" "kcsan: on after the suite (enabled ${on:-?}, ${watched:-?} watchpoints)"
	fi
else
	missing kcsan "$DBG/kcsan"
fi

echo "1..$n"
echo "vmem-exp-guest: done"
