#!/bin/sh
# roulette: boom=signal kills the reader with SIGSEGV, no oops, no taint.
# shellcheck source=../lib.sh
. /tests/lib.sh

load roulette chance=100 boom=signal >/dev/null
t=$(tainted)
m=$(mark signal)
cat "$DEV" >/dev/null 2>&1
expect_eq "reader dies of SIGSEGV (status 139)" 139 "$?"
expect_log "Boom! is logged" "$m" "roulette: Boom! sampled value is"
expect_no_log "no oops trace" 'Call Trace|BUG|Oops:' "$m"
expect_eq "taint unchanged" "$t" "$(tainted)"
expect_eq "rmmod works" ok "$(unload roulette)"
finish
