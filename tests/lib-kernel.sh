# shellcheck shell=sh
# Part of the guests' one assertion library (tests/lib.sh sources it; suite
# files source only lib.sh): the kernel log (marks, windows, reports,
# kmemleak), modules and the device, and rstress, the stress and faults
# suites' load generator. POSIX sh (busybox, dash).

# --- the kernel log -----------------------------------------------------------

# mark NAME: write a unique line to the kernel log and print it.
mark() {
	_mark="roulette-test: mark $TEST $1 $$"
	echo "$_mark" >/dev/kmsg
	echo "$_mark"
}

# log_between MARK [END-MARK]: the messages after MARK (and before END-MARK),
# without timestamps. Status 1, and nothing printed, when a mark is missing:
# an absence check must not pass because its window was never found.
log_between() {
	dmesg | sed 's/^\[[ 0-9.]*\] //' | awk -v a="$1" -v b="${2:-}" '
		inw && b != "" && $0 == b { closed = 1; inw = 0 }
		inw { out[++n] = $0 }
		$0 == a { inw = 1; seen = 1 }
		END {
			if (!seen || (b != "" && !closed)) exit 1
			for (i = 1; i <= n; i++) print out[i]
		}'
}

log_since() {
	log_between "$1"
}

# log_times_since MARK PATTERN: timestamps (seconds) of matching lines after MARK.
log_times_since() {
	dmesg | awk -v m="$1" -v p="$2" 'f && index($0, p) {
		sub(/^\[ */, ""); sub(/\].*/, ""); print } index($0, m) { f = 1 }'
}

# expect_log NAME MARK FIXED-STRING: a line after MARK contains the string.
expect_log() {
	if log_since "$2" | grep -qF -- "$3"; then
		pass "$1"
	else
		fail "$1" "no '$3' after the mark in the kernel log"
	fi
}

# expect_no_log NAME EXTENDED-REGEX MARK [END-MARK]: no line in the window
# matches, and the window exists.
expect_no_log() {
	if ! _win=$(log_between "$3" "${4:-}"); then
		fail "$1" "a mark is missing in the kernel log: $3 ${4:+/ $4}"
	elif printf '%s\n' "$_win" | grep -qE -- "$2"; then
		fail "$1" "'$(printf '%s\n' "$_win" | grep -E -m1 -- "$2")'"
	else
		pass "$1"
	fi
}

# Oops tests bracket the oops they cause, so the report scan excuses it;
# at KERN_EMERG, so that the console (the host's scan) shows the marks too.
expect_oops_begin() {
	echo "<0>roulette-test: expected-oops-begin" >/dev/kmsg
}

expect_oops_end() {
	echo "<0>roulette-test: expected-oops-end" >/dev/kmsg
}

# drain: move the ring buffer into KLOG (a flood cannot push reports out).
drain() {
	dmesg -c >>"$KLOG"
}

kernel_log() {
	cat "$KLOG" 2>/dev/null
	dmesg
}

# kernel_reports CLASS: the kernel log's lines that match a pattern of that
# class in $TESTS/kernel-reports.txt; "oops" lines inside an expected-oops
# window are excused, and a window left open is a report itself.
kernel_reports() {
	kernel_log | report_scan "$1"
}

# report_patterns CLASS...: the patterns of those classes in
# $TESTS/kernel-reports.txt, one ERE a line: the guest's one reader of that
# file (the host's: scripts/verdict.py).
report_patterns() {
	awk -v want=" $* " '!/^#/ && /[^ ]/ && index(want, " " $1 " ") {
		sub(/^[a-z]+ +/, ""); print }' "$TESTS/kernel-reports.txt"
}

# report_scan CLASS: kernel_reports's scan of the log lines on stdin (the
# patterns through the environment: awk -v would read their backslashes
# as escapes).
report_scan() {
	REPORT_PATTERNS=$(report_patterns "$1") awk -v want="$1" '
		BEGIN { n = split(ENVIRON["REPORT_PATTERNS"], p, "\n") }
		/roulette-test: expected-oops-begin/ { w = 1; next }
		/roulette-test: expected-oops-end/ { w = 0; next }
		{ for (i = 1; i <= n; i++) if ($0 ~ p[i] && !(w && want == "oops")) { print; break } }
		END { if (w && want == "oops") print "expected-oops-begin without an end" }'
}

# kernel_log_clean: the checks every boot ends with.
kernel_log_clean() {
	expect_eq "kernel log: no warning, BUG, oops or trace outside the expected oops" "" \
		"$(kernel_reports oops | head -n 3)"
	expect_eq "kernel log: no debug-detector report (KASAN, UBSAN, lockdep, ODEBUG, kmemleak), expected oops included" "" \
		"$(kernel_reports detector | head -n 3)"
}

KMEMLEAK=/sys/kernel/debug/kmemleak

