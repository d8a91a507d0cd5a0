#!/bin/bash
# make deb: the Debian source and binary packages of roulette-dkms, built
# from a clean copy of the package inputs, then checked with
# `lintian --pedantic` (any tag fails the build).
#   out/deb/roulette-dkms_VERSION_all.deb, roulette_VERSION.dsc, ...
#   scripts/build-deb.sh [--version X.Y.Z]   (another version: lib-pkg.sh)
# Environment: ROULETTE_OUT, ROULETTE_NO_LINT=1 skips lintian.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pkg.sh
. "$(dirname "$0")/lib-pkg.sh"

apt_install dpkg-dev debhelper dh-dkms lintian || die "cannot install build tools"
pkg_args "$@"

out=$ROULETTE_OUT/deb
build=$out/build
src=$build/roulette-$version
mkdir -p "$out"
pkg_stage "$src" "$PKG_VERSION" || die "cannot stage the sources"

log "dpkg-buildpackage roulette $version"
(cd "$src" && dpkg-buildpackage -us -uc -tc >"$build/build.log" 2>&1) || {
	tail -n 30 "$build/build.log" >&2
	die "dpkg-buildpackage failed (log: $build/build.log)"
}
rm -f "$out"/roulette*_*
mv "$build"/roulette*_"$version"* "$out/"
rm -rf "$src"

if [ "${ROULETTE_NO_LINT:-0}" != 1 ]; then
	log "lintian --pedantic"
	pkg_lint_deb "$out" "$version" || {
		cat "$out/lintian.txt" "$out/lintian.err" >&2
		die "lintian is not clean"
	}
	log "lintian: clean"
fi
ls "$out"/roulette*_"$version"*
