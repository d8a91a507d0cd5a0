# shellcheck shell=sh
# The one assertion library of every guest suite: the busybox guests (the
# files tests/init runs) and the booted Debian system of make systest.
# POSIX sh (busybox, dash). Suite files source it as /tests/lib.sh.
#
# Results go over a channel of their own, $RESULTS (results=DEVICE on the
# kernel command line: the guest's second serial port, /dev/ttyS1, or a
# virtio console, /dev/hvc0, as tests/arches.conf says; the host reads it
# as a file; /dev/ttyS1 without results=), one line each, and are echoed
# on the console for people:
#   PLAN: N                  the runner will run N files
#   BEGIN: FILE              a file starts
#   PASS: FILE: CHECK
#   FAIL: FILE: CHECK        (its detail on the "# " line after it)
#   SKIP: FILE: CHECK        (its reason on the "# " line after it)
#   # TEXT                   a diagnostic of the check above (detail, figures)
#   PANIC: TEXT              this file ends in a panic; the console must show TEXT
#   DATA: ...                figures for the host (stress, bench)
#   END: FILE                the file ran to its last line (finish)
#   DONE                     the runner is finished
# The host (scripts/verdict.py: judge) fails a file that began and did
# not end, a plan not met, a boot without DONE, and any other line.
# A check's name is stable: figures, releases and versions go in a
# diagnostic (note), so that two runs list the same names.

# Used by the files that source this one.
# shellcheck disable=SC2034
{
	TESTS=${TESTS:-/tests}
	MODS=/modules/this	# built for the running kernel
	OTHER_MODS=/modules/other	# built for another kernel series
	DEV=/dev/kernel-roulette
	KLOG=/tmp/kernel.log	# what drain took out of the ring buffer
	NL='
'
}
TEST=${TEST:-$(basename "$0" .sh)}

emit() {
	printf '%s\n' "$*" >>"$RESULTS"
	printf '%s\n' "$*"
}

# One result line each, whatever the check's name holds: newlines print as \n.
oneline() {
	printf '%s' "$*" | awk 'NR > 1 { printf "\\n" } { printf "%s", $0 } END { print "" }'
}

pass() {
	emit "$(oneline "PASS: $TEST: $1")"
}

fail() {
	emit "$(oneline "FAIL: $TEST: $1")"
	note "$2"
}

skip() {
	emit "$(oneline "SKIP: $TEST: $1")"
	note "$2"
}

# note TEXT: a diagnostic of the check just recorded.
note() {
	emit "$(oneline "# $1")"
}

# finish: the last line of every suite file; a file that stops before it fails.
finish() {
	emit "END: $TEST"
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
		fail "$1" "'$(printf '%s' "$3" | head -c 300)' does not match /$2/"
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

# The kernel log, modules, the device and the load generator: their
# helpers and checks are in lib-kernel.sh, part of this library.
# shellcheck source=lib-kernel.sh
. "${TESTS}/lib-kernel.sh"

# --- the runner ---------------------------------------------------------------

# cmdline_arg NAME: the value of NAME= on the kernel command line.
cmdline_arg() {
	tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p" | tail -n 1
}
RESULTS=${RESULTS:-$(cmdline_arg results 2>/dev/null)}
RESULTS=${RESULTS:-/dev/ttyS1}

# suite_files NAME...: a directory under $TESTS gives its [0-9]*.sh files
# in order, a file names itself.
suite_files() {
	for _s in "$@"; do
		if [ -d "$TESTS/$_s" ]; then
			for _f in "$TESTS/$_s"/[0-9]*.sh; do
				[ -f "$_f" ] && echo "$_f"
			done
		else
			echo "$TESTS/$_s"
		fi
	done
}

# run_suites NAME...: PLAN, every file of the named suites, then the kernel
# log checks (file "kernel-log"), then DONE.
run_suites() {
	_files=$(suite_files "$@")
	emit "PLAN: $(($(echo "$_files" | grep -c .) + 1))"
	for _f in $_files; do
		_t=${_f#"$TESTS"/}
		emit "BEGIN: ${_t%.sh}"
		if [ -f "$_f" ]; then
			TEST=${_t%.sh} sh "$_f"
		else
			TEST=${_t%.sh} fail "suite file" "no $_f"
		fi
		unload_all
	done
	TEST=kernel-log
	emit "BEGIN: $TEST"
	kmemleak_check
	kernel_log_clean
	finish
	emit "DONE"
}
