#!/bin/bash
# shellcheck shell=bash
# make systest's harness (sourced by scripts/systest.sh, the story): the
# paths of the run, host checks (expect_host), steps (step, skipped when
# ROULETTE_SYSTEST_SKIP names them), timings, the end of the run, and apt in
# the system under test ($ROOT: lib-root.sh's R and Rout, log $ROOT_LOG).
# The lives side by side: systest/lives.sh, which sets WORK, ROOT and
# ROOT_LOG to a life's own.

# The stage's directory (build.log, next/: version N+1, the repositories'
# apt and dnf state, a directory a life); WORK: the directory of the system
# under test, its life's (live).
# shellcheck disable=SC2034 # the steps' and lib-root.sh's R and Rout
STAGE_WORK=$ROULETTE_OUT/systest WORK=$ROULETTE_OUT/systest ROOT=$WORK/root ROOT_LOG=$WORK/chroot.log
LOCAL_LIST=/etc/apt/sources.list.d/roulette-systest.list
timings=()

# expect_as TARGET NAME DETAIL CMD...: check "[TARGET] NAME" (lib.sh) of
# CMD, DETAIL its failure's detail; a failure shows the tail of the
# rootfs's log. expect_host NAME DETAIL CMD...: the same for the story's
# $TARGET.
expect_as() {
	local tag=$1 name=$2 detail=$3
	shift 3
	check "[$tag] $name" --detail "$detail" -- "$@" && return
	tail -n 20 "$ROOT_LOG" | sed 's/^/    | /'
	return 1
}
expect_host() { expect_as "$TARGET" "$@"; }

# step FUNCTION ARGS...: one step of the story, timed; recorded as skipped
# when ROULETTE_SYSTEST_SKIP names it. The check "[TARGET] step FUNCTION"
# fails when the step returns non-zero without having recorded a FAIL (a
# step that stopped early, or is not defined: 127), so that its checks
# cannot vanish unseen.
step() {
	local t0=$SECONDS rc=0 fails
	if [[ " ${ROULETTE_SYSTEST_SKIP:-} " == *" $1 "* ]]; then
		record SKIP "[$TARGET] step $1" "ROULETTE_SYSTEST_SKIP"
		return 0
	fi
	log "step: $TARGET: $*"
	# a life's log is shown when it ends: its steps show as they start
	[ -z "${LIFE:-}" ] || log "step: $TARGET: $*" 2>&3
	fails=$(grep -c '^FAIL' "$RESULTS_FILE")
	"$@" || rc=$?
	if [ "$rc" = 0 ] || [ "$(grep -c '^FAIL' "$RESULTS_FILE")" -gt "$fails" ]; then
		record PASS "[$TARGET] step $1" "exit status $rc"
	else
		record FAIL "[$TARGET] step $1" "exit status $rc and no check failed: it stopped early (127: not defined)"
	fi
	timing "$TARGET: $1" $((SECONDS - t0))
	return "$rc"
}

# timing NAME SECONDS: a line of the timings the run prints at its end.
timing() { timings+=("$(printf '%-60s %4d s' "$1" "$2")"); }

# the_end: the last host check, the timings (and the crash dumps' sizes),
# the closing line; exits.
the_end() {
	local left
	left=$(pgrep -af "$ROULETTE_OUT/")
	expect_as host "nothing left running from out/ (gpg-agent, QEMU)" "$left" test -z "$left"
	echo
	echo "systest timings:"
	timing total "$SECONDS"
	printf '  %s\n' "${timings[@]}"
	crash_dump_sizes
	results_close
	exit
}

# note TEXT: a diagnostic line of the run (the releases and versions
# behind the checks, whose names stay the same from run to run).
note() { log "$TARGET: $*"; }
logged() { local f=$1; shift; "$@" >>"$f" 2>&1; } # logged FILE CMD...
since() { tail -n +"$(($1 + 1))" "$ROOT_LOG"; } # since LINE: the log after it
log_lines() { wc -l <"$ROOT_LOG"; }

# apt_get ARGS...: the system's apt-get, Recommends as its kind (install_mode).
apt_get() {
	[ "$RECOMMENDS" = on ] || set -- --no-install-recommends "$@"
	R apt-get -y -o DPkg::Lock::Timeout=60 "$@"
}

# apt_get_local ARGS...: apt-get after reading the local repositories'
# lists only (the suite's lists in the base are kept, the kernel debs cached).
apt_get_local() {
	R apt-get update -o Dir::Etc::SourceList="$LOCAL_LIST" -o Dir::Etc::SourceParts=- \
		-o APT::Get::List-Cleanup=0 && apt_get "$@"
}
