# shellcheck shell=sh
# What the files of tests/faults/ share; sourced after /tests/lib.sh.

# shellcheck disable=SC2034 # used by the files that source this one
FI=/sys/kernel/debug

# leftovers: what a module load that ended (failed or unloaded) left behind.
leftovers() {
	grep -E '^(hello|mymod|roulette) ' /proc/modules
	ls -d /sys/module/hello /sys/module/mymod /sys/module/roulette \
		/sys/class/roulette "$DEV" 2>/dev/null
	grep -w kernel-roulette /proc/devices
}

# no_reports NAME MARK: since MARK, no kernel report (tests/kernel-reports.txt),
# kmemleak still on, and no call trace but those of allocation-failure
# warnings (warn_alloc(): an injected vmalloc() failure prints one by
# design). So the files run inside an expected-oops window and rely on
# this check.
no_reports() {
	_pat=$(report_patterns oops detector | grep -v 'Call Trace' | tr '\n' '|')
	expect_no_log "$1: no kernel report" "${_pat}kmemleak.*disabled" "$2"
	_w=$(log_between "$2")
	expect_eq "$1: every call trace follows an allocation-failure warning" \
		"$(echo "$_w" | grep -c -e 'vmalloc error:' -e 'page allocation failure:')" \
		"$(echo "$_w" | grep -c 'Call Trace:')"
}
