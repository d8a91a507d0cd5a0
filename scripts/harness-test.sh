#!/bin/bash
# make harness-test: the tests of the verdict (scripts/verdict.py) on
# recorded boots and results (tests/harness/), with no QEMU, in seconds:
# each fixture of tests/harness/fixtures/boots passes or fails as its row
# says (the verdicts kept in out/harness/), the host's and the guest's
# kernel-log scans agree, make test-all's count and CI skip rule, and the
# KTAP results (fixtures and out/results/*.ktap) counted alike by the
# kernel's kunit.py parse (linux-source-6.12), prove and our closing line;
# that every host and guest assertion helper names a check the same when it
# fails as when it passes (test_names); and make bench's statistics
# (scripts/benchstat.py) on a recorded run's raw data, its plots drawn with
# python3-matplotlib.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

host_install harness linux-source || die "cannot install the host packages (tests/host-packages.conf: harness)"
kunit=$(linux_source kunit-6.12 '*/tools/testing/kunit/*') || die "cannot unpack the kunit tool"
mkdir -p "$ROULETTE_OUT/harness"
cd "$ROULETTE_TOP/tests/harness"
KUNIT_DIR=$kunit/tools/testing/kunit HARNESS_OUT=$ROULETTE_OUT/harness \
	PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 -m unittest -v test_verdict test_names test_benchstat test_hostcheck 2>&1
