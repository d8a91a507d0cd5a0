#!/bin/sh
# roulette: boom=panic is a real kernel panic. A boot of its own
# (suites=guest/panic.sh): the host checks the console for the PANIC texts,
# and that the file never reached its end.
# shellcheck source=../lib.sh
. /tests/lib.sh

expect_eq "load chance=100 boom=panic" ok "$(load roulette chance=100 boom=panic)"
emit "PANIC: roulette: Boom! sampled value is"
emit "PANIC: Kernel panic - not syncing: kernel-roulette: sampled value is"
cat "$DEV" >/dev/null
fail "a boom=panic read" "the reader survived"
finish
