#!/bin/sh
# roulette: boom=signal kills the reader with SIGSEGV, no oops, no taint;
# an open file keeps the outcome drawn at open across a sysfs write of chance.
# shellcheck source=../lib.sh
. /tests/lib.sh

# boom_line MARK C: the first Boom! line after MARK if it reads whole
# "roulette: Boom! sampled value is V, which is < C" with V < C as numbers.
boom_line() {
	log_since "$1" | grep -m1 'Boom!' | awk -v c="$2" '
		/^roulette: Boom! sampled value is [0-9]+, which is < [0-9]+$/ && $6 + 0 < c && $NF == c'
}

load roulette chance=100 boom=signal >/dev/null
t=$(tainted)
m=$(mark signal)
cat "$DEV" >/dev/null 2>&1
expect_eq "reader dies of SIGSEGV (status 139)" 139 "$?"
expect_match "Boom! is logged" 'roulette: Boom! sampled value is [0-9]+, which is < 100' "$(boom_line "$m" 100)"
expect_no_log "no oops trace" 'Call Trace|BUG|Oops:' "$m"
expect_eq "taint unchanged" "$t" "$(tainted)"

# loses OP ARG...: a loser's devio OP (every read path) meets the same Boom!.
loses() {
	_op=$1
	shift
	_m=$(mark "signal-$_op")
	/bin/devio "$_op" "$DEV" "$@" >/dev/null 2>&1
	expect_eq "$_op by a loser: SIGSEGV (status 139)" 139 "$?"
	expect_match "$_op by a loser: Boom! is logged" 'roulette: Boom! sampled value is [0-9]+, which is < 100' "$(boom_line "$_m" 100)"
}
m=$(mark read-paths)
loses readv 64
loses preadv 0 64
loses splice
# 5.x refuses sendfile(2) from a file that is not regular: no spin is read.
if [ "$(uname -r | cut -d. -f1)" -ge 6 ]; then
	loses sendfile
else
	m=$(mark sendfile-refused)
	expect_eq "sendfile by a loser is refused on 5.x (EINVAL)" "error EINVAL" "$(/bin/devio sendfile "$DEV")"
	expect_no_log "a refused sendfile reads no spin: no Boom!" 'Boom!' "$m"
fi
expect_no_log "no oops trace from any read path" 'Call Trace|BUG|Oops:' "$m"

# Opened at chance=100, read after a write of 0: still the loser.
exec 3<"$DEV"
echo 0 >/sys/module/roulette/parameters/chance
m=$(mark kept-boom)
cat <&3 >/dev/null 2>&1
expect_eq "opened at chance=100, read after chance=0: SIGSEGV" 139 "$?"
exec 3<&-
expect_match "its Boom! line names chance 100" 'roulette: Boom! sampled value is [0-9]+, which is < 100' "$(boom_line "$m" 100)"
# Opened at chance=0, read after a write of 100: still a survivor.
exec 3<"$DEV"
echo 100 >/sys/module/roulette/parameters/chance
expect_match "opened at chance=0, read after chance=100: survives" \
	'Survived\.\.\. sampled value is [0-9]{1,2}, which is >= 0' "$(cat <&3)"
exec 3<&-
expect_eq "rmmod works" ok "$(unload roulette)"
finish
