#!/bin/bash
# make rpm: the RPM source and noarch binary packages of roulette-dkms
# (rpmbuild -ba with a private _topdir), then checked with rpmlint and
# rpm/roulette-dkms.rpmlintrc (any error or warning fails the build).
#   out/rpm/roulette-dkms-VERSION-1.noarch.rpm, roulette-dkms-VERSION-1.src.rpm
#   scripts/build-rpm.sh [--version X.Y.Z]   (another version: lib-pkg.sh)
# Environment: ROULETTE_OUT, ROULETTE_NO_LINT=1 skips rpmlint.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pkg.sh
. "$(dirname "$0")/lib-pkg.sh"

host_install rpm || die "cannot install the host packages (tests/host-packages.conf: rpm)"
umask 022	# as dpkg-buildpackage: the builder's umask is not the package's modes
pkg_args "$@"

out=$ROULETTE_OUT/rpm
top=$out/build
name=roulette-dkms-$version
rm -rf "$top"
mkdir -p "$top"/{SOURCES,SPECS,BUILD,RPMS,SRPMS}
pkg_stage "$top/$name" "$PKG_VERSION" || die "cannot stage the sources"
# SOURCE_DATE_EPOCH: the day of the spec's newest %changelog entry, as
# rpmbuild takes it (below); the tarball's times and gzip header too.
SOURCE_DATE_EPOCH=$(date -u -d "$(sed -n '/^%changelog/{n;s/^\* [A-Z][a-z]* \([A-Z][a-z]* [0-9]* [0-9]*\) .*/\1/p;q}' \
	"$top/$name/rpm/roulette-dkms.spec")" +%s) || die "no date in the spec's %changelog"
export SOURCE_DATE_EPOCH
tar -C "$top" --owner=0 --group=0 --numeric-owner --sort=name --mtime="@$SOURCE_DATE_EPOCH" -cf - "$name" |
	gzip -9n >"$top/SOURCES/$name.tar.gz"
cp "$top/$name/rpm/roulette-dkms.spec" "$top/SPECS/"
cp "$top/$name/sysusers.d/roulette.conf" "$top/SOURCES/roulette.sysusers"
rm -rf "${top:?}/$name"

log "rpmbuild -ba roulette-dkms $version"
# Debian's rpm has no database of the build machine's packages (--nodeps)
# and no systemd-rpm-macros (the macros it would define).
udevdefine=()
[ "$(rpm --eval '%{_udevrulesdir}')" = '%{_udevrulesdir}' ] &&
	udevdefine=(--define "_udevrulesdir /usr/lib/udev/rules.d")
[ "$(rpm --eval '%{_sysusersdir}')" = '%{_sysusersdir}' ] &&
	udevdefine+=(--define "_sysusersdir /usr/lib/sysusers.d")
# Its brp-compress (man pages, gzip as on Fedora and EL) uses bash's
# read -d but runs under Debian's sh, dash, and compresses nothing: run it
# with bash.
postdefine=()
post=$(rpm --eval '%{__os_install_post}' | sed '/^ *$/d; s/$/;/' | tr '\n' ' ')
[[ $post == *"/usr/lib/rpm/brp-compress"* ]] && [ "$(readlink -f /bin/sh)" != /usr/bin/bash ] &&
	postdefine=(--define "__os_install_post ${post//\/usr\/lib\/rpm\/brp-compress/bash /usr/lib/rpm/brp-compress}")
# Reproducible: SOURCE_DATE_EPOCH from the newest %changelog entry is the
# build time and clamps file times; the build host is not recorded.
repro=(--define "source_date_epoch_from_changelog 1" --define "use_source_date_epoch_as_buildtime 1"
	--define "clamp_mtime_to_source_date_epoch 1" --define "_buildhost roulette-dkms.build")
rpmbuild -ba --nodeps --define "_topdir $top" "${udevdefine[@]}" "${postdefine[@]}" "${repro[@]}" \
	"$top/SPECS/roulette-dkms.spec" \
	>"$top/build.log" 2>&1 || {
	tail -n 30 "$top/build.log" >&2
	die "rpmbuild failed (log: $top/build.log)"
}
rm -f "$out"/*.rpm
mv "$top"/RPMS/noarch/*.rpm "$top"/SRPMS/*.rpm "$out/"

if [ "${ROULETTE_NO_LINT:-0}" != 1 ]; then
	log "rpmlint"
	pkg_lint_rpm "$out" || {
		cat "$out/rpmlint.txt" >&2
		die "rpmlint is not clean"
	}
	log "rpmlint: $(grep ' 0 errors, 0 warnings' "$out/rpmlint.txt")"
fi
ls "$out"/*.rpm
