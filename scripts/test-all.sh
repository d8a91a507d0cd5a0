#!/bin/bash
# make test-all (the README's test command, and CI's): every stage that
# proves the project on this machine, one closing count.
#   check    static checks (checkpatch, W=1 + sparse on 6 flavours, shellcheck)
#   test     guest tests in booted Debian kernels (QEMU TCG)
#   systest  package life cycle in a booted Debian 12 system
# ROULETTE_STAGES picks a subset, e.g. ROULETTE_STAGES="check test".
set -uo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

stages=${ROULETTE_STAGES:-check test systest}
mkdir -p "$ROULETTE_OUT"
total_pass=0 total_fail=0 summary=()
for stage in $stages; do
	script=$ROULETTE_TOP/scripts/$stage.sh
	[ "$stage" = test ] && script=$ROULETTE_TOP/scripts/guest-test.sh
	[ -x "$script" ] || die "no script for stage '$stage'"
	logf=$ROULETTE_OUT/test-all-$stage.log
	log "stage $stage"
	start=$SECONDS
	"$script" 2>&1 | tee "$logf"
	rc=${PIPESTATUS[0]}
	counts=$(tr -d '\r' <"$logf" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
	p=$(echo "$counts" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
	f=$(echo "$counts" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
	p=${p:-0} f=${f:-0}
	# A stage that failed without saying what counts as one failure.
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
	summary+=("$(printf '%-8s %4d passed, %3d failed, %4d s' "$stage" "$p" "$f" $((SECONDS - start)))")
done
echo
printf '%s\n' "${summary[@]}"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ] && [ "$total_pass" -gt 0 ]
