#!/bin/bash
# make bench: benchmarks against the physical floor and the original driver,
# written to bench/results.md. Not a test: nothing here fails on a missed goal.
#
#   scripts/bench.sh              guest figures 1-4, then package figures 5-6
#   scripts/bench.sh --guest      figures 1-4 only (QEMU boots)
#   scripts/bench.sh --pkg        figures 5-6 only (chroot, scripts/bench-pkg.sh)
#   scripts/bench.sh --report     rewrite bench/results.md from the last raw data
#
# Figures 1-4 run in one QEMU boot per kernel (-smp 2, TCG), each measured
# in the same boot as its reference. Environment:
#   BENCH_KERNELS  "TARGET:FIGS ..." (default "6.12-cloud:3124bp 6.12-rt:3124bp";
#                  b = breakdown of figure 1, p = figures 1 and 2 with bench/*.patch)
#   BENCH_RUNS     runs per configuration, figures 1, 2, 5, 6 (default 5)
#   BENCH_SECS     seconds per loop run, 100 ms slices alternating the devices (default 4)
#   BENCH_TICKS    timer ticks per period setting (default 20)
#   BENCH_BOOTS    boots per kernel for figures 1, 2, b, p, rounds pooled (default 2)
#   ROULETTE_CACHE, ROULETTE_OUT as for the other scripts.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-bench.sh
. "$(dirname "$0")/lib-bench.sh"

kernels=${BENCH_KERNELS:-6.12-cloud:3124bp 6.12-rt:3124bp}
runs=${BENCH_RUNS:-5}
secs=${BENCH_SECS:-4}
ticks=${BENCH_TICKS:-20}
boots=${BENCH_BOOTS:-2}
work=$ROULETTE_OUT/bench
raw=$work/raw.txt	# every measurement, one line each: TAG figN key=value...
hostinfo=$work/host.txt
results=$ROULETTE_TOP/bench/results.md

do_guest=1 do_pkg=1
case ${1:-} in
'') ;;
--guest) do_pkg=0 ;;
--pkg) do_guest=0 ;;
--report) do_guest=0 do_pkg=0 ;;
-h | --help) sed -n '2,16s/^# \{0,1\}//p' "$0"; exit 0 ;;
*) die "unknown option '$1' (see --help)" ;;
esac

mkdir -p "$work"

# --- figures 1-4: one QEMU boot per kernel ------------------------------------

