#!/bin/sh
# The whole run: no warning, BUG or trace outside the expected oops.
# shellcheck source=lib.sh
. /tests/lib.sh

bad=$(dmesg | sed '/roulette-test: expected-oops-begin/,/roulette-test: expected-oops-end/d' |
	grep -E 'WARNING:|BUG:|kernel BUG|Oops:|Call Trace|soft lockup|hard LOCKUP|INFO: task' | head -n 3)
expect_eq "no unexpected kernel warnings" "" "$bad"