# kmemleak_check: on a kernel with kmemleak, no leak in a frame of ours
# (two scans: an object is reported once it stayed unreferenced). A frame
# is a backtrace line, "function+0xOFF/0xSIZE [module]": not the hex dump,
# whose text may be anything.
kmemleak_check() {
	[ -w "$KMEMLEAK" ] || return 0
	kmemleak_scans
	_ours=$(awk '/^ +[^ ]+\+0x[0-9a-f]+\/0x[0-9a-f]+/ && /roulette|mymod|hello/' "$KMEMLEAK")
	expect_eq "kmemleak: no leak in a roulette, mymod or hello frame" 0 \
		"$(printf '%s' "$_ours" | grep -c .)"
	echo "INFO: kmemleak lists $(grep -c '^unreferenced object' "$KMEMLEAK") unreferenced objects in all"
	head -n 40 "$KMEMLEAK"
}

# kmemleak_scans: the two scans that report every leak made so far: an
# object is reported once it is older than 5 s and unchanged since the
# scan before.
kmemleak_scans() {
	echo scan >"$KMEMLEAK"
	sleep 6
	echo scan >"$KMEMLEAK"
}

# kmemleak_begin: on a kernel with kmemleak, forget every leak so far
# (reported, then cleared): kmemleak_none then judges what was allocated
# since.
kmemleak_begin() {
	[ -w "$KMEMLEAK" ] || return 0
	kmemleak_scans
	echo clear >"$KMEMLEAK"
}

# kmemleak_none NAME: on a kernel with kmemleak, not one unreferenced object
# since kmemleak_begin, whatever its frames (a read path leaks the kernel's
# objects: an iovec array, an AIO or io_uring request, a pipe's buffers).
kmemleak_none() {
	[ -w "$KMEMLEAK" ] || return 0
	kmemleak_scans
	_leaks=$(grep -c '^unreferenced object' "$KMEMLEAK")
	expect_eq "$1" 0 "$_leaks"
	[ "$_leaks" = 0 ] || head -n 60 "$KMEMLEAK"
}

# --- modules and the device -------------------------------------------------

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
	[ -d "/sys/module/$1" ] && grep -q "^$1 " /proc/modules
}

# unload_all: leave no module of ours behind, whatever a file did.
unload_all() {
	for _m in roulette mymod hello canary; do
		loaded "$_m" && rmmod "$_m" >/dev/null 2>&1
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

# --- rstress, the load generator of the stress and faults suites ------------

# counter FILE KEY: a counter of the STAT line rstress printed into FILE (0: none).
counter() {
	_c=$(sed -n "s/^STAT: .* $2=\([0-9]*\).*/\1/p" "$1" | head -n 1)
	echo "${_c:-0}"
}

# verdict NAME STATUS FILE KEY: rstress exited 0 and did KEY at least once;
# a phase that did nothing (the device never appeared) fails.
verdict() {
	_line=$(grep '^STAT: ' "$3" | head -n 1)
	echo "$_line"
	if [ "$2" = 0 ] && [ "$(counter "$3" "$4")" -gt 0 ] 2>/dev/null; then
		pass "$1"
	else
		fail "$1" "status $2, $4 '$(counter "$3" "$4")': ${_line:-no STAT line} $(grep -v '^STAT: ' "$3" | head -n 3 | tr '\n' ' ')"
	fi
}

# readers_beside SECS N MODE READERS-CHECK FLIPS-CHECK LOOP-CHECK: N readers
# of the loaded roulette for SECS, beside sysfs flips (boom MODE) and a
# mymod sec=1 load/unload loop; STAT lines in /tmp/read.out, flip.out, load.out.
readers_beside() {
	/bin/rstress loadloop "$MODS/mymod.ko" "$1" sec=1 >/tmp/load.out 2>&1 &
	_lpid=$!
	/bin/rstress flip "$1" "$3" >/tmp/flip.out 2>&1 &
	_fpid=$!
	/bin/rstress readers "$DEV" "$2" "$1" >/tmp/read.out 2>&1
	_rst=$?
	wait "$_fpid"
	_fst=$?
	wait "$_lpid"
	_lst=$?
	verdict "$4" "$_rst" /tmp/read.out opens
	verdict "$5" "$_fst" /tmp/flip.out writes
	verdict "$6" "$_lst" /tmp/load.out cycles
}

# reload_under_readers SECS N OUT READERS-CHECK LOOP-CHECK: roulette (not
# loaded) reloaded in a loop for SECS beside N readers that accept its
# absence; the readers' STAT in OUT, the loop's in /tmp/reload.out.
reload_under_readers() {
	/bin/rstress reloadloop "$MODS/roulette.ko" "$1" chance=0 boom=signal >/tmp/reload.out 2>&1 &
	_lpid=$!
	/bin/rstress readers "$DEV" "$2" "$1" gone-ok >"$3" 2>&1
	_rst=$?
	wait "$_lpid"
	_lst=$?
	verdict "$4" "$_rst" "$3" opens
	verdict "$5" "$_lst" /tmp/reload.out cycles
}
