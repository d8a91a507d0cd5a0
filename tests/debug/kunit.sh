#!/bin/sh
# The drivers' KUnit suites (scripts/test-debug.sh, suites=debug/kunit.sh):
# roulette.ko and mymod.ko built with ROULETTE_KUNIT=1 run src/*_kunit.c
# when they go live and print KTAP in the kernel log. Each KTAP case line
# becomes a check of ours; the suite's own plan must be met and the suite
# must end "ok". A missing case or a suite that never ends fails.
# shellcheck source=../lib.sh
. /tests/lib.sh

# kunit MODULE [PARAM...]: load MODULE, judge the KTAP its suite printed.
kunit() {
	_m=$(mark "kunit-$1")
	expect_eq "kunit $1: the module loads" ok "$(load "$@")"
	_ktap=$(log_since "$_m" | sed 's/^[[:space:]]*//' |
		awk -v s="$1" '$0 == "# Subtest: " s { in_s = 1; next }
			in_s { print } in_s && /^(not )?ok [0-9]+ / && $NF == s { exit }')
	_plan=$(printf '%s\n' "$_ktap" | sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' | head -n 1)
	_cases=$(printf '%s\n' "$_ktap" | grep -E '^(not )?ok [0-9]+ [a-z_0-9]+' | grep -v " $1\$")
	printf '%s\n' "$_cases" | while read -r _line; do
		[ -n "$_line" ] || continue
		_name=$(echo "$_line" | sed -E 's/^(not )?ok [0-9]+ ([a-z_0-9]+).*/\2/')
		case $_line in
		*"# SKIP"*) skip "kunit $1: $_name" "${_line#*# SKIP}" ;;
		ok*) pass "kunit $1: $_name" ;;
		*) fail "kunit $1: $_name" "$(printf '%s\n' "$_ktap" | awk -v n="$_name" '
			/^(not )?ok [0-9]+ / { if ($0 ~ (" " n "$")) exit; block = ""; next }
			{ block = block $0 " | " } END { print block }' | cut -c 1-600)" ;;
		esac
	done
	expect_range "kunit $1: the suite has a plan" 1 1000 "$_plan"
	expect_eq "kunit $1: every planned case reported" "$_plan" "$(printf '%s\n' "$_cases" | grep -c .)"
	expect_match "kunit $1: the suite ends ok" "ok [0-9]+ $1" \
		"$(printf '%s\n' "$_ktap" | grep -E "^(not )?ok [0-9]+ $1\$")"
	expect_eq "kunit $1: unload" ok "$(unload "$1")"
}

kunit roulette chance=0
kunit mymod sec=5
finish
