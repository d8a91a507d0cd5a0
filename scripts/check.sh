#!/bin/bash
# make check: static checks, no guest needed.
#   - checkpatch.pl --strict (from Debian's linux-source-6.12) on src/
#   - W=1 + sparse (C=2) builds for every "check" row of tests/kernels.conf,
#     each built as its own system would (scripts/lib.sh: kernel_build),
#     side by side (scripts/lib-rows.sh: rows_build)
#   - shellcheck on every shell script, the test helpers with -Wall -Wextra
#   - the .deb: built in the deb suite (tests/suites.conf: role), the
#     lintian of each suite of tests/lintian.conf, reprotest
#     (scripts/lib-qa.sh)
#   - version agreement (scripts/check-version.sh, when present)
#   - host tools: tests/host-packages.conf against what the host scripts call
#     (scripts/hostcheck.py)
# Results in the common format (out/results/check.txt); exits non-zero on failure.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pkg.sh
. "$(dirname "$0")/lib-pkg.sh"
# shellcheck source=lib-qa.sh
. "$(dirname "$0")/lib-qa.sh"

host_install check linux-source ||
	die "cannot install the check tools"
work=$ROULETTE_OUT/check
mkdir -p "$work"
results_open check

# checkpatch.pl and its data files, unpacked once from the source tarball.
cp_dir=$(linux_source checkpatch-6.12 '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
	'*/scripts/const_structs.checkpatch') || die "cannot unpack checkpatch.pl"
for f in "$ROULETTE_TOP"/src/*.[ch]; do
	ignore=
	# The oops mode's BUG() (compat_oops()) is the feature, not an error path.
	[ "${f##*/}" = compat.h ] && ignore=--ignore=AVOID_BUG
	"$cp_dir/scripts/checkpatch.pl" --strict --no-tree --quiet --terse $ignore \
		-f "$f" 2>&1 | grep -v '^total: 0 errors, 0 warnings, 0 checks' >"$work/checkpatch.log" || true
	check_file "checkpatch --strict ${f#"$ROULETTE_TOP"/}" "$work/checkpatch.log"
done

# Every row of the table: W=1 and sparse must say nothing. The rows'
# builds run side by side (rows_build); each writes its own log and
# status, and the results are recorded in the table's order.
stage_rows check "$work"
ready_rows
rows_build "$work/{}" "$work/build-{}.log" W=1 C=2
for t in "${ROWS[@]}"; do
	blog=$work/build-$t.log
	if [ "$(cat "$blog.status")" = 0 ]; then
		# Our own progress lines (==>, e.g. a headers install) are not findings.
		grep -v -e '^Skipping BTF generation' -e '^==> ' "$blog" >"$work/findings.log" || true
	else
		{ echo "build failed:"; tail -n 20 "$blog"; } >"$work/findings.log"
	fi
	check_file "[$t] W=1 + sparse build" "$work/findings.log" "release ${KREL_OF[$t]}"
done

# dkms.conf's BUILD_EXCLUSIVE_KERNEL_MIN and _MAX are the oldest and the
# newest series of the table, and hold every row (ROULETTE_KERNELS: the
# rows run lie within them): a kernel of a newer
# series fails here until it is proven (a row) and MAX raised.
series() { sed -E 's/^([0-9]+\.[0-9]+).*/\1/' <<<"$1"; }
dkms_setting() { sed -n "s/^$1=\"\([^\"]*\)\".*/\1/p" "$ROULETTE_TOP/dkms.conf"; }
min=$(series "$(dkms_setting BUILD_EXCLUSIVE_KERNEL_MIN)") max=$(series "$(dkms_setting BUILD_EXCLUSIVE_KERNEL_MAX)")
low='' high=''
: >"$work/range.log"
for t in "${ROWS[@]}"; do
	k=$(series "${KREL_OF[$t]}")
	{ [ -z "$low" ] || dpkg --compare-versions "$k" lt "$low"; } && low=$k
	{ [ -z "$high" ] || dpkg --compare-versions "$k" gt "$high"; } && high=$k
done
# a subset of the rows (ROULETTE_KERNELS) lies within the range
if [ -n "${ROULETTE_KERNELS:-}" ]; then
	dpkg --compare-versions "$low" ge "$min" && dpkg --compare-versions "$high" le "$max"
else
	[ "$min" = "$low" ] && [ "$max" = "$high" ]
fi || echo "dkms.conf says $min..$max, the table's kernels are $low..$high" >"$work/range.log"
check_file "dkms.conf's kernel range is the table's (BUILD_EXCLUSIVE_KERNEL_MIN, _MAX)" "$work/range.log" "$min..$max"

