#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make test-debug: our drivers on a kernel with its bug detectors on (KASAN,
# UBSAN, lockdep, ODEBUG, kmemleak: scripts/build-debug-kernel.sh, cached).
#   suite      scripts/test.sh test-debug: the guest suite and the panic
#              boot on the debug row, the modules built with W=1;
#   builtin    bzImage-builtin (hello, mymod, roulette =y) booted with
#              "mymod.sec=2 roulette.chance=0": tests/debug/builtin.sh;
#              this phase, faults and kunit run on the test-debug-kernel
#              row of tests/kernels.conf (stage_kernel: debug, KASAN's);
#   detectors  tests/debug/canary.ko makes one bug of each kind and each
#              must be reported (tests/debug/detectors.sh), so that a clean
#              scan elsewhere means something: on each debug kernel of the
#              stage's rows (scripts/lib-rows.sh: stage_rows, each_row;
#              KASAN's set, or KCSAN's planted race), both with
#              DEBUG_KOBJECT_RELEASE's kobject in freed module memory;
#   faults     fault injection (tests/faults/): the Nth allocation of each
#              module's init fails, N = 1, 2, ... until a load succeeds;
#              then the stress load while failslab fails 2% of it;
#   kunit      roulette.ko and mymod.ko built with ROULETTE_KUNIT=1 (W=1 +
#              sparse clean) run their KUnit suites (src/*_kunit.c) at load:
#              tests/debug/kunit.sh turns each KTAP case into a check.
# The console of every boot is scanned for the patterns of
# tests/kernel-reports.txt (scripts/verdict.py, in every stage): what
# reaches only the console (with a panic).
# All of it goes to out/results/test-debug.txt, under one closing line.
#
#   scripts/test-debug.sh [suite] [builtin] [detectors] [faults] [kunit]   default: all
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -gt 0 ] || set -- suite builtin detectors faults kunit
phases=" $* "
for p in "$@"; do
	case $p in
	suite | builtin | detectors | faults | kunit) ;;
	*) die "usage: test-debug.sh [suite] [builtin] [detectors] [faults] [kunit]" ;;
	esac
done
guest_host_setup || die "cannot install host packages"
drow=$(stage_kernel test-debug-kernel) || die "no kernel for test-debug-kernel in tests/kernels.conf"
kernel_resolve "$drow" || die "no debug kernel"
DEBUG_KERNEL=${DEBUG_KERNEL_OF[${FLAVOUR_OF[$drow]}]}
log "debug kernel $(cat "$DEBUG_KERNEL/kernelrelease") in $DEBUG_KERNEL ($(tr '\n' ' ' <"$DEBUG_KERNEL/build-times"))"
work=$ROULETTE_OUT/test-debug
mkdir -p "$work"
# Its boots are debug-short boots (tests/boots.conf: scripts/test.sh's
# suite boots are debug ones), but for those below that name their own kind.
GUEST_KIND=debug-short

if [[ $phases == *" suite "* ]]; then
	# its checks are this stage's results, judged at the close below; its
	# status repeats them (a die before its own close is in its log only)
	"$ROULETTE_TOP/scripts/test.sh" test-debug || true
	# test.sh opened the stage's results: append to them, close them once.
	RESULTS_FILE=$ROULETTE_OUT/results/test-debug.txt
else
	results_open test-debug
fi

if [[ $phases == *" builtin "* ]]; then
	mkdir -p "$work/builtin"
	guest_initramfs "$work/builtin/initrd.gz" || die "cannot build the initramfs"
	guest_run "$drow-builtin" "$work/builtin" "$DEBUG_KERNEL/bzImage-builtin" "$work/builtin/initrd.gz" \
		"suites=debug/builtin.sh mymod.sec=2 roulette.chance=0" || true	# the boot's verdict is recorded (guest_wait)
fi

