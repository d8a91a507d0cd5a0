#!/bin/sh
# roulette: a lost spin leaves nothing held, whatever the read path: with
# boom=oops for root (the oops in a thread of its own, the reader dies of
# SIGSEGV), boom=signal for root and any mode for a member of the group
# (SIGSEGV). After each path: no task in D state, the pipe's other end
# reads EOF, rmmod works; on a kernel with kmemleak (the debug kernels),
# the whole matrix leaks nothing. Then the privilege cannot travel with a
# descriptor: a crash needs CAP_SYS_BOOT of both the opener and the reader.
# The player is /bin/boomio (tests/tools/boomio.c), watched from outside.
# shellcheck source=../lib.sh
. /tests/lib.sh

GID=4242
CASES="read pread readv1 readv16 readv1024 preadv2 splice-pipe splice-file
sendfile-pipe sendfile-file thread fork uring uring-async aio"
OOPS='Call Trace|Call trace|kernel BUG|Oops|Unable to handle kernel|Kernel panic'

# d_state: the tasks in D state ("pid (comm)"), twice a second apart: a
# task passing through D is not stuck.
d_state() {
	_d=$(cat /proc/[0-9]*/stat 2>/dev/null | awk '$3 == "D" { print $1, $2 }')
	[ -z "$_d" ] || { sleep 1; _d=$(cat /proc/[0-9]*/stat 2>/dev/null | awk '$3 == "D" { print $1, $2 }'); }
	echo "$_d"
}

# node: the node as the packaged udev rule makes it (0660 root:roulette).
node() {
	chgrp "$GID" "$DEV" && chmod 0660 "$DEV"
}

# ends OUT: the player's result and end, on one line.
ends() {
	echo "$1" | grep -e '^result=' -e '^status=' | tr '\n' ' ' | sed 's/ $//'
}

# lost NAME CASE OUT: CASE's reader lost: killed by SIGSEGV. On 5.x,
# sendfile(2) from a device is refused before any read (EINVAL). A kernel
# without the call skips.
lost() {
	_want="status=signal:11"
	case $2 in sendfile-*)
		[ "$(uname -r | cut -d. -f1)" -ge 6 ] || _want="result=error:EINVAL status=exit:0" ;;
	esac
	if echo "$3" | grep -q '^status=unsupported:'; then
		skip "$1: the reader loses" "$(echo "$3" | grep '^status=') on $(uname -r)"
	else
		expect_eq "$1: the reader loses" "$_want" "$(ends "$3")"
	fi
}

# one MODE WHO CASE: chance=100 and MODE, CASE's read by WHO (root or
# member), then the checks.
one() {
	_n="boom=$1 $2 $3"
	load roulette chance=100 "boom=$1" >/dev/null
	node
	_t=$(tainted)
	_crash=
	[ "$1" = oops ] && [ "$2" = root ] && _crash=1
	[ -z "$_crash" ] || expect_oops_begin
	_m=$(mark "$1-$2-$3")
	if [ "$2" = member ]; then
		_out=$(/bin/runas 65534 "65534,$GID" /bin/boomio "$DEV" "$3")
	else
		_out=$(/bin/boomio "$DEV" "$3")
	fi
	[ -z "$_crash" ] || expect_oops_end
	lost "$_n" "$3" "$_out"
	case $3 in *-pipe)
		expect_eq "$_n: the pipe's other end reads EOF" pipe=eof "$(echo "$_out" | grep '^pipe=')" ;;
	esac
	expect_eq "$_n: no task in D state" "" "$(d_state)"
	if [ -n "$_crash" ]; then
		case $_out in
		*status=unsupported:* | *result=error:EINVAL*)
			# Refused before any read (sendfile on 5.x): no spin, no oops.
			expect_no_log "$_n: the oops is logged (none for a refused call)" "$OOPS" "$_m" ;;
		*)
			expect_match "$_n: the oops is logged (none for a refused call)" ".*($OOPS).*" \
				"$(log_since "$_m" | grep -E -m1 -- "$OOPS")" ;;
		esac
	else
		expect_no_log "$_n: no oops" "$OOPS" "$_m"
		expect_eq "$_n: taint unchanged" "$_t" "$(tainted)"
	fi
	expect_eq "$_n: rmmod works" ok "$(unload roulette)"
}

kmemleak_begin
for who_mode in root:oops root:signal member:oops; do
	for c in $CASES; do
		one "${who_mode#*:}" "${who_mode%:*}" "$c"
	done
done
# The debug kernels: the matrix leaked nothing, the read paths' own
# objects included (no frame of ours in them).
kmemleak_none "kmemleak: no unreferenced object after the read-path matrix"

# The privilege cannot travel. Past the rate limit's window: the lines below are logged.
sleep 6
load roulette chance=100 boom=oops >/dev/null
node
t=$(tainted)
m=$(mark drop)
out=$(/bin/boomio "$DEV" drop)
expect_eq "opened by root, read by uid 65534: SIGSEGV" "status=signal:11" "$(echo "$out" | grep '^status=')"
expect_match "opened by root, read by uid 65534: the log says why" \
	'roulette: boomio \(pid [0-9]+\) read without CAP_SYS_BOOT: SIGSEGV instead of boom mode oops' \
	"$(log_since "$m" | grep -m1 'without CAP_SYS_BOOT')"
expect_no_log "opened by root, read by uid 65534: no oops" "$OOPS" "$m"
expect_eq "opened by root, read by uid 65534: taint unchanged" "$t" "$(tainted)"
unload roulette >/dev/null

# A member's descriptor in root's hands, in the mode that would panic.
load roulette chance=100 boom=panic >/dev/null
node
m=$(mark passfd)
out=$(/bin/boomio "$DEV" passfd "$GID")
expect_eq "opened by a member, read by root: SIGSEGV" "status=signal:11" "$(echo "$out" | grep '^status=')"
out=$(/bin/boomio "$DEV" passfd-ignore "$GID")
expect_eq "opened by a member, read by root ignoring SIGSEGV: EIO, root survives" \
	"result=error:EIO status=exit:0" "$(ends "$out")"
expect_match "opened by a member, read by root: the log says why" \
	'roulette: boomio \(pid [0-9]+\) opened without CAP_SYS_BOOT: SIGSEGV instead of boom mode panic' \
	"$(log_since "$m" | grep -m1 'without CAP_SYS_BOOT')"
expect_no_log "opened by a member, read by root: no oops, no panic" "$OOPS" "$m"
expect_eq "opened by a member, read by root: taint unchanged" "$t" "$(tainted)"
expect_eq "rmmod works after the passed descriptors" ok "$(unload roulette)"
finish
