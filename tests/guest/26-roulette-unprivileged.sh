#!/bin/sh
# roulette: only an opener with CAP_SYS_BOOT may take the kernel down. A
# member of the device's group who loses dies of SIGSEGV in every boom mode:
# Boom! and the reason are logged, no oops, no taint, the module unloads.
# Root keeps the configured mode (80-roulette-oops.sh, panic.sh).
# shellcheck source=../lib.sh
. /tests/lib.sh

# The node as the packaged udev rule makes it (0660 root:roulette), with
# gid 4242 for group roulette; the member is uid 65534 with that group.
GID=4242
member() {
	/bin/runas 65534 "65534,$GID" "$@"
}

load roulette chance=100 >/dev/null
chgrp "$GID" "$DEV" && chmod 0660 "$DEV"
expect_eq "an outsider is refused (EACCES)" "error EACCES" "$(as_user 65534 /bin/devio open "$DEV" r)"
for mode in oops panic signal; do
	echo "$mode" >/sys/module/roulette/parameters/boom
	t=$(tainted)
	m=$(mark "member-$mode")
	member /bin/devio read "$DEV" >/dev/null 2>&1
	expect_eq "boom=$mode: a member who loses dies of SIGSEGV (status 139)" 139 "$?"
	expect_match "boom=$mode: the loss logs Boom!" 'roulette: Boom! sampled value is [0-9]+, which is < 100' \
		"$(log_since "$m" | grep -m1 'Boom!')"
	if [ "$mode" = signal ]; then
		expect_no_log "boom=signal: no reason line (the mode is SIGSEGV anyway)" 'without CAP_SYS_BOOT' "$m"
	else
		expect_match "boom=$mode: the log says why it was a SIGSEGV" \
			"roulette: devio \(pid [0-9]+\) opened without CAP_SYS_BOOT: SIGSEGV instead of boom mode $mode" \
			"$(log_since "$m" | grep -m1 'without CAP_SYS_BOOT')"
	fi
	expect_no_log "boom=$mode: no oops" 'Call Trace|Call trace|kernel BUG|Oops|Kernel panic' "$m"
	expect_eq "boom=$mode: taint unchanged" "$t" "$(tainted)"
	expect_eq "boom=$mode: the module is not held" 0 "$(awk '$1 == "roulette" { print $3 }' /proc/modules)"
done

# A member still plays in panic mode: open works, a survivor reads.
echo 0 >/sys/module/roulette/parameters/chance
echo panic >/sys/module/roulette/parameters/boom
expect_match "boom=panic: a member who survives reads the message" \
	'Survived\.\.\. sampled value is [0-9]{1,2}, which is >= 0' "$(member /bin/devio read "$DEV")"
expect_eq "root may spin in panic mode" ok "$(/bin/devio open "$DEV" r)"
expect_eq "rmmod works after the members' losses" ok "$(unload roulette)"
finish
