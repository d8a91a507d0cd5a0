#!/bin/bash
# shellcheck shell=bash
# The host side of every stage: the tables (tests/TABLE.conf: table_field),
# the kernel table, module builds and the one result format; it sources the
# kernel-row loop of every stage (scripts/lib-rows.sh: stage_rows,
# each_row, rows_build) and the one guest runner (scripts/lib-guest.sh:
# architectures, initramfs, QEMU boot, verdict). Source it; it defines
# functions and a few variables and runs nothing.

ROULETTE_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Downloads and caches live outside the work tree (override for CI or tests).
ROULETTE_CACHE=${ROULETTE_CACHE:-/var/cache/roulette-dkms}
ROULETTE_OUT=${ROULETTE_OUT:-$ROULETTE_TOP/out}
export ROULETTE_TOP ROULETTE_CACHE ROULETTE_OUT
KERNEL_TABLE=$ROULETTE_TOP/tests/kernels.conf

die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

log() {
	echo "==> $*" >&2
}

# wait_first LIST ENTRY STATUS: wait for the first of the background
# processes in the array named LIST (entries "PID ...") to end; its entry
# is dropped from LIST and left in the variable named ENTRY, its exit
# status in STATUS; status 1 when none ended (the wait was interrupted).
# The caller keeps its own bookkeeping (guest_queue, life_end).
# shellcheck disable=SC2034 # wf_entry and wf_status: the caller's variables
wait_first() {
	local -n wf_list=$1 wf_entry=$2 wf_status=$3
	local wf_e wf_pid='' wf_found=1
	local -a wf_pids=() wf_rest=()
	for wf_e in "${wf_list[@]}"; do wf_pids+=("${wf_e%% *}"); done
	wf_status=0
	wait -n -p wf_pid "${wf_pids[@]}" || wf_status=$?
	for wf_e in "${wf_list[@]}"; do
		if [ "${wf_e%% *}" = "$wf_pid" ]; then
			wf_entry=$wf_e wf_found=0
		else
			wf_rest+=("$wf_e")
		fi
	done
	wf_list=("${wf_rest[@]}")
	return "$wf_found"
}

# positive_setting NAME DEFAULT: the value of the environment setting NAME
# (DEFAULT when unset), a whole number of 1 or more; dies on anything else.
positive_setting() {
	local v=${!1:-$2}
	[[ $v =~ ^[1-9][0-9]*$ ]] || die "$1=$v: a whole number, 1 or more"
	echo "$v"
}

