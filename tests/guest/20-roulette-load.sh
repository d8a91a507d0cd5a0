#!/bin/sh
# roulette: device node, load messages, default chance drawn in [0, 100) at each load.
# shellcheck source=../lib.sh
. /tests/lib.sh

m=$(mark load)
expect_eq "load with defaults" ok "$(load roulette)"
c=$(param roulette chance)
expect_range "drawn chance in [0, 100)" 0 99 "$c"
expect_log "load logs the drawn chance" "$m" "roulette: Panic probability: $c/100"
expect_log "load names the device" "$m" "/dev/kernel-roulette ready"
check "node is a char device" test -c "$DEV"
expect_eq "node default mode" 600 "$(stat -c %a "$DEV")"
expect_eq "node owner" root:root "$(stat -c %U:%G "$DEV")"
major=$(awk '$2 == "kernel-roulette" { print $1 }' /proc/devices)
check "own char major in /proc/devices" test -n "$major"
expect_eq "node has that major" "$major" "$(stat -c %t "$DEV" | awk '{ printf "%d", "0x" $1 }')"
expect_log "load logs major:minor" "$m" "/dev/kernel-roulette ready (char $major:0)"
expect_eq "class device for udev" "$major:0" "$(cat /sys/class/roulette/kernel-roulette/dev)"
expect_eq "default boom mode" oops "$(param roulette boom)"
for p in chance boom; do
	expect_eq "$p file mode" 644 "$(stat -c %a /sys/module/roulette/parameters/$p)"
done
m=$(mark unload)
expect_eq "unload" ok "$(unload roulette)"
check "node gone after unload" test ! -e "$DEV"
check "class gone after unload" test ! -e /sys/class/roulette
check "major released after unload" sh -c "! grep -q ' kernel-roulette\$' /proc/devices"

# Drawn at each load: five loads show at least two values (all alike: 1e-8).
drawn=$(for _ in 1 2 3 4 5; do
	load roulette >/dev/null && param roulette chance && unload roulette >/dev/null
done | sort -u)
expect_range "five loads draw at least two different chances" 2 5 "$(echo "$drawn" | grep -c .)"

expect_eq "load chance=0" ok "$(load roulette chance=0)"
expect_eq "chance reads 0" 0 "$(param roulette chance)"
unload roulette >/dev/null
expect_eq "load chance=100 boom=signal" ok "$(load roulette chance=100 boom=signal)"
expect_eq "chance reads 100" 100 "$(param roulette chance)"
expect_eq "boom reads signal" signal "$(param roulette boom)"
unload roulette >/dev/null
finish
