#!/bin/sh
# roulette: chance=50 over 100 sequential spins gives both outcomes.
# shellcheck source=../lib.sh
. /tests/lib.sh

load roulette chance=50 boom=signal >/dev/null
out=$(/bin/devio spin "$DEV" 100)
s=$(echo "$out" | sed -n 's/.*survived=\([0-9]*\).*/\1/p')
b=$(echo "$out" | sed -n 's/.*boomed=\([0-9]*\).*/\1/p')
o=$(echo "$out" | sed -n 's/.*other=\([0-9]*\).*/\1/p')
expect_eq "every spin survived or boomed" "100 0" "$((s + b)) $o"
# Both outcomes: P(all 100 alike) = 2^-99.
expect_range "some survived ($s)" 1 99 "$s"
expect_range "some boomed ($b)" 1 99 "$b"
expect_eq "unload after 100 spins" ok "$(unload roulette)"
finish
