#!/bin/sh
# The detectors' self-test (scripts/test-debug.sh, suites=debug/detectors.sh):
# load /modules/canary.ko once per deliberate bug and check that the debug
# kernel reports it with the line our scans look for; if a detector were
# missing from the config, every clean scan would pass vacuously.
#
# Each bug's report is then taken out of the ring buffer (to
# /tmp/canary.log, not to KLOG): the runner's kernel-log file, which never
# excuses a detector report, still judges the rest of this boot, so a
# report the canaries did not ask for fails as anywhere else.
# shellcheck source=../lib.sh
. /tests/lib.sh

# canary BUG PATTERN [TRIES]: load with bug=BUG, expect PATTERN (ERE) in
# the log; a bug that is caught by sampling (KCSAN's watchpoints) gets up
# to TRIES loads.
canary() {
	drain	# what came before is the runner's to judge
	m=$(mark "$1")
	try=0
	while :; do
		try=$((try + 1))
		out=$(/bin/modload /modules/canary.ko "bug=$1")
		log_since "$m" | grep -Eq -- "$2" && break
		[ "$try" -lt "${3:-1}" ] || break
		/bin/modload -r canary >/dev/null
	done
	expect_eq "canary bug=$1 loads" ok "$out"
	if log_since "$m" | grep -Eq -- "$2"; then
		pass "$1 is reported"
		note "/$2/ after $try of ${3:-1} loads"
	else
		fail "$1 is reported" "no /$2/ in the kernel log"
	fi
	/bin/modload -r canary >/dev/null
	dmesg -c >>/tmp/canary.log
}

# DEBUG_KOBJECT_RELEASE: a kobject freed right after its last put, while
# its delayed release is pending (what a kobject in module memory does at
# rmmod): ODEBUG reports the freed delayed work's timer, hinting its work.
KOBJECT_REPORT='ODEBUG: free active .*object type: timer_list hint: kobject_delayed_cleanup'

# The KCSAN kernel (flavour=kcsan, two CPUs): its boot self-test, a planted
# data race, and the kobject canary; then the runner's scan as everywhere.
if [ "$(cmdline_arg flavour)" = kcsan ]; then
	st=$(dmesg | sed -n 's/.*kcsan: selftest: \([0-9]*\)\/\([0-9]*\) tests passed.*/\1 of \2/p' | head -n 1)
	case $st in
	0\ of\ * | "") fail "KCSAN's boot self-test passed every test" "'${st:-no kcsan: selftest line}'" ;;
	"${st% of *} of ${st% of *}") pass "KCSAN's boot self-test passed every test" && note "$st" ;;
	*) fail "KCSAN's boot self-test passed every test" "$st" ;;
	esac
	canary kcsan 'BUG: KCSAN: data-race in canary_race_fn' 5
	canary kobject "$KOBJECT_REPORT"
	echo "<0>roulette-test: canaries done" >/dev/kmsg
	finish
	exit 0
fi

# Order matters: lockdep switches itself off after any report that taints
# the kernel "lockdep unreliable" (KASAN's does), and KASAN reports only its
# first bug per boot. Lockdep first, KASAN last.
canary lockdep 'WARNING: possible circular locking dependency detected'
canary sleep 'BUG: sleeping function called from invalid context'
canary odebug 'ODEBUG: free active .*object type: timer_list'
canary kobject "$KOBJECT_REPORT"
canary ubsan 'UBSAN: shift-out-of-bounds in .*canary\.c'
canary kasan 'BUG: KASAN: slab-out-of-bounds in canary_kasan'

# A leak: kmemleak reports objects unreferenced through two scans, at least
# 5 s old. Keep the module loaded so the backtrace resolves.
drain
expect_eq "canary bug=leak loads" ok "$(/bin/modload /modules/canary.ko bug=leak)"
if [ -w "$KMEMLEAK" ]; then
	sleep 6
	echo scan >"$KMEMLEAK"
	sleep 1
	echo scan >"$KMEMLEAK"
	if grep -q 'canary_leak' "$KMEMLEAK"; then
		pass "leak is reported by kmemleak"
		note "its backtrace names canary_leak"
	else
		fail "leak is reported by kmemleak" "$(grep -c '^unreferenced object' "$KMEMLEAK") objects, none from canary_leak"
	fi
	# Reported once: the runner's scans must not count it again.
	echo clear >"$KMEMLEAK"
else
	fail "leak is reported by kmemleak" "no $KMEMLEAK"
fi
dmesg -c >>/tmp/canary.log
# At KERN_EMERG, so the console shows it: the host judges what follows.
echo "<0>roulette-test: canaries done" >/dev/kmsg
finish
