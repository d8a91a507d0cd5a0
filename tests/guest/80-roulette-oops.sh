#!/bin/sh
# roulette: boom=oops (the original's behaviour): an oops in read (BUG() on
# x86, a write to NULL on arm64 and riscv64: src/compat.h), the reader
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
case $(uname -m) in
x86_64) headline='kernel BUG at .*roulette\.c:[0-9]+' ;;
*) headline='Unable to handle kernel .* at virtual address 0+$' ;;
esac
# has NAME TEXT: TEXT has a line that matches the headline.
has() {
	if echo "$2" | grep -Eq -- "$headline"; then pass "$1"; else fail "$1" "no /$headline/"; fi
}
has "the oops's headline" "$log"
# The planted report: the scan every boot ends with sees this architecture's
# oops (its headline and more) once the window's marks are gone.
seen=$(echo "$log" | grep -v 'roulette-test: expected-oops' | report_scan oops)
has "the kernel-report scan sees the oops's headline" "$seen"
expect_range "the kernel-report scan sees more than the headline" 2 999 "$(echo "$seen" | grep -c .)"
note "$(uname -m): $(echo "$seen" | sed 's/^\[[ 0-9.]*\] //' | head -n 4 | tr '\n' '|')"
expect_eq "module refcount back to 0" 0 "$(awk '$1 == "roulette" { print $3 }' /proc/modules)"
expect_eq "rmmod works after the oops" ok "$(unload roulette)"
expect_eq "load again after the oops" ok "$(load roulette chance=0)"
expect_match "spin after reload" 'Survived.*' "$(/bin/devio read "$DEV")"
unload roulette >/dev/null
finish
