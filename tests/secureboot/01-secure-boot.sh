#!/bin/sh
# Booted through shim and grub by Secure Boot firmware (scripts/systest.sh:
# secure_boot): the kernel is locked down, and the DKMS key is in shim's
# MokList (systest.mok=enrolled) or not (absent), as mokutil and the
# kernel's keyring see it.
# shellcheck source=../lib.sh
. /tests/lib.sh
KEY=/var/lib/dkms/mok.pub

expect_eq "mokutil --sb-state: SecureBoot enabled" "SecureBoot enabled" "$(mokutil --sb-state 2>&1)"
expect_match "lockdown is integrity (/sys/kernel/security/lockdown)" '.*\[integrity\].*' \
	"$(cat /sys/kernel/security/lockdown 2>&1)"
klog_has() { dmesg | grep -qF -- "$1"; }
doc_says() { zcat /usr/share/doc/roulette-dkms/README.Debian.gz | grep -qF -- "$1"; }
check "kernel log: locked down from EFI Secure Boot" klog_has "Kernel is locked down from EFI Secure Boot"
if [ "$(cmdline_arg systest.mok)" = enrolled ]; then
	expect_eq "mokutil --test-key $KEY: enrolled" "$KEY is already enrolled" "$(mokutil --test-key "$KEY" 2>&1)"
	check "kernel log: the DKMS key loaded from MokListRT" klog_has "Loaded X.509 cert 'DKMS module signing key"
else
	expect_eq "mokutil --test-key $KEY: not enrolled" "$KEY is not enrolled" "$(mokutil --test-key "$KEY" 2>&1)"
	expect_eq "kernel log: no DKMS key loaded" 0 "$(dmesg | grep -c 'DKMS module signing key')"
	# README.Debian tells the user what this boot shows and what to do.
	for t in "Key was rejected by service" "mokutil --import $KEY" "Enroll MOK" "mokutil --test-key $KEY"; do
		check "README.Debian says: $t" doc_says "$t"
	done
	# What postinst tells the user, with the password from a file: the
	# request reaches the firmware; MokManager's console dialog is the rest.
	mokutil --generate-hash=roulette >/run/mok.hash 2>&1
	check "mokutil --import $KEY (password hash file) succeeds" \
		mokutil --import "$KEY" --hash-file /run/mok.hash
	expect_eq "mokutil --list-new: the DKMS key awaits MokManager" 1 \
		"$(mokutil --list-new 2>&1 | grep -c 'Subject: CN *= *DKMS module signing key')"
fi
finish
