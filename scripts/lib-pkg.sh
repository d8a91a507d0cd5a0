#!/bin/bash
# shellcheck shell=bash
# Helpers shared by the package scripts (build-deb.sh, build-rpm.sh,
# build-repo.sh, systest.sh). Source it after lib.sh.

# The files a package is made of, relative to the top of the tree.
PKG_INPUTS=(dkms.conf src udev modprobe.d sysusers.d kernel-hooks man debian rpm README.md COPYING)

# pkg_version: the project's version, after checking that every place that
# carries it agrees (scripts/check-version.sh).
pkg_version() {
	"$ROULETTE_TOP/scripts/check-version.sh" "$ROULETTE_TOP"
}

# pkg_stage DIR [VERSION]: a clean copy of the package inputs in DIR
# (sources only: no build products, no out/, no .git). With VERSION, the
# copy is that version: src/version.h, a new debian/changelog entry and the
# spec's Version: and %changelog say so, and check-version.sh must agree.
pkg_stage() {
	local dir=$1 v=${2:-} who
	rm -rf "$dir" && mkdir -p "$dir/src" || return 1
	cp -a "$ROULETTE_TOP"/dkms.conf "$ROULETTE_TOP"/README.md "$ROULETTE_TOP"/COPYING "$dir/" &&
		cp -a "$ROULETTE_TOP"/udev "$ROULETTE_TOP"/modprobe.d "$ROULETTE_TOP"/sysusers.d \
			"$ROULETTE_TOP"/kernel-hooks "$ROULETTE_TOP"/man \
			"$ROULETTE_TOP"/debian "$ROULETTE_TOP"/rpm "$dir/" &&
		cp -a "$ROULETTE_TOP"/src/*.c "$ROULETTE_TOP"/src/*.h \
			"$ROULETTE_TOP"/src/Kbuild "$dir/src/" || return 1
	[ -n "$v" ] || return 0
	who=$(sed -n '1,/^ -- /s/^ -- \(.*>\)  .*/\1/p' "$dir/debian/changelog")
	sed -i "s/^\(#define ROULETTE_VERSION \)\".*\"/\1\"$v\"/" "$dir/src/version.h" &&
		sed -i -e "s/^Version:\( *\).*/Version:\1$v/" \
			-e "s/^%changelog\$/&\n* $(LC_ALL=C date '+%a %b %d %Y') $who - $v-1\n- Version $v.\n/" \
			"$dir/rpm/roulette-dkms.spec" &&
		printf 'roulette (%s) unstable; urgency=medium\n\n  * Version %s.\n\n -- %s  %s\n\n' \
			"$v" "$v" "$who" "$(date -R)" | cat - "$dir/debian/changelog" >"$dir/changelog.new" &&
		mv "$dir/changelog.new" "$dir/debian/changelog" &&
		[ "$("$ROULETTE_TOP/scripts/check-version.sh" "$dir")" = "$v" ]
}

# pkg_args "$@": the package scripts' one option, --version X.Y.Z: build
# that version (PKG_VERSION) from a staged copy. Sets version, the tree's
# (checked) unless --version gives one.
pkg_args() {
	PKG_VERSION=
	case ${1:-} in
	--version) PKG_VERSION=${2:?--version needs X.Y.Z} ;;
	'') ;;
	*) die "usage: ${0##*/} [--version X.Y.Z]" ;;
	esac
	version=$(pkg_version) || die "version mismatch (scripts/check-version.sh)"
	version=${PKG_VERSION:-$version}
}

# pkg_build_root SUITE: the suite's chroot (scripts/lib-suite.sh) with the
# tools that build the Debian packages; prints its path.
pkg_build_root() {
	local root
	root=$(suite_root "$1") || return
	(
		suite_lock "$1" || exit 1
		[ -x "$root/usr/bin/dh_dkms" ] && [ -x "$root/usr/bin/g++" ] && exit 0
		log "apt-get install build-essential debhelper dh-dkms ($1)"
		root_run "$root" apt-get install -y -qq --no-install-recommends build-essential debhelper dh-dkms >&2
	) || return
	echo "$root"
}

# pkg_deb_suite: the suite whose chroot builds the Debian packages
# (tests/suites.conf: role deb), or ROULETTE_DEB_SUITE.
pkg_deb_suite() {
	echo "${ROULETTE_DEB_SUITE:-$(table_rows suites role deb)}"
}

