#!/bin/bash
# shellcheck shell=bash
# make systest: what the system under test ($ROOT) holds, as predicates
# the steps' checks call (sourced by scripts/systest.sh). Owns ROOT_KREL
# (installed_krel). A VERSION is the package's, a KREL a kernel release.

declare -gA ROOT_KREL=()

dkms_installed() { # dkms_installed VERSION KREL
	Rout dkms status -m roulette -v "$1" -k "$2" | grep -q ": installed"
}
dkms_empty() { [ -z "$(Rout dkms status -m roulette)" ]; }
ko() { compgen -G "$ROOT/lib/modules/$1/updates/dkms/$2.ko*" | head -n 1; } # ko KREL MODULE
modules_present() { # modules_present KREL...: the three .ko files DKMS installed
	local k m
	for k in "$@"; do
		for m in hello mymod roulette; do [ -n "$(ko "$k" "$m")" ] || return 1; done
	done
}
built_by_dkms() { dkms_installed "$1" "$2" && modules_present "$2"; } # VERSION KREL
not_built() { ! dkms_installed "$VERSION" "$1" && [ -z "$(ko "$1" mymod)" ]; } # not_built KREL
# shellcheck disable=SC2016 # a dpkg-query format
pkg_status() { Rout dpkg-query -W -f='${Status}' roulette-dkms 2>/dev/null; }
purged() { ! pkg_status | grep -qE ' (installed|config-files|half-)'; }
# shellcheck source=../../tests/lived/leftovers.sh
. "$ROULETTE_TOP/tests/lived/leftovers.sh"
leftovers() { (cd "$ROOT" && package_leftovers | tr '\n' ' '); } # one line
no_group() { ! R getent group roulette; }
# krel ROW: the row's kernel release as the rootfs has it (installed_krel),
# else as kernel_resolve found it. krels ROW...: one a line.
krel() { echo "${ROOT_KREL[$1]:-${KREL_OF[$1]}}"; }
krels() { local r; for r in "$@"; do krel "$r"; done; }
# installed_krel ROW: the release the row's meta-package brought into the
# rootfs (the archive may have moved on since kernel_resolve), for krel.
installed_krel() {
	local meta=${META_OF[$1]} rel
	# shellcheck disable=SC2016 # a dpkg-query format
	rel=$(Rout dpkg-query -W -f='${Depends}' "$meta" | grep -o 'linux-image-[0-9][^ ,]*' |
		sed 's/^linux-image-//; s/-unsigned$//' | head -n 1)
	[ -z "$rel" ] || [ "$rel" = "${KREL_OF[$1]}" ] || log "$1: $meta brought $rel, not ${KREL_OF[$1]}"
	ROOT_KREL[$1]=${rel:-${KREL_OF[$1]}}
}
# vmlinuz KREL: /boot/vmlinuz-KREL up to 6.x; 7.x's linux-binary-KREL has
# /usr/lib/modules/KREL/vmlinuz (trixie-backports' 7.3 hooks hard-link
# /boot/vmlinuz-KREL to it; a symlink there could be absolute).
vmlinuz() {
	local f=$ROOT/usr/lib/modules/$1/vmlinuz
	[ -f "$f" ] && [ ! -L "$f" ] || f=$ROOT/boot/vmlinuz-$1
	echo "$f"
}
no_key() { [ ! -e "$ROOT/var/lib/dkms/mok.key" ] && ! grep -q mokutil "$1"; } # no_key APT-OUTPUT
