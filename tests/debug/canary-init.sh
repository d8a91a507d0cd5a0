#!/bin/sh
# /init for the detector self-test (scripts/test-debug.sh): load
# /modules/canary.ko once per deliberate bug and check that the debug
# kernel reports it with the line our scans look for. If a detector were
# missing from the config, the scans of the real tests would pass vacuously.
# Busybox sh, as root; PASS:/FAIL: lines, then GUEST-DONE.
# shellcheck source=../guest-boot.sh
. /etc/guest-boot.sh
TEST=detectors
# shellcheck source=../guest/lib.sh
. /tests/lib.sh

echo "GUEST-START: $(uname -r)"
kmemleak=/sys/kernel/debug/kmemleak
[ -w "$kmemleak" ] && echo clear >"$kmemleak"

# canary BUG PATTERN: load with bug=BUG, expect PATTERN (ERE) in the log.
canary() {
	m=$(mark "$1")
	got=$(/bin/modload /modules/canary.ko "bug=$1")
	expect_eq "canary bug=$1 loads" ok "$got"
	if log_since "$m" | grep -Eq -- "$2"; then
		pass "$1 is reported: /$2/"
	else
		fail "$1 is reported" "no /$2/ in the kernel log"
	fi
	/bin/modload -r canary >/dev/null
}

# Order matters: lockdep switches itself off after any report that taints
# the kernel "lockdep unreliable" (KASAN's does), and KASAN reports only its
# first bug per boot. Lockdep first, KASAN last.
canary lockdep 'WARNING: possible circular locking dependency detected'
canary sleep 'BUG: sleeping function called from invalid context'
canary odebug 'ODEBUG: free active .*object type: timer_list'
canary ubsan 'UBSAN: shift-out-of-bounds in .*canary\.c'
canary kasan 'BUG: KASAN: slab-out-of-bounds in canary_kasan'

# A leak: kmemleak reports objects unreferenced through two scans, at least
# 5 s old. Keep the module loaded so the backtrace resolves.
expect_eq "canary bug=leak loads" ok "$(/bin/modload /modules/canary.ko bug=leak)"
if [ -w "$kmemleak" ]; then
	sleep 6
	echo scan >"$kmemleak"
	sleep 1
	echo scan >"$kmemleak"
	if grep -q 'canary_leak' "$kmemleak"; then
		pass "leak is reported by kmemleak (backtrace names canary_leak)"
	else
		fail "leak is reported by kmemleak" "$(grep -c '^unreferenced object' "$kmemleak") objects, none from canary_leak"
	fi
else
	fail "leak is reported by kmemleak" "no $kmemleak"
fi
echo "GUEST-DONE"
poweroff -f
