#!/bin/sh
# mymod: every bad sec fails with EINVAL and changes nothing, at load and via sysfs.
# shellcheck source=../lib.sh
. /tests/lib.sh

for v in 0 -1 3601 2147483647 99999999999 abc 1x 0x5 "" " "; do
	m=$(mark "load-$v")
	expect_eq "load sec='$v' is EINVAL" "error EINVAL" "$(load mymod "sec=$v")"
	check "load sec='$v' leaves no module" test ! -d /sys/module/mymod
	expect_log "load sec='$v' logs why" "$m" "mymod: invalid sec: must be an integer from 1 to 3600"
done
expect_eq "bare 'sec' is EINVAL" "error EINVAL" "$(load mymod sec)"

load mymod sec=3 >/dev/null
for v in 0 -1 3601 99999999999 abc 1x "$NL" " 7 8"; do
	expect_eq "write '$v' is EINVAL" "error EINVAL" "$(put /sys/module/mymod/parameters/sec "$v")"
	expect_eq "after '$v' sec is still 3" 3 "$(param mymod sec)"
done
expect_eq "write 1 (lower bound)" ok "$(put /sys/module/mymod/parameters/sec 1)"
expect_eq "write 3600 (upper bound)" ok "$(put /sys/module/mymod/parameters/sec "3600$NL")"
expect_eq "sec reads 3600" 3600 "$(param mymod sec)"
expect_eq "unload" ok "$(unload mymod)"
expect_eq "load sec=3600 (upper bound)" ok "$(load mymod sec=3600)"
unload mymod >/dev/null
finish
