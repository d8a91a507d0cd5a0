#!/bin/bash
# make systest: the whole life of the roulette-dkms packages in real Debian
# systems, told as a user lives it: this file is the story, its steps are
# in scripts/systest/, one file a subsystem (common.sh: checks, steps,
# timings; lives.sh: the lives side by side; state.sh: what the system
# holds; repositories.sh; lifecycle.sh: install, kernel upgrades, boots,
# purge in a chroot; lived.sh: install, kernel upgrade, kernel removal,
# upgrade N -> N+1, purge lived in the booted system; secureboot.sh;
# kdump.sh; release.sh; rpm.sh; arch.sh). For each Debian suite among the "systest" rows of tests/kernels.conf (or
# ROULETTE_KERNELS; scripts/lib-rows.sh: stage_rows), its first row is the
# kernel of the installed system
# and its later rows are kernel upgrades (a row of SUITE-backports belongs
# to SUITE and upgrades with apt -t SUITE-backports). tests/suites.conf
# says which suite is a minimal system (Recommends off; bookworm) or a
# default one (Recommends on: apt's ca-certificates brings openssl, so DKMS
# signs the modules), which failure path its lived kernel upgrade takes,
# and its release upgrade (bookworm with the package installed, upgraded
# to trixie).
# Beside them, Debian's piuparts on the .deb (the life piuparts).
# The systems' lives run side by side once the packages and repositories
# are built (systest/lives.sh: each in out/systest/LIFE, its log shown
# whole when it ends). Results: out/results/systest.txt (scripts/lib.sh),
# the guest's through tests/lib.sh's runner (suite tests/systest/), then
# the time of each step and of each life.
# Environment: ROULETTE_KERNELS, ROULETTE_CACHE, ROULETTE_OUT,
# ROULETTE_SYSTEST_LIVES: the lives run at once (default 3; 1: one after
# the other),
# ROULETTE_SYSTEST_SKIP="rpm_install_remove crash_dump_start" skips those
# steps (any step by its function name), each reported as skipped;
# ROULETTE_SYSTEST_BOOTS: the guests of all lives at once (default 4).
set -uo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pkg.sh
. "$ROULETTE_TOP/scripts/lib-pkg.sh"
# shellcheck source=lib-qa.sh
. "$ROULETTE_TOP/scripts/lib-qa.sh"
# shellcheck source=systest/common.sh
. "$ROULETTE_TOP/scripts/systest/common.sh"
# shellcheck source=systest/lives.sh
. "$ROULETTE_TOP/scripts/systest/lives.sh"
# shellcheck source=systest/state.sh
. "$ROULETTE_TOP/scripts/systest/state.sh"
# shellcheck source=systest/repositories.sh
. "$ROULETTE_TOP/scripts/systest/repositories.sh"
# shellcheck source=systest/lifecycle.sh
. "$ROULETTE_TOP/scripts/systest/lifecycle.sh"
# shellcheck source=systest/lived.sh
. "$ROULETTE_TOP/scripts/systest/lived.sh"
# shellcheck source=systest/secureboot.sh
. "$ROULETTE_TOP/scripts/systest/secureboot.sh"
# shellcheck source=systest/kdump.sh
. "$ROULETTE_TOP/scripts/systest/kdump.sh"
# shellcheck source=systest/release.sh
. "$ROULETTE_TOP/scripts/systest/release.sh"
# shellcheck source=systest/arch.sh
. "$ROULETTE_TOP/scripts/systest/arch.sh"
# shellcheck source=systest/rpm.sh
. "$ROULETTE_TOP/scripts/systest/rpm.sh"

TARGET=packages	# the "[target]" of host checks: packages, a suite, FROM-to-TO
trap 'lives_kill; guest_kill' EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

