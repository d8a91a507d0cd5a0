#!/bin/sh
# make bench, figure 4: mymod's timer, bench.ticks ticks at sec=1 and at
# sec=5 on an otherwise idle guest; the host analyses the timestamps.
# shellcheck source=../../tests/lib.sh
. /tests/lib.sh

ticks=$(cmdline_arg bench.ticks)
case $(cmdline_arg bench.figs) in
*4*)
	for s in 1 5; do
		m=$(mark "sec$s")
		expect_eq "load mymod sec=$s" ok "$(load mymod "sec=$s")"
		waited=0
		while [ "$(log_times_since "$m" 'mymod: timer' | grep -c .)" -lt "$ticks" ] &&
			[ "$waited" -lt $((ticks * s + 30)) ]; do
			sleep 1
			waited=$((waited + 1))
		done
		unload mymod >/dev/null
		n=$(log_times_since "$m" 'mymod: timer' | grep -c .)
		expect_range "sec=$s: $ticks ticks within $((ticks * s + 30)) s" "$ticks" $((ticks + 2)) "$n"
		for e in init timer; do
			log_times_since "$m" "mymod: $e" | while read -r t; do
				emit "DATA: fig4 sec=$s event=$e t=$t"
			done
		done
	done
	;;
esac
finish
