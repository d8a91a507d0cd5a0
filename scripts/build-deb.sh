#!/bin/bash
# make deb: the Debian source and binary packages of roulette-dkms, built
# from a clean copy of the package inputs as Debian 13 builds them: in
# scripts/lib-suite.sh's cached chroot of the deb suite (tests/suites.conf:
# role deb, trixie), with its dpkg-dev, debhelper and dh-dkms (current
# Standards-Version; the .deb still installs on Debian 11 and 12). Then
# checked with `lintian --pedantic` (the host's, Debian 12's; any tag fails
# the build, but for the host suite's row of tests/lintian.conf).
#   out/deb/roulette-dkms_VERSION_all.deb, roulette_VERSION.dsc, ...
#   scripts/build-deb.sh [--version X.Y.Z]   (another version: lib-pkg.sh)
# Environment: ROULETTE_OUT, ROULETTE_NO_LINT=1 skips lintian,
# ROULETTE_DEB_SUITE the chroot it builds in (default: the deb suite).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pkg.sh
. "$(dirname "$0")/lib-pkg.sh"

host_install deb || die "cannot install the host packages (tests/host-packages.conf: deb)"
pkg_args "$@"

out=$ROULETTE_OUT/deb
suite=$(pkg_deb_suite)
[ -n "$suite" ] || die "no suite to build in (tests/suites.conf: role deb)"
mkdir -p "$out"
root=$(pkg_build_root "$suite") || die "no $suite chroot to build in"
build=$(mktemp -d "$root/tmp/roulette-deb.XXXXXX")
trap 'rm -rf "$build"' EXIT
pkg_stage "$build/roulette-$version" "$PKG_VERSION" || die "cannot stage the sources"

log "dpkg-buildpackage roulette $version ($suite)"
root_run "$root" env -C "/tmp/${build##*/}/roulette-$version" \
	dpkg-buildpackage -us -uc -tc >"$out/build.log" 2>&1 || {
	tail -n 30 "$out/build.log" >&2
	die "dpkg-buildpackage failed (log: $out/build.log)"
}
rm -f "$out"/roulette*_*
mv "$build"/roulette*_"$version"* "$out/"

if [ "${ROULETTE_NO_LINT:-0}" != 1 ]; then
	log "lintian --pedantic"
	pkg_lint_deb "$out" "$version" || {
		cat "$out/lintian.txt" "$out/lintian.err" >&2
		die "lintian is not clean"
	}
	log "lintian: clean"
fi
ls "$out"/roulette*_"$version"*
