#!/bin/bash
# shellcheck shell=bash
# make systest: the RPM (sourced by scripts/systest.sh): its scriptlets
# run for real in the rootfs.

# rpm_install_remove ROW...: the RPM's scriptlets for real (rpm -i --nodeps
# and rpm -e in the rootfs, whose dkms they call).
rpm_install_remove() {
	local r left got rpmf=$ROULETTE_OUT/repo/rpm/roulette-dkms-$VERSION-1.noarch.rpm
	# rpm on the host, its scriptlets in the rootfs (with /proc, /dev: root_mounted)
	rpmr() { root_mounted "$ROOT" rpm --root "$ROOT" --dbpath /var/lib/rpm "$@" >>"$ROOT_LOG" 2>&1; }
	rpmr --initdb
	rpmr --import "$ROULETTE_OUT/repo/RPM-GPG-KEY-roulette-dkms"	# a host path
	got=$(rpm --root "$ROOT" --dbpath /var/lib/rpm -K "$rpmf" 2>&1)
	expect_host "rpm --import the repository key; rpm -K: the package's signature OK" \
		"$got" grep -q ': digests signatures OK$' <<<"$got"
	expect_host "rpm -i --nodeps roulette-dkms-N in the rootfs" "rpm failed" \
		rpmr -i --nodeps "$rpmf"
	for r in "$@"; do
		expect_host "rpm %post: dkms built and installed N for the $r kernel" \
			"$(Rout dkms status | tr '\n' ';')" built_by_dkms "$VERSION" "$(krel "$r")"
	done
	expect_host "rpm %pre: group roulette created" "no group" R getent group roulette
	expect_host "rpm: udev rule and modprobe.d file installed" "missing" \
		rpm_files
	expect_host "rpm -e roulette-dkms" "rpm failed" rpmr -e roulette-dkms
	# %config(noreplace) and the udev rule are rpm's to remove, not dkms's
	left=$(leftovers | tr ' ' '\n' | grep -v -e '^etc/modprobe.d/roulette.conf$' -e udev | tr '\n' ' ')
	expect_host "rpm %preun: dkms removed the modules and sources" \
		"left: $left; dkms: $(Rout dkms status | tr '\n' ';')" rpm_removed "$left"
}

rpm_files() { [ -f "$ROOT/usr/lib/udev/rules.d/60-roulette.rules" ] && [ -f "$ROOT/etc/modprobe.d/roulette.conf" ]; }
rpm_removed() { [ -z "${1// /}" ] && dkms_empty; } # rpm_removed LEFTOVERS
