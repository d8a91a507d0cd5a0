#!/bin/sh
# modinfo: every module carries license, author, description, version and
# its parameters with descriptions; the version is src/version.h's.
# shellcheck source=../lib.sh
. /tests/lib.sh

v=$(sed -n 's/^#define ROULETTE_VERSION "\(.*\)"$/\1/p' /src/version.h)
for mod in hello mymod roulette; do
	f=$MODS/$mod.ko
	expect_eq "$mod license" GPL "$(modinfo -F license "$f")"
	expect_match "$mod author" '.*roulette-dkms.*' "$(modinfo -F author "$f")"
	expect_match "$mod description" '.{10,}' "$(modinfo -F description "$f")"
	# Not busybox's modinfo: it scans the whole file and takes a field only
	# after a NUL, and on 7.2 .modinfo's first field (version=) follows
	# .altinstr_replacement's last byte (CLAC's 0xca): it printed nothing.
	expect_eq "$mod version is src/version.h's" "$v" \
		"$(strings -a "$f" | sed -n 's/^version=//p' | head -n 1)"
	note "version $v"
	expect_eq "$mod vermagic names the running kernel" "$(uname -r)" "$(modinfo -F vermagic "$f" | cut -d' ' -f1)"
done
expect_match "mymod parm sec" 'sec:Timer period in seconds, 1-3600 \(default 5\).*' "$(modinfo -F parm "$MODS/mymod.ko")"
parms=$(modinfo -F parm "$MODS/roulette.ko" | cut -d: -f1 | sort | tr '\n' ' ')
expect_eq "roulette parms" "boom chance " "$parms"
finish
