#!/bin/bash
# make demo: build the modules for the table's "demo" kernel (the first
# ready one of the stage's rows: scripts/lib-rows.sh), boot it in QEMU and
# show what a user sees: hello's messages, a few mymod ticks, one roulette
# spin (tests/guest/demo.sh).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

guest_host_setup || die "cannot install host packages"
work=$ROULETTE_OUT/demo
mkdir -p "$work"
results_open demo
stage_rows --required demo "$work"
ready_rows
[ ${#ROWS[@]} -gt 0 ] || die "no kernel of stage demo is ready (the reasons above)"
t=${ROWS[0]}
log "building the modules for ${KREL_OF[$t]}"
kernel_build "$t" "$work/modules"
guest_arch "$t" || die "cannot prepare $t's ${ARCH_OF[$t]} guest"
guest_initramfs "$work/initrd.gz" --krel "${KREL_OF[$t]}" --mods "$work/modules"
rc=0
guest_run "$t" "$work" "$(kernel_vmlinuz "$t")" "$work/initrd.gz" suites=guest/demo.sh >/dev/null || rc=$?
tr -d '\r' <"$work/$t.console" | sed -n 's/.*\(GUEST-START\)/\1/; /GUEST-START/,/^GUEST-END/p' |
	grep -v -E '^(PLAN|BEGIN|END|DONE)\b'
[ "$rc" = 0 ] || die "the demo guest did not finish (see $work/$t.console)"
