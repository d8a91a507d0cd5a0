#!/bin/bash
# shellcheck shell=bash
# make systest: the packages and their repositories (sourced by
# scripts/systest.sh). Owns version (N, the tree's) and next (N+1), set by
# build_packages.

# build_packages: version N of the tree as make repo builds and publishes it.
build_packages() {
	VERSION=$(pkg_version) ||
		{ record FAIL "[$TARGET] version N agrees in version.h, debian/changelog, spec, dkms.conf" "scripts/check-version.sh failed"; return 1; }
	record PASS "[$TARGET] version N agrees in version.h, debian/changelog, spec, dkms.conf"
	NEXT=$(echo "$VERSION" | awk -F. -v OFS=. '{ $NF = $NF + 1; print }')
	note "version N is $VERSION, N+1 $NEXT"
	expect_host "make repo: deb + rpm built" "see $STAGE_WORK/build.log" \
		logged "$STAGE_WORK/build.log" "$ROULETTE_TOP/scripts/build-repo.sh" || return
	expect_host "make repo left no gpg-agent running" "$(pgrep -af "gpg-agent --homedir $ROULETTE_OUT/repo-key")" \
		test -z "$(pgrep -f "gpg-agent --homedir $ROULETTE_OUT/repo-key")"
}

# lint_packages: the very packages the systems install, whether make repo
# built them now or found them up to date.
lint_packages() {
	local d=$ROULETTE_OUT/deb r=$ROULETTE_OUT/rpm
	if pkg_lint_deb "$d" "$VERSION"; then
		record PASS "[$TARGET] lintian --pedantic clean: roulette_N_amd64.changes (.dsc, .deb)"
	else
		record FAIL "[$TARGET] lintian --pedantic clean: roulette_N_amd64.changes (.dsc, .deb)" \
			"$(cat "$d/lintian.txt" "$d/lintian.err" | head -n 5 | tr '\n' ' ')"
	fi
	if pkg_lint_rpm "$r"; then
		record PASS "[$TARGET] rpmlint clean: roulette-dkms-N-1 (.noarch.rpm, .src.rpm, spec)"
	else
		record FAIL "[$TARGET] rpmlint clean: roulette-dkms-N-1 (.noarch.rpm, .src.rpm, spec)" \
			"$(tail -n 5 "$r/rpmlint.txt" | tr '\n' ' ')"
	fi
}

# find_in_repositories: out/repo's signed repositories as users add them
# (roulette.list with signed-by=, roulette.repo with gpgcheck and
# repo_gpgcheck; own state, the host's untouched): the package is found;
# a tampered index, or another key, makes apt and dnf refuse.
find_in_repositories() {
	local r=$ROULETTE_OUT/repo t=$STAGE_WORK/tampered got
	rm -rf "$t" && mkdir -p "$t/wrong-key" && cp -r "$r/deb" "$r/rpm" "$t/" || return 1
	got=$(apt_try signed "$r/roulette.list")
	expect_host "apt repository (roulette.list, signed-by=, no trusted=yes): update clean, candidate roulette-dkms N" \
		"candidate '$got'; $(grep -E '^(W|E):' "$STAGE_WORK/apt/signed/update.log" | head -n 2)" \
		test "$got" = "$VERSION" -a -z "$(grep -E '^(W|E):' "$STAGE_WORK/apt/signed/update.log")"
	sed -i 's/^Description: .*/& (tampered)/' "$t/deb/Packages" && gzip -9kfn "$t/deb/Packages"
	sed "s#file:$r/deb#file:$t/deb#" "$r/roulette.list" >"$t/tampered.list"
	refused apt tampered "$t/tampered.list" 'Hash Sum mismatch'
	sed "s#signed-by=[^]]*#signed-by=/usr/share/keyrings/debian-archive-keyring.gpg#" \
		"$r/roulette.list" >"$t/wrong-key.list"
	refused apt wrong-key "$t/wrong-key.list" 'NO_PUBKEY'
	got=$(dnf_try "$r")
	expect_host "dnf repository (roulette.repo, gpgcheck=1, repo_gpgcheck=1): dnf finds roulette-dkms-N-1.noarch" \
		"dnf says: $got" grep -qx "roulette-dkms-$VERSION-1.noarch" <<<"$got"
	sed -i 's#<revision>#&1#' "$t/rpm/repodata/repomd.xml"
	sed "s#$r/rpm#$t/rpm#" "$r/roulette.repo" >"$t/roulette.repo"
	refused dnf tampered "$t" 'repomd.xml GPG signature verification error'
	sed "s#^gpgkey=.*#gpgkey=file:///usr/share/keyrings/debian-archive-keyring.gpg#" \
		"$r/roulette.repo" >"$t/wrong-key/roulette.repo"
	refused dnf wrong-key "$t/wrong-key" 'repomd.xml GPG signature verification error'
	rm -rf "$STAGE_WORK/rpmdb" && mkdir -p "$STAGE_WORK/rpmdb" &&
		rpmkeys --dbpath "$STAGE_WORK/rpmdb" --import "$r/RPM-GPG-KEY-roulette-dkms"
	got=$(rpmkeys --dbpath "$STAGE_WORK/rpmdb" -K "$r/rpm/roulette-dkms-$VERSION-1.noarch.rpm" 2>&1)
	expect_host "rpm -K with the repository key: roulette-dkms-N-1.noarch.rpm signed" \
		"$got" grep -q ': digests signatures OK$' <<<"$got"
}

