#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make stress: for every kernel of tests/kernels.conf with the "stress"
# stage (or ROULETTE_KERNELS), build the modules, boot the kernel under
# QEMU (2 vCPUs) with rstress, stress-ng and trinity in the one initramfs
# and run the suite tests/stress/: parallel readers beside sysfs flips and
# load/unload loops, roulette reloaded under readers, stress-ng and trinity
# on the device as an unprivileged user, a clean unload; the runner's
# kernel-log file scans the whole kernel log and kmemleak. Last, the mymod
# load/unload cycles summed over all kernels must reach a minimum.
#
# Environment: ROULETTE_KERNELS, ROULETTE_STRESS_SECS (each reader phase,
# default 15), ROULETTE_FUZZ_SECS (stress-ng and trinity each, default 30),
# ROULETTE_MIN_CYCLES (default 1000), ROULETTE_BOOT_TIMEOUT (default 420 s,
# 600 s for the debug kernel).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

secs=${ROULETTE_STRESS_SECS:-15}
fuzz=${ROULETTE_FUZZ_SECS:-30}
min_cycles=${ROULETTE_MIN_CYCLES:-1000}
guest_host_setup || die "cannot install host packages"
apt_install stress-ng trinity || die "cannot install stress-ng and trinity"
work=$ROULETTE_OUT/stress
results_open stress
mapfile -t rows < <(kernel_rows stress)
[ ${#rows[@]} -gt 0 ] || die "no kernel for stage stress in tests/kernels.conf"
rstress=$(static_tool "$ROULETTE_TOP/tests/stress/rstress.c")
started=$SECONDS
cycles=0
for t in "${rows[@]}"; do
	dir=$work/$t rc=0
	mkdir -p "$dir"
	row_ready "$t" "$dir/resolve.log" || continue
	kernel_build "$t" "$dir/modules" >"$dir/build.log" 2>&1 || rc=$?
	if [ "$rc" != 0 ]; then
		record FAIL "[$t] module build" "release ${KREL_OF[$t]:-unknown}: $(tail -n 3 "$dir/build.log" | tr '\n' ' ')"
		continue
	fi
	guest_arch "$t" || die "cannot prepare $t's ${ARCH_OF[$t]} guest"
	guest_initramfs "$dir/initrd.gz" --krel "${KREL_OF[$t]}" --mods "$dir/modules" \
		--bin "$rstress" --dyn /usr/bin/stress-ng --dyn /usr/bin/trinity ||
		die "cannot build the initramfs"
	# The debug kernels' detectors need room and time.
	mem=1024 limit=420
	[ "${META_OF[$t]}" = source ] && mem=1536 limit=600
	log "$t: stress run on ${KREL_OF[$t]} (${secs}s per reader phase, ${fuzz}s per fuzzer)"
	ROULETTE_GUEST_MEM=$mem ROULETTE_GUEST_CPUS=2 ROULETTE_BOOT_TIMEOUT=${ROULETTE_BOOT_TIMEOUT:-$limit} \
		guest_run "$t" "$dir" "$(kernel_vmlinuz "$t")" "$dir/initrd.gz" \
		"suites=stress stress_secs=$secs fuzz_secs=$fuzz log_buf_len=4M" || true
	"${VERDICT[@]}" data "$dir/$t.results" | sed "s/^/[$t] DATA: /" >&2
	cycles=$((cycles + $("${VERDICT[@]}" data "$dir/$t.results" load_cycles)))
done

if [ "$cycles" -ge "$min_cycles" ]; then
	record PASS "[all] mymod load/unload cycles over all kernels reach the minimum" "$cycles >= $min_cycles"
else
	record FAIL "[all] mymod load/unload cycles over all kernels reach the minimum" "$cycles < $min_cycles"
fi
log "stress wall time: $((SECONDS - started)) s"
results_close
