#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make stress: for every kernel of tests/kernels.conf with the "stress"
# stage (or ROULETTE_KERNELS; scripts/lib-rows.sh: stage_rows, each_row),
# in turn, build the modules, boot the kernel under
# QEMU (2 vCPUs) with rstress, stress-ng and trinity in the one initramfs
# and run the suite tests/stress/: parallel readers beside sysfs flips and
# load/unload loops, roulette reloaded under readers, stress-ng and trinity
# on the device as an unprivileged user, a clean unload; the runner's
# kernel-log file scans the whole kernel log and kmemleak. Each kernel's
# mymod load/unload cycles must reach the minimum for its kind (min_cycles).
#
# Environment: ROULETTE_KERNELS, ROULETTE_STRESS_SECS (each reader phase,
# default 15), ROULETTE_FUZZ_SECS (stress-ng and trinity each, default 30),
# ROULETTE_MIN_CYCLES (every kernel's minimum, instead of its kind's);
# the guests' size and timeout: tests/boots.conf (stress, stress-debug).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

secs=${ROULETTE_STRESS_SECS:-15}
fuzz=${ROULETTE_FUZZ_SECS:-30}

# min_cycles NAME: the mymod load/unload cycles the row must reach in the
# six reader phases of tests/stress/10-readers.sh (6 x secs of loop), from
# a rate per kind of kernel, well under the lowest measured:
# - a Debian kernel: 2 cycles/s (180 at 15 s). Measured: 16-18/s idle and
#   6.4-7.6/s beside a kernel build (docs/reliability.md, a host twice as
#   fast); 2026-12-05, this host at load 7-8: 6.1-cloud 669 (7.4/s),
#   6.12-cloud 398 (4.4/s).
# - a debug kernel: 0.07 cycles/s (6 at 15 s). Each unload waits out
#   DEBUG_KOBJECT_RELEASE's delayed releases (1-4 s each). Measured:
#   debug-kcsan 19 (2026-12-04), and 2026-12-05 at load 7-8 debug (KASAN)
#   15 (0.17/s), debug-kcsan 16 (0.18/s).
min_cycles() {
	local per_100s=200
	[ "${META_OF[$1]}" = source ] && per_100s=7
	echo "${ROULETTE_MIN_CYCLES:-$((per_100s * 6 * secs / 100))}"
}
guest_host_setup || die "cannot install host packages"
host_install stress || die "cannot install stress-ng and trinity"
work=$ROULETTE_OUT/stress
results_open stress
stage_rows --required stress "$work"
rstress=$(static_tool "$ROULETTE_TOP/tests/stress/rstress.c")
started=$SECONDS
total=0
# stress_row NAME: a ready row's modules, its stress boot, its cycles.
stress_row() {
	local t=$1 dir=$work/$1 rc=0 cycles min kind
	mkdir -p "$dir"
	kernel_build "$t" "$dir/modules" >"$dir/build.log" 2>&1 || rc=$?
	if [ "$rc" != 0 ]; then
		record FAIL "[$t] module build" "release ${KREL_OF[$t]:-unknown}: $(tail -n 3 "$dir/build.log" | tr '\n' ' ')"
		return 0
	fi
	guest_arch "$t" || die "cannot prepare $t's ${ARCH_OF[$t]} guest"
	guest_initramfs "$dir/initrd.gz" --krel "${KREL_OF[$t]}" --mods "$dir/modules" \
		--bin "$rstress" --dyn /usr/bin/stress-ng --dyn /usr/bin/trinity ||
		die "cannot build the initramfs"
	# The debug kernels' detectors need room and time: their own kind.
	kind=stress
	[ "${META_OF[$t]}" = source ] && kind=stress-debug
	log "$t: stress run on ${KREL_OF[$t]} (${secs}s per reader phase, ${fuzz}s per fuzzer)"
	GUEST_KIND=$kind guest_run "$t" "$dir" "$(kernel_vmlinuz "$t")" "$dir/initrd.gz" \
		"suites=stress stress_secs=$secs fuzz_secs=$fuzz" || true
	"${VERDICT[@]}" data "$dir/$t.results" | sed "s/^/[$t] DATA: /" >&2
	cycles=$("${VERDICT[@]}" data "$dir/$t.results" load_cycles) min=$(min_cycles "$t")
	total=$((total + cycles))
	if [ "$cycles" -ge "$min" ]; then
		record PASS "[$t] mymod load/unload cycles reach the minimum for its kind" "$cycles >= $min"
	else
		record FAIL "[$t] mymod load/unload cycles reach the minimum for its kind" "$cycles < $min"
	fi
}
each_row stress_row
log "stress: $total mymod load/unload cycles over all kernels, wall time $((SECONDS - started)) s"
results_close
