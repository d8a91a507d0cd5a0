#!/bin/sh
# The end of the package's life: apt purge roulette-dkms. Nothing of it is
# left: no sources, modules, DKMS tree, configuration, udev rule or group
# (it has no members). The repository's source and key under /etc/apt are
# the user's own (README's commands), not the package's.
# shellcheck source=../lib.sh
. /tests/lib.sh
# shellcheck source=lib-lived.sh
. /tests/lived/lib-lived.sh

# The user's (README's repository) and the test's own files (this boot's
# unit and settings: scripts/systest/lived.sh), not the package's.
# (one a line: grep -F's patterns)
OWN="/etc/apt/sources.list.d/roulette-dkms.sources
/etc/apt/keyrings/roulette-dkms.gpg
/etc/systemd/system/roulette-systest.service
/etc/apt/apt.conf.d/90roulette-lived
/etc/initramfs-tools/conf.d/roulette-lived"

# leftovers: the package's files DKMS or dpkg could leave behind.
leftovers() {
	{
		ls -d /usr/src/roulette* /var/lib/dkms/roulette* 2>/dev/null
		find /lib/modules/*/updates \( -name 'hello.ko*' -o -name 'mymod.ko*' \
			-o -name 'roulette.ko*' \) 2>/dev/null
		find /etc /lib/udev /usr/lib/udev -name '*roulette*' 2>/dev/null
		grep -rlE 'mymod|kernel-roulette' /etc 2>/dev/null
	} | sort -u | grep -v -x -F "$OWN" | tr '\n' ' '
}

expect_eq "apt purge roulette-dkms exits 0" 0 "$(at_shell purge apt-get purge -y roulette-dkms)"
# shellcheck disable=SC2016 # a dpkg-query format
expect_eq "dpkg: roulette-dkms is purged (no files, no configuration)" "" \
	"$(dpkg-query -W -f='${db:Status-Abbrev}' roulette-dkms 2>/dev/null | grep -v '^un')"
expect_eq "nothing left in /usr/src, /lib/modules/*/updates, /var/lib/dkms, /etc, udev" "" "$(leftovers)"
expect_eq "group roulette removed (it had no members)" "" "$(getent group roulette)"
finish
