#!/bin/bash
# shellcheck shell=bash
# make systest: the lives side by side (sourced by scripts/systest.sh).
# A life is one system of the story from its restore to its end
# (life_of_a_system, release_upgrade); lives share nothing they write: each
# runs in a subshell (its own globals: TARGET, RECOMMENDS, ROOT_KREL, the
# boots), in a directory of its own, out/systest/LIFE (WORK: its root,
# chroot.log, disks, boots, crash dumps), with its own results file
# (LIFE/results.txt, merged into the stage's by lives_wait) and its output
# in LIFE/life.log, shown whole when it ends; its steps show as they start.
# ROULETTE_SYSTEST_LIVES: how many lives run at once (default 3: the
# arm64 life, mostly qemu-user, uses about half a core, and starts with
# the two amd64 ones instead of after one; three measured 1544 s warm
# against 1685 s for two on 2026-12-05).
# Owns LIFE (the life a subshell runs) and LIVES.

LIVES=()	# "pid name start" of each life running
LIVES_ALL=()	# every life started, in the story's order
declare -gA LIFE_SECS=()

# live NAME FUNCTION ARGS...: FUNCTION ARGS as the life NAME, in the
# background, once fewer than ROULETTE_SYSTEST_LIVES lives run.
live() {
	local name=$1 dir=$STAGE_WORK/$1 max
	shift
	max=$(positive_setting ROULETTE_SYSTEST_LIVES 3) || exit
	while [ ${#LIVES[@]} -ge "$max" ]; do life_end; done
	mkdir -p "$dir" && rm -f "$dir"/{results.txt,results.jsonl,life.log,timings,sizes,ended} || return
	log "life $name: started (${#LIVES[@]} other running), its log: $dir/life.log"
	life_run "$name" "$dir" "$@" &
	LIVES+=("$! $name $SECONDS")
	LIVES_ALL+=("$name")
}

# life_run NAME DIR FUNCTION ARGS...: the life's subshell (live): its
# globals, output and results its own; DIR/ended when it reached its end.
life_run() {
	local dir=$2
	# shellcheck disable=SC2034 # the steps' (common.sh, lib-guest.sh)
	LIFE=$1 WORK=$dir ROOT=$dir/root ROOT_LOG=$dir/chroot.log GUEST_BOOTS=()
	timings=() sizes=()
	shift 2
	exec 3>&2 >"$dir/life.log" 2>&1
	trap 'life_left "$dir"; guest_kill' EXIT
	trap 'echo "interrupted" >&2; exit 130' INT TERM
	: >"$ROOT_LOG"
	results_open "$dir/results.txt"
	# a life whose story returned early (a step's || return) did not end
	"$@" && touch "$dir/ended"
}

# life_left DIR: the life's timings and crash dumps' sizes, for lives_wait
# (also of a life that did not reach its end).
life_left() {
	[ ${#timings[@]} -eq 0 ] || printf '%s\n' "${timings[@]}" >"$1/timings"
	[ ${#sizes[@]} -eq 0 ] || printf '%s\n' "${sizes[@]}" >"$1/sizes"
}

# life_end: wait for the first running life to end; show its log whole.
# A life that did not reach its end (killed, a shell error) fails.
life_end() {
	local l name t0 rc dir
	wait_first LIVES l rc || return 0
	read -r _ name t0 <<<"$l"
	dir=$STAGE_WORK/$name LIFE_SECS[$name]=$((SECONDS - t0))
	log "life $name: ended after ${LIFE_SECS[$name]} s; its log ($dir/life.log):"
	sed -u "" "$dir/life.log"	# a line a write: the other lives' step lines fall between lines
	log "life $name: end of its log"
	if [ -e "$dir/ended" ]; then
		record PASS "[$name] the life ran to its end"
	else
		record FAIL "[$name] the life ran to its end" "exit status $rc, see $dir/life.log"
	fi
	life_tidy "$dir"
}

# life_tidy DIR: a life with no failure leaves its guest disks behind no
# more (the disks of lives side by side would add up to 30 GB; the dumps,
# consoles and logs stay).
life_tidy() {
	grep -q '^FAIL' "$1/results.txt" 2>/dev/null ||
		rm -f "$1/disk.img" "$1"/kdump/*.img "$1"/sb/*.disk "$1/sb/disk.img"
}

# lives_wait: every life ended, their results merged into the stage's,
# their timings and crash dumps' sizes added to the stage's, in the
# story's order.
lives_wait() {
	local name dir
	while [ ${#LIVES[@]} -gt 0 ]; do life_end; done
	for name in "${LIVES_ALL[@]}"; do
		dir=$STAGE_WORK/$name
		[ ! -e "$dir/results.txt" ] || results_merge "$dir/results.txt"
		[ ! -s "$dir/timings" ] || mapfile -t -O ${#timings[@]} timings <"$dir/timings"
		[ ! -s "$dir/sizes" ] || mapfile -t -O ${#sizes[@]} sizes <"$dir/sizes"
		timing "$name: the whole life" "${LIFE_SECS[$name]}"
	done
}

# lives_kill: end the lives still running (an interrupted stage).
lives_kill() {
	local l
	for l in "${LIVES[@]}"; do kill "${l%% *}" 2>/dev/null; done
}
