#!/bin/sh
# faults: readers, sysfs writes and load/unload loops (tests/stress/rstress.c)
# while failslab fails PCT per cent of their allocations: the rstress
# workers set /proc/self/make-it-fail (RSTRESS_NOMEM=1) and failslab's task
# filter spares everyone else. Every failure must reach user space as
# ENOMEM, every other outcome stays exact, and afterwards nothing is stuck.
# faults_secs=S on the kernel command line: each phase's length.
# shellcheck source=../lib.sh
. /tests/lib.sh
# shellcheck source=common.sh
. /tests/faults/common.sh

FS=$FI/failslab
PCT=2
secs=$(cmdline_arg faults_secs)
secs=${secs:-10}

if [ ! -d "$FS" ]; then
	fail "failslab available" "no $FS"
	finish
	exit
fi
# Any stack, only the marked tasks; times counts the injections down.
setup() {
	echo 0 >"$FS/require-start" && echo 18446744073709551615 >"$FS/require-end" &&
		echo Y >"$FS/task-filter" && echo N >"$FS/ignore-gfp-wait" && echo 0 >"$FS/verbose" &&
		echo 1000000 >"$FS/times" && echo "$PCT" >"$FS/probability"
}
check "failslab: $PCT% of the marked tasks' allocations" setup
export RSTRESS_NOMEM=1
expect_oops_begin
mk=$(mark start)
expect_eq "load roulette chance=50 boom=signal" ok "$(load roulette chance=50 boom=signal)"
readers_beside "$secs" 4 signal \
	"4 readers: every spin survives exactly, gets SIGSEGV+EIO or ENOMEM at open" \
	"sysfs flips: valid values accepted, invalid EINVAL, or ENOMEM" \
	"mymod load/unload loop: loads succeed or fail with ENOMEM"
nomem=$(($(counter /tmp/read.out nomem) + $(counter /tmp/flip.out nomem) + $(counter /tmp/load.out nomem)))
put /sys/module/roulette/parameters/chance 0 >/dev/null
expect_eq "unload roulette before the reload loop" ok "$(unload roulette)"
reload_under_readers "$secs" 4 /tmp/read2.out \
	"4 readers while roulette is reloaded: survivors, ENOENT/ENODEV when gone, or ENOMEM" \
	"roulette load/unload loop: loads succeed or fail with ENOMEM"
nomem=$((nomem + $(counter /tmp/read2.out nomem) + $(counter /tmp/reload.out nomem)))
echo 0 >"$FS/probability"
injected=$((1000000 - $(cat "$FS/times")))
emit "DATA: faults stress injected=$injected nomem=$nomem opens=$(($(counter /tmp/read.out opens) + $(counter /tmp/read2.out opens))) writes=$(counter /tmp/flip.out writes) mymod_cycles=$(counter /tmp/load.out cycles) roulette_cycles=$(counter /tmp/reload.out cycles)"
expect_range "failslab injected failures" 1 1000000 "$injected"
expect_range "ENOMEM reached user space" 1 1000000 "$nomem"

# Nothing stuck: no module left, and all three load and unload plainly.
expect_eq "no module of ours left" "" "$(leftovers)"
for m in hello mymod roulette; do
	expect_eq "$m loads after the faults" ok "$(load "$m")"
	expect_eq "$m unloads after the faults" ok "$(unload "$m")"
done
expect_eq "nothing left behind" "" "$(leftovers)"
no_reports "stress under failslab" "$mk"
expect_oops_end
drain
finish