if [[ $phases == *" detectors "* ]]; then
	# Each debug kernel of the table (debug: KASAN; kcsan: KCSAN, 2 CPUs
	# for its watchpoints to see a second thread) proves its detectors.
	detectors_row() {
		local t=$1 f tag cdir
		[ "${META_OF[$t]}" = source ] || return 0
		f=${FLAVOUR_OF[$t]} tag=debug-detectors
		[ "$f" = debug ] || tag=$t-detectors
		cdir=$work/$tag
		rm -rf "$cdir" && mkdir -p "$cdir"
		cp "$ROULETTE_TOP/tests/debug/canary.c" "$cdir/"
		echo 'obj-m := canary.o' >"$cdir/Kbuild"
		if make -s -C "${DEBUG_KERNEL_OF[$f]}/tree" M="$cdir" W=1 modules >"$cdir/build.log" 2>&1 &&
			! grep -qi -e 'warning:' -e 'error:' "$cdir/build.log"; then
			guest_initramfs "$cdir/initrd.gz" --add "$cdir/canary.ko" modules/canary.ko ||
				die "cannot build the initramfs"
			# The canaries' reports reach the console too (lockdep's report
			# raises its level): its scan judges only what follows them.
			ROULETTE_CONSOLE_FROM="roulette-test: canaries done" GUEST_KIND=detectors \
				guest_run "$tag" "$cdir" "${DEBUG_KERNEL_OF[$f]}/bzImage-modules" \
				"$cdir/initrd.gz" "suites=debug/detectors.sh flavour=$f" || true	# its verdict is recorded
		else
			record FAIL "[$tag] canary build" "$(head -n 3 "$cdir/build.log" | tr '\n' ' ')"
		fi
	}
	stage_rows test-debug "$work"
	each_row detectors_row
fi

if [[ $phases == *" faults "* ]]; then
	fdir=$work/faults
	mkdir -p "$fdir"
	# A faults boot (tests/boots.conf): 1800 s for about 200 unloads, each
	# delayed 1-4 s by DEBUG_KOBJECT_RELEASE.
	if kernel_build "$drow" "$fdir/modules" >"$fdir/build.log" 2>&1; then
		guest_initramfs "$fdir/initrd.gz" --krel "${KREL_OF[$drow]}" --mods "$fdir/modules" \
			--bin "$(static_tool "$ROULETTE_TOP/tests/stress/rstress.c")" ||
			die "cannot build the initramfs"
		GUEST_KIND=faults guest_run "$drow-faults" "$fdir" "$DEBUG_KERNEL/bzImage-modules" \
			"$fdir/initrd.gz" suites=faults || true	# the boot's verdict is recorded (guest_wait)
		"${VERDICT[@]}" data "$fdir/$drow-faults.results" | sed "s/^/[$drow-faults] DATA: /" >&2
	else
		record FAIL "[$drow-faults] module build" "$(tail -n 3 "$fdir/build.log" | tr '\n' ' ')"
	fi
fi

if [[ $phases == *" kunit "* ]]; then
	kdir=$work/kunit
	mkdir -p "$kdir"
	if kernel_build "$drow" "$kdir/modules" W=1 C=2 ROULETTE_KUNIT=1 >"$kdir/build.log" 2>&1 &&
		! grep -v -e '^Skipping BTF generation' -e '^==> ' "$kdir/build.log" | grep -qi -e 'warning:' -e 'error:'; then
		guest_initramfs "$kdir/initrd.gz" --krel "${KREL_OF[$drow]}" --mods "$kdir/modules" ||
			die "cannot build the initramfs"
		guest_run "$drow-kunit" "$kdir" "$DEBUG_KERNEL/bzImage-modules" "$kdir/initrd.gz" \
			suites=debug/kunit.sh || true	# the boot's verdict is recorded (guest_wait)
	else
		record FAIL "[$drow-kunit] module build (W=1, sparse, ROULETTE_KUNIT=1)" \
			"$(grep -i -m 3 -e 'warning:' -e 'error:' "$kdir/build.log" | tr '\n' ' ')"
	fi
fi

results_close
