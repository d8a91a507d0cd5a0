# shellcheck shell=sh
# package_leftovers: the package's files DKMS or dpkg could leave behind,
# one a line, relative to the current directory: the system's root (/ in
# the guest: tests/lived/60-purge.sh; $ROOT on the host: scripts/systest/state.sh).
package_leftovers() {
	{
		ls -d usr/src/roulette* var/lib/dkms/roulette* 2>/dev/null
		find lib/modules/*/updates \( -name 'hello.ko*' -o -name 'mymod.ko*' \
			-o -name 'roulette.ko*' \) 2>/dev/null
		find etc lib/udev usr/lib/udev -name '*roulette*' 2>/dev/null
		grep -rlE 'mymod|kernel-roulette' etc 2>/dev/null
	} | sort -u
}
