#!/bin/bash
# make test-all (the README's test command, and CI's): every stage that
# proves the project on this machine, one closing count.
#   check    static checks (checkpatch, W=1 + sparse for every table row, shellcheck)
#   test     guest tests in booted Debian kernels (QEMU TCG)
#   systest  package life cycle in booted Debian systems
# ROULETTE_STAGES picks a subset, e.g. ROULETTE_STAGES="check test".
# The counts come from each stage's results (out/results/STAGE.jsonl,
# scripts/verdict.py sum), all of them in out/results/test-all.ktap.
# Under CI a skipped check fails the run, except a kernel row whose
# archive no longer serves its kernel ("kernel unavailable").
set -uo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

stages=${ROULETTE_STAGES:-check test systest}
ran=()
for stage in $stages; do
	script=$ROULETTE_TOP/scripts/$stage.sh
	[ -x "$script" ] || die "no script for stage '$stage'"
	rm -f "$ROULETTE_OUT/results/$stage".{txt,jsonl,ktap}
	log "stage $stage"
	start=$SECONDS
	"$script"
	ran+=("$stage:$?:$((SECONDS - start))")
done
# Each stage's line, the total, out/results/test-all.ktap; a stage that
# failed without saying what counts as one failure.
mkdir -p "$ROULETTE_OUT/results"
"${VERDICT[@]}" sum "$ROULETTE_OUT/results" "${ran[@]}"
