#!/bin/sh
# /init of the guest test initramfs (busybox). The kernel command line picks
# what to run: rtest=all (every tests/guest/[0-9]*.sh), rtest=panic (one real
# panic, its own boot), rtest=demo. Results go to the serial console.
# shellcheck source=../guest-boot.sh
. /etc/guest-boot.sh
# shellcheck source=lib.sh
. /tests/lib.sh

mode=$(sed -n 's/.*rtest=\([a-z]*\).*/\1/p' /proc/cmdline)
echo "GUEST-START: $(uname -r) mode=$mode"
case $mode in
all)
	for t in /tests/[0-9]*.sh; do
		TEST=$(basename "$t" .sh) sh "$t"
		unload_all
	done
	;;
panic)
	load roulette chance=100 boom=panic
	cat "$DEV"
	echo "FAIL: panic: survived a boom=panic read"
	;;
demo)
	sh /tests/demo.sh
	;;
*)
	echo "FAIL: init: unknown rtest mode '$mode'"
	;;
esac
echo "GUEST-DONE"
poweroff -f
