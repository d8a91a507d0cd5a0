#!/bin/sh
# roulette: boom=oops (the original's behaviour): BUG() in read, the reader
# dies, the module is not left in use and loads again.
# shellcheck source=../lib.sh
. /tests/lib.sh

load roulette chance=100 >/dev/null
expect_oops_begin
m=$(mark oops)
cat "$DEV" >/dev/null 2>&1
st=$?
expect_oops_end
expect_eq "reader is killed (status 139)" 139 "$st"
log=$(log_since "$m")
first=$(echo "$log" | grep -m1 -e 'Boom' -e 'BUG' -e 'Oops')
expect_match "Boom! comes first" 'roulette: Boom! sampled value is [0-9]+, which is < 100' "$first"
expect_eq "its value is below the chance" 1 "$(echo "$first" | awk '{ print ($6 + 0 < 100) }')"
check "kernel BUG trace" sh -c "echo \"\$1\" | grep -q 'kernel BUG at'" - "$log"
check "trace names roulette_boom" sh -c "echo \"\$1\" | grep -q 'roulette_boom'" - "$log"
expect_eq "module refcount back to 0" 0 "$(awk '$1 == "roulette" { print $3 }' /proc/modules)"
expect_eq "rmmod works after the oops" ok "$(unload roulette)"
expect_eq "load again after the oops" ok "$(load roulette chance=0)"
expect_match "spin after reload" 'Survived.*' "$(/bin/devio read "$DEV")"
unload roulette >/dev/null
finish
