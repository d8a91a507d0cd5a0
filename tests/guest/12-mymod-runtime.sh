#!/bin/sh
# mymod: a sysfs write changes the period from the next tick on.
# shellcheck source=../lib.sh
. /tests/lib.sh

load mymod sec=1 >/dev/null
m=$(mark change)
expect_eq "write 2 accepted" ok "$(put /sys/module/mymod/parameters/sec 2)"
expect_eq "sec reads 2" 2 "$(param mymod sec)"
sleep 7
unload mymod >/dev/null
# The tick already armed keeps its 1 s period; the ones after it are 2 s apart.
gaps=$(log_times_since "$m" 'mymod: timer' | awk 'NR > 1 { printf "%d\n", ($1 - p) * 1000 } { p = $1 }')
expect_range "at least 2 ticks at the new period" 2 4 "$(echo "$gaps" | grep -c .)"
worst=$(echo "$gaps" | awk '{ e = $1 - 2000; if (e < 0) e = -e; if (e > m) m = e } END { print m + 0 }')
expect_range "gaps are 2 s (worst error under 150 ms)" 0 150 "$worst"
note "worst error $worst ms; gaps (ms): $(echo "$gaps" | awk '{ printf "%s%s", s, $1; s = " " }')"
finish
