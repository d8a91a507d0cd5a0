#!/bin/bash
# make repo: a signed apt repository and a signed dnf repository under one
# folder, with what a user needs to trust them:
#   out/repo/deb   flat apt repository (apt-ftparchive), InRelease + Release.gpg
#   out/repo/rpm   signed packages (rpmsign), createrepo_c metadata, repomd.xml.asc
#   out/repo/roulette-dkms.gpg   the public key, for apt's signed-by=
#   out/repo/RPM-GPG-KEY-roulette-dkms   the same, armored, for rpm and dnf
#   out/repo/roulette-dkms.sources   apt's deb822 source for a machine that
#                  fetches the repository over HTTP(S) from ROULETTE_REPO_URL
#                  (default http://127.0.0.1/roulette-dkms: the one thing that
#                  changes with the place it is served from; README "Install")
#   out/repo/roulette.list (apt), out/repo/roulette.repo (dnf): this
#                  machine's own file: paths, for a look before publishing
# The key: REPO_KEY (lib-pkg.sh: repo_key), else one made once in
# out/repo-key (never published). Builds the packages first when they are
# missing or older than their inputs.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pkg.sh
. "$(dirname "$0")/lib-pkg.sh"

host_install repo || die "cannot install the host packages (tests/host-packages.conf: repo)"
version=$(pkg_version) || die "version mismatch (scripts/check-version.sh)"
repo_key || die "no signing key (REPO_KEY=${REPO_KEY:-})"
trap repo_key_release EXIT

deb=$ROULETTE_OUT/deb/roulette-dkms_${version}_all.deb
rpmfile=$ROULETTE_OUT/rpm/roulette-dkms-$version-1.noarch.rpm
if pkg_stale "$deb"; then "$ROULETTE_TOP/scripts/build-deb.sh" >/dev/null; fi
if pkg_stale "$rpmfile"; then "$ROULETTE_TOP/scripts/build-rpm.sh" >/dev/null; fi

repo=$ROULETTE_OUT/repo
rm -rf "$repo"
mkdir -p "$repo/deb" "$repo/rpm"
gpg --batch --quiet --export "$REPO_KEYID" >"$repo/roulette-dkms.gpg"
gpg --batch --quiet --armor --export "$REPO_KEYID" >"$repo/RPM-GPG-KEY-roulette-dkms"

cp "$deb" "$ROULETTE_OUT/deb/roulette_$version.dsc" \
	"$ROULETTE_OUT/deb/roulette_$version.tar.xz" "$repo/deb/"
apt_repo "$repo/deb" || die "apt-ftparchive or gpg failed"

cp "$ROULETTE_OUT"/rpm/roulette-dkms-"$version"-1.*.rpm "$repo/rpm/"
rpmsign --define "_gpg_name $REPO_KEYID" --define "__gpg /usr/bin/gpg" --addsign "$repo"/rpm/*.rpm >/dev/null ||
	die "rpmsign failed"
createrepo_c --quiet "$repo/rpm" || die "createrepo_c failed"
gpg --batch --yes --quiet -u "$REPO_KEYID" --armor --detach-sign "$repo/rpm/repodata/repomd.xml" ||
	die "cannot sign repomd.xml"

cat >"$repo/roulette.list" <<EOT
deb [signed-by=$repo/roulette-dkms.gpg] file:$repo/deb ./
deb-src [signed-by=$repo/roulette-dkms.gpg] file:$repo/deb ./
EOT
url=${ROULETTE_REPO_URL:-http://127.0.0.1/roulette-dkms}
cat >"$repo/roulette-dkms.sources" <<EOT
Types: deb
URIs: ${url%/}/deb/
Suites: ./
Signed-By: /etc/apt/keyrings/roulette-dkms.gpg
EOT
cat >"$repo/roulette.repo" <<EOT
[roulette-dkms]
name=roulette-dkms (local)
baseurl=file://$repo/rpm
enabled=1
gpgcheck=1
repo_gpgcheck=1
gpgkey=file://$repo/RPM-GPG-KEY-roulette-dkms
EOT

log "signed with $REPO_KEYID"
log "apt, served at $url: README.md, Install"
log "apt, here: cp $repo/roulette.list /etc/apt/sources.list.d/ && apt update && apt install roulette-dkms"
log "dnf: cp $repo/roulette.repo /etc/yum.repos.d/ && dnf install roulette-dkms"
find "$repo" -type f | sort
