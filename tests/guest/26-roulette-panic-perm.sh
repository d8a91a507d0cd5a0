#!/bin/sh
# roulette: boom=panic needs CAP_SYS_BOOT at open; without it, EPERM.
# shellcheck source=../lib.sh
. /tests/lib.sh

load roulette chance=0 boom=panic >/dev/null
chmod 0666 "$DEV"
expect_eq "open by an unprivileged user is EPERM" "error EPERM" "$(as_user 65534 /bin/devio open "$DEV" r)"
expect_match "root (CAP_SYS_BOOT) may spin" 'Survived.*' "$(/bin/devio read "$DEV")"
echo oops >/sys/module/roulette/parameters/boom
expect_eq "in oops mode the same user may open" ok "$(as_user 65534 /bin/devio open "$DEV" r)"
unload roulette >/dev/null
finish