# Static helpers for the guest: warnings are errors there too.
for c in "$ROULETTE_TOP"/tests/tools/*.c; do
	gcc -static -O2 -Wall -Wextra -Werror -o /dev/null "$c" >"$work/cc.log" 2>&1 || true
	check_file "gcc -Wall -Wextra ${c#"$ROULETTE_TOP"/}" "$work/cc.log"
done

# Every tracked shell script, whatever its name.
mapfile -t shells < <(cd "$ROULETTE_TOP" && git ls-files | while read -r f; do
	case $f in
	*.sh | .ci/run | debian/*.postinst | debian/*.postrm | debian/*.preinst | debian/*.prerm) echo "$f" ;;
	*) head -n 1 "$f" 2>/dev/null | grep -q '^#!.*\(ba\)\{0,1\}sh' && echo "$f" ;;
	esac
done | sort -u)
(cd "$ROULETTE_TOP" && shellcheck "${shells[@]}") >"$work/shellcheck.log" 2>&1 || true
check_file "shellcheck on every tracked shell script" "$work/shellcheck.log" "${#shells[@]} scripts"

# The .deb is built in the deb suite's chroot (tests/suites.conf: role
# deb) and checked with the host's (Debian 12's) lintian
# (scripts/build-deb.sh); the lintian of each other suite of
# tests/lintian.conf, in its chroot, must be clean too, but for its row's
# tags, each with its reason.
deb_suite=$(pkg_deb_suite)
if "$ROULETTE_TOP/scripts/build-deb.sh" >"$work/deb.log" 2>&1; then
	: >"$work/lint.log"
else
	cp "$work/deb.log" "$work/lint.log"
fi
check_file "make deb (built in $deb_suite; Debian 12's lintian --pedantic)" "$work/lint.log"
changes=$(ls "$ROULETTE_OUT"/deb/roulette_*_amd64.changes)
for s in $(table_rows lintian); do
	[ "$s" != "$HOST_SUITE" ] || continue	# the host's: make deb's, above
	rc=0 suppress=$(pkg_lint_suppress "$s")
	root=$(suite_root "$s" 2>"$work/lint.log") || rc=$?
	if [ "$rc" != 0 ]; then
		record "$([ "$rc" = 2 ] && echo SKIP || echo FAIL)" "lintian --pedantic of $s on the .deb" \
			"no chroot: $(tail -n 1 "$work/lint.log")"
		continue
	fi
	rm -rf "$root/tmp/lint" && mkdir -p "$root/tmp/lint"
	cp "$ROULETTE_OUT"/deb/roulette* "$root/tmp/lint/"
	if ! root_run "$root" sh -c 'command -v lintian >/dev/null ||
		apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends lintian' >"$work/lint-install.log" 2>&1; then
		record FAIL "lintian --pedantic of $s on the .deb" "cannot install lintian in the chroot"
		continue
	fi
	# Its findings are its output (the exit status says the same).
	{ root_run "$root" lintian --pedantic --display-info ${suppress:+--suppress-tags "$suppress"} \
		"/tmp/lint/${changes##*/}" 2>&1 || true; } |
		{ grep -v 'running with root privileges' || true; } >"$work/lint.log"
	check_file "lintian --pedantic of $s on the .deb" "$work/lint.log"
done

# Host tools: every command a host script calls comes from a package of
# tests/host-packages.conf, every function it calls is defined by a file it
# sources, every host_install group exists (scripts/hostcheck.py).
/usr/bin/python3 "$ROULETTE_TOP/scripts/hostcheck.py" "$ROULETTE_TOP" >"$work/hostcheck.log" 2>&1 || true
check_file "host scripts: every command from tests/host-packages.conf, every function defined" "$work/hostcheck.log"

# The verdict's own tests on recorded boots, no QEMU (make harness-test),
# but for "every row that runs a stage has names in its manifest": each
# stage's close judges its own (a row added before its names, as the
# kernel-row recipe does, failed make harness-test here, and make checks
# refuses to write the names from a run with that failure).
HARNESS_IN_STAGE=1 "$ROULETTE_TOP/scripts/harness-test.sh" >"$work/harness.log" 2>&1 && : >"$work/harness.log"
check_file "make harness-test: the verdict's tests on recorded boots" "$work/harness.log"

# Two builds of the .deb under varied environments give the same bytes.
qa_reprotest_deb "$deb_suite" || true	# recorded
qa_reprotest_rpm || true

if [ -x "$ROULETTE_TOP/scripts/check-version.sh" ]; then
	"$ROULETTE_TOP/scripts/check-version.sh" >"$work/version.log" 2>&1 && : >"$work/version.log"
	check_file "version agrees across src/version.h, dkms.conf, debian, rpm" "$work/version.log"
fi

results_close
