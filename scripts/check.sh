#!/bin/bash
# make check: static checks, no guest needed.
#   - checkpatch.pl --strict (from Debian's linux-source-6.12) on src/
#   - W=1 + sparse (C=2) builds against every Debian flavour of 6.1 and 6.12
#   - shellcheck on every shell script, the test helpers with -Wall -Wextra
#   - version agreement (scripts/check-version.sh, when present)
# Prints PASS/FAIL lines and "N passed, N failed"; exits non-zero on failure.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

apt_install linux-source-6.12 sparse shellcheck perl gcc libc6-dev make xz-utils ||
	die "cannot install the check tools"
work=$ROULETTE_OUT/check
mkdir -p "$work"
passed=0 failed=0

result() { # result NAME LOGFILE: pass when LOGFILE holds no finding
	if [ -s "$2" ]; then
		echo "FAIL: $1"
		sed 's/^/    /' "$2" | head -n 20
		failed=$((failed + 1))
	else
		echo "PASS: $1"
		passed=$((passed + 1))
	fi
}

# checkpatch.pl and its data files, unpacked once from the source tarball.
cp_dir=$ROULETTE_CACHE/checkpatch-6.12
if [ ! -x "$cp_dir/scripts/checkpatch.pl" ]; then
	mkdir -p "$cp_dir"
	tar -xaf /usr/src/linux-source-6.12.tar.xz -C "$cp_dir" --strip-components=1 \
		--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
fi
for f in "$ROULETTE_TOP"/src/*.[ch]; do
	ignore=
	# The oops mode's BUG() is the feature, not an error path.
	[ "${f##*/}" = roulette.c ] && ignore=--ignore=AVOID_BUG
	"$cp_dir/scripts/checkpatch.pl" --strict --no-tree --quiet --terse $ignore \
		-f "$f" 2>&1 | grep -v '^total: 0 errors, 0 warnings, 0 checks' >"$work/checkpatch.log" || true
	result "checkpatch --strict ${f#"$ROULETTE_TOP"/}" "$work/checkpatch.log"
done

# Every flavour of both series: W=1 and sparse must say nothing.
for t in 6.1-cloud 6.1-amd64 6.1-rt 6.12-cloud 6.12-amd64 6.12-rt; do
	krel=$(kernel_release "$t")
	kdir=$(kernel_headers "$krel")
	blog=$work/build-$t.log
	if build_modules "$krel" "$kdir" "$work/$t" W=1 C=2 >"$blog" 2>&1; then
		grep -v -e '^Skipping BTF generation' "$blog" >"$work/findings.log" || true
	else
		{ echo "build failed:"; tail -n 20 "$blog"; } >"$work/findings.log"
	fi
	result "W=1 + sparse build for $krel" "$work/findings.log"
done

# Static helpers for the guest: warnings are errors there too.
for c in "$ROULETTE_TOP"/tests/tools/*.c; do
	gcc -static -O2 -Wall -Wextra -Werror -o /dev/null "$c" >"$work/cc.log" 2>&1 || true
	result "gcc -Wall -Wextra ${c#"$ROULETTE_TOP"/}" "$work/cc.log"
done

# Every tracked shell script, whatever its name.
mapfile -t shells < <(cd "$ROULETTE_TOP" && git ls-files | while read -r f; do
	case $f in
	*.sh | .ci/run | debian/*.postinst | debian/*.postrm | debian/*.preinst | debian/*.prerm) echo "$f" ;;
	*) head -n 1 "$f" 2>/dev/null | grep -q '^#!.*\(ba\)\{0,1\}sh' && echo "$f" ;;
	esac
done | sort -u)
(cd "$ROULETTE_TOP" && shellcheck "${shells[@]}") >"$work/shellcheck.log" 2>&1 || true
result "shellcheck on ${#shells[@]} scripts" "$work/shellcheck.log"

if [ -x "$ROULETTE_TOP/scripts/check-version.sh" ]; then
	"$ROULETTE_TOP/scripts/check-version.sh" >"$work/version.log" 2>&1 && : >"$work/version.log"
	result "version agrees across src/version.h, dkms.conf, debian, rpm" "$work/version.log"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
