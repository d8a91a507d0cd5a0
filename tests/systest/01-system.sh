#!/bin/sh
# The booted system: the kernel the host meant to boot (systest.kernel= on
# the command line), udev up, and the modules DKMS installed for this
# kernel at the package's version (systest.version=).
# shellcheck source=../lib.sh
. /tests/lib.sh

expect_eq "booted the intended kernel" "$(cmdline_arg systest.kernel)" "$(uname -r)"
expect_eq "systemd-udevd is running" active "$(systemctl is-active systemd-udevd.service)"
for m in hello mymod roulette; do
	p=$(modinfo -n "$m" 2>&1)
	# .ko, .ko.xz (trixie's dkms), .ko.zst: the directory and name matter
	expect_eq "modprobe finds $m in updates/dkms" "/lib/modules/$(uname -r)/updates/dkms/$m.ko" "${p%.ko*}.ko"
done
expect_eq "module version is the package version" "$(cmdline_arg systest.version)" \
	"$(modinfo -F version mymod 2>&1)"
finish
