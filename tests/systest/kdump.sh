#!/bin/sh
# kdump-tools catches a roulette boom (make systest: crash_dump, a boot of
# its own with crashkernel= and suites=systest/kdump.sh): the capture
# kernel is loaded, then root reads /dev/kernel-roulette at chance=100 in
# the mode systest.boom= names: panic, or oops on a system whose
# /etc/sysctl.d sets kernel.panic_on_oops=1. The host reads the dump
# kdump-tools saved in /var/crash from the disk afterwards.
# shellcheck source=../lib.sh
. /tests/lib.sh
boom=$(cmdline_arg systest.boom)
krel=$(uname -r)

expect_eq "running the kernel under test" "$(cmdline_arg systest.kernel)" "$krel"

expect_eq "kdump-tools.service is enabled (every boot loads the capture kernel)" enabled \
	"$(systemctl is-enabled kdump-tools.service 2>&1)"
expect_match "crashkernel= on the kernel command line" '[0-9]+[MG]' "$(cmdline_arg crashkernel)"
expect_eq "capture kernel loaded: /sys/kernel/kexec_crash_loaded is 1" 1 \
	"$(cat /sys/kernel/kexec_crash_loaded 2>&1)"
# kdump-config load links its KDUMP_KERNEL and KDUMP_INITRD
# (/etc/default/kdump-tools) to the running kernel's files
expect_eq "kdump-config's kernel: /var/lib/kdump/vmlinuz -> the running kernel's /boot/vmlinuz" \
	"/boot/vmlinuz-$krel" "$(readlink /var/lib/kdump/vmlinuz 2>&1)"
expect_eq "kdump-config's initrd: /var/lib/kdump/initrd.img -> the running kernel's initrd.img" \
	"/var/lib/kdump/initrd.img-$krel" "$(readlink /var/lib/kdump/initrd.img 2>&1)"
expect_match "kdump-config status: ready to kdump" 'current state *: *ready to kdump' \
	"$(kdump-config status 2>&1 | grep 'current state')"
if [ "$boom" = oops ]; then
	expect_eq "kernel.panic_on_oops = 1 in /etc/sysctl.d" "kernel.panic_on_oops = 1" \
		"$(grep -h '^ *kernel.panic_on_oops' /etc/sysctl.d/*.conf 2>/dev/null)"
else
	# kdump-config load sets it too (apply_panic_triggers)
	expect_eq "no panic_on_oops in /etc/sysctl.d: kdump-config set it" "" \
		"$(grep -h '^ *kernel.panic_on_oops' /etc/sysctl.d/*.conf 2>/dev/null)"
fi
expect_eq "kernel.panic_on_oops is 1" 1 "$(sysctl -n kernel.panic_on_oops 2>&1)"
if [ "$boom" = oops ]; then
	check "modprobe roulette chance=100 (default boom)" modprobe roulette chance=100
else
	check "modprobe roulette chance=100 boom=$boom" modprobe roulette chance=100 boom="$boom"
fi
expect_eq "boom mode is $boom" "$boom" "$(param roulette boom)"
# The crashing kernel's last console lines can be lost to the kexec (seen
# once under load); the capture kernel's are not. The dump itself must hold
# the Boom!, panic or oops and trace lines (scripts/systest.sh checks it).
emit "PANIC: kdump-tools: saved vmcore in /var/crash/"
cat "$DEV" >/dev/null
fail "a boom=$boom read with the capture kernel loaded" "the reader survived"
finish