# life_of_a_system SUITE ROW...: a user's system of that suite, from apt
# install to purge, across its kernel upgrades.
# shellcheck disable=SC2317 # run by live (systest/lives.sh)
life_of_a_system() {
	local suite=$1 r dump=''
	shift
	local -a installed=("$1") kept=("$@")
	TARGET=$suite
	step restore_base_system "$suite" "$@" || return
	step lived_install "$suite" "$@" || return
	# the lived install upgraded to the second row where the suite has a plant
	if [ -n "${LIVED_PLANT[$suite]:-}" ] && [ $# -gt 1 ]; then installed+=("$2") && shift; fi
	for r in "${@:2}"; do
		step upgrade_kernel "$suite" "$r" "${installed[@]}" || return
		installed+=("$r")
	done
	set -- "${kept[@]}"
	# the crash dump's boot beside the system's boots (kdump.sh)
	step set_up_kdump "$@" && step crash_dump_start "$@" && dump=yes
	# a default system is a PC with Secure Boot: the boot with the DKMS
	# key enrolled runs the whole suite (tests/systest/); a minimal one
	# boots each kernel without EFI; the newest kernel's boot goes on to
	# the rest of the life (lived.sh: lived_end_suites)
	if default_system; then
		step secure_boot --end "$@"
	else
		step boot_each_kernel --end "$@"
	fi
	[ -z "$dump" ] || step crash_dump "$@"
	[ -z "$(lived_end_removes "$@")" ] || kept=("${@:2}")
	step rpm_install_remove "${kept[@]}"
}

# release_upgrade FROM TO: FROM's system (its base) with the package
# installed, upgraded to TO, booted on TO's kernel (the tag FROM-to-TO).
# shellcheck disable=SC2317 # run by live (systest/lives.sh)
release_upgrade() {
	local from=$1 to=$2 first to_row
	read -r first _ <<<"${rows_of[$from]}"
	read -r to_row _ <<<"${rows_of[$to]}"
	TARGET=$from-to-$to
	# shellcheck disable=SC2086 # the suite's rows (its base's key)
	step restore_base_system "$from" ${rows_of[$from]} || return
	step apt_install_package "$first" || return
	step upgrade_release "$from" "$to" "$to_row" || return
	step boot_each_kernel "$TARGET=$to_row"
}

# piuparts_runs: piuparts on make repo's .deb, the "ci" runs of
# tests/piuparts.conf (make qa runs the others), one after
# the other (two side by side break each other), logs in the life's dir
# (ROULETTE_SYSTEST_SKIP=qa_piuparts skips them).
# shellcheck disable=SC2317 # run by live (systest/lives.sh)
piuparts_runs() {
	QA_WORK=$WORK TARGET=piuparts
	step qa_piuparts ci "$ROULETTE_OUT/deb/roulette-dkms_${VERSION}_all.deb"
}

# systest_suites: the systest rows grouped by suite (SUITE-backports with
# SUITE), in table order: sets suites and rows_of, and OTHER_ROWS: the
# rows of another architecture than the host's (other_architectures); an
# unavailable kernel is reported as skipped (ready_rows).
systest_suites() {
	local r s host
	host=$(dpkg --print-architecture)
	suites=() OTHER_ROWS=()
	declare -gA rows_of=()
	stage_rows systest "$WORK"
	ready_rows
	for r in "${ROWS[@]}"; do
		if [ "${ARCH_OF[$r]}" != "$host" ]; then
			OTHER_ROWS+=("$r")
			continue
		fi
		s=${SUITE_OF[$r]%-backports}
		[ -n "${rows_of[$s]:-}" ] || suites+=("$s")
		rows_of[$s]+=" $r"
	done
}

# --- the story --------------------------------------------------------------------
mkdir -p "$WORK"
# The lives' boots share one limit (lib-guest.sh: guest_slot): up to six
# would run at once on the 2 cores, each slower than a timeout allows for.
GUEST_SLOTS=$STAGE_WORK/boot-slots
GUEST_SLOTS_MAX=$(positive_setting ROULETTE_SYSTEST_BOOTS 4) || exit
: >"$ROOT_LOG"
: >"$WORK/build.log"
results_open systest
host_install systest ||
	{ record FAIL "[$TARGET] host tools" "apt-get install failed" && the_end; }
step build_packages || the_end
step lint_packages
step find_in_repositories
step build_next_version
step build_planted_versions
systest_suites
for s in "${suites[@]}"; do
	# shellcheck disable=SC2086 # the suite's rows, one word each
	live "$s" life_of_a_system "$s" ${rows_of[$s]}
done
# the arm64 system before the short release upgrade: the longer lives first
other_architectures
for s in "${suites[@]}"; do	# tests/suites.conf: upgrade, when both suites have rows
	to=$(suite_field "$s" upgrade) || continue
	[ "$to" = - ] || [ -z "${rows_of[$to]:-}" ] || live "$s-to-$to" release_upgrade "$s" "$to"
done
live piuparts piuparts_runs
lives_wait
the_end
