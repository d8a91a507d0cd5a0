#!/bin/sh
# roulette: the default node is root-only.
# shellcheck source=../lib.sh
. /tests/lib.sh

load roulette chance=0 >/dev/null
expect_eq "unprivileged open is EACCES" "error EACCES" "$(as_user 65534 /bin/devio open "$DEV" r)"
expect_match "root reads" 'Survived.*' "$(/bin/devio read "$DEV")"
unload roulette >/dev/null
finish
