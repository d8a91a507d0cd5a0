#!/bin/bash
# shellcheck shell=bash
# make systest: Debian's own test of the package (sourced by scripts/systest.sh).

# run_autopkgtest SUITE ROW: Debian's own test (autopkgtest-pkg-dkms) with
# the unshare backend, in a testbed with the row's headers.
run_autopkgtest() {
	local tb rc=0 subid=$WORK/subid
	tb=$(root_autopkgtest_tarball "$1" "$(krel "$2")") ||
		{ record FAIL "[$TARGET] autopkgtest testbed: mmdebstrap failed"; return 1; }
	echo "root:100000:65536" >"$subid"
	# Root has no /etc/subuid entry: lend it one inside a mount namespace.
	# shellcheck disable=SC2016 # expanded by the inner sh
	unshare -m sh -c 'mount --bind "$1" /etc/subuid && mount --bind "$1" /etc/subgid &&
		shift && exec "$@"' sh "$subid" timeout 900 autopkgtest -U \
		"$ROULETTE_OUT/deb/roulette_$VERSION.dsc" "$ROULETTE_OUT/deb/roulette-dkms_${VERSION}_all.deb" \
		-- unshare --release "$1" --arch amd64 --tarball "$tb" >"$WORK/autopkgtest.log" 2>&1 || rc=$?
	# 8: only superficial tests ran; the dkms test is one
	if [ "$rc" -eq 0 ] || [ "$rc" -eq 8 ]; then
		note "autopkgtest: exit $rc ($([ "$rc" -eq 8 ] && echo 'superficial test passed' || echo passed))"
		record PASS "[$TARGET] autopkgtest autopkgtest-pkg-dkms (unshare)"
	else
		record FAIL "[$TARGET] autopkgtest autopkgtest-pkg-dkms (unshare): exit $rc, see $WORK/autopkgtest.log"
		tail -n 30 "$WORK/autopkgtest.log"
	fi
}