# build_patched KREL KDIR OUTDIR: roulette.ko from src/ with bench/*.patch
# applied (changes proposed by the benchmarks, measured side by side).
build_patched() {
	local krel=$1 kdir=$2 out=$3 p
	rm -rf "$out" && mkdir -p "$out/src" || return 1
	cp "$ROULETTE_TOP"/src/*.c "$ROULETTE_TOP"/src/*.h "$ROULETTE_TOP"/src/Kbuild "$out/src/"
	for p in "$ROULETTE_TOP"/bench/*.patch; do
		[ -e "$p" ] || continue
		patch -s -d "$out" -p1 <"$p" || return 1
	done
	make -s -C "$kdir" M="$out/src" KERNELRELEASE="$krel" W=1 modules
}

# bench_initramfs OUT MODDIR [PATCHEDDIR]: busybox, the bench /init,
# modload, ocr and the modules.
bench_initramfs() {
	local out=$1 mods=$2 patched=${3:-} root
	root=$(mktemp -d) || return 1
	busybox_root "$root" || return 1
	install -m 755 "$ROULETTE_TOP/bench/guest-init.sh" "$root/init"
	cp "$work/tools/modload" "$work/ocr" "$root/bin/"
	mkdir -p "$root/modules/patched"
	cp "$mods"/*.ko "$root/modules/"
	if [ -n "$patched" ] && [ -f "$patched/src/roulette.ko" ]; then
		cp "$patched/src/roulette.ko" "$root/modules/patched/"
	fi
	make_initramfs "$root" "$out"
	rm -rf "$root"
}

# clean_log: the serial log on stdin without carriage returns and the
# terminal escapes the firmware and the kernel print.
# A result line can follow the firmware's text on the same line: each
# "BENCH " starts a line of its own.
clean_log() {
	tr -d '\r' | sed -E 's/\x1b(\[[0-9;?]*[a-zA-Z]|c)//g; s/(.)BENCH /\1\nBENCH /g'
}

guest_figures() {
	local spec tag figs boot krel kdir vmlinuz
	guest_host_setup || die "cannot install host packages"
	apt_install patch || die "cannot install patch"
	guest_tools "$work/tools" || die "cannot build tests/tools"
	gcc -static -O2 -Wall -Wextra -Werror -o "$work/ocr" "$ROULETTE_TOP/bench/ocr.c" ||
		die "cannot build bench/ocr.c"
	# Keep the package figures and the other kernels of an earlier run;
	# replace what this run measures.
	cp "$raw" "$raw.new" 2>/dev/null || : >"$raw.new"
	for spec in $kernels; do
		tag=${spec%%:*}
		awk -v t="$tag" '$1 != t' "$raw.new" >"$raw.tmp" && mv "$raw.tmp" "$raw.new"
	done
	mv "$raw.new" "$raw"
	for spec in $kernels; do
		tag=${spec%%:*} figs=${spec#*:}
		[ "$figs" = "$spec" ] && figs=1234
		# "p" measures bench/*.patch: nothing to measure without one.
		compgen -G "$ROULETTE_TOP/bench/*.patch" >/dev/null || figs=${figs//p/}
		krel=$(kernel_release "$tag")
		kdir=$(kernel_headers "$krel")
		mkdir -p "$work/$tag"
		log "$tag: building the modules for $krel"
		build_modules "$krel" "$kdir" "$work/$tag/modules" >"$work/$tag/build.log" 2>&1 ||
			die "module build failed for $krel (see $work/$tag/build.log)"
		build_patched "$krel" "$kdir" "$work/$tag/patched" >"$work/$tag/patched.log" 2>&1 ||
			log "$tag: the patched roulette.ko did not build (see $work/$tag/patched.log)"
		vmlinuz=$(kernel_image "$krel")
		bench_initramfs "$work/$tag/initrd.gz" "$work/$tag/modules" "$work/$tag/patched" ||
			die "cannot build the initramfs"
		# Boot 1 runs every figure; further boots repeat the device loops
		# (figures 1, 2, b, p), their rounds numbered on: the code layout in
		# TCG's translation cache differs from boot to boot and moves these
		# ratios by a few per cent, so the rounds are pooled over boots.
		bench_boot "$tag" 1 "$figs" 0
		figs=$(tr -cd '12bp' <<<"$figs")
		[ -n "$figs" ] || continue
		for ((boot = 2; boot <= boots; boot++)); do
			bench_boot "$tag" "$boot" "$figs" "$(((boot - 1) * runs))"
		done
	done
}

# bench_boot TAG BOOT FIGS ROUND0: one QEMU boot of TAG's kernel running
# FIGS, rounds numbered from ROUND0 + 1; its lines are appended to $raw.
bench_boot() {
	local tag=$1 boot=$2 figs=$3 round0=$4 limit logf quiet try b0 n0 c0 start rc
	# Boot + loops + timer windows, with a wide margin for a busy host.
	limit=$((180 + runs * 8 * (secs + 1) * 2 + ticks * 6 * 2))
	logf=$work/$tag/serial-$boot.log
	# QEMU 7.2's multi-threaded TCG now and then crashes an -smp 2 guest
	# early in boot (an int3 oops while the kernel patches its own text):
	# such a boot has no results, try again.
	for try in 1 2 3; do
		quiet=$(wait_quiet)
		: >"$logf"
		log "$tag: boot $boot, $krel with -smp 2 (figures $figs, at most ${limit}s)"
		read -r b0 n0 < <(cpu_jiffies)
		c0=$(child_jiffies)
		start=$SECONDS
		rc=0
		ROULETTE_GUEST_CPUS=2 qemu_boot "$vmlinuz" "$work/$tag/initrd.gz" "$logf" "$limit" \
			"bench.figs=$figs bench.runs=$runs bench.secs=$secs bench.ticks=$ticks bench.round0=$round0" || rc=$?
		# (no grep -q: with pipefail its early exit fails the pipe)
		clean_log <"$logf" | grep '^BENCH start' >/dev/null && break
		cp "$logf" "$logf.crash$try"
		log "$tag: boot $boot try $try crashed before the bench started: $(grep -a -m1 -o 'Oops.*\|Kernel panic.*' "$logf" || echo "qemu status $rc")"
		echo "$tag bootcrash try=$try $(grep -a -m1 -o 'Oops.*' "$logf" | tr -d '\r' | tr ' ' '_')" >>"$raw"
	done
	{
		host_load "$tag" "$((SECONDS - start))" "$b0" "$n0" "$c0" "boot=$boot"
		echo "$tag quiet boot=$boot $quiet"
		echo "$tag guest boot=$boot krel=$krel qemu_rc=$rc tries=$try"
		clean_log <"$logf" | sed -n -e "s/^BENCH start /$tag start boot=$boot /p" -e "s/^BENCH /$tag /p"
	} >>"$raw"
	if ! clean_log <"$logf" | grep '^BENCH done' >/dev/null; then
		log "$tag: boot $boot did not finish (qemu status $rc); log tail:"
		tr -d '\r' <"$logf" | tail -n 30 >&2
	fi
	clean_log <"$logf" | grep '^BENCH error' >&2 || true
}

# --- report -------------------------------------------------------------------

# field KEY: the value of KEY=... in the line on stdin.
field() {
	sed -n "s/.* $1=\\([^ ]*\\).*/\\1/p"
}

