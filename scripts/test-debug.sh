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
#   4. the console logs of both scanned for detector reports.
# Any KASAN/UBSAN/lockdep/kmemleak/DEBUG_OBJECTS report fails the run.
#
#   scripts/test-debug.sh [--builtin-only | --suite-only]
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

run_suite=1 run_builtin=1
case ${1:-} in
--builtin-only) run_suite=0 ;;
--suite-only) run_builtin=0 ;;
"") ;;
*) die "usage: test-debug.sh [--builtin-only | --suite-only]" ;;
esac

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

if [ "$run_builtin" = 1 ]; then
	log "built-in test on $krel"
	guest_tools "$work/tools" || die "cannot build tests/tools"
	root=$(mktemp -d)
	chmod 755 "$root"
	busybox_root "$root" || die "cannot build the initramfs"
	mkdir -p "$root/tests"
	install -m 755 "$ROULETTE_TOP/tests/debug/builtin-init.sh" "$root/init"
	cp "$ROULETTE_TOP/tests/guest/lib.sh" "$root/tests/lib.sh"
	cp "$work"/tools/{modload,devio,runas} "$root/bin/"
	make_initramfs "$root" "$work/builtin-initrd.gz"
	rm -rf "$root"
	logf=$work/builtin.log
	: >"$logf"
	rc=0
	start=$SECONDS
	qemu_boot "$kcache/bzImage-builtin" "$work/builtin-initrd.gz" "$logf" \
		"$ROULETTE_BOOT_TIMEOUT" "mymod.sec=2 roulette.chance=0" || rc=$?
	guest_results "$logf" debug-builtin | tee -a "$results"
	if grep -aq '^GUEST-DONE' "$logf"; then
		record PASS "[debug-builtin] built-in test ran to the end ($((SECONDS - start)) s)"
	else
		record FAIL "[debug-builtin] built-in test did not finish (qemu status $rc); log tail:"
		tr -d '\r' <"$logf" | tail -n 40 | sed 's/^/    /'
	fi
	scan_console "built-in boot" "$logf"
fi

passed=$(grep -c '^PASS: ' "$results" || true)
failed=$(grep -c '^FAIL: ' "$results" || true)
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
