#!/bin/bash
# shellcheck shell=bash
# The kernel-row loop of every stage, sourced by scripts/lib.sh: which rows
# of tests/kernels.conf a stage runs, each row resolved once and, when its
# kernel is not ready, recorded as skipped or failed once; the stage's work
# on each ready row in turn, or the rows' module builds side by side.
#   stage_rows [--required] STAGE LOGDIR   ROWS: the rows the stage runs
#   ready_rows                             ROWS narrowed to the ready rows,
#                                          the others recorded now
#   each_row FUNCTION [ROW...]             FUNCTION ROW for each ready row,
#                                          the others recorded in their place
#   rows_build OUT LOG [make args...]      ROWS' modules built side by side
#   stage_kernel STAGE                     the one row of a stage part that
#                                          runs one kernel, whatever
#                                          ROULETTE_KERNELS says
# After ready_rows or rows_build a stage may loop over ROWS itself: the
# rows are resolved (KREL_OF ...). Source it (lib.sh does); it runs nothing.

ROWS=()
ROWS_LOG=$ROULETTE_OUT
declare -gA ROWS_BUILT ROW_NOT_READY

# kernel_rows STAGE: the rows a stage runs, in table order; ROULETTE_KERNELS
# (names separated by commas or spaces) overrides the stages column.
kernel_rows() {
	local n
	if [ -n "${ROULETTE_KERNELS:-}" ]; then
		for n in ${ROULETTE_KERNELS//,/ }; do
			kernel_row "$n" >/dev/null || die "no kernel '$n' in tests/kernels.conf"
			echo "$n"
		done
	else
		awk -v s="$1" '!/^#/ && NF >= 6 && index("," $6 ",", "," s ",") { print $1 }' \
			"$KERNEL_TABLE"
	fi
}

# stage_kernel STAGE: the one row of tests/kernels.conf whose stages name
# STAGE, a stage part that runs on one kernel whatever ROULETTE_KERNELS
# says (bench-pkg: make bench's package figures; test-debug-kernel: make
# test-debug's builtin, faults and kunit phases); fails unless the table
# has exactly one.
stage_kernel() {
	local -a rows
	mapfile -t rows < <(ROULETTE_KERNELS='' kernel_rows "$1")
	[ ${#rows[@]} = 1 ] ||
		{ echo "stage $1: ${#rows[@]} rows in tests/kernels.conf, want one" >&2 && return 1; }
	echo "${rows[0]}"
}

# stage_rows [--required] STAGE LOGDIR: ROWS, the rows STAGE runs
# (kernel_rows: in table order, or ROULETTE_KERNELS's), not yet resolved;
# ready_rows, each_row and rows_build resolve them, each row's messages in
# LOGDIR/resolve-ROW.log. --required: a stage that has nothing to do
# without a row dies when the table has none for it.
stage_rows() {
	local required=
	[ "$1" != --required ] || { required=1 && shift; }
	ROWS_LOG=$2
	mkdir -p "$ROWS_LOG"
	mapfile -t ROWS < <(kernel_rows "$1")
	[ -z "$required" ] || [ ${#ROWS[@]} -gt 0 ] || die "no kernel for stage $1 in tests/kernels.conf"
}

# row_ready NAME LOG: resolve the row for a stage; a kernel its archive no
# longer serves is recorded as skipped, any other failure as failed, with
# the reason from LOG, once: asked again, the same status, nothing
# recorded. Status as kernel_resolve's.
row_ready() {
	local t=$1 logf=$2 rc=0
	[ -z "${KREL_OF[$t]:-}" ] || return 0
	[ -z "${ROW_NOT_READY[$t]:-}" ] || return "${ROW_NOT_READY[$t]}"
	kernel_resolve "$t" 2>"$logf" || rc=$?
	case $rc in
	0) return 0 ;;
	2) record SKIP "[$t] kernel unavailable" "$(tail -n 1 "$logf")" ;;
	*) record FAIL "[$t] cannot resolve the kernel" "$(tail -n 3 "$logf" | tr '\n' ' ')" ;;
	esac
	ROW_NOT_READY[$t]=$rc
	return "$rc"
}

# ready_rows: ROWS narrowed to the rows whose kernel is ready (row_ready),
# the others recorded now, in table order.
ready_rows() {
	local t
	local -a ready=()
	for t in "${ROWS[@]}"; do
		row_ready "$t" "$ROWS_LOG/resolve-$t.log" && ready+=("$t")
	done
	ROWS=("${ready[@]}")
}

# each_row FUNCTION [ROW...]: FUNCTION ROW for each row of ROWS (or each
# ROW) in turn whose kernel is ready (row_ready: the others are recorded in
# their place). FUNCTION runs as a loop body would: under set -e its
# failure ends the script, unless each_row is itself tested
# (each_row F || ...). Status: given ROWs, the last one's (not ready, or
# FUNCTION's); else 0.
each_row() {
	local fn=$1 t rc=0
	shift
	local -a rows=("$@")
	[ $# -gt 0 ] || rows=("${ROWS[@]}")
	for t in "${rows[@]}"; do
		rc=0
		row_ready "$t" "$ROWS_LOG/resolve-$t.log" || { rc=$? && continue; }
		"$fn" "$t"
		rc=$?
	done
	[ $# -eq 0 ] || return "$rc"
}

# rows_build OUT LOG [make args...]: the modules of each row of ROWS whose
# kernel resolves, built side by side (kernel_build_status), as many at
# once as the host has cores (a make in a chroot keeps about one busy):
# in OUT, the output in LOG, the exit status in LOG.status, "{}" in OUT
# and LOG standing for the row's name; ROWS_BUILT[ROW] is set for each
# build started. Returns when all have ended. A row whose kernel does not
# resolve is left to ready_rows or each_row to record.
rows_build() {
	local out=$1 logf=$2 t
	shift 2
	for t in "${ROWS[@]}"; do
		kernel_resolve "$t" 2>/dev/null || continue
		mkdir -p "$(dirname "${logf//\{\}/$t}")" && jobs_below "$(nproc)"
		kernel_build_status "$t" "${out//\{\}/$t}" "${logf//\{\}/$t}" "$@" &
		# shellcheck disable=SC2034 # read by the stage (test.sh: build)
		ROWS_BUILT[$t]=1
	done
	wait
}

# kernel_build_status NAME OUTDIR LOG [make args...]: kernel_build with its
# output in LOG and its exit status in LOG.status, for a build run in the
# background (rows_build), or for one row now.
kernel_build_status() {
	local rc=0
	kernel_build "$1" "$2" "${@:4}" >"$3" 2>&1 || rc=$?
	echo "$rc" >"$3.status"
}

# jobs_below N: wait until fewer than N of this shell's background jobs run.
jobs_below() {
	while [ "$(jobs -pr | wc -l)" -ge "$1" ]; do wait -n || true; done
}
