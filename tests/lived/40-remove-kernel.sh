#!/bin/sh
# The rest of the system's life (scripts/systest/lived.sh:
# lived_end_suites), in the boot of its newest kernel after the system
# suite, at a root shell: the old kernel goes, as a user clears it after
# an upgrade (apt purge of its image and headers).
# DKMS's kernel hook (/etc/kernel/prerm.d/dkms) removes roulette for it;
# the running kernel keeps its modules.
# shellcheck source=../lib.sh
. /tests/lib.sh
# shellcheck source=lib-lived.sh
. /tests/lived/lib-lived.sh

OLD=$(cmdline_arg lived.old)	# the old kernel's release
# shellcheck disable=SC2016 # a dpkg-query format
pkgs=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "linux-image-$OLD*" "linux-headers-$OLD" \
	2>/dev/null | awk '$1 == "ii" { print $2 }' | tr '\n' ' ')
note "the old kernel $OLD: $pkgs"
check "the old kernel is installed and not the running one" test -n "$pkgs" -a "$OLD" != "$K"
# shellcheck disable=SC2086 # the packages, one word each
expect_eq "apt purge the old kernel's image and headers exits 0" 0 "$(at_shell remove-kernel apt-get purge -y $pkgs)"
# dkms 3.0 (Debian 12) and 3.2 (Debian 13) word it differently
check "the kernel hook said: dkms: removing roulette N for the old kernel" grep -qF \
	-e "dkms: removing: roulette $V ($OLD)" -e "dkms: removing module roulette/$V for kernel $OLD " "$OUT/remove-kernel.out"
expect_eq "dpkg --audit finds nothing half-configured" "" "$(dpkg --audit 2>&1)"
expect_eq "dkms status: no roulette for the old kernel" "" \
	"$(dkms status -m roulette 2>&1 | grep -F ", $OLD,")"
expect_eq "no module of ours left for the old kernel" "" \
	"$(find "/lib/modules/$OLD" "/usr/lib/modules/$OLD" -name '*.ko*' 2>/dev/null)"
check "roulette N still installed for the running kernel (dkms status)" dkms_has "$V" "$K"
finish
