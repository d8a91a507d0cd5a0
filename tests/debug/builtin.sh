#!/bin/sh
# The drivers built into the debug kernel (bzImage-builtin: hello, mymod,
# roulette =y), booted with "mymod.sec=2 roulette.chance=0" by
# scripts/test-debug.sh as suites=debug/builtin.sh.
# shellcheck source=../lib.sh
. /tests/lib.sh

# Checked first: the node must be there before anything could create it.
check "/dev/kernel-roulette exists at boot" test -c "$DEV"
expect_eq "device mode 0600 root:root" "600 0 0" "$(stat -c '%a %u %g' "$DEV")"
for m in hello mymod roulette; do
	check "$m is built in (/sys/module but not /proc/modules)" \
		sh -c "test -d /sys/module/$m && ! grep -q '^$m ' /proc/modules && test ! -e /sys/module/$m/initstate"
done
expect_eq "mymod.sec=2 from the command line" 2 "$(param mymod sec)"
expect_eq "roulette.chance=0 from the command line" 0 "$(param roulette chance)"
expect_eq "roulette boom default" oops "$(param roulette boom)"
klog=$(dmesg | sed 's/^\[[ 0-9.]*\] //')
for line in "hello: Hello, world" "mymod: init" "roulette: Panic probability: 0/100"; do
	check "initcall logged '$line'" sh -c "echo \"\$1\" | grep -qxF \"\$2\"" - "$klog" "$line"
done
check "roulette registered at boot" sh -c "echo \"\$1\" | grep -q '^roulette: /dev/kernel-roulette ready'" - "$klog"

expect_match "a read survives with C=0" 'Survived\.\.\. sampled value is [0-9]+, which is >= 0' \
	"$(/bin/devio read "$DEV")"
# (devio spin prints each survivor's text, then the counts.)
expect_eq "200 spins at chance=0 all survive" "survived=200 boomed=0 other=0" "$(/bin/devio spin "$DEV" 200 | tail -n 1)"

# The timer: ticks every 2 s since boot. Wait for a few more.
m=$(mark ticks)
sleep 9
times=$(log_times_since "$m" 'mymod: timer')
expect_range "mymod ticks in 9 s at sec=2" 3 5 "$(echo "$times" | grep -c .)"
gaps=$(echo "$times" | awk 'NR > 1 { printf "%d\n", ($1 - prev) * 1000 } { prev = $1 }')
echo "INFO: tick gaps (ms): $(echo "$gaps" | tr '\n' ' ')"
expect_eq "every tick gap is 2 s (1.8-2.3 s)" "" "$(echo "$gaps" | awk 'NF && ($1 < 1800 || $1 > 2300)' | head -n 3)"

# Parameters stay live and validated when built in.
expect_eq "sysfs sec=1 accepted" ok "$(put /sys/module/mymod/parameters/sec 1)"
expect_eq "sysfs sec=0 rejected" "error EINVAL" "$(put /sys/module/mymod/parameters/sec 0)"
expect_eq "sec unchanged by the bad write" 1 "$(param mymod sec)"
expect_eq "sysfs chance=101 rejected" "error EINVAL" "$(put /sys/module/roulette/parameters/chance 101)"
expect_eq "sysfs boom=signal accepted" ok "$(put /sys/module/roulette/parameters/boom signal)"
expect_eq "open O_WRONLY is EINVAL" "error EINVAL" "$(/bin/devio open "$DEV" w)"
m=$(mark fast)
sleep 3
expect_range "ticks every second after sec=1" 2 4 "$(log_times_since "$m" 'mymod: timer' | grep -c .)"
expect_eq "a built-in module cannot be removed" "error ENOENT" "$(unload mymod)"
finish
