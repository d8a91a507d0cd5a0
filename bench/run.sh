#!/bin/bash
# make bench: benchmarks against the physical floor and the original driver,
# written to bench/results.md. Not a test: nothing fails on a missed goal,
# but every boot's completion is recorded in out/results/bench.txt.
#
# Guest figures run in QEMU boots (TCG, -smp 2: tests/boots.conf) of the
# kernels with the "bench" stage in tests/kernels.conf (or
# ROULETTE_KERNELS), each measured in the same boot as its reference
# (bench/guest/*.sh); package figures run in a chroot (bench/pkg.sh).
# Raw data: out/bench/raw.txt; the report comes from it alone
# (scripts/benchstat.py), with its plots in bench/plots/ (python3-matplotlib;
# without it the report says they are missing).
# Environment:
#   BENCH_FIGS     figures to run (default 1234bp56): 1 device cost,
#                  2 scaling, 3 footprint, 4 timer, b breakdown of 1,
#                  p 1 and 2 with bench/*.patch, 5 dkms build, 6 apt install
#   BENCH_RUNS     runs per configuration, figures 1, 2, b, p, 5, 6 (default 5)
#   BENCH_SECS     seconds per loop run, in 100 ms slices (default 4)
#   BENCH_TICKS    timer ticks per period setting (default 20)
#   BENCH_BOOTS    boots per kernel for figures 1, 2, b, p, rounds pooled (default 2)
#   BENCH_RESULTS  the report (default bench/results.md; the plots go to
#                  plots/ beside it)
#   ROULETTE_KERNELS, ROULETTE_CACHE, ROULETTE_OUT as for every stage;
#   ROULETTE_GUEST_MEM, ROULETTE_GUEST_CPUS, ROULETTE_BOOT_TIMEOUT as for
#   every boot (tests/boots.conf).
set -euo pipefail
# shellcheck source=../scripts/lib.sh
. "$(dirname "$0")/../scripts/lib.sh"
# shellcheck source=pkg.sh
. "$ROULETTE_TOP/bench/pkg.sh"

case ${1:-} in
-h | --help) sed -n '2,/^set /{/^set /d;s/^# \{0,1\}//p}' "$0" && exit 0 ;;
?*) die "no arguments (see --help)" ;;
esac
figs=${BENCH_FIGS:-1234bp56}
runs=${BENCH_RUNS:-5}
secs=${BENCH_SECS:-4}
ticks=${BENCH_TICKS:-20}
boots=${BENCH_BOOTS:-2}
# Its boots are bench boots (tests/boots.conf): the row's timeout covers the
# boot, GUEST_EXTRA_SECS the loops and timer windows, with a wide margin for
# a busy host.
# shellcheck disable=SC2034 # read by boot_kind (scripts/lib-guest.sh)
GUEST_KIND=bench GUEST_EXTRA_SECS=$((runs * 8 * (secs + 1) * 2 + ticks * 6 * 2))
read -r mem cpus tmo < <(boot_kind) || die "no boot kind bench in tests/boots.conf"
work=$ROULETTE_OUT/bench
raw=$work/raw.txt	# every measurement, one line each: TAG WHAT key=value...
hostinfo=$work/host.txt
# "p" measures bench/*.patch: nothing to measure without one.
compgen -G "$ROULETTE_TOP/bench/*.patch" >/dev/null || figs=${figs//p/}
gfigs=$(tr -cd '1234bp' <<<"$figs")
pfigs=$(tr -cd 56 <<<"$figs")
[ -z "$gfigs" ] || stage_rows --required bench "$work"	# ROWS (scripts/lib-rows.sh)

# --- host load ------------------------------------------------------------------

# jiffies: CPU time "busy nice" of the whole host so far, then that of the
# waited-for children (QEMU, chroot) of the shell $me, in clock ticks.
jiffies() {
	awk '$1 == "cpu" { b = $2 + $3 + $4 + $7 + $8 + $9; n = $3 }
		FILENAME != "/proc/stat" { c = $16 + $17 } END { print b, n, c }' /proc/stat "/proc/$me/stat"
}

# load_start: remember the counters for load_line, for the calling shell
# (pkg_figures runs in a subshell).
load_start() {
	me=$BASHPID
	read -r b0 n0 c0 < <(jiffies)
	t0=$SECONDS
}

# load_line TAG [KEY=VALUE]: how busy the host was besides our own work
# since load_start.
load_line() {
	local b n c
	read -r b n c < <(jiffies)
	awk -v t="$1" -v note="${2:+$2 }" -v w="$((SECONDS - t0))" -v b="$((b - b0))" -v n="$((n - n0))" \
		-v c="$((c - c0))" -v hz="$(getconf CLK_TCK)" -v cpus="$(nproc)" 'BEGIN {
		if (w < 1) w = 1
		other = (b - c) / hz / w; if (other < 0) other = 0
		printf "%s host %swall=%d own_cores=%.2f other_cores=%.2f other_niced_cores=%.2f free_cores=%.2f\n",
			t, note, w, c / hz / w, other, n / hz / w, cpus - other
	}'
}

