#!/bin/sh
# The packaged udev rule: /dev/kernel-roulette is 0660 root:roulette, a
# member of group roulette reads it, anyone else gets EACCES. A member who
# loses dies of SIGSEGV in every boom mode: only CAP_SYS_BOOT may crash.
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
echo 100 >/sys/module/roulette/parameters/chance
for mode in oops panic; do
	echo "$mode" >/sys/module/roulette/parameters/boom
	t=$(tainted)
	m=$(mark "member-$mode")
	setpriv --reuid=spinner --regid=users --init-groups cat "$DEV" >/dev/null 2>&1
	expect_eq "boom=$mode: a member of group roulette who loses dies of SIGSEGV (status 139)" 139 "$?"
	expect_match "boom=$mode: the log says why it was a SIGSEGV" \
		"roulette: cat \(pid [0-9]+\) opened without CAP_SYS_BOOT: SIGSEGV instead of boom mode $mode" \
		"$(log_since "$m" | grep -m1 'without CAP_SYS_BOOT')"
	expect_no_log "boom=$mode: no oops after a member's loss" 'Call Trace|Call trace|kernel BUG|Oops|Kernel panic' "$m"
	expect_eq "boom=$mode: taint unchanged after a member's loss" "$t" "$(tainted)"
done
rmmod roulette
check "rmmod roulette removes $DEV" test ! -e "$DEV"
# the system as it was: the rest of the life (the purge) follows in this boot
userdel spinner
userdel outsider
finish
