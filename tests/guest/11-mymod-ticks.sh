#!/bin/sh
# mymod: tick count over a window, and tick N at N*sec after load (no drift).
# shellcheck source=../lib.sh
. /tests/lib.sh

# ticks SEC WINDOW: load, wait, unload; prints tick timestamps relative to init.
ticks() {
	m=$(mark "sec$1")
	load mymod "sec=$1" >/dev/null
	sleep "$2"
	unload mymod >/dev/null
	t0=$(log_times_since "$m" 'mymod: init')
	log_times_since "$m" 'mymod: timer' | awk -v t0="$t0" '{ printf "%.3f\n", $1 - t0 }'
}

# Five periods and a half: exactly 5 ticks.
for sw in "1 5.5" "2 11"; do
	s=${sw% *} window=${sw#* }
	t=$(ticks "$s" "$window")
	expect_eq "sec=$s: 5 ticks in ${window}s" 5 "$(echo "$t" | grep -c .)"
	# Tick N must land at N*sec: worst error over all ticks, in ms.
	err=$(echo "$t" | awk -v s="$s" '{ e = $1 - NR * s; if (e < 0) e = -e; if (e > m) m = e } END { printf "%d", m * 1000 }')
	expect_range "sec=$s: every tick within 150 ms of N*sec (worst ${err} ms)" 0 150 "$err"
done
finish