# apt_try NAME LIST: apt-get update with LIST alone (state in
# $STAGE_WORK/apt/NAME, log update.log there); prints roulette-dkms's candidate.
apt_try() {
	local d=$STAGE_WORK/apt/$1
	rm -rf "$d" && mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	local o=(-o Dir::Etc::SourceList="$2" -o Dir::Etc::SourceParts=-
		-o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache")
	apt-get -q "${o[@]}" update >"$d/update.log" 2>&1
	apt-cache "${o[@]}" policy roulette-dkms 2>&1 | sed -n 's/^ *Candidate: //p'
}

# dnf_try REPOSDIR: dnf with the .repo files of REPOSDIR alone (keys
# imported as asked); prints the packages it finds and its errors.
dnf_try() {
	local h rc=0
	rm -rf "$STAGE_WORK/dnf-cache"
	dnf -y --setopt=reposdir="$1" --setopt=cachedir="$STAGE_WORK/dnf-cache" --releasever=40 \
		repoquery --qf '%{name}-%{version}-%{release}.%{arch}' roulette-dkms 2>&1 | grep -v '^ \|^Importing' || rc=$?
	# dnf's gpgme starts a gpg-agent on the keyring it imported to
	for h in "$STAGE_WORK"/dnf-cache/*/pubring; do gpg_agent_stop "$h"; done
	return "$rc"
}

# refused apt|dnf CASE SOURCE TEXT: the client finds no roulette-dkms in
# SOURCE (a list, a reposdir) and says why (TEXT).
refused() {
	local said
	if [ "$1" = apt ]; then
		[ -z "$(apt_try "$2" "$3")" ] && said=$(grep -E '^(W|E):' "$STAGE_WORK/apt/$2/update.log")
	else
		said=$(dnf_try "$3") && ! grep -q '^roulette-dkms' <<<"$said"
	fi
	expect_host "$1 refuses the repository ($2): $4" "$1 said: $(head -c 300 <<<"$said")" \
		grep -qF "$4" <<<"$said"
}

# signed_repo DIR: DIR's packages as a flat apt repository signed with
# the repository key.
signed_repo() {
	local rc=0
	repo_key && apt_repo "$1" || rc=1
	repo_key_release
	return "$rc"
}

# build_next_version: version N+1, for the package upgrade, in an apt
# repository of its own signed with the same key (out/systest/next/repo).
build_next_version() {
	expect_host "version N+1 built from a bumped copy" "see $STAGE_WORK/build.log" \
		logged "$STAGE_WORK/build.log" env ROULETTE_OUT="$STAGE_WORK/next" ROULETTE_NO_LINT=1 \
		"$ROULETTE_TOP/scripts/build-deb.sh" --version "$NEXT" || return
	rm -rf "$STAGE_WORK/next/repo" && mkdir -p "$STAGE_WORK/next/repo" &&
		cp "$STAGE_WORK/next/deb/roulette-dkms_${NEXT}_all.deb" "$STAGE_WORK/next/repo/"
	expect_host "version N+1 in a signed apt repository" "see $STAGE_WORK/build.log" \
		logged "$STAGE_WORK/build.log" signed_repo "$STAGE_WORK/next/repo"
}

# build_planted_versions: two test-only releases just below N, for the
# lived kernel upgrades' failure paths (lived.sh), built from a copy of the
# tree changed in one place each, in a signed apt repository of their own
# (out/systest/planted/repo): N~range is proven up to 6.12 only
# (BUILD_EXCLUSIVE_KERNEL_MAX="6.12.999"), N~fail's Kbuild stops on any
# 6.12 kernel (a genuine build failure).
build_planted_versions() {
	local d=$STAGE_WORK/planted v tree
	rm -rf "$d" && mkdir -p "$d/repo" || return
	for v in range fail; do
		tree=$d/tree-$v
		mkdir -p "$tree" && cp -a "$ROULETTE_TOP/scripts" "$ROULETTE_TOP/tests" "$tree/" &&
			(cd "$ROULETTE_TOP" && cp -a "${PKG_INPUTS[@]}" "$tree/") || return
		if [ "$v" = range ]; then
			sed -i 's/^BUILD_EXCLUSIVE_KERNEL_MAX=.*/BUILD_EXCLUSIVE_KERNEL_MAX="6.12.999"/' "$tree/dkms.conf"
		else
			# shellcheck disable=SC2016 # make's own expansions
			printf '%s\n' 'ifneq ($(filter 6.12.%,$(KERNELRELEASE)),)' \
				'$(error planted build failure (test-only release): kernel $(KERNELRELEASE))' endif |
				cat - "$ROULETTE_TOP/src/Kbuild" >"$tree/src/Kbuild"
		fi
		expect_host "test-only release N~$v built" "see $STAGE_WORK/build.log" \
			logged "$STAGE_WORK/build.log" env ROULETTE_OUT="$d/out-$v" ROULETTE_NO_LINT=1 \
			"$tree/scripts/build-deb.sh" --version "$VERSION~$v" || return
		cp "$d/out-$v/deb/roulette-dkms_${VERSION}~${v}_all.deb" "$d/repo/" || return
	done
	expect_host "test-only releases in a signed apt repository" "see $STAGE_WORK/build.log" \
		logged "$STAGE_WORK/build.log" signed_repo "$d/repo"
}
