#!/bin/sh
# The headers as README says, after the forgotten ones (10-install.sh) and
# the kernel upgrade's failure path (21-out-of-range.sh, 22-build-failure.sh,
# where the system has one): README's install command run verbatim
# (/srv/roulette/readme/install.sh) installs the running kernel's headers
# and roulette-dkms N (an upgrade from the test-only release); DKMS builds
# N for every kernel with headers while apt runs, with no other command;
# then dpkg --configure -a, README's last step of a recovery. Then what a
# user does next: hello, mymod sec=10, the device as a member of group
# roulette.
# shellcheck source=../lib.sh
. /tests/lib.sh
# shellcheck source=lib-lived.sh
. /tests/lived/lib-lived.sh

K2=$(cmdline_arg lived.next)	# the next kernel's release, where one was installed
expect_eq "README's install command (headers, roulette-dkms) exits 0" 0 \
	"$(at_shell readme-install sh -e "$SRV/readme/install.sh")"
note "$(said readme-install | grep -e '^Building for' -e '^roulette-dkms:' -e 'Error' -e 'rror:')"
expect_eq "README's install: DKMS built for the running kernel while apt ran" 1 \
	"$(said readme-install | grep -c "^Building for .*$K")"
expect_eq "dpkg --configure -a exits 0" 0 "$(at_shell configure dpkg --configure -a)"
expect_eq "dpkg --audit finds nothing half-configured" "" "$(dpkg --audit 2>&1)"
check "roulette N installed for the running kernel (dkms status)" dkms_has "$V" "$K"
if [ -n "$K2" ]; then
	check "roulette N installed for the next kernel too (dkms status)" dkms_has "$V" "$K2"
fi
kill "$(cat /run/roulette-httpd.pid)" 2>/dev/null

# What the user does next (README "Using the drivers")
m=$(mark hello)
expect_eq "modprobe hello" 0 "$(at_shell hello modprobe hello)"
expect_log "hello: load logged" "$m" "hello: Hello, world"
rmmod hello
m=$(mark mymod)
expect_eq "modprobe mymod sec=10" 0 "$(at_shell mymod modprobe mymod sec=10)"
expect_eq "mymod: sec reads 10" 10 "$(cat /sys/module/mymod/parameters/sec 2>&1)"
sleep 11
expect_log "mymod: a tick within 11 s" "$m" "mymod: timer"
rmmod mymod
modprobe roulette chance=0
udevadm settle --timeout=30
useradd --no-create-home --no-user-group --gid users --groups roulette spinner
expect_match "a member of group roulette reads /dev/kernel-roulette" \
	'Survived\.\.\. sampled value is [0-9]+, which is >= 0' \
	"$(setpriv --reuid=spinner --regid=users --init-groups cat /dev/kernel-roulette 2>&1)"
userdel spinner
rmmod roulette
finish
