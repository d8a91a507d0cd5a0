#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make test-debug: the guest suite on a kernel with its bug detectors on,
# and the drivers built into that kernel.
#   1. scripts/build-debug-kernel.sh (cached; the first build takes long);
#   2. our modules built against the debug tree and the whole guest suite
#      (scripts/guest-test.sh --kernel) run on it, kmemleak scan included;
#   3. the built-in kernel (hello, mymod, roulette =y) booted with
#      "mymod.sec=2 roulette.chance=0": parameters, device at boot, ticks;
#   4. the console logs of both scanned for detector reports;
#   5. the detectors' self-test: tests/debug/canary.ko makes one bug of each
#      kind (KASAN, UBSAN, DEBUG_OBJECTS, atomic sleep, lockdep, kmemleak)
#      and each must be reported, so a clean run above means something.
# Any KASAN/UBSAN/lockdep/kmemleak/DEBUG_OBJECTS report in 2-4 fails the run.
#
#   scripts/test-debug.sh [suite] [builtin] [detectors]   default: all three
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

run_suite=0 run_builtin=0 run_detectors=0
[ $# -gt 0 ] || set -- suite builtin detectors
for phase in "$@"; do
	case $phase in
	suite) run_suite=1 ;;
	builtin) run_builtin=1 ;;
	detectors) run_detectors=1 ;;
	*) die "usage: test-debug.sh [suite] [builtin] [detectors]" ;;
	esac
done

guest_host_setup || die "cannot install host packages"
kcache=$("$ROULETTE_TOP/scripts/build-debug-kernel.sh") || die "cannot build the debug kernel"
krel=$(cat "$kcache/kernelrelease")
log "debug kernel $krel in $kcache ($(tr '\n' ' ' <"$kcache/build-times"))"
work=$ROULETTE_OUT/debug
mkdir -p "$work"
results=$work/results.txt
: >"$results"
# KASAN's shadow and kmemleak's pool need room; the detectors slow TCG down.
export ROULETTE_GUEST_MEM=${ROULETTE_GUEST_MEM:-1024}
export ROULETTE_BOOT_TIMEOUT=${ROULETTE_BOOT_TIMEOUT:-900}

record() { # record PASS|FAIL TEXT
	echo "$1: $2" | tee -a "$results"
}

# Reports the detectors print. Several reach the console at KERN_EMERG only
# with a panic; the guest tests scan dmesg themselves, this catches the rest.
detector_re='BUG: KASAN|UBSAN:|WARNING: possible (recursive|circular) locking|inconsistent lock state|ODEBUG:|kmemleak:.*suspected|BUG: sleeping function called'

scan_console() { # scan_console NAME LOG
	local hits
	hits=$(tr -d '\r' <"$2" | grep -a -E "$detector_re" | head -n 3 || true)
	if [ -z "$hits" ]; then
		record PASS "[debug] $1: no KASAN/UBSAN/lockdep/ODEBUG/kmemleak report on the console"
	else
		record FAIL "[debug] $1: detector report: $(echo "$hits" | tr '\n' ' ')"
	fi
}

if [ "$run_suite" = 1 ]; then
	log "guest suite on $krel"
	rc=0
	ROULETTE_OUT=$work/suite "$ROULETTE_TOP/scripts/guest-test.sh" \
		--kernel "$kcache/bzImage-modules" --kdir "$kcache/tree" --name debug || rc=$?
	grep -E '^(PASS|FAIL): ' "$work/suite/guest/results.txt" >>"$results" || true
	[ "$rc" = 0 ] || record FAIL "[debug] guest suite exit status $rc"
	for f in "$work"/suite/guest/debug/*.log; do
		[ -f "$f" ] && scan_console "guest suite $(basename "$f" .log) boot" "$f"
	done
fi

# mini_initramfs OUT INIT [FILE...]: busybox, the guest lib and tools, INIT
# as /init, the FILEs in /modules.
mini_initramfs() {
	local out=$1 init=$2 root
	shift 2
	root=$(mktemp -d) || return 1
	chmod 755 "$root"
	busybox_root "$root" || return 1
	mkdir -p "$root/tests" "$root/modules"
	install -m 755 "$init" "$root/init"
	cp "$ROULETTE_TOP/tests/guest/lib.sh" "$root/tests/lib.sh"
	cp "$work"/tools/{modload,devio,runas} "$root/bin/"
	[ $# -eq 0 ] || cp "$@" "$root/modules/"
	make_initramfs "$root" "$out"
	rm -rf "$root"
}

# guest_run NAME VMLINUZ INITRD APPEND: boot, collect PASS/FAIL lines.
guest_run() {
	local name=$1 logf=$work/$1.log rc=0 start=$SECONDS
	: >"$logf"
	qemu_boot "$2" "$3" "$logf" "$ROULETTE_BOOT_TIMEOUT" "$4" || rc=$?
	guest_results "$logf" "$name" | tee -a "$results"
	if grep -aq '^GUEST-DONE' "$logf"; then
		record PASS "[$name] ran to the end ($((SECONDS - start)) s)"
	else
		record FAIL "[$name] did not finish (qemu status $rc); log tail:"
		tr -d '\r' <"$logf" | tail -n 40 | sed 's/^/    /'
	fi
}

guest_tools "$work/tools" || die "cannot build tests/tools"

if [ "$run_builtin" = 1 ]; then
	log "built-in test on $krel"
	mini_initramfs "$work/builtin-initrd.gz" "$ROULETTE_TOP/tests/debug/builtin-init.sh" ||
		die "cannot build the initramfs"
	guest_run debug-builtin "$kcache/bzImage-builtin" "$work/builtin-initrd.gz" \
		"mymod.sec=2 roulette.chance=0"
	scan_console "built-in boot" "$work/debug-builtin.log"
fi

if [ "$run_detectors" = 1 ]; then
	log "detector self-test on $krel"
	cdir=$work/canary
	rm -rf "$cdir" && mkdir -p "$cdir"
	cp "$ROULETTE_TOP/tests/debug/canary.c" "$cdir/"
	echo 'obj-m := canary.o' >"$cdir/Kbuild"
	if make -s -C "$kcache/tree" M="$cdir" W=1 modules >"$cdir/build.log" 2>&1 &&
		! grep -qi -e 'warning:' -e 'error:' "$cdir/build.log"; then
		mini_initramfs "$work/canary-initrd.gz" "$ROULETTE_TOP/tests/debug/canary-init.sh" \
			"$cdir/canary.ko" || die "cannot build the initramfs"
		guest_run debug-detectors "$kcache/bzImage-modules" "$work/canary-initrd.gz" ""
	else
		record FAIL "[debug-detectors] canary build: $(head -n 3 "$cdir/build.log" | tr '\n' ' ')"
	fi
fi

passed=$(grep -c '^PASS: ' "$results" || true)
failed=$(grep -c '^FAIL: ' "$results" || true)
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
