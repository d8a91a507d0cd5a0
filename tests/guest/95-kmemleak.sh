#!/bin/sh
# On a kernel with CONFIG_DEBUG_KMEMLEAK (make test-debug): after every test
# has loaded and unloaded the modules, a scan finds no leak of ours.
# Stock Debian kernels have no kmemleak: the file reports that and passes no check.
# shellcheck source=lib.sh
. /tests/lib.sh

k=/sys/kernel/debug/kmemleak
if [ ! -w "$k" ]; then
	echo "INFO: $TEST: no kmemleak in this kernel"
	exit 0
fi
# Two scans: kmemleak reports an object only once it has stayed unreferenced.
echo scan >"$k"
sleep 6
echo scan >"$k"
leaks=$(grep -c '^unreferenced object' "$k")
ours=$(grep -E -c 'roulette|mymod|hello' "$k")
expect_eq "kmemleak: no leak in a roulette, mymod or hello frame" 0 "$ours"
echo "INFO: $TEST: kmemleak lists $leaks unreferenced objects in all"
grep -E -A12 'roulette|mymod|hello' "$k" | head -n 40
