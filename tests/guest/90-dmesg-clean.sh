#!/bin/sh
# The whole run: no warning, BUG, trace or debug-kernel report (KASAN, UBSAN,
# lockdep, DEBUG_OBJECTS) outside the expected oops.
# shellcheck source=lib.sh
. /tests/lib.sh

bad=$(dmesg | sed '/roulette-test: expected-oops-begin/,/roulette-test: expected-oops-end/d' |
	grep -E 'WARNING:|BUG:|kernel BUG|Oops:|Call Trace|soft lockup|hard LOCKUP|INFO: task|UBSAN:|ODEBUG:|possible recursive locking|circular locking|kmemleak:.*new suspected' |
	head -n 3)
expect_eq "no unexpected kernel warnings" "" "$bad"
# Debug-kernel detectors must stay silent even inside the expected oops.
dbg=$(dmesg | grep -E 'BUG: KASAN|UBSAN:|ODEBUG:|possible recursive locking|circular locking|inconsistent lock state|sleeping function called' | head -n 3)
expect_eq "no debug-kernel report anywhere, expected oops included" "" "$dbg"
