#!/bin/sh
# roulette: chance=0 always survives with the exact message.
# shellcheck source=../lib.sh
. /tests/lib.sh

load roulette chance=0 >/dev/null
bad=0 first=''
for i in $(seq 20); do
	msg=$(/bin/devio read "$DEV")
	v=${msg#Survived... sampled value is }
	v=${v%%,*}
	if ! printf '%s' "$msg" | grep -Eqx 'Survived\.\.\. sampled value is [0-9]{1,2}, which is >= 0' ||
		[ "$v" -gt 99 ]; then
		bad=$((bad + 1))
		[ -n "$first" ] || first="spin $i read '$msg'"
	fi
done
expect_eq "20 spins survive with the exact message" 0 "$bad"
[ -z "$first" ] || note "the first bad one: $first"
expect_eq "message ends with one newline" "0a" "$(/bin/devio read "$DEV" | tail -c 1 | od -An -tx1 | tr -d ' ')"
unload roulette >/dev/null
finish
