#!/bin/sh
# roulette: chance and boom are one configuration, published whole and
# read once by each open. Root flips between two configurations, 100/signal
# and 0/panic, through the pairs an administrator writes (0/signal in
# between, never 100/panic), while a member of the group spins: no open may
# see the third pair, chance 100 with boom panic (a member's loss there
# logs "SIGSEGV instead of boom mode panic").
# shellcheck source=../lib.sh
. /tests/lib.sh

GID=4242
P=/sys/module/roulette/parameters
load roulette chance=100 boom=signal >/dev/null
chgrp "$GID" "$DEV" && chmod 0660 "$DEV"
m=$(mark flips)
# 300 round trips (each logs two "Panic probability" lines: the ring
# buffer keeps the mark), or 20 s.
(
	end=$(($(date +%s) + 20)) i=0
	while [ "$i" -lt 300 ] && [ "$(date +%s)" -lt "$end" ]; do
		echo 0 >$P/chance && echo panic >$P/boom
		echo signal >$P/boom && echo 100 >$P/chance
		i=$((i + 1))
	done
) &
flipper=$!
spins=0 bad=
while kill -0 "$flipper" 2>/dev/null; do
	out=$(/bin/runas 65534 "65534,$GID" /bin/devio spin "$DEV" 20)
	spins=$((spins + 20))
	[ "$(echo "$out" | sed -n 's/.*other=\([0-9]*\).*/\1/p')" = 0 ] || bad=${bad:-$out}
done
wait "$flipper"
expect_eq "every spin during the flips survived or lost with SIGSEGV" "" "$bad"
note "$spins spins by a member during the flips"
expect_range "the member spun during the flips" 1 999999 "$spins"
expect_no_log "no open saw chance 100 with boom panic" 'SIGSEGV instead of boom mode panic' "$m"
expect_eq "the configuration ends as written: 100/signal" "100 signal" "$(param roulette chance) $(param roulette boom)"
expect_eq "rmmod works after the flips" ok "$(unload roulette)"
finish
