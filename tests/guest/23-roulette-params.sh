#!/bin/sh
# roulette: chance and boom, validated at load and through sysfs.
# shellcheck source=../lib.sh
. /tests/lib.sh

for v in 101 -2 abc 1x "" 99999999999; do
	expect_eq "load chance='$v' is EINVAL" "error EINVAL" "$(load roulette "chance=$v")"
	check "load chance='$v' leaves no device" test ! -e "$DEV"
done
for v in bogus OOPS "" "oops,signal"; do
	expect_eq "load boom='$v' is EINVAL" "error EINVAL" "$(load roulette "boom=$v")"
done
expect_eq "load bare 'boom' is EINVAL" "error EINVAL" "$(load roulette boom)"
m=$(mark bad-load)
load roulette boom=bogus >/dev/null
expect_log "bad boom logs why" "$m" "roulette: invalid boom: must be oops, signal or panic"

load roulette chance=10 >/dev/null
P=/sys/module/roulette/parameters
m=$(mark chance50)
expect_eq "write chance 50" ok "$(put $P/chance 50)"
expect_eq "chance reads 50" 50 "$(param roulette chance)"
expect_log "new chance is logged" "$m" "roulette: Panic probability: 50/100"
# (A zero-byte write never reaches the driver: "$NL" is what `echo "" >` sends.)
for v in 101 -2 abc "$NL" 99999999999 "5 5"; do
	expect_eq "write chance '$v' is EINVAL" "error EINVAL" "$(put $P/chance "$v")"
	expect_eq "after '$v' chance is still 50" 50 "$(param roulette chance)"
done
expect_eq "write chance -1 re-draws" ok "$(put $P/chance -1)"
expect_range "re-drawn chance in [0, 100)" 0 99 "$(param roulette chance)"
expect_eq "write chance 0 (lower bound)" ok "$(put $P/chance 0)"
expect_eq "write chance 100 (upper bound)" ok "$(put $P/chance "100$NL")"
expect_eq "chance reads 100" 100 "$(param roulette chance)"

for v in signal panic oops "signal$NL"; do
	expect_eq "write boom '$v'" ok "$(put $P/boom "$v")"
done
expect_eq "boom reads signal" signal "$(param roulette boom)"
for v in bogus OOPS "oopsy" "$NL" " oops"; do
	expect_eq "write boom '$v' is EINVAL" "error EINVAL" "$(put $P/boom "$v")"
	expect_eq "after '$v' boom is still signal" signal "$(param roulette boom)"
done
unload roulette >/dev/null
finish
