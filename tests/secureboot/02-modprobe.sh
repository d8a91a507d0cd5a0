#!/bin/sh
# modprobe of the DKMS-signed modules under Secure Boot: refused with
# EKEYREJECTED while the DKMS key is not enrolled (systest.mok=absent),
# loaded once it is (enrolled), with no unsigned-module taint (E).
# shellcheck source=../lib.sh
. /tests/lib.sh

for m in hello mymod roulette; do
	if [ "$(cmdline_arg systest.mok)" = enrolled ]; then
		expect_eq "modprobe $m: no error" "" "$(modprobe "$m" 2>&1)"
		check "$m is loaded" loaded "$m"
		expect_eq "$m taint: O only (out of tree, signature verified)" O "$(cat "/sys/module/$m/taint" 2>&1)"
		rmmod "$m"
	else
		expect_match "modprobe $m: Key was rejected by service" '.*Key was rejected by service' \
			"$(modprobe "$m" 2>&1)"
		check "$m is not loaded" test ! -e "/sys/module/$m"
	fi
done
finish
