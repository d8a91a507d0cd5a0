#!/bin/bash
# shellcheck shell=bash
# Helpers shared by the package scripts (build-deb.sh, build-rpm.sh,
# build-repo.sh, systest.sh). Source it after lib.sh.

# The files a package is made of, relative to the top of the tree.
PKG_INPUTS=(dkms.conf src udev modprobe.d debian rpm README.md)

# pkg_version: the project's version, after checking that every place that
# carries it agrees (scripts/check-version.sh).
pkg_version() {
	"$ROULETTE_TOP/scripts/check-version.sh" "$ROULETTE_TOP"
}

# pkg_stage DIR: a clean copy of the package inputs in DIR (sources only:
# no build products, no out/, no .git).
pkg_stage() {
	local dir=$1
	rm -rf "$dir" && mkdir -p "$dir/src" || return 1
	cp -a "$ROULETTE_TOP"/dkms.conf "$ROULETTE_TOP"/README.md "$dir/" &&
		cp -a "$ROULETTE_TOP"/udev "$ROULETTE_TOP"/modprobe.d \
			"$ROULETTE_TOP"/debian "$ROULETTE_TOP"/rpm "$dir/" &&
		cp -a "$ROULETTE_TOP"/src/*.c "$ROULETTE_TOP"/src/*.h \
			"$ROULETTE_TOP"/src/Kbuild "$dir/src/"
}

# pkg_stale OUTPUT: true when OUTPUT is missing or older than an input.
pkg_stale() {
	local out=$1 p
	[ -e "$out" ] || return 0
	for p in "${PKG_INPUTS[@]}"; do
		[ -n "$(find "$ROULETTE_TOP/$p" -newer "$out" -print -quit)" ] && return 0
	done
	return 1
}
