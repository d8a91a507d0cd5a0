#!/bin/bash
# shellcheck shell=bash
# Debian's own QA of the .deb, as Salsa CI runs it: piuparts (install,
# remove, purge in a clean chroot of each suite, with a before/after
# filesystem diff). Source it after lib.sh (which brings lib-root.sh) and lib-pkg.sh;
# each function records its results (lib.sh: record) and logs to $QA_WORK.

QA_WORK=${QA_WORK:-$ROULETTE_OUT/qa}
QA_MIRROR=${SUITE_MIRROR:-http://deb.debian.org/debian}
# The package checks of piuparts' own server scripts (missing md5sums,
# obsolete conffiles, unowned lib links, bad permissions, missing
# copyright) and the root password that sudo, a Recommends of dkms, wants
# before it lets itself be removed. Not the whole directory: its speed-up
# scripts divert /usr/bin/sync, which debsums then reports on trixie.
QA_PIUPARTS_SCRIPTS="pre_remove_40_find_missing_md5sums pre_remove_40_find_obsolete_conffiles
	pre_remove_40_find_unowned_lib_links pre_remove_50_find_bad_permissions
	pre_remove_50_find_missing_copyright pre_test_root_password"
# What those scripts print when they find something.
QA_PIUPARTS_FINDINGS='MD5SUM FILE NOT FOUND|FILE WITHOUT MD5SUM|MD5SUM WITHOUT FILE|MISSING OBJECT|OBSOLETE CONFFILE|UNOWNED SYMLINK|BAD PERMISSIONS|MISSING COPYRIGHT FILE'
# qa_piuparts_deps_hook RECOMMENDS: qa_piuparts_base's mmdebstrap hook (a
# script; its first argument is the root): dkms's dependencies (with
# RECOMMENDS on, its Recommends too: mmdebstrap's 00mmdebstrap turns them
# off in the root) as apt resolves them there, installed by apt.
qa_piuparts_deps_hook() {
	local r=false
	[ "$1" = off ] || r=true
	# shellcheck disable=SC2016 # run by mmdebstrap
	printf '%s\n' '#!/bin/sh' 'set -e' "apt=\"apt-get -o APT::Install-Recommends=$r\"" \
		'deps=$(chroot "$1" $apt install -s dkms | awk '"'"'$1 == "Inst" && $2 != "dkms" { print $2 }'"'"')' \
		'echo "dkms needs:" $deps >&2' \
		'test -n "$deps"' \
		'DEBIAN_FRONTEND=noninteractive chroot "$1" $apt install -y -q $deps >&2' \
		'chroot "$1" apt-get clean'
}

# qa_piuparts_base SUITE RECOMMENDS PACKAGES: piuparts' cached --basetgz of
# SUITE (minbase, with PACKAGES if not "-"), made again after a week
# (piuparts upgrades it at every run: an old base makes every run slower).
# It holds what dkms depends on (and, Recommends on, recommends), as apt
# resolves it in the base, installed by apt (marked manual: the purge
# leaves them, as it leaves the base), but not dkms itself: piuparts still
# installs and purges dkms and roulette-dkms, and downloads and unpacks
# only those two (no dkms was ever in the base: nothing of it is left in
# the "before" state for the purge to take away).
qa_piuparts_base() {
	local suite=$1 rec=$2 pkgs=$3 dir=$ROULETTE_CACHE/piuparts tarball tmp inc=()
	tarball=$dir/base-$suite-dkmsdeps
	[ "$rec" = off ] || tarball+=-recommends
	if [ "$pkgs" != - ]; then
		inc=(--include="$pkgs")
		tarball+=-${pkgs//,/-}
	fi
	tarball+=.tar.gz
	if [ ! -s "$tarball" ] || [ -n "$(find "$tarball" -mtime +6)" ]; then
		mkdir -p "$dir" && tmp=$(mktemp "$dir/base.XXXXXX.tar.gz") || return 1
		find "$dir" -name 'base.*.tar.gz' ! -path "$tmp" -mmin +180 -delete	# a killed run's
		# a base no run uses (older names: base-SUITE.tar.gz) is never made again
		find "$dir" -name 'base-*.tar.gz' -mtime +13 -delete
		if ! ROOT_RECOMMENDS=$([ "$rec" = on ] && echo 1 || echo 0) \
			root_mmdebstrap "$suite" "$tmp" "${inc[@]}" --customize-hook="$(qa_piuparts_deps_hook "$rec")" ||
			! mv "$tmp" "$tarball"; then
			rm -f "$tmp"
			return 1
		fi
	fi
	echo "$tarball"
}

# qa_piuparts_run NAME SUITE RECOMMENDS PACKAGES: one piuparts run of
# roulette-dkms from the flat repository $QA_WORK/piuparts-repo, by name
# (--apt), so that its scripts see the package (PIUPARTS_OBJECTS: with a
# .deb file they would check nothing); its log is $QA_WORK/piuparts-NAME.log.
qa_piuparts_run() {
	local name=$1 suite=$2 rec=$3 pkgs=$4 base rc=0 start=$SECONDS
	local logf=$QA_WORK/piuparts-$name.log what="Recommends $3" repo=$QA_WORK/piuparts-repo
	# debconf's dpkg-preconfigure (trixie and later) leaves its own empty
	# temporary directory, which no package owns, after any apt install.
	local -a opts=(-d "$suite" -m "$QA_MIRROR" --scriptsdir "$QA_WORK/piuparts-scripts"
		--no-check-valid-until -l "$logf" --apt --bindmount "$repo" --testdebs-repo "$repo"
		-i /var/cache/debconf/tmp.ci/)
	[ "$rec" = on ] && opts+=(--install-recommends)
	# bullseye's dkms (2.8.4) depends on lsb-release, whose python module's
	# bytecode python3 leaves behind, owned by no package, after the purge.
	[ "$suite" != bullseye ] || opts+=(-I '/usr/lib/python3/(dist-packages/(__pycache__/(lsb_release\.cpython-[0-9]+\.pyc)?)?)?')
	[ "$pkgs" = - ] || what+=", $pkgs in the base"
	local check="[piuparts-$name] piuparts ($what): install, remove, purge leave nothing behind"
	local scripts="[piuparts-$name] piuparts' package checks ran and found nothing (md5sums, conffiles, lib links, permissions, copyright)"
	rm -f "$logf"
	if ! base=$(qa_piuparts_base "$suite" "$rec" "$pkgs" 2>"$logf.base"); then
		record FAIL "$check" "base chroot: mmdebstrap failed, see $logf.base"
		return 1
	fi
	log "piuparts $name: base ready after $((SECONDS - start)) s"
	timeout 1800 piuparts -b "$base" "${opts[@]}" roulette-dkms >/dev/null 2>&1 || rc=$?
	log "piuparts $name: exit $rc, $((SECONDS - start)) s"
	if [ "$rc" -eq 0 ] && grep -q 'INFO: PASS: All tests' "$logf"; then
		record PASS "$check"
	else
		record FAIL "$check" "exit $rc: $(grep -m 3 -e 'ERROR' -e 'FAIL' "$logf" | tr '\n' ' ' | head -c 400) (log: $logf)"
		return 1
	fi
	# The server scripts report in the log; most of them still exit 0.
	if grep -q 'tmp/scripts/pre_remove_50_find_missing_copyright' "$logf" &&
		! grep -Eq "$QA_PIUPARTS_FINDINGS" "$logf"; then
		record PASS "$scripts"
	else
		record FAIL "$scripts" "$(grep -Em 3 "$QA_PIUPARTS_FINDINGS" "$logf" | tr '\n' ' ' | head -c 400) (or they did not run) (log: $logf)"
	fi
	# With headers in the base, DKMS must have built (else the purge
	# proved nothing about the modules).
	[ "$pkgs" = - ] || qa_expect_log "[piuparts-$name] DKMS built and installed roulette's modules during the install" \
		"$logf" 'roulette\.ko'
}

# qa_expect_log NAME LOGFILE ERE: check NAME (lib.sh): LOGFILE has a line
# matching ERE. Status 0 either way (the check is recorded).
qa_expect_log() {
	check "$1" --detail "no line matching /$3/ in $2" -- grep -Eq -- "$3" "$2" || :
}

# qa_piuparts WHERE [DEB]: the runs of tests/piuparts.conf whose where is
# WHERE (ci: make systest's life piuparts; qa: make qa) on the .deb
# (default: make deb's), one after the other, in the table's order.
qa_piuparts() {
	local where=$1 deb=${2:-} name suite rec pkgs s
	[ -n "$deb" ] || deb=$(compgen -G "$ROULETTE_OUT/deb/roulette-dkms_*_all.deb" | head -n 1)
	[ -f "$deb" ] || { record FAIL "[piuparts] the .deb to test" "none: make deb"; return 1; }
	host_install piuparts || { record FAIL "[piuparts] host packages" "apt-get failed (tests/host-packages.conf: piuparts)"; return 1; }
	if ! rm -rf "$QA_WORK/piuparts-repo" || ! mkdir -p "$QA_WORK/piuparts-repo" ||
		! cp "$deb" "$QA_WORK/piuparts-repo/" ||
		! (cd "$QA_WORK/piuparts-repo" && apt-ftparchive packages . >Packages); then
		record FAIL "[piuparts] the repository of the .deb" "apt-ftparchive failed"
		return 1
	fi
	mkdir -p "$QA_WORK/piuparts-scripts" && rm -f "$QA_WORK"/piuparts-scripts/*
	for s in $QA_PIUPARTS_SCRIPTS; do
		cp "/etc/piuparts/scripts/$s" "$QA_WORK/piuparts-scripts/" ||
			{ record FAIL "[piuparts] piuparts' server scripts" "/etc/piuparts/scripts/$s is missing"; return 1; }
	done
	# dkms 3.2 prints its progress dots from a background "while true; do
	# sleep 3" loop; killing the loop leaves its last sleep running for up to
	# 3 s, and piuparts' check for processes left in the chroot failed a
	# trixie-headers run on it (seen here once after the install; with
	# dkms's dependencies in the base, the purge after the remove is quick
	# and it failed so after the remove's depmod too). Ours waits that
	# sleep out after both.
	for s in post_install_99_dkms_progress_sleep post_remove_99_dkms_progress_sleep; do
		printf '#!/bin/sh\n# roulette-dkms: let dkms'"'"'s progress sleep end\nsleep 4\n' \
			>"$QA_WORK/piuparts-scripts/$s" && chmod +x "$QA_WORK/piuparts-scripts/$s"
	done
	# One after the other: two piuparts side by side each see the other's
	# processes (tried: "Processes are running inside chroot", and one
	# killed the other's apt-get).
	mkdir -p "$QA_WORK"
	for name in $(table_rows piuparts where "$where"); do
		read -r suite rec pkgs < <(table_field piuparts "$name" suite recommends packages) &&
			qa_piuparts_run "$name" "$suite" "$rec" "$pkgs"
	done
}

# QA_REPROTEST_VARY: what two builds differ in (reprotest --vary): at
# least build path, time (faketime), timezone, locale, umask and user.
QA_REPROTEST_VARY=-all,+build_path,+time,+timezone,+locales,+umask,+user_group,+home,+exec_path

# qa_reprotest_deb SUITE: reprotest of make deb's source package in the
# suite's chroot (where build-deb.sh builds; lib-pkg.sh: pkg_build_root):
# two builds from the .dsc varying QA_REPROTEST_VARY (the second as user
# rpbuild, in Estonian, 398 days later under faketime) must give
# identical .deb bytes.
qa_reprotest_deb() {
	local suite=$1 root tmp dsc logf=$QA_WORK/reprotest-deb.log rc=0 start=$SECONDS
	local check="[reprotest] .deb: two builds varying build path, time, timezone, locale, umask, user, HOME, PATH are identical"
	dsc=$(compgen -G "$ROULETTE_OUT/deb/roulette_*.dsc" | head -n 1)
	[ -f "$dsc" ] || { record FAIL "$check" "no source package to build (make deb)"; return 1; }
	mkdir -p "$QA_WORK"
	root=$(pkg_build_root "$suite" 2>"$logf") ||
		{ record FAIL "$check" "no $suite chroot to build in (log: $logf)"; return 1; }
	(
		suite_lock "$suite" || exit 1
		[ -x "$root/usr/bin/reprotest" ] && [ -s "$root/var/lib/roulette-reprotest" ] && exit 0
		root_run "$root" apt-get install -y -qq --no-install-recommends reprotest faketime sudo locales &&
			root_run "$root" sh -c 'sed -i "s/^# *\(et_EE.UTF-8 UTF-8\)/\1/" /etc/locale.gen && locale-gen &&
				{ getent passwd rpbuild >/dev/null ||
					useradd --system --user-group --home-dir /nonexistent rpbuild; } &&
				echo "reprotest, faketime, et_EE.UTF-8, user rpbuild" >/var/lib/roulette-reprotest'
	) >>"$logf" 2>&1 || { record FAIL "$check" "cannot set up reprotest in the $suite chroot (log: $logf)"; return 1; }
	tmp=$(mktemp -d "$root/tmp/roulette-reprotest.XXXXXX") || return 1
	cp "$dsc" "${dsc%.dsc}".tar.* "$tmp/" || return 1
	root_run "$root" env -C "/tmp/${tmp##*/}" timeout 1200 reprotest --verbosity 1 \
		--vary="$QA_REPROTEST_VARY" --vary=user_group.available+=rpbuild:rpbuild \
		--vary=time.faketimes+=+398days+7hours+13minutes \
		--store-dir="/tmp/${tmp##*/}/store" "${dsc##*/}" -- null >>"$logf" 2>&1 || rc=$?
	log "reprotest .deb: exit $rc, $((SECONDS - start)) s"
	if [ "$rc" -eq 0 ] && grep -q '^Reproduction successful' "$logf"; then
		record PASS "$check"
		grep -A1 '^No differences' "$logf" | tail -n 1 | sed 's/^/    /'
	else
		record FAIL "$check" "they differ or failed: exit $rc (log: $logf; diffoscope output in the chroot's /tmp/${tmp##*/}/store)"
		tail -n 20 "$logf"
		return 1
	fi
	rm -rf "$tmp"
}

# qa_autopkgtest TAG SUITE KREL VERSION DIR: Debian's own test of the
# package (autopkgtest-pkg-dkms) with the unshare backend, in a testbed of
# SUITE with KREL's headers; the log is DIR/autopkgtest-SUITE.log.
qa_autopkgtest() {
	local tag=$1 suite=$2 krel=$3 v=$4 dir=$5 tb rc=0 subid=$5/subid logf=$5/autopkgtest-$2.log
	tb=$(root_autopkgtest_tarball "$suite" "$krel") ||
		{ record FAIL "[$tag] autopkgtest autopkgtest-pkg-dkms (unshare)" "testbed: mmdebstrap failed"; return 1; }
	echo "root:100000:65536" >"$subid"
	# Root has no /etc/subuid entry: lend it one inside a mount namespace.
	# shellcheck disable=SC2016 # expanded by the inner sh
	unshare -m sh -c 'mount --bind "$1" /etc/subuid && mount --bind "$1" /etc/subgid &&
		shift && exec "$@"' sh "$subid" timeout 900 autopkgtest -U \
		"$ROULETTE_OUT/deb/roulette_$v.dsc" "$ROULETTE_OUT/deb/roulette-dkms_${v}_all.deb" \
		-- unshare --release "$suite" --arch amd64 --tarball "$tb" >"$logf" 2>&1 || rc=$?
	# 8: only superficial tests ran; the dkms test is one
	if [ "$rc" -eq 0 ] || [ "$rc" -eq 8 ]; then
		log "$tag: autopkgtest: exit $rc ($([ "$rc" -eq 8 ] && echo 'superficial test passed' || echo passed))"
		record PASS "[$tag] autopkgtest autopkgtest-pkg-dkms (unshare)"
	else
		record FAIL "[$tag] autopkgtest autopkgtest-pkg-dkms (unshare)" "exit $rc, see $logf"
		tail -n 30 "$logf"
	fi
}

# qa_reprotest_rpm: make rpm twice into the same place as the same user
# (rpm 4.18 writes the building user as owner of the .src.rpm's files and
# the expanded %install, with the build root's path, into it; the .rpm
# carries the .src.rpm's MD5), the second 398 days later (faketime), in
# another timezone and locale, with umask 002 and another HOME: both
# .rpm and .src.rpm must be identical (SOURCE_DATE_EPOCH: build-rpm.sh).
qa_reprotest_rpm() {
	local d=$QA_WORK/reprotest-rpm logf=$QA_WORK/reprotest-rpm.log f bad='' start=$SECONDS
	local check="[reprotest] .rpm and .src.rpm: two builds varying time, timezone, locale, umask, HOME are identical"
	host_install reprotest >"$logf" 2>&1 || { record FAIL "$check" "cannot install faketime (log: $logf)"; return 1; }
	rm -rf "$d" "$d.first" && mkdir -p "$d" || return 1
	if ! (umask 022 && TZ=UTC LC_ALL=C.UTF-8 ROULETTE_NO_LINT=1 ROULETTE_OUT=$d \
		"$ROULETTE_TOP/scripts/build-rpm.sh") >>"$logf" 2>&1 || ! mv "$d" "$d.first" || ! mkdir -p "$d" ||
		! (umask 002 && cd / && TZ=GMT-14 LC_ALL=et_EE.UTF-8 LANG=et_EE.UTF-8 HOME=/nonexistent \
			NO_FAKE_STAT=1 ROULETTE_NO_LINT=1 ROULETTE_OUT=$d faketime +398days \
			"$ROULETTE_TOP/scripts/build-rpm.sh") >>"$logf" 2>&1; then
		record FAIL "$check" "a build failed (log: $logf)"
		return 1
	fi
	for f in "$d.first"/rpm/*.rpm; do
		cmp "$f" "$d/rpm/${f##*/}" >>"$logf" 2>&1 || bad+=" ${f##*/}"
	done
	log "reprotest .rpm: $((SECONDS - start)) s"
	if [ -z "$bad" ] && compgen -G "$d.first/rpm/*.noarch.rpm" >/dev/null; then
		record PASS "$check"
		sha256sum "$d/rpm/"*.rpm | sed "s#$d/rpm/##; s/^/    /"
	else
		record FAIL "$check" "they differ:${bad:- no .rpm} (log: $logf; rpm -qp --xml shows where)"
	fi
	rm -rf "$d.first"
}
