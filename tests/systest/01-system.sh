#!/bin/sh
# The booted system: the kernel the host meant to boot (systest.kernel= on
# the command line), udev up, and the modules DKMS installed for this
# kernel at the package's version (systest.version=), signed by DKMS's own
# key when it has one (systest.signer=dkms) or not at all (none).
# shellcheck source=../lib.sh
. /tests/lib.sh

expect_eq "booted the intended kernel" "$(cmdline_arg systest.kernel)" "$(uname -r)"
expect_eq "systemd-udevd is running" active "$(systemctl is-active systemd-udevd.service)"
for m in hello mymod roulette; do
	p=$(modinfo -n "$m" 2>&1)
	p=${p#/usr}	# merged /usr: kmod may name either
	# .ko, .ko.xz (trixie's dkms), .ko.zst: the directory and name matter
	expect_eq "modprobe finds $m in updates/dkms" "/lib/modules/$(uname -r)/updates/dkms/$m.ko" "${p%.ko*}.ko"
	if [ "$(cmdline_arg systest.signer)" = dkms ]; then
		expect_eq "$m signed by the DKMS key (modinfo -F signer)" "DKMS module signing key" \
			"$(modinfo -F signer "$m" 2>&1)"
	else
		expect_eq "$m unsigned (no DKMS key)" "" "$(modinfo -F signer "$m" 2>&1)"
	fi
done
expect_eq "module version is the package version" "$(cmdline_arg systest.version)" \
	"$(modinfo -F version mymod 2>&1)"
finish
