#!/bin/sh
# The whole run: no warning, BUG, trace or debug-kernel report (KASAN, UBSAN,
# lockdep, DEBUG_OBJECTS) outside the expected oops.
# shellcheck source=lib.sh
. /tests/lib.sh

bad=$(dmesg | sed '/roulette-test: expected-oops-begin/,/roulette-test: expected-oops-end/d' |
	grep -E 'WARNING:|BUG:|kernel BUG|Oops:|Call Trace|soft lockup|hard LOCKUP|INFO: task|UBSAN:|ODEBUG:|possible recursive locking|circular locking|kmemleak:.*new suspected' |
	head -n 3)
expect_eq "no unexpected kernel warnings" "" "$bad"