# host_install GROUP...: the host packages of those groups and of "base"
# (tests/host-packages.conf, the one list of them; make check's
# scripts/hostcheck.py holds the scripts to it), what is missing installed.
host_install() {
	local -a pkgs
	mapfile -t pkgs < <(awk -v want=" base $* " '!/^#/ && NF == 3 {
		n = split($2, g, ",")
		for (i = 1; i <= n; i++) if (index(want, " " g[i] " ")) { print $1; break }
	}' "$ROULETTE_TOP/tests/host-packages.conf")
	[ ${#pkgs[@]} -gt 0 ] && apt_install "${pkgs[@]}"
}

# apt_install PKG...: install what is missing, with no Recommends (host
# tools: host_install; a kernel's packages, named at run time: here).
apt_install() {
	local missing=() p out
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing ${missing[*]}"
	apt_fresh || return 1
	# apt's chatter (debconf's "apt-utils is not installed" on a fresh
	# machine) must not land in a build log as a finding: shown on failure.
	out=$(DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install \
		-y -qq --no-install-recommends "${missing[@]}" 2>&1) || { echo "$out" >&2; return 1; }
}

# apt_fresh: the host's apt lists at most an hour old, so a kernel uploaded
# since is resolved (as lib-suite.sh does for the other suites' chroots).
apt_fresh() {
	if [ ! -e "$ROULETTE_CACHE/.apt-updated" ] ||
		[ -n "$(find "$ROULETTE_CACHE/.apt-updated" -mmin +60)" ]; then
		apt-get -o DPkg::Lock::Timeout=600 update -qq || return 1
		mkdir -p "$ROULETTE_CACHE" && touch "$ROULETTE_CACHE/.apt-updated"
	fi
}

# --- results: one format for every stage ------------------------------------
# Each stage writes out/results/STAGE.txt, one line a check:
#   PASS: [TARGET] CHECK | FAIL: [TARGET] CHECK: DETAIL | SKIP: [TARGET] CHECK: REASON
# (diagnostics as "# TEXT" lines under a check), STAGE.jsonl beside it, and
# on closing STAGE.ktap (KTAP version 1) and the line "N passed, N failed"
# (", N skipped" when anything was). scripts/verdict.py writes them all.
VERDICT=(/usr/bin/python3 -B "$ROULETTE_TOP/scripts/verdict.py")

# results_open STAGE|FILE.txt: out/results/STAGE.txt, or FILE.txt (a part
# of a stage run side by side, merged into it by results_merge).
results_open() {
	RESULTS_FILE=$ROULETTE_OUT/results/$1.txt
	[[ $1 != */*.txt ]] || RESULTS_FILE=$1
	mkdir -p "${RESULTS_FILE%/*}"
	: >"$RESULTS_FILE"
	: >"${RESULTS_FILE%.txt}.jsonl"
	rm -f "${RESULTS_FILE%.txt}.ktap"
}

# record PASS|FAIL|SKIP NAME [DETAIL...]: one check. NAME is stable (no
# release, version or figure: those go in DETAIL, the diagnostics) and is
# the whole name: a FAIL's or SKIP's detail is always a separate argument,
# so that a check has the same name whether it passes or fails.
record() {
	"${VERDICT[@]}" record "$RESULTS_FILE" "$@"
}

# check NAME [--detail TEXT] [--note TEXT] -- CMD...: the host assertion.
# PASS NAME when CMD succeeds, else FAIL NAME with TEXT as its detail
# (default: CMD's exit status and words) and status 1; --note TEXT is a
# diagnostic either way. NAME never changes with the outcome
# (tests/harness/test_names.py). check_file, qa_expect_log (lib-qa.sh) and
# expect_as (systest/common.sh) are this with their own detail.
check() {
	local name=$1 detail='' note='' rc=0
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--detail) detail=$2 && shift 2 ;;
		--note) note=$2 && shift 2 ;;
		--) shift && break ;;
		*) echo "check: $1: want --detail TEXT, --note TEXT or -- CMD" >&2 && return 2 ;;
		esac
	done
	"$@" || rc=$?
	if [ "$rc" = 0 ]; then
		record PASS "$name" ${note:+"$note"}
		return
	fi
	record FAIL "$name" "${detail:-exit status $rc: $*}" ${note:+"$note"}
	return 1
}

# check_file NAME FILE [NOTE]: pass when FILE (a tool's findings) is
# empty; else FAIL with its first line as the detail and its first 20
# lines shown. Status 0 either way: the findings are the result (head
# first: sed | head could die of SIGPIPE, 141 under pipefail and set -e).
check_file() {
	check "$1" --detail "$(head -n 1 "$2")" ${3:+--note "$3"} -- test ! -s "$2" ||
		head -n 20 "$2" | sed 's/^/    /'
}

# results_merge PART.txt...: the parts' checks appended to RESULTS_FILE.
results_merge() {
	"${VERDICT[@]}" merge "$RESULTS_FILE" "$@"
}

# results_close: the closing line; success when something passed and
# nothing failed. A stage with a manifest (tests/checks/STAGE.txt) is
# judged by it first: every name it lists that the run's rows and steps
# should have produced, none it does not list (scripts/manifest.py).
results_close() {
	local listed=$ROULETTE_TOP/tests/checks/${RESULTS_FILE##*/}
	if [ "$RESULTS_FILE" = "$ROULETTE_OUT/results/${RESULTS_FILE##*/}" ] && [ -e "$listed" ]; then
		"${VERDICT[@]}" close "$RESULTS_FILE" "$listed" "$KERNEL_TABLE"
	else
		"${VERDICT[@]}" close "$RESULTS_FILE"
	fi
}

# linux_source NAME PATTERN...: the files of Debian's linux-source-6.12
# that match the tar wildcards, unpacked once into $ROULETTE_CACHE/NAME
# (checkpatch.pl, the kunit tool); prints the directory.
linux_source() {
	local dir=$ROULETTE_CACHE/$1
	shift
	if [ ! -e "$dir/.unpacked" ]; then
		host_install linux-source || return 1
		mkdir -p "$dir" &&
			flock "$dir" tar -xaf /usr/src/linux-source-6.12.tar.xz -C "$dir" \
				--strip-components=1 --wildcards "$@" &&
			touch "$dir/.unpacked" || return 1
	fi
	echo "$dir"
}

# --- the tables (tests/TABLE.conf) -------------------------------------------

# The tables read by name and column, tests/TABLE.conf: the names of their
# columns, in order, as each file's column header says (make harness-test
# holds them to it); a row is named by its first column.
declare -gA TABLE_COLUMNS=(
	[arches]="arch qemu package machine cpu bios console results image suffix busybox triplet sparse"
	[boots]="kind mem cpus timeout logbuf"
	[lintian]="suite suppress"
	[piuparts]="name where suite recommends packages"
	[suites]="suite sources base upgrade lived kdump role"
)

# table_field TABLE ROW COLUMN...: those columns of ROW's row of
# tests/TABLE.conf, on one line.
table_field() {
	local table=$1 row=$2 c i cols=
	local -a names
	read -ra names <<<"${TABLE_COLUMNS[$table]:?table_field: no table $table}"
	shift 2
	for c in "$@"; do
		for i in "${!names[@]}"; do
			[ "${names[$i]}" = "$c" ] && cols+=" $((i + 1))" && continue 2
		done
		die "table_field: no column '$c' in tests/$table.conf"
	done
	awk -v r="$row" -v c="$cols" '!/^#/ && $1 == r {
		n = split(c, k, " "); for (i = 1; i <= n; i++) printf "%s%s", $k[i], (i < n ? " " : "\n")
		f = 1 } END { exit !f }' "$ROULETTE_TOP/tests/$table.conf" ||
		{ echo "no ${names[0]} '$row' in tests/$table.conf" >&2; return 1; }
}

# table_rows TABLE [COLUMN VALUE]: the rows of tests/TABLE.conf (their first
# column) in the file's order, one a line; with COLUMN, only those whose
# COLUMN (a value, or a comma-separated list of them) holds VALUE.
table_rows() {
	local i=0
	local -a names
	read -ra names <<<"${TABLE_COLUMNS[$1]:?table_rows: no table $1}"
	while [ $# -gt 1 ] && [ "${names[$i]:-}" != "$2" ]; do
		((++i < ${#names[@]})) || die "table_rows: no column '$2' in tests/$1.conf"
	done
	awk -v c=$((i + 1)) -v v="${3:-}" -v all=$(($# < 2)) \
		'!/^#/ && NF && (all || index("," $c ",", "," v ",")) { print $1 }' "$ROULETTE_TOP/tests/$1.conf"
}

# table_map TABLE COLUMN ARRAY: ARRAY (an associative array of the
# caller's) gets ROW -> COLUMN's value for each row of tests/TABLE.conf
# whose COLUMN is not "-".
# shellcheck disable=SC2034 # tm_map: the caller's array
table_map() {
	local -n tm_map=$3
	local tm_row tm_value
	for tm_row in $(table_rows "$1"); do
		tm_value=$(table_field "$1" "$tm_row" "$2") || return 1
		[ "$tm_value" = - ] || tm_map["$tm_row"]=$tm_value
	done
}

# The host's suite: /etc/os-release's, else tests/suites.conf's role host.
HOST_SUITE=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$HOST_SUITE" ] || HOST_SUITE=$(table_rows suites role host)

# --- the kernel table (tests/kernels.conf) -----------------------------------

# kernel_row NAME: "suite package flavour arch stages" of that row.
kernel_row() {
	awk -v n="$1" '!/^#/ && $1 == n { print $2, $3, $4, $5, $6; f = 1 } END { exit !f }' \
		"$KERNEL_TABLE"
}

declare -gA KREL_OF SUITE_OF META_OF FLAVOUR_OF ARCH_OF DEBUG_KERNEL_OF

# debug_kernel [FLAVOUR]: DEBUG_KERNEL_OF[FLAVOUR] (debug, the default, or
# kcsan), the cache directory of scripts/build-debug-kernel.sh (tree/,
# bzImage-modules, bzImage-builtin, kernelrelease); built on first use.
debug_kernel() {
	local f=${1:-debug}
	[ -n "${DEBUG_KERNEL_OF[$f]:-}" ] ||
		DEBUG_KERNEL_OF[$f]=$("$ROULETTE_TOP/scripts/build-debug-kernel.sh" "$f") || {
		echo "cannot build the $f kernel" >&2
		return 1
	}
}

# kernel_columns NAME: sets the row's SUITE_OF, META_OF (its package
# column), FLAVOUR_OF and ARCH_OF from the table, resolving nothing.
kernel_columns() {
	local name=$1 suite meta flavour arch
	[ -n "${ARCH_OF[$name]:-}" ] && return 0
	read -r suite meta flavour arch _ < <(kernel_row "$name") || die "no kernel '$name' in tests/kernels.conf"
	# shellcheck disable=SC2034 # FLAVOUR_OF is read by the stages
	SUITE_OF[$name]=$suite META_OF[$name]=$meta FLAVOUR_OF[$name]=$flavour ARCH_OF[$name]=$arch
}

# kernel_resolve NAME: sets KREL_OF[NAME] (the release), and the row's
# columns (kernel_columns). Status 2, with the reason on stderr, when the
# suite's archive no longer serves the kernel: the caller reports the row
# as skipped.
kernel_resolve() {
	local name=$1 suite meta flavour arch rel
	[ -n "${KREL_OF[$name]:-}" ] && return 0
	kernel_columns "$name"
	suite=${SUITE_OF[$name]} meta=${META_OF[$name]} flavour=${FLAVOUR_OF[$name]} arch=${ARCH_OF[$name]}
	if [ "$meta" = source ]; then
		debug_kernel "$flavour" || return 1
		rel=$(cat "${DEBUG_KERNEL_OF[$flavour]}/kernelrelease")
	elif [ "$suite" = "$HOST_SUITE" ] && [ "$arch" = "$(dpkg --print-architecture)" ]; then
		apt_fresh || return 1
		rel=$(apt-cache depends "$meta" 2>/dev/null |
			sed -n 's/^ *Depends: linux-image-\([0-9][^ ]*\)$/\1/p' |
			sed 's/-unsigned$//' | head -n 1)
		[ -n "$rel" ] || { echo "cannot resolve $meta (apt-get update?)" >&2; return 1; }
	else
		rel=$(SUITE_ARCH=$arch suite_kernel_release "$suite" "$meta") || return
	fi
	# The architecture column and the package agree: 6.12.N+deb13-cloud-arm64.
	if [ "$meta" != source ] && [[ $rel != *-"$(arch_field "$arch" suffix)" ]]; then
		echo "$name: release $rel is not of the row's architecture $arch" >&2
		return 1
	fi
	KREL_OF[$name]=$rel
}

# kernel_series KREL: 6.1, 6.12, 7.2 ...
kernel_series() {
	echo "$1" | awk -F'[.-]' '{ print $1 "." $2 }'
}

# kernel_build NAME OUTDIR [make args...]: our modules for that row, built
# as its own system would: the host's headers for the host's suite, the
# suite's chroot (compiler, headers, sparse) for another, the debug tree.
kernel_build() {
	local name=$1 out=$2 krel
	shift 2
	kernel_resolve "$name" || return
	krel=${KREL_OF[$name]}
	if [ "${META_OF[$name]}" = source ]; then
		build_modules "$krel" "${DEBUG_KERNEL_OF[${FLAVOUR_OF[$name]}]}/tree" "$out" "$@"
	elif [ "${SUITE_OF[$name]}" = "$HOST_SUITE" ]; then
		apt_install "linux-headers-$krel" || die "cannot install linux-headers-$krel"
		build_modules "$krel" "/usr/src/linux-headers-$krel" "$out" "$@"
	else
		SUITE_ARCH=${ARCH_OF[$name]} suite_build "${SUITE_OF[$name]}" "$krel" "$out" "$@"
	fi
}

# kernel_vmlinuz NAME: the path of the row's kernel image on the host.
kernel_vmlinuz() {
	local name=$1
	kernel_resolve "$name" || return
	if [ "${META_OF[$name]}" = source ]; then
		echo "${DEBUG_KERNEL_OF[${FLAVOUR_OF[$name]}]}/bzImage-modules"
	elif [ "${SUITE_OF[$name]}" = "$HOST_SUITE" ]; then
		kernel_image "${KREL_OF[$name]}"
	else
		SUITE_ARCH=${ARCH_OF[$name]} suite_image "${SUITE_OF[$name]}" "${KREL_OF[$name]}" \
			"$(arch_field "${ARCH_OF[$name]}" image)"
	fi
}

# kernel_image KREL: download the host suite's image package into the cache
# (not installed on the host) and print the path of its vmlinuz.
kernel_image() {
	local krel=$1 dir=$ROULETTE_CACHE/kernels/$1 tmp
	if [ ! -s "$dir/vmlinuz" ]; then
		log "downloading linux-image-$krel"
		tmp=$(mktemp -d) || return 1
		chown _apt "$tmp" 2>/dev/null || true	# apt downloads as _apt
		(cd "$tmp" && apt-get download -qq "linux-image-$krel" >/dev/null) ||
			die "cannot download linux-image-$krel"
		mkdir -p "$dir/root"
		dpkg-deb -x "$tmp"/linux-image-*.deb "$dir/root"
		rm -rf "$tmp"
		cp "$dir/root/boot/vmlinuz-$krel" "$dir/vmlinuz.tmp" && mv "$dir/vmlinuz.tmp" "$dir/vmlinuz"
	fi
	echo "$dir/vmlinuz"
}

# build_modules KREL KDIR OUTDIR [make args...]: build src/ (or
# ROULETTE_SRC, e.g. a patched copy) out of tree in OUTDIR (a copy, so
# several kernels can be built side by side).
build_modules() {
	local krel=$1 kdir=$2 out=$3 src=${ROULETTE_SRC:-$ROULETTE_TOP/src}
	shift 3
	rm -rf "$out" && mkdir -p "$out" || return 1
	cp "$src"/*.c "$src"/*.h "$src"/Kbuild "$out"/
	make -s -C "$kdir" M="$out" KERNELRELEASE="$krel" "$@" modules
}

# The kernel-row loop of every stage: scripts/lib-rows.sh.
# shellcheck source=lib-rows.sh
. "$ROULETTE_TOP/scripts/lib-rows.sh"

# The guest runner: scripts/lib-guest.sh.
# shellcheck source=lib-guest.sh
. "$ROULETTE_TOP/scripts/lib-guest.sh"

# Debian roots (mmdebstrap, chroots, base tarballs): scripts/lib-root.sh;
# builds for other suites' kernels in their chroots: scripts/lib-suite.sh.
# Every library at the top, none sourced later by a function: make check
# (scripts/hostcheck.py) then knows each script's functions.
# shellcheck source=lib-root.sh
. "$ROULETTE_TOP/scripts/lib-root.sh"
# shellcheck source=lib-suite.sh
. "$ROULETTE_TOP/scripts/lib-suite.sh"
