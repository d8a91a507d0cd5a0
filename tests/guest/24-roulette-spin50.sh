#!/bin/sh
# roulette: chance=50 over 100 sequential spins gives both outcomes; every
# survivor read V >= 50, every logged Boom! has V < 50.
# shellcheck source=../lib.sh
. /tests/lib.sh

load roulette chance=50 boom=signal >/dev/null
m=$(mark spin50)
out=$(/bin/devio spin "$DEV" 100)
s=$(echo "$out" | sed -n 's/.*survived=\([0-9]*\).*/\1/p')
b=$(echo "$out" | sed -n 's/.*boomed=\([0-9]*\).*/\1/p')
o=$(echo "$out" | sed -n 's/.*other=\([0-9]*\).*/\1/p')
expect_eq "every spin survived or boomed" "100 0" "$((s + b)) $o"
# Both outcomes: P(all 100 alike) = 2^-99.
expect_range "some survived" 1 99 "$s"
note "$s of 100 survived"
expect_range "some boomed" 1 99 "$b"
note "$b of 100 boomed"
# The survivors' texts, whole, and V >= C as numbers ($6 is "V,").
bad=$(echo "$out" | awk '/^read: / && !(/^read: Survived\.\.\. sampled value is [0-9]+, which is >= 50$/ && $6 + 0 >= 50)')
expect_eq "every survivor read 'Survived... sampled value is V, which is >= 50' with V >= 50" "" "$bad"
expect_eq "one text per survivor" "$s" "$(echo "$out" | grep -c '^read: ')"
# The Boom! lines (rate-limited in signal mode: some, not all), whole, V < C.
booms=$(log_since "$m" | grep 'Boom!')
bad=$(echo "$booms" | awk '!(/^roulette: Boom! sampled value is [0-9]+, which is < 50$/ && $6 + 0 < 50)')
expect_eq "every Boom! line is 'roulette: Boom! sampled value is V, which is < 50' with V < 50" "" "$bad"
expect_range "Boom! lines logged" 1 "$b" "$(echo "$booms" | grep -c .)"
expect_eq "unload after 100 spins" ok "$(unload roulette)"
finish