# stats: "median min max n" of the numbers on stdin (one a line).
stats() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan nan nan 0"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.6g %.6g %.6g %d\n", m, v[1], v[NR], NR
	}'
}

# fmt_stats FORMAT "median min max n": "M [min–max], n=N" with printf FORMAT.
fmt_stats() {
	local f=$1 m lo hi n
	read -r m lo hi n <<<"$2"
	[ "$n" -gt 0 ] || { echo "no data"; return; }
	# shellcheck disable=SC2059
	printf "$f [$f–$f], n=%d" "$m" "$lo" "$hi" "$n"
}

# rate TAG FIG ROUND DEV PROCS: the measured rate of one loop run.
rate() {
	awk -v t="$1" -v f="fig$2" -v r="round=$3" -v d="dev=$4" -v p="procs=$5" \
		'$1 == t && $2 == f && $3 == r && $4 == d && $5 == p {
			sub("rate=", "", $8); print $8 }' "$raw"
}

rounds() {
	awk -v t="$1" -v f="fig$2" '$1 == t && $2 == f { sub("round=", "", $3); print $3 }' "$raw" |
		sort -un
}

# ratio A B: A / B, or nothing when either is missing.
ratio() {
	[ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.6g\n", a / b }'
}

# verdict VALUE OP GOAL: "met" or "**missed**" (OP is ge or le).
verdict() {
	awk -v v="$1" -v op="$2" -v g="$3" 'BEGIN {
		if (v == "nan" || v == "") { print "no data"; exit }
		ok = op == "ge" ? v + 0 >= g + 0 : v + 0 <= g + 0
		print ok ? "met" : "**missed**"
	}'
}

row() {
	local IFS='|'
	echo "| $* |"
}

