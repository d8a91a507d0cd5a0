#!/bin/bash
# make repo: a local apt repository and a dnf repository under one folder,
#   out/repo/deb   apt-ftparchive Packages/Sources/Release (flat, unsigned)
#   out/repo/rpm   createrepo_c metadata
# with ready-made source files out/repo/roulette.list (apt) and
# out/repo/roulette.repo (dnf). Builds the packages first when they are
# missing or older than their inputs.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pkg.sh
. "$(dirname "$0")/lib-pkg.sh"

apt_install apt-utils createrepo-c || die "cannot install apt-utils, createrepo-c"
version=$(pkg_version) || die "version mismatch (scripts/check-version.sh)"

deb=$ROULETTE_OUT/deb/roulette-dkms_${version}_all.deb
rpmfile=$ROULETTE_OUT/rpm/roulette-dkms-$version-1.noarch.rpm
if pkg_stale "$deb"; then "$ROULETTE_TOP/scripts/build-deb.sh" >/dev/null; fi
if pkg_stale "$rpmfile"; then "$ROULETTE_TOP/scripts/build-rpm.sh" >/dev/null; fi

repo=$ROULETTE_OUT/repo
rm -rf "$repo"
mkdir -p "$repo/deb" "$repo/rpm"

cp "$deb" "$ROULETTE_OUT/deb/roulette_$version.dsc" \
	"$ROULETTE_OUT/deb/roulette_$version.tar.xz" "$repo/deb/"
(
	cd "$repo/deb"
	apt-ftparchive packages . >Packages
	gzip -9kn Packages
	apt-ftparchive sources . >Sources 2>/dev/null
	gzip -9kn Sources
	apt-ftparchive -o APT::FTPArchive::Release::Origin=roulette-dkms \
		-o APT::FTPArchive::Release::Label=roulette-dkms release . >../Release.tmp
	mv ../Release.tmp Release
) || die "apt-ftparchive failed"

cp "$ROULETTE_OUT"/rpm/roulette-dkms-"$version"-1.*.rpm "$repo/rpm/"
createrepo_c --quiet "$repo/rpm" || die "createrepo_c failed"

cat >"$repo/roulette.list" <<EOT
deb [trusted=yes] file:$repo/deb ./
deb-src [trusted=yes] file:$repo/deb ./
EOT
cat >"$repo/roulette.repo" <<EOT
[roulette-dkms]
name=roulette-dkms (local)
baseurl=file://$repo/rpm
enabled=1
gpgcheck=0
EOT

log "apt: cp $repo/roulette.list /etc/apt/sources.list.d/ && apt update && apt install roulette-dkms"
log "dnf: cp $repo/roulette.repo /etc/yum.repos.d/ && dnf install roulette-dkms"
find "$repo" -type f | sort
