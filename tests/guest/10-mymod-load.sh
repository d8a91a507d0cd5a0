#!/bin/sh
# mymod: init/exit messages, default period, parameter file mode.
# shellcheck source=../lib.sh
. /tests/lib.sh

m=$(mark load)
expect_eq "load with defaults" ok "$(load mymod)"
expect_log "init message" "$m" "mymod: init"
expect_eq "default sec" 5 "$(param mymod sec)"
expect_eq "sec file mode" 644 "$(stat -c %a /sys/module/mymod/parameters/sec)"
expect_eq "sec file owner" root:root "$(stat -c %U:%G /sys/module/mymod/parameters/sec)"
u=$(mark unload)
expect_eq "unload" ok "$(unload mymod)"
expect_log "exit message" "$u" "mymod: exit"
# No tick before the first period: the first tick, if the unload (a slow
# debug kernel can take longer than 5 s to get there) came after one, is
# at least 5 s after init, by the kernel's clock.
t0=$(log_times_since "$m" 'mymod: init' | head -n 1)
t1=$(log_times_since "$m" 'mymod: timer' | head -n 1)
if [ -z "$t1" ]; then
	expect_no_log "no tick before the first period" "mymod: timer" "$m" "$u"
else
	check "no tick before the first period" \
		awk -v a="${t0:-x}" -v b="$t1" 'BEGIN { exit !(a ~ /^[0-9.]+$/ && b - a >= 4.999) }'
	note "first tick ${t1} s, init ${t0:-missing} s"
fi
finish
