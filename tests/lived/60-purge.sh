#!/bin/sh
# The end of the package's life: apt purge roulette-dkms. Nothing of it is
# left: no sources, modules, DKMS tree, configuration, udev rule or group
# (it has no members). The repository's source and key under /etc/apt are
# the user's own (README's commands), not the package's.
# shellcheck source=../lib.sh
. /tests/lib.sh
# shellcheck source=lib-lived.sh
. /tests/lived/lib-lived.sh

# shellcheck source=leftovers.sh
. /tests/lived/leftovers.sh

# leftovers: the package's leftovers on one line, less the user's files
# (README's repository) and the test's own (scripts/systest/lived.sh:
# lived_prepare lists both in $SRV/own).
leftovers() {
	[ -s "$SRV/own" ] || { echo "(no list $SRV/own)" && return; }
	(cd / && package_leftovers | grep -v -x -F -f "$SRV/own" | tr '\n' ' ')
}

expect_eq "apt purge roulette-dkms exits 0" 0 "$(at_shell purge apt-get purge -y roulette-dkms)"
# shellcheck disable=SC2016 # a dpkg-query format
expect_eq "dpkg: roulette-dkms is purged (no files, no configuration)" "" \
	"$(dpkg-query -W -f='${db:Status-Abbrev}' roulette-dkms 2>/dev/null | grep -v '^un')"
expect_eq "nothing left in /usr/src, /lib/modules/*/updates, /var/lib/dkms, /etc, udev" "" "$(leftovers)"
expect_eq "group roulette removed (it had no members)" "" "$(getent group roulette)"
finish
