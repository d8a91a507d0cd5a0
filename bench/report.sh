#!/bin/bash
# bench/report.sh RAW [HOSTINFO] > results.md: the report of make bench,
# made from its raw data alone (out/bench/raw.txt: "TAG WHAT key=value..."
# a line, bench/run.sh) and the machine lines, then bench/notes.md and the
# raw data itself. Every statistic of the benchmark is here: medians and
# ranges, ratios paired per run, the timer's Theil-Sen trend, the goals.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
[ -s "${1:-}" ] || { echo "usage: ${0##*/} RAW [HOSTINFO] (no raw data in '${1:-}')" >&2; exit 1; }
awk -v hostinfo="${2:-/dev/null}" -v notes="$top/bench/notes.md" \
	-v date="$(date -u '+%Y-%m-%d %H:%M UTC')" '
function isort(a, n,    i, j, x) {
	for (i = 2; i <= n; i++) {
		x = a[i]
		for (j = i - 1; j >= 1 && a[j] + 0 > x + 0; j--) a[j + 1] = a[j]
		a[j + 1] = x
	}
}
# median of a[1..n] (sorts a); "nan" when empty
function median(a, n) {
	if (n == 0) return "nan"
	isort(a, n)
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
# "M [min–max], n=N" of a[1..n] with format f, or "no data"; sets MED
function fmts(f, a, n,    m) {
	MED = median(a, n)
	if (n == 0) return "no data"
	MED = sprintf("%.6g", MED)
	return sprintf(f " [" f "–" f "], n=%d", MED, sprintf("%.6g", a[1]), sprintf("%.6g", a[n]), n)
}
function ratio(a, b) {
	return a != "" && b != "" && b + 0 > 0 ? sprintf("%.6g", a / b) : ""
}
# "met" or "**missed**" when value OP (ge, le) the goal number in GOAL
function verdict(v, op, goal) {
	gsub(/[^0-9.]/, "", goal)
	if (v == "" || v == "nan") return "no data"
	return (op == "ge" ? v + 0 >= goal + 0 : v + 0 <= goal + 0) ? "met" : "**missed**"
}
function row(a, b, c, d, e, f, g) {
	printf "|  %s| %s| %s| %s| %s| %s| %s |\n", a, b, c, d, e, f, g
}
function get(k) { return k in V ? V[k] : "" }
# put T F ROUND DEV PROCS VALUE: one measurement, its round listed once
function put(t, f, r, d, p, v) {
	V[t, f, r, d, p] = v
	if (!((t, f, "r", r) in V)) { V[t, f, "r", r] = 1; RL[t, f, ++NR_[t, f]] = r }
}
# rounds T F: sorts the rounds of tag T, figure F into RD[1..n], returns n
function rounds(t, f,    i) {
	for (i = 1; i <= NR_[t, f]; i++) RD[i] = RL[t, f, i]
	isort(RD, NR_[t, f])
	return NR_[t, f]
}
# A vs B per round of tag T, figure F (sorted into RD by rounds): the
# values of each, their ratio per round; the goal is met by the median
# ratio (OP ge or le). val K DEV SC: the value of DEV in round K, its scaling
# (2 readers / 1) when SC.
function val(k, dev, sc) {
	return sc ? ratio(get(k SUBSEP dev SUBSEP 2), get(k SUBSEP dev SUBSEP 1)) : get(k SUBSEP dev SUBSEP 1)
}
function ab_row(t, f, title, a, b, sc, fm, unit, goal, op,    i, n, k, x, y, z, va, vb, vr, na, nb, nr, s, met) {
	if (!(n = rounds(t, f))) return
	for (i = 1; i <= n; i++) {
		k = t SUBSEP f SUBSEP RD[i]
		if ((x = val(k, a, sc)) != "") va[++na] = x
		if ((y = val(k, b, sc)) != "") vb[++nb] = y
		if ((z = ratio(x, y)) != "") vr[++nr] = z
	}
	if (t == "pkg" && (!na || !nb)) return
	s = fmts("%.3f", vr, nr)
	met = goal == "–" ? "–" : verdict(MED, op, goal)
	row(title, t == "pkg" ? V["pkg", f, "kernel"] : t, (a == "kernel-roulette" ? "roulette" : a) " " fmts(fm, va, na) unit,
		(b == "zero" ? "/dev/zero" : b) " " fmts(fm, vb, nb) unit, s "×", goal, met)
}
# roulette vs /dev/zero (one reader, or the scaling when SC)
function dev_row(t, f, title, goal, sc) {
	ab_row(t, f, title, "kernel-roulette", "zero", sc, sc ? "%.2f" : "%.0f", sc ? "×" : "/s", goal, "ge")
}
function fig3_rows(t,    i, m, s) {
	for (i = 1; i <= 3; i++) {
		m = i == 1 ? "hello" : i == 2 ? "mymod" : "roulette"
		if ((s = get(t SUBSEP "size" SUBSEP m)) == "") continue
		if (m == "roulette")
			row("3 footprint (/proc/modules)", t, m ".ko " s " B", "Rust original 106,496 B; seed hello 16,384 B",
				sprintf("%.3f× Rust, %.3f× seed", ratio(s, 106496), ratio(s, 16384)), "≤ 16,384 B",
				verdict(s, "le", "16384"))
		else
			row("3 footprint (/proc/modules)", t, m ".ko " s " B", "seed hello 16,384 B",
				sprintf("%.3f× seed", ratio(s, 16384)), "–", "–")
	}
}
# Lateness of tick k = its time after "mymod: init" minus k*sec; the trend
# is the Theil-Sen slope of lateness over k (the median of all pairwise
# slopes: one stalled tick cannot fake a trend). Met: the mean period error
# (= the drift of the last tick over N·sec) within 0.5 %, and lateness growing
# by less than 0.05 % of the period per tick (a re-arm from "now" adds at
# least a jiffy, 4 ms, per tick: 0.4 % of 1 s).
function fig4_rows(t,    si, s, n, k, j, x, np, t0, prev, sum, err, late, lcopy, sl, worst, wk, lo, hi, mean, med, l1, ln, drift, slope, mlate, ok) {
	for (si = 1; si <= 2; si++) {
		s = si == 1 ? 1 : 5
		n = get(t SUBSEP "ticks" SUBSEP s) + 0
		t0 = get(t SUBSEP "t0" SUBSEP s)
		if (n == 0 || t0 == "") continue
		prev = t0; sum = 0; worst = -1e9; np = 0; lo = 1e9; hi = -1e9
		split("", err); split("", late); split("", lcopy); split("", sl)
		for (k = 1; k <= n; k++) {
			x = V[t, "tick", s, k]
			err[k] = (x - prev - s) / s * 100; prev = x; sum += err[k]
			if (err[k] < lo) lo = err[k]
			if (err[k] > hi) hi = err[k]
			late[k] = lcopy[k] = (x - t0 - k * s) * 1000
			if (late[k] > worst) { worst = late[k]; wk = k }
		}
		for (k = 1; k <= n; k++) for (j = k + 1; j <= n; j++) sl[++np] = (late[j] - late[k]) / (j - k)
		mean = sprintf("%.4f", sum / n); med = sprintf("%.4f", median(err, n))
		l1 = sprintf("%.2f", late[1]); ln = sprintf("%.2f", late[n])
		drift = sprintf("%.4f", late[n] / (n * s * 1000) * 100)
		slope = sprintf("%.3f", np ? median(sl, np) : 0)
		mlate = sprintf("%.2f", median(lcopy, n))
		ok = (mean < 0 ? -mean : mean) < 0.5 && (slope < 0 ? -slope : slope) < s * 1000 * 0.0005
		row("4 timer accuracy, sec=" s ", " n " ticks", t,
			"mean period error " mean " % (per period: median " med " %, " sprintf("%.4f", lo) "…" sprintf("%.4f", hi) " %); tick 1 " l1 " ms and tick " n " " ln " ms late (" drift " % of " n "·" s " s); lateness median " mlate " ms, trend " slope " ms/tick, worst " sprintf("%.2f", worst) " ms (tick " wk ")",
			"Rust original: 5.12 s per 5 s tick, +2.4 % accumulating (+120 ms/tick)",
			sprintf("%.4f", 1 + mean / 100) "× nominal period", "< 0.5 %, no accumulation", ok ? "met" : "**missed**")
	}
}
{
	line[NR] = $0
	split("", kv)
	for (i = 3; i <= NF; i++) if ((j = index($i, "=")) > 1) kv[substr($i, 1, j - 1)] = substr($i, j + 1)
}
$1 == "pkg" {
	if ($2 == "versions") versions = substr($0, index($0, "roulette-dkms="))
	else if ("kernel" in kv) { if (!(("pkg", $2, "kernel") in V)) V["pkg", $2, "kernel"] = kv["kernel"] }
	else if ("secs" in kv) put("pkg", $2, kv["run"], kv["pkg"], 1, kv["secs"])
	next
}
$2 == "host" { hostl[++nh] = "- " $1 ": " substr($0, index($0, "host ") + 5); next }
$1 ~ /^pkg-/ { next }
!($1 in seen) { seen[$1] = 1; tag[++nt] = $1 }
$2 == "start" { startl[++ns] = "- " $1 ": " substr($0, index($0, "start ") + 6); if (kv["boot"] > boots) boots = kv["boot"] }
$2 == "bootcrash" { crash[$1]++ }
$2 == "guest" && kv["complete"] == "no" { incomplete[$1] = incomplete[$1] " " kv["boot"] }
$2 == "fig3" { V[$1, "size", kv["module"]] = kv["size"] }
$2 == "fig4" && kv["event"] == "init" { V[$1, "t0", kv["sec"]] = kv["t"]; V[$1, "ticks", kv["sec"]] = 0 }
$2 == "fig4" && kv["event"] == "timer" { V[$1, "tick", kv["sec"], ++V[$1, "ticks", kv["sec"]]] = kv["t"] }
$2 ~ /^fig[12bp]/ && ("round" in kv) {
	put($1, $2, kv["round"], kv["dev"], kv["procs"], kv["rate"])
	if ($2 ~ /^figp/) patched = 1
}
END {
	print "# Benchmarks\n"
	print "Written by `make bench` (bench/run.sh) on " date "."
	print "Not a test: a missed goal is reported here, nothing fails.\n"
	print "## Machine\n"
	while ((getline l < hostinfo) > 0) print l
	print "\nHost load during each QEMU boot (CPU time of everything but our QEMU, in cores;"
	print "niced = the share at nice > 0, which yields to QEMU):\n"
	for (i = 1; i <= nh; i++) print hostl[i]
	print "\nGuest kernels:\n"
	for (i = 1; i <= ns; i++) print startl[i]
	for (i = 1; i <= nt; i++) {
		if (tag[i] in crash) printf "- %s: %d boot(s) crashed early under MTTCG and were retried\n", tag[i], crash[tag[i]]
		if (tag[i] in incomplete) printf "- %s: boot(s)%s did not complete (out/results/bench.txt)\n", tag[i], incomplete[tag[i]]
	}
	if (versions != "") print "- figures 5-6: chroot of the system test base rootfs, " versions ", kernel headers " V["pkg", "fig5", "kernel"]
	print "\n## Results\n"
	print "Each cell: median [min–max] over n runs; figures 1 and 2 pool the rounds of"
	print boots " boots of each kernel. Figures 1, 2: within every run the"
	print "configurations alternate in 100 ms slices (A B A B …; figure 2: A1 B1 A2 B2),"
	print "so a burst of host load hits both; the ratio is computed per run, then"
	print "summarised. Figures 5, 6: runs alternate A B A B, ratio per pair.\n"
	row("Figure", "Kernel", "Ours", "Reference", "Ratio", "Goal", "Met")
	print "| ---|---|---|---|---|---|--- |"
	for (i = 1; i <= nt; i++) dev_row(tag[i], "fig1", "1 device cost, open+read+close", "≥ 0.9×")
	for (i = 1; i <= nt; i++) dev_row(tag[i], "fig2", "2 scaling, 2 readers / 1", "≥ 0.95×", 1)
	for (i = 1; i <= nt; i++) fig3_rows(tag[i])
	for (i = 1; i <= nt; i++) fig4_rows(tag[i])
	ab_row("pkg", "fig5", "5 rebuild cost, dkms build", "roulette", "hello", 0, "%.2f", " s", "≤ 1.5×", "le")
	ab_row("pkg", "fig6", "6 install cost, apt install", "roulette-dkms", "v4l2loopback-dkms", 0, "%.2f", " s", "≤ 1.0×", "le")
	print "\n### Diagnostics: where figure 1\047s time goes\n"
	print "Same boots, same interleaving. \"open+close\" leaves the read out, \"pread\""
	print "repeats pread(fd, buf, 64, 0) on one descriptor (the read path alone)."
	if (patched) {
		print "\"patched\" is roulette.ko built from src/ with bench/*.patch applied"
		print "(a proposed change, measured against the same floor in the same boot)."
	}
	print ""
	row("Loop", "Kernel", "Ours", "Reference", "Ratio", "Goal", "Met")
	print "| ---|---|---|---|---|---|--- |"
	for (i = 1; i <= nt; i++) {
		dev_row(tag[i], "figb-oc", "open+close", "–")
		dev_row(tag[i], "figb-pread", "pread", "–")
		dev_row(tag[i], "figp", "patched: open+read+close", "≥ 0.9×")
		dev_row(tag[i], "figp-pread", "patched: pread", "–")
		dev_row(tag[i], "figp2", "patched: scaling, 2 readers / 1", "≥ 0.95×", 1)
	}
	print ""
	while ((getline l < notes) > 0) { print l; n_notes++ }
	if (n_notes) print ""
	print "## Raw data\n\n```"
	for (i = 1; i <= NR; i++) print line[i]
	print "```"
}' "$1"