# pair_rows TAG FIG TITLE GOAL: roulette vs /dev/zero, one reader, per round
# (GOAL "≥ X×" or "–").
pair_rows() {
	local tag=$1 fig=$2 title=$3 goal=$4 r a b rou zero rat met=–
	rou=() zero=() rat=()
	for r in $(rounds "$tag" "$fig"); do
		a=$(rate "$tag" "$fig" "$r" kernel-roulette 1)
		b=$(rate "$tag" "$fig" "$r" zero 1)
		rou+=("$a") zero+=("$b")
		rat+=("$(ratio "$a" "$b")")
	done
	[ ${#rat[@]} -gt 0 ] || return 0
	a=$(printf '%s\n' "${rat[@]}" | grep . | stats)
	[ "$goal" = – ] || met=$(verdict "${a%% *}" ge "${goal//[^0-9.]/}")
	row " $title" " $tag" \
		" roulette $(fmt_stats %.0f "$(printf '%s\n' "${rou[@]}" | grep . | stats)")/s" \
		" /dev/zero $(fmt_stats %.0f "$(printf '%s\n' "${zero[@]}" | grep . | stats)")/s" \
		" $(fmt_stats %.3f "$a")×" " $goal" " $met"
}

# fig2_rows TAG FIG TITLE: scaling (2 readers / 1) of roulette and of
# /dev/zero, and their ratio per round.
fig2_rows() {
	local tag=$1 fig=$2 title=$3 r r1 r2 z1 z2 sr sz rat a b
	sr=() sz=() rat=()
	for r in $(rounds "$tag" "$fig"); do
		r1=$(rate "$tag" "$fig" "$r" kernel-roulette 1)
		r2=$(rate "$tag" "$fig" "$r" kernel-roulette 2)
		z1=$(rate "$tag" "$fig" "$r" zero 1)
		z2=$(rate "$tag" "$fig" "$r" zero 2)
		a=$(ratio "$r2" "$r1") && sr+=("$a")
		b=$(ratio "$z2" "$z1") && sz+=("$b")
		rat+=("$(ratio "$a" "$b")")
	done
	[ ${#rat[@]} -gt 0 ] || return 0
	a=$(printf '%s\n' "${rat[@]}" | grep . | stats)
	row " $title" " $tag" \
		" roulette $(fmt_stats %.2f "$(printf '%s\n' "${sr[@]}" | grep . | stats)")×" \
		" /dev/zero $(fmt_stats %.2f "$(printf '%s\n' "${sz[@]}" | grep . | stats)")×" \
		" $(fmt_stats %.3f "$a")×" " ≥ 0.95×" " $(verdict "${a%% *}" ge 0.95)"
}

fig3_rows() {
	local tag=$1 m s
	for m in hello mymod roulette; do
		s=$(awk -v t="$tag" -v m="module=$m" '$1 == t && $2 == "fig3" && $3 == m {
			sub("size=", "", $4); print $4 }' "$raw")
		[ -n "$s" ] || continue
		case $m in
		roulette)
			row " 3 footprint (/proc/modules)" " $tag" " roulette.ko $s B" \
				" Rust original 106,496 B; seed hello 16,384 B" \
				" $(ratio "$s" 106496 | xargs printf '%.3f')× Rust, $(ratio "$s" 16384 | xargs printf '%.3f')× seed" \
				" ≤ 16,384 B" " $(verdict "$s" le 16384)"
			;;
		*)
			row " 3 footprint (/proc/modules)" " $tag" " $m.ko $s B" \
				" seed hello 16,384 B" " $(ratio "$s" 16384 | xargs printf '%.3f')× seed" " –" " –"
			;;
		esac
	done
}

# timer_analysis TAG SEC: "n mean_err_pct med_err_pct min_err_pct
# max_err_pct first_late_ms last_late_ms drift_pct trend_ms_per_tick
# median_late_ms worst_late_ms worst_tick" for one setting. Lateness of
# tick k = its time after "mymod: init" minus k*sec; the trend is the
# Theil-Sen slope of lateness over k (the median of all pairwise slopes:
# one stalled tick cannot fake a trend).
timer_analysis() {
	awk -v t="$1" -v s="sec=$2" -v sec="$2" '
	function median(a, n,    i, j, x) {
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
			if (a[j] < a[i]) { x = a[i]; a[i] = a[j]; a[j] = x }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	$1 == t && $2 == "fig4" && $3 == s {
		split($4, e, "="); split($5, v, "=")
		if (e[2] == "init") { t0 = v[2]; n = 0 }
		else { n++; tk[n] = v[2] }
	} END {
		if (n == 0 || t0 == "") { print 0; exit }
		prev = t0; worst = -1e9
		for (k = 1; k <= n; k++) {
			err[k] = (tk[k] - prev - sec) / sec * 100; prev = tk[k]
			sum += err[k]
			late[k] = (tk[k] - t0 - k * sec) * 1000
			lcopy[k] = late[k]
			if (late[k] > worst) { worst = late[k]; wk = k }
		}
		np = 0
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) sl[++np] = (late[j] - late[i]) / (j - i)
		l1 = late[1]; ln = late[n]
		mean = sum / n
		lo = 1e9; hi = -1e9
		for (k = 1; k <= n; k++) { if (err[k] < lo) lo = err[k]; if (err[k] > hi) hi = err[k] }
		printf "%d %.4f %.4f %.4f %.4f %.2f %.2f %.4f %.3f %.2f %.2f %d\n", n, mean, median(err, n),
			lo, hi, l1, ln, ln / (n * sec * 1000) * 100, np ? median(sl, np) : 0,
			median(lcopy, n), worst, wk
	}' "$raw"
}

fig4_rows() {
	local tag=$1 s n mean med lo hi l1 ln drift slope mlate worst wk ok
	for s in 1 5; do
		read -r n mean med lo hi l1 ln drift slope mlate worst wk <<<"$(timer_analysis "$tag" "$s")"
		[ "$n" -gt 0 ] || continue
		# Met: the mean period error (= the last tick's drift over N·sec)
		# within 0.5 %, and no trend: lateness growing by less than 0.05 %
		# of the period per tick (a re-arm from "now" adds at least a
		# jiffy, 4 ms, per tick: 0.4 % of 1 s).
		ok=$(awk -v m="$mean" -v sl="$slope" -v s="$s" 'BEGIN {
			a = m < 0 ? -m : m; b = sl < 0 ? -sl : sl
			print (a < 0.5 && b < s * 1000 * 0.0005) ? "met" : "**missed**" }')
		row " 4 timer accuracy, sec=$s, $n ticks" " $tag" \
			" mean period error ${mean} % (per period: median ${med} %, ${lo}…${hi} %); tick 1 ${l1} ms and tick $n ${ln} ms late (${drift} % of $n·$s s); lateness median ${mlate} ms, trend ${slope} ms/tick, worst ${worst} ms (tick $wk)" \
			" Rust original: 5.12 s per 5 s tick, +2.4 % accumulating (+120 ms/tick)" \
			" $(awk -v m="$mean" 'BEGIN { printf "%.4f", 1 + m / 100 }')× nominal period" \
			" < 0.5 %, no accumulation" " $ok"
	done
}

# Figures 5 and 6 come from scripts/bench-pkg.sh: lines
# "pkg fig5 pkg=NAME run=N secs=S", "pkg fig6 pkg=NAME run=N secs=S" and
# "pkg fig5 kernel=KREL".
pkg_row() {
	local fig=$1 title=$2 ours=$3 ref=$4 goal=$5 a b rat r x y
	a=$(awk -v f="fig$fig" -v p="pkg=$ours" '$2 == f && $3 == p { sub("secs=", "", $5); print $5 }' "$raw")
	b=$(awk -v f="fig$fig" -v p="pkg=$ref" '$2 == f && $3 == p { sub("secs=", "", $5); print $5 }' "$raw")
	[ -n "$a" ] && [ -n "$b" ] || return 0
	# Runs alternate A B A B: pair them by run number.
	rat=()
	while read -r r; do
		x=$(awk -v f="fig$fig" -v p="pkg=$ours" -v r="run=$r" '$2 == f && $3 == p && $4 == r { sub("secs=", "", $5); print $5 }' "$raw")
		y=$(awk -v f="fig$fig" -v p="pkg=$ref" -v r="run=$r" '$2 == f && $3 == p && $4 == r { sub("secs=", "", $5); print $5 }' "$raw")
		rat+=("$(ratio "$x" "$y")")
	done < <(awk -v f="fig$fig" '$2 == f && $4 ~ /^run=/ { sub("run=", "", $4); print $4 }' "$raw" | sort -un)
	x=$(printf '%s\n' "${rat[@]}" | grep . | stats)
	row " $title" " $(awk -v f="fig$fig" '$2 == f && $3 ~ /^kernel=/ { sub("kernel=", "", $3); print $3; exit }' "$raw")" \
		" $ours $(fmt_stats %.2f "$(echo "$a" | stats)") s" \
		" $ref $(fmt_stats %.2f "$(echo "$b" | stats)") s" \
		" $(fmt_stats %.3f "$x")×" " $goal" " $(verdict "${x%% *}" le "${goal//[^0-9.]/}")"
}

# for_kernels FN ARGS...: FN TAG ARGS... for every kernel of this run.
for_kernels() {
	local spec
	for spec in $kernels; do
		"$1" "${spec%%:*}" "${@:2}"
	done
}

report() {
	local spec tag
	[ -s "$raw" ] || die "no raw data in $raw: run scripts/bench.sh first"
	{
		echo "# Benchmarks"
		echo
		echo "Written by \`make bench\` (scripts/bench.sh) on $(date -u '+%Y-%m-%d %H:%M UTC')."
		echo "Not a test: a missed goal is reported here, nothing fails."
		echo
		echo "## Machine"
		echo
		cat "$hostinfo" 2>/dev/null || true
		echo
		echo "Host load during each QEMU boot (CPU time of everything but our QEMU, in cores;"
		echo "niced = the share at nice > 0, which yields to QEMU):"
		echo
		awk '$2 == "host" { printf "- %s: %s\n", $1, substr($0, index($0, "host ") + 5) }' "$raw"
		echo
		echo "Guest kernels:"
		echo
		awk '$2 == "start" { printf "- %s: %s\n", $1, substr($0, index($0, "start ") + 6) }' "$raw"
		awk '$2 == "bootcrash" { n[$1]++ } END { for (t in n) printf "- %s: %d boot(s) crashed early under MTTCG and were retried\n", t, n[t] }' "$raw"
		awk '$1 == "pkg" && $2 == "versions" { printf "- figures 5-6: chroot of the system test base rootfs, %s, kernel headers %s\n", substr($0, index($0, "roulette-dkms=")), k }
			$1 == "pkg" && $2 == "fig5" && $3 ~ /^kernel=/ { k = substr($3, 8) }' "$raw"
		echo
		echo "## Results"
		echo
		echo "Each cell: median [min–max] over n runs; figures 1 and 2 pool the rounds of"
		echo "$boots boots of each kernel. Figures 1, 2: within every run the"
		echo "configurations alternate in 100 ms slices (A B A B …; figure 2: A1 B1 A2 B2),"
		echo "so a burst of host load hits both; the ratio is computed per run, then"
		echo "summarised. Figures 5, 6: runs alternate A B A B, ratio per pair."
		echo
		row " Figure" " Kernel" " Ours" " Reference" " Ratio" " Goal" " Met"
		row "---" "---" "---" "---" "---" "---" "---"
		for_kernels pair_rows 1 "1 device cost, open+read+close" "≥ 0.9×"
		for_kernels fig2_rows 2 "2 scaling, 2 readers / 1"
		for_kernels fig3_rows
		for_kernels fig4_rows
		pkg_row 5 "5 rebuild cost, dkms build" roulette hello "≤ 1.5×"
		pkg_row 6 "6 install cost, apt install" roulette-dkms v4l2loopback-dkms "≤ 1.0×"
		echo
		echo "### Diagnostics: where figure 1's time goes"
		echo
		echo "Same boots, same interleaving. \"open+close\" leaves the read out, \"pread\""
		echo "repeats pread(fd, buf, 64, 0) on one descriptor (the read path alone)."
		if awk '$2 ~ /^figp/ { f = 1 } END { exit !f }' "$raw"; then
			echo "\"patched\" is roulette.ko built from src/ with bench/*.patch applied"
			echo "(a proposed change, measured against the same floor in the same boot)."
		fi
		echo
		row " Loop" " Kernel" " Ours" " Reference" " Ratio" " Goal" " Met"
		row "---" "---" "---" "---" "---" "---" "---"
		for spec in $kernels; do
			tag=${spec%%:*}
			pair_rows "$tag" b-oc "open+close" "–"
			pair_rows "$tag" b-pread "pread" "–"
			pair_rows "$tag" p "patched: open+read+close" "≥ 0.9×"
			pair_rows "$tag" p-pread "patched: pread" "–"
			fig2_rows "$tag" p2 "patched: scaling, 2 readers / 1"
		done
		echo
		if [ -s "$ROULETTE_TOP/bench/notes.md" ]; then
			cat "$ROULETTE_TOP/bench/notes.md"
			echo
		fi
		echo "## Raw data"
		echo
		echo '```'
		cat "$raw"
		echo '```'
	} >"$results"
	log "wrote ${results#"$ROULETTE_TOP"/}"
}

host_info() {
	{
		echo "- run started: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROULETTE_TOP" rev-parse --short HEAD 2>/dev/null || echo unknown)"
		echo "- host: $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores, $(free -m | awk '/^Mem:/ { print $2 }') MiB RAM"
		echo "- host kernel: $(uname -r) (the guests boot Debian kernels under QEMU TCG)"
		echo "- QEMU: $(qemu-system-x86_64 --version | head -n 1) — \`-accel tcg -cpu max -smp 2 -m ${ROULETTE_GUEST_MEM:-512}\`"
		echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	} >"$hostinfo"
}

total_start=$SECONDS
if [ "$do_guest" = 1 ] || [ "$do_pkg" = 1 ]; then
	host_info
fi
[ "$do_guest" = 1 ] && guest_figures
if [ "$do_pkg" = 1 ]; then
	grep -v '^pkg' "$raw" >"$raw.new" 2>/dev/null || true
	mv "$raw.new" "$raw"
	"$ROULETTE_TOP/scripts/bench-pkg.sh" >>"$raw" ||
		log "figures 5-6 failed: see the messages above"
fi
if [ "$do_guest" = 1 ] || [ "$do_pkg" = 1 ]; then
	echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg); bench wall time $((SECONDS - total_start)) s" >>"$hostinfo"
fi
report
sed -n '/^## Results/,/^## Raw data/p' "$results" | sed '$d'
