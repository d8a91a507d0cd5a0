#!/bin/sh
# The packaged udev rule: /dev/kernel-roulette is 0660 root:roulette, a
# member of group roulette reads it, anyone else gets EACCES.
# shellcheck source=../lib.sh
. /tests/lib.sh

modprobe roulette chance=0
udevadm settle --timeout=30
expect_eq "udev: $DEV is 0660 root:roulette" "660 root roulette" "$(stat -c '%a %U %G' "$DEV" 2>&1)"
useradd --no-create-home --no-user-group --gid users --groups roulette spinner
useradd --no-create-home --no-user-group --gid users outsider
expect_match "a member of group roulette reads $DEV" \
	'Survived\.\.\. sampled value is [0-9]+, which is >= 0' \
	"$(setpriv --reuid=spinner --regid=users --init-groups cat "$DEV" 2>&1)"
if out=$(setpriv --reuid=outsider --regid=users --init-groups cat "$DEV" 2>&1); then rc=0; else rc=$?; fi
expect_match "a user outside group roulette gets EACCES" '[1-9][0-9]*: .*Permission denied' "$rc: $out"
rmmod roulette
check "rmmod roulette removes $DEV" test ! -e "$DEV"
finish