# pkg_lint_suppress SUITE: the tags SUITE's lintian may report on the
# packages, comma-separated (tests/lintian.conf: suppress, with its
# reasons; empty for "-"). Status 1 for a suite with no row.
pkg_lint_suppress() {
	local tags
	tags=$(table_field lintian "$1" suppress) || return 1
	[ "$tags" = - ] || echo "$tags"
}

# pkg_lint_deb DIR VERSION: the host's (Debian 12's) lintian --pedantic on
# the .changes of VERSION in DIR (the source and binary packages); any tag
# fails but those of the host suite's row of tests/lintian.conf. Report in
# DIR/lintian.txt.
pkg_lint_deb() {
	local suppress
	: >"$1/lintian.txt"
	suppress=$(pkg_lint_suppress "$HOST_SUITE" 2>"$1/lintian.err") || return 1
	lintian --pedantic --display-info --fail-on error,warning,info,pedantic \
		${suppress:+--suppress-tags "$suppress"} \
		"$1"/roulette_"$2"_*.changes >"$1/lintian.txt" 2>"$1/lintian.err" &&
		! grep -q . "$1/lintian.txt"
}

# pkg_lint_rpm DIR: rpmlint with rpm/roulette-dkms.rpmlintrc on the spec
# and DIR's packages; any error or warning fails. Report in DIR/rpmlint.txt.
pkg_lint_rpm() {
	rpmlint -r "$ROULETTE_TOP/rpm/roulette-dkms.rpmlintrc" \
		"$ROULETTE_TOP/rpm/roulette-dkms.spec" "$1"/*.rpm >"$1/rpmlint.txt" 2>&1
	grep -q ' 0 errors, 0 warnings' "$1/rpmlint.txt"
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

# repo_key: the repositories' signing key, in REPO_KEYID (a fingerprint)
# with GNUPGHOME set for gpg and rpmsign. REPO_KEY names the builder's own:
# a file with an armored secret key (imported into out/repo-key), or a key
# id of the builder's keyring. Without it, a key generated once into
# out/repo-key (kept: users who trust it keep trusting the rebuilt repo).
repo_key() {
	local home=$ROULETTE_OUT/repo-key
	if [ -n "${REPO_KEY:-}" ] && [ ! -f "$REPO_KEY" ]; then
		REPO_KEYID=$REPO_KEY
		return
	fi
	export GNUPGHOME=$home
	mkdir -p "$home" && chmod 700 "$home" || return 1
	if [ -n "${REPO_KEY:-}" ]; then
		gpg --batch --quiet --import "$REPO_KEY" || return 1
	elif ! gpg --list-secret-keys 2>/dev/null | grep -q .; then
		gpg --batch --quiet --passphrase '' --quick-gen-key \
			'roulette-dkms repository (made by make repo)' rsa3072 sign never || return 1
	fi
	REPO_KEYID=$(gpg --list-secret-keys --with-colons 2>/dev/null | awk -F: '$1 == "fpr" { print $10; exit }')
	[ -n "$REPO_KEYID" ]
}

# gpg_agent_stop HOMEDIR: stop the gpg-agent gpg started for that keyring
# (a build leaves no process behind).
gpg_agent_stop() {
	[ ! -d "$1" ] || gpgconf --homedir "$1" --kill gpg-agent 2>/dev/null || true
}

# repo_key_release: stop the agent of out/repo-key, never the builder's
# own (REPO_KEY=KEYID signs with the builder's GNUPGHOME).
repo_key_release() {
	gpg_agent_stop "$ROULETTE_OUT/repo-key"
}

# apt_repo DIR: DIR's .deb (and .dsc) files as a flat apt repository:
# Packages, Sources, Release, signed with repo_key's key (InRelease,
# Release.gpg).
apt_repo() {
	(
		cd "$1" && rm -f InRelease Release.gpg &&
			apt-ftparchive packages . >Packages && gzip -9kfn Packages &&
			apt-ftparchive sources . >Sources 2>/dev/null && gzip -9kfn Sources &&
			apt-ftparchive -o APT::FTPArchive::Release::Origin=roulette-dkms \
				-o APT::FTPArchive::Release::Label=roulette-dkms release . >../Release.tmp &&
			mv ../Release.tmp Release &&
			gpg --batch --yes --quiet -u "$REPO_KEYID" --clearsign -o InRelease Release &&
			gpg --batch --yes --quiet -u "$REPO_KEYID" --detach-sign -o Release.gpg Release
	)
}
