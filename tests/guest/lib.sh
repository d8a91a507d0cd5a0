# shellcheck shell=sh
# Assertions for the guest tests. Sourced by every tests/guest/*.sh file,
# which runs under busybox sh inside the QEMU guest, as root.
#
# Output contract with the host (scripts/guest-test.sh): one line per check,
#   PASS: <file>: <check>
#   FAIL: <file>: <check>: <detail>

# Used by the test files that source this one.
# shellcheck disable=SC2034
{
	MODS=/modules/this	# built for the running kernel
	OTHER_MODS=/modules/other	# built for the other kernel series
	DEV=/dev/kernel-roulette
	NL='
'
}
TEST=${TEST:-$(basename "$0" .sh)}

# One result line each, whatever the check's name holds: newlines print as \n.
oneline() {
	printf '%s' "$*" | awk 'NR > 1 { printf "\\n" } { printf "%s", $0 } END { print "" }'
}

pass() {
	oneline "PASS: $TEST: $1"
}

fail() {
	oneline "FAIL: $TEST: $1: $2"
}

# check NAME CMD...: passes when CMD exits 0.
check() {
	_name=$1
	shift
	if "$@" >/dev/null 2>&1; then pass "$_name"; else fail "$_name" "command failed: $*"; fi
}

# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected '$2', got '$3'"; fi
}

# expect_match NAME EXTENDED-REGEX TEXT: TEXT is one line and matches whole.
expect_match() {
	if [ "$(printf '%s\n' "$3" | wc -l)" = 1 ] && printf '%s\n' "$3" | grep -Eqx -- "$2"; then
		pass "$1"
	else
		fail "$1" "'$3' does not match /$2/"
	fi
}

# expect_range NAME LOW HIGH VALUE (integers, inclusive)
expect_range() {
	if [ -n "$4" ] && [ "$4" -ge "$2" ] 2>/dev/null && [ "$4" -le "$3" ]; then
		pass "$1"
	else
		fail "$1" "'$4' is not in [$2, $3]"
	fi
}

# Kernel log bookkeeping: mark writes a unique line to /dev/kmsg;
# log_since MARK prints the messages after it, without timestamps.
mark() {
	_mark="roulette-test: mark $TEST $1 $$"
	echo "$_mark" >/dev/kmsg
	echo "$_mark"
}

log_since() {
	dmesg | sed 's/^\[[ 0-9.]*\] //' | sed -n "/^$1\$/,\$p" | sed 1d
}

# log_times_since MARK PATTERN: timestamps (seconds) of matching lines after MARK.
log_times_since() {
	dmesg | sed -n "/$1\$/,\$p" | grep -- "$2" | sed 's/^\[ *\([0-9.]*\)\].*/\1/'
}

# expect_log NAME MARK FIXED-STRING: a line after MARK contains the string.
expect_log() {
	if log_since "$2" | grep -qF -- "$3"; then
		pass "$1"
	else
		fail "$1" "no '$3' in the kernel log"
	fi
}

# Boom tests bracket the oops they expect, so the final dmesg scan can skip it.
expect_oops_begin() {
	echo "roulette-test: expected-oops-begin" >/dev/kmsg
}

expect_oops_end() {
	echo "roulette-test: expected-oops-end" >/dev/kmsg
}

# load MODULE [param=value ...]: prints modload's verdict ("ok" or "error E...").
load() {
	_m=$1
	shift
	/bin/modload "$MODS/$_m.ko" "$@"
}

# unload NAME: prints "ok" or "error E...".
unload() {
	/bin/modload -r "$1"
}

loaded() {
	[ -d "/sys/module/$1" ]
}

# unload_all: leave no test module behind, whatever a test did.
unload_all() {
	for _m in roulette mymod hello; do
		loaded "$_m" && /bin/modload -r "$_m" >/dev/null
	done
	return 0
}

param() {
	cat "/sys/module/$1/parameters/$2"
}

# put FILE STRING: one write(2); prints "ok" or "error E...".
put() {
	/bin/devio put "$1" "$2"
}

# as_user UID CMD...: run CMD with that uid/gid and no supplementary groups.
as_user() {
	_uid=$1
	shift
	/bin/runas "$_uid" "$_uid" "$@"
}

tainted() {
	cat /proc/sys/kernel/tainted
}
