#!/bin/bash
# shellcheck shell=bash
# make systest on another architecture than the host's (sourced by
# scripts/systest.sh): a systest row of tests/kernels.conf whose arch
# column is not the host's (trixie-cloud-arm64) is a system of its own, as
# on a board of that architecture: its base built by mmdebstrap for it,
# apt and DKMS run in it under qemu-user (a native build, not a cross one:
# lib-root.sh, root_foreign), booted under TCG as tests/arches.conf says.
# One kernel, one boot: the steps of lifecycle.sh, the architecture passed
# through the row. Its base has dkms installed already (BASE_WITH): an
# admin who has DKMS; the amd64 systems live the install of dkms and its
# compilers with the package. Under qemu-user, beside the other lives,
# that install took 618 s with them and 454 s without (2026-12-07: the
# DKMS build, its signing and depmod are the rest).

# other_architectures: the life of each systest row of another
# architecture that systest_suites resolved (OTHER_ROWS, left out of its
# suites).
other_architectures() {
	local r
	for r in "${OTHER_ROWS[@]}"; do
		live "${SUITE_OF[$r]%-backports}-${ARCH_OF[$r]}" \
			life_on_another_architecture "${SUITE_OF[$r]%-backports}" "$r"
	done
}

# life_on_another_architecture SUITE ROW: the system of ROW's architecture
# (the tag SUITE-ARCH): apt install, its boot with the guest suite
# tests/systest/, purge.
life_on_another_architecture() {
	local suite=$1 row=$2
	# shellcheck disable=SC2034 # the story's TARGET: the tag of the host checks
	TARGET=$suite-${ARCH_OF[$row]} BASE_WITH=dkms
	step restore_base_system "$suite" "$row" || return
	step apt_install_package "$row" || return
	step boot_each_kernel "$row"
	step purge_package
}
