#!/bin/sh
# stress: parallel readers (1, 2, 8) beside sysfs flips and a mymod sec=1
# load/unload loop, then roulette itself reloaded under 8 readers; the load
# generators are tests/stress/rstress.c. stress_secs=S on the kernel
# command line: the length of each phase.
# shellcheck source=../lib.sh
. /tests/lib.sh

secs=$(cmdline_arg stress_secs)
secs=${secs:-10}

echo "INFO: taint before any load $(tainted)"
cycles=0 opens=0 flips=0
expect_eq "load roulette" ok "$(load roulette chance=0 boom=signal)"
# What loading our unsigned out-of-tree modules taints: 90-end.sh compares.
tainted >/tmp/stress-taint

for n in 1 2 8; do
	for mode in signal calm; do
		if [ "$mode" = signal ]; then
			put /sys/module/roulette/parameters/boom signal >/dev/null
			put /sys/module/roulette/parameters/chance 50 >/dev/null
		else
			put /sys/module/roulette/parameters/chance 0 >/dev/null
		fi
		readers_beside "$secs" "$n" "$mode" \
			"readers n=$n boom=$mode: every read survives exactly or gets SIGSEGV+EIO" \
			"flips n=$n $mode: valid values accepted, invalid ones EINVAL" \
			"mymod sec=1 load/unload loop beside readers n=$n $mode"
		boomed=$(counter /tmp/read.out boomed)
		if [ "$mode" = signal ]; then
			expect_range "n=$n signal: some spins lost (SIGSEGV)" 1 999999999 "${boomed:-0}"
		else
			expect_eq "n=$n calm: no spin lost with chance=0" 0 "${boomed:-x}"
		fi
		cycles=$((cycles + $(counter /tmp/load.out cycles)))
		opens=$((opens + $(counter /tmp/read.out opens)))
		flips=$((flips + $(counter /tmp/flip.out writes)))
		drain
	done
done
expect_eq "chance=0 after the flips" ok "$(put /sys/module/roulette/parameters/chance 0)"

# Readers see the device come and go: only ENOENT/ENODEV when it is gone.
expect_eq "unload roulette before the reload loop" ok "$(unload roulette)"
reload_under_readers "$secs" 8 /tmp/read.out \
	"8 readers while roulette is reloaded: only ENOENT/ENODEV when gone" \
	"roulette load/unload loop under readers"
opens=$((opens + $(counter /tmp/read.out opens)))
# The host checks load_cycles against the minimum for the kernel's kind.
emit "DATA: load_cycles=$cycles reload_cycles=$(counter /tmp/reload.out cycles) opens=$opens flips=$flips"
drain
finish
