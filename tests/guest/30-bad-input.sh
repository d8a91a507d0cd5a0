#!/bin/sh
# The bad-input catalogue: every parameter (load time and sysfs) and device
# call with invalid, boundary and hostile values. Each case asserts the exact
# errno (or "ok" for a boundary that must be accepted) and that the state
# afterwards is what it was before.
# shellcheck source=../lib.sh
. /tests/lib.sh

# Values: @empty, @nl (a lone newline), @long (4000 characters), @neg1 ... as written.
value() {
	case $1 in
	@empty) printf '' ;;
	@nl) printf '\n' ;;
	@long) head -c 4000 /dev/zero | tr '\0' 7 ;;
	*) printf '%s' "$1" ;;
	esac
}

cases=0

# load MODULE PARAM VALUE EXPECTED: the module must not stay loaded on error.
load_case() {
	cases=$((cases + 1))
	got=$(load "$1" "$2=$(value "$3")")
	expect_eq "load $1 $2='$3' -> $4" "$4" "${got#error }"
	if [ "$4" = ok ]; then
		unload "$1" >/dev/null
	else
		check "load $1 $2='$3' leaves nothing loaded" test ! -d "/sys/module/$1"
	fi
}

# sysfs MODULE PARAM VALUE EXPECTED: a rejected write leaves the value alone.
sysfs_case() {
	cases=$((cases + 1))
	f=/sys/module/$1/parameters/$2
	before=$(cat "$f")
	# The trailing x keeps a trailing newline through $( ).
	v=$(value "$3"; echo x)
	got=$(put "$f" "${v%x}")
	expect_eq "write $1.$2 '$3' -> $4" "$4" "${got#error }"
	if [ "$4" != ok ]; then
		expect_eq "write $1.$2 '$3' leaves $before" "$before" "$(cat "$f")"
	fi
}

# dev DEVIO-ARGS... EXPECTED: the device keeps working and is not held.
dev_case() {
	cases=$((cases + 1))
	_want=
	eval "_want=\${$#}"
	_args=
	while [ $# -gt 1 ]; do _args="$_args $1"; shift; done
	# shellcheck disable=SC2086 # the arguments are words on purpose
	got=$(/bin/devio $_args 2>&1 | tail -n 1)
	expect_eq "devio$_args -> $_want" "$_want" "${got#error }"
	expect_match "after devio$_args the device still reads" 'Survived.*' "$(/bin/devio read "$DEV")"
	expect_eq "after devio$_args the module is not held" 0 "$(awk '$1 == "roulette" { print $3 }' /proc/modules)"
}

while read -r mod p v want; do
	load_case "$mod" "$p" "$v" "$want"
done <<'LOAD'
mymod sec 0 EINVAL
mymod sec -1 EINVAL
mymod sec 3601 EINVAL
mymod sec 2147483647 EINVAL
mymod sec 2147483648 EINVAL
mymod sec -2147483649 EINVAL
mymod sec abc EINVAL
mymod sec @empty EINVAL
mymod sec 1.5 EINVAL
mymod sec 0x10 EINVAL
mymod sec 5,6 EINVAL
mymod sec @long EINVAL
mymod sec 1 ok
mymod sec 3600 ok
roulette chance -2 EINVAL
roulette chance 101 EINVAL
roulette chance 99999999999999999999 EINVAL
roulette chance abc EINVAL
roulette chance @empty EINVAL
roulette chance 50% EINVAL
roulette chance @long EINVAL
roulette chance -1 ok
roulette chance 0 ok
roulette chance 100 ok
roulette boom @empty EINVAL
roulette boom bogus EINVAL
roulette boom Oops EINVAL
roulette boom panic2 EINVAL
roulette boom @long EINVAL
roulette boom signal ok
LOAD

load mymod sec=3 >/dev/null
load roulette chance=10 boom=signal >/dev/null
while read -r mod p v want; do
	sysfs_case "$mod" "$p" "$v" "$want"
done <<'SYSFS'
mymod sec 0 EINVAL
mymod sec -1 EINVAL
mymod sec 3601 EINVAL
mymod sec 4294967297 EINVAL
mymod sec @nl EINVAL
mymod sec 1_0 EINVAL
mymod sec 0x1 EINVAL
mymod sec - EINVAL
mymod sec @long EINVAL
mymod sec +4 ok
mymod sec 3 ok
roulette chance -2 EINVAL
roulette chance 101 EINVAL
roulette chance 1e2 EINVAL
roulette chance @nl EINVAL
roulette chance @long EINVAL
roulette chance 10 ok
roulette boom OOPS EINVAL
roulette boom oops! EINVAL
roulette boom @nl EINVAL
roulette boom @long EINVAL
roulette boom signal ok
SYSFS
expect_eq "sec +4 was read as 4, then set back to 3" 3 "$(param mymod sec)"
unload_all

load roulette chance=0 >/dev/null
while read -r args; do
	# shellcheck disable=SC2086 # one case per line, words on purpose
	dev_case $args
done <<DEV
write $DEV EINVAL
open $DEV w EINVAL
seek $DEV set -1 EINVAL
seek $DEV set 4096 EINVAL
seek $DEV end 1 EINVAL
seek $DEV cur -100 EINVAL
seek $DEV 3 0 EINVAL
seek $DEV 99 0 EINVAL
pread $DEV -1 10 EINVAL
readnull $DEV EFAULT
mmap $DEV ENODEV
ioctl $DEV 0x5401 ENOTTY
ioctl $DEV 0xdeadbeef ENOTTY
DEV
unload_all

expect_range "the catalogue has at least 40 cases" 40 1000 "$cases"
note "$cases cases"
finish
