#!/bin/bash
# make demo: build the modules for a Debian kernel, boot it in QEMU and show
# what a user sees: hello's messages, a few mymod ticks, one roulette spin.
#   scripts/demo.sh [TARGET]     default 6.12-cloud (see scripts/lib.sh)
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

target=${1:-6.12-cloud}
guest_host_setup || die "cannot install host packages"
work=$ROULETTE_OUT/demo
mkdir -p "$work"
krel=$(kernel_release "$target")
other=6.1-cloud
[ "${target%%-*}" = 6.1 ] && other=6.12-cloud
okrel=$(kernel_release "$other")
log "building the modules for $krel"
build_modules "$krel" "$(kernel_headers "$krel")" "$work/modules"
# The guest image always carries a foreign build too (used by the tests).
build_modules "$okrel" "$(kernel_headers "$okrel")" "$work/other"
guest_tools "$work/tools"
guest_initramfs "$work/initrd.gz" "$krel" "$work/modules" "$work/other" "$work/tools"
log "booting $krel under QEMU (TCG); the guest's console follows"
rc=0
qemu_boot "$(kernel_image "$krel")" "$work/initrd.gz" "$work/console.log" 120 rtest=demo || rc=$?
tr -d '\r' <"$work/console.log" | sed -n 's/.*\(GUEST-START\)/\1/; /GUEST-START/,/^GUEST-DONE/p'
if [ "$rc" != 0 ] || ! grep -aq '^GUEST-DONE' "$work/console.log"; then
	die "the demo guest did not finish (see $work/console.log)"
fi
