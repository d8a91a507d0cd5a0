#!/bin/bash
# shellcheck shell=bash
# make systest: the release upgrade (sourced by scripts/systest.sh).

# upgrade_release FROM TO ROW: the release upgrade a user does: sources
# switched from FROM to TO, apt full-upgrade keeping conffiles; FROM's
# kernel meta-package brings TO's kernel (ROW's), which DKMS builds for.
# The dkms part of apt's output goes to release-upgrade.log.
upgrade_release() {
	local from=$1 to=$2 k n
	sed -i "s/\\b$from\\b/$to/g" "$ROOT"/etc/apt/sources.list.d/*.sources
	expect_host "sources switched to $to: apt update" "apt-get update failed" \
		R apt-get update -o Acquire::Check-Valid-Until=false || return
	n=$(log_lines)
	expect_host "apt full-upgrade to $to (--force-confold)" "apt-get failed" \
		apt_get -o Dpkg::Options::=--force-confold full-upgrade
	installed_krel "$3"
	k=$(krel "$3")
	note "$to's kernel ($3) is $k"
	since "$n" | grep -E -e '^(Setting up|Unpacking) (dkms|linux-(image|headers)-[0-9][^ ]*|gcc-[0-9]+) ' \
		-e '^(/etc/kernel/.*dkms:|Sign|Public|Certificate|openssl|Autoinstall|Building module|Installing /|Error|Warning)' \
		>"$WORK/release-upgrade.log"
	expect_host "dkms rebuilt roulette/N for $to's kernel" \
		"$(Rout dkms status | tr '\n' ';')" built_by_dkms "$VERSION" "$k"
	expect_host "modprobe.d conffile kept: options mymod sec=5" "changed" \
		grep -qx 'options mymod sec=5' "$ROOT/etc/modprobe.d/roulette.conf"
}