# wait_quiet: wait (at most BENCH_QUIET_WAIT seconds, default 300) until
# the rest of the host uses less than half a core at nice 0, so the loops
# do not share the CPU with another QEMU. Prints what it saw.
wait_quiet() {
	local waited=0 b0 n0 b1 n1 busy me=$BASHPID
	while :; do
		read -r b0 n0 _ < <(jiffies)
		sleep 3
		read -r b1 n1 _ < <(jiffies)
		busy=$(awk -v b="$((b1 - b0 - n1 + n0))" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", b / hz / 3 }')
		awk -v b="$busy" 'BEGIN { exit !(b < 0.5) }' || [ "$waited" -ge "${BENCH_QUIET_WAIT:-300}" ] && break
		[ "$waited" = 0 ] && log "host busy ($busy cores at nice 0): waiting"
		waited=$((waited + 3))
	done
	echo "waited=$waited busy_at_start=$busy"
}

# --- guest figures ----------------------------------------------------------------

# build_patched NAME: roulette.ko of src/ with bench/*.patch applied (a
# proposed change, measured beside the real one) in $work/NAME/patched.
build_patched() {
	local t=$1 tree=$work/$1/patched-src p
	rm -rf "$tree" && mkdir -p "$tree" && cp -r "$ROULETTE_TOP/src" "$tree/" || return 1
	for p in "$ROULETTE_TOP"/bench/*.patch; do
		patch -s -d "$tree" -p1 <"$p" || return 1
	done
	ROULETTE_SRC=$tree/src kernel_build "$t" "$work/$t/patched" W=1
}

# boot NAME N FIGS ROUND0: boot N of the row's kernel running FIGS, rounds
# numbered from ROUND0 + 1; its figures go to $raw, its verdict to the results.
boot() {
	local t=$1 b=$2 tag=$1-boot$2 dir=$work/$1 try quiet rc complete=no
	local append="bench.figs=$3 bench.runs=$runs bench.secs=$secs bench.ticks=$ticks bench.round0=$4"
	# QEMU 7.2's multi-threaded TCG now and then crashes an -smp 2 guest
	# early in boot (an int3 oops while the kernel patches its own text):
	# such a boot never reached /init; try again.
	for try in 1 2 3; do
		quiet=$(wait_quiet)
		log "$tag: ${KREL_OF[$t]} with -smp $cpus -m $mem, $tmo s ($append)"
		load_start
		rc=0
		qemu_boot "$vmlinuz" "$dir/initrd.gz" "$dir/$tag.console" "$dir/$tag.results" \
			"suites=bench $append" || rc=$?
		grep -q '^PLAN' "$dir/$tag.results" && break
		cp "$dir/$tag.console" "$dir/$tag.console.crash$try"
		echo "$t bootcrash try=$try $(grep -a -m1 -o 'Oops.*' "$dir/$tag.console" | tr -d '\r' | tr ' ' '_')" >>"$raw"
	done
	{
		load_line "$t" "boot=$b"
		echo "$t quiet boot=$b $quiet"
		"${VERDICT[@]}" data "$dir/$tag.results" | sed -n -e "s/^start /$t start boot=$b /p;t" -e "s/^/$t /p"
	} >>"$raw"
	guest_verdict "$tag" "$dir/$tag.results" "$dir/$tag.console" "$rc" "$((SECONDS - t0))" \
		"$("${VERDICT[@]}" plan bench)" && complete=yes
	echo "$t guest boot=$b krel=${KREL_OF[$t]} qemu_rc=$rc tries=$try complete=$complete" >>"$raw"
}

guest_figures() {
	local t b mods
	{ guest_host_setup && host_install bench; } || die "cannot install host packages"
	ready_rows
	for t in "${ROWS[@]}"; do
		mkdir -p "$work/$t"
		log "$t: building the modules"
		kernel_build "$t" "$work/$t/modules" >"$work/$t/build.log" 2>&1 ||
			die "$t: the module build failed (see $work/$t/build.log)"
		mods=()
		if [[ $gfigs == *p* ]]; then
			build_patched "$t" >"$work/$t/patched.log" 2>&1 ||
				die "$t: the patched roulette.ko did not build (see $work/$t/patched.log)"
			mods=(--add "$work/$t/patched/roulette.ko" modules/patched/roulette.ko)
		fi
		vmlinuz=$(kernel_vmlinuz "$t")
		guest_arch "$t" || die "cannot prepare $t's ${ARCH_OF[$t]} guests"
		guest_initramfs "$work/$t/initrd.gz" --krel "${KREL_OF[$t]}" --mods "$work/$t/modules" \
			--bin "$(static_tool "$ROULETTE_TOP/bench/devloop.c")" "${mods[@]}" ||
			die "cannot build the initramfs"
		# Boot 1 runs every figure; later boots repeat the device loops, their
		# rounds numbered on: the code layout in TCG's translation cache
		# differs from boot to boot and moves these ratios by a few per
		# cent, so the rounds are pooled over boots.
		boot "$t" 1 "$gfigs" 0
		[[ $gfigs == *[12bp]* ]] || continue
		for ((b = 2; b <= boots; b++)); do
			boot "$t" "$b" "$(tr -cd '12bp' <<<"$gfigs")" "$(((b - 1) * runs))"
		done
	done
}

host_info() {
	echo "- run started: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROULETTE_TOP" rev-parse --short HEAD 2>/dev/null || echo unknown)"
	echo "- host: $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores, $(free -m | awk '/^Mem:/ { print $2 }') MiB RAM"
	echo "- host kernel: $(uname -r) (the guests boot Debian kernels under QEMU TCG)"
	echo "- QEMU: $(qemu-system-x86_64 --version | head -n 1) — \`-accel tcg -cpu $(arch_field "$GUEST_ARCH" cpu) -smp $cpus -m $mem\`, boot timeout $tmo s"
	echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
}

mkdir -p "$work"
results_open bench
host_install bench || log "python3-matplotlib not installed: the report will say the plots are missing"
start=$SECONDS
host_info >"$hostinfo"
# Keep what this run does not measure (other kernels, the package figures).
touch "$raw"
awk -v rows=" ${ROWS[*]} " -v pkg="$pfigs" \
	'!index(rows, " " $1 " ") && !(pkg != "" && $1 ~ /^pkg/)' "$raw" >"$raw.new"
mv "$raw.new" "$raw"
[ ${#ROWS[@]} -eq 0 ] || guest_figures
if [ -n "$pfigs" ]; then
	if (pkg_figures "$pfigs" "$runs" "$work/pkg") >>"$raw"; then
		record PASS "[pkg] figures measured" "figures $pfigs"
	else
		record FAIL "[pkg] figures measured" "figures $pfigs: see the messages above"
	fi
fi
echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg); bench wall time $((SECONDS - start)) s" >>"$hostinfo"
results=${BENCH_RESULTS:-$ROULETTE_TOP/bench/results.md}
plots=$(dirname -- "$results")/plots
/usr/bin/python3 "$ROULETTE_TOP/scripts/benchstat.py" "$raw" "$hostinfo" --plots "$plots" >"$results"
log "wrote $results"
sed -n '/^## Results/,/^## Raw data/p' "$results" | sed '$d'
results_close
