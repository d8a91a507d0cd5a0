#!/bin/bash
# make qa: Debian's own QA of the .deb beyond make test-all, as Salsa CI
# runs it (scripts/lib-qa.sh), where make test-all does not: piuparts
# (install, remove, purge in a clean chroot with a before/after diff) on
# bullseye and sid with Recommends off, the "qa" runs of
# tests/piuparts.conf (bookworm, trixie, trixie with Recommends on and with
# the kernel headers run in make systest, its "ci" runs) and
# autopkgtest on sid (Debian runs a package's autopkgtest in unstable
# first; make systest runs it on bookworm and trixie): the "qa" rows of
# tests/kernels.conf (scripts/lib-rows.sh: each_row). Its own stage,
# outside make test-all's budget: cold (piuparts' bases and the
# autopkgtest testbed made first) 5.5 minutes on 2026-12-07, warm mostly
# the autopkgtest (6 minutes in docs/packaging.md). Results:
# out/results/qa.txt.
set -uo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pkg.sh
. "$(dirname "$0")/lib-pkg.sh"
# shellcheck source=lib-qa.sh
. "$(dirname "$0")/lib-qa.sh"

mkdir -p "$QA_WORK"
results_open qa
host_install autopkgtest ||
	{ record FAIL "[qa] host tools" "apt-get install failed"; results_close; exit 1; }
if ! "$ROULETTE_TOP/scripts/build-deb.sh" >"$QA_WORK/deb.log" 2>&1; then
	record FAIL "[qa] make deb" "$(tail -n 3 "$QA_WORK/deb.log" | tr '\n' ' ')"
	results_close
	exit 1
fi
version=$(pkg_version)
qa_piuparts qa "$ROULETTE_OUT/deb/roulette-dkms_${version}_all.deb"
# autopkgtest_row NAME: autopkgtest in the row's suite, on its kernel.
autopkgtest_row() {
	qa_autopkgtest "${SUITE_OF[$1]}" "${SUITE_OF[$1]}" "${KREL_OF[$1]}" "$version" "$QA_WORK"
}
stage_rows qa "$QA_WORK"
each_row autopkgtest_row
results_close
