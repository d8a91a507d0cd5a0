#!/bin/sh
# /init of the benchmark initramfs (busybox), built by scripts/bench.sh.
# The kernel command line carries the plan:
#   bench.figs=1234bp which figures to run (1 device cost, 2 scaling,
#                    3 footprint, 4 timer accuracy, b breakdown of 1,
#                    p figures 1 and 2 again with /modules/patched/roulette.ko)
#   bench.runs=N     runs (figures 1, 2, b, p)
#   bench.secs=S     seconds per run (figure 2: twice that), cut into 100 ms
#                    slices that alternate the devices (bench/ocr.c)
#   bench.ticks=N    timer ticks per period setting (figure 4)
#   bench.round0=N   number the rounds from N + 1 (later boots of a kernel)
# Every result is one "BENCH ..." line on the serial console; the host
# parses them (scripts/bench.sh). Modules are in /modules, the loop program
# is /bin/ocr, /bin/modload loads with finit_module(2).
# shellcheck source=../tests/guest-boot.sh
. /etc/guest-boot.sh

arg() {
	sed -n "s/.*bench\\.$1=\\([^ ]*\\).*/\\1/p" /proc/cmdline
}
figs=$(arg figs)
runs=$(arg runs)
secs=$(arg secs)
ticks=$(arg ticks)
round0=$(arg round0)
: "${figs:=1234}" "${runs:=5}" "${secs:=4}" "${ticks:=20}" "${round0:=0}"
DEV=/dev/kernel-roulette

say() {
	echo "BENCH $*"
}

# load MODULE [param=value ...]
load() {
	_m=$1
	shift
	r=$(/bin/modload "/modules/$_m.ko" "$@")
	[ "$r" = ok ] || say "error load $_m $*: $r"
}

unload() {
	/bin/modload -r "$1" >/dev/null
}

# ocr_run FIG ROUND OCR-ARGS...: one interleaved run of /bin/ocr, one
# result line per configuration it measured.
ocr_run() {
	_fig=$1 _round=$2
	shift 2
	if out=$(/bin/ocr -s 100 "$@" 2>&1); then
		echo "$out" | while read -r l; do
			say "fig$_fig round=$_round $l"
		done
	else
		say "error fig$_fig round=$_round: $(echo "$out" | tr '\n' ' ')"
	fi
}

say "start kernel=$(uname -r) cpus=$(grep -c '^processor' /proc/cpuinfo)" \
	"clocksource=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)" \
	"hz_preempt=$(uname -v | tr ' ' '_')"

case $figs in
*3*)
	# Footprint: all three loaded side by side, sizes as lsmod shows them.
	load hello
	load mymod sec=3600
	load roulette chance=0
	for m in hello mymod roulette; do
		say "fig3 module=$m size=$(awk -v m="$m" '$1 == m { print $2 }' /proc/modules)"
	done
	unload hello
	unload mymod
	unload roulette
	;;
esac

case $figs in
*[12b]*)
	load roulette chance=0
	# Warm-up: caches, page tables, the first path lookups.
	/bin/ocr -t 1 "$DEV" >/dev/null
	/bin/ocr -t 1 /dev/zero >/dev/null
	;;
esac

# each_round FN: FN ROUND for the rounds of this boot (round0 + 1 ...).
each_round() {
	_i=1
	while [ "$_i" -le "$runs" ]; do
		"$1" "$((round0 + _i))"
		_i=$((_i + 1))
	done
}

# Device cost, one reader: 100 ms slices A B A B ... within each run.
fig1_round() {
	ocr_run 1 "$1" -t "$secs" "$DEV" /dev/zero
}

# Scaling: slices cycle A1 B1 A2 B2 (device x reader count).
fig2_round() {
	ocr_run 2 "$1" -p 2 -S -t "$((secs * 2))" "$DEV" /dev/zero
}

# Breakdown of figure 1: the open path alone (open+close) and the read
# path alone (pread at offset 0 on one descriptor).
figb_round() {
	ocr_run b-oc "$1" -m oc -t "$secs" "$DEV" /dev/zero
	ocr_run b-pread "$1" -m pread -t "$secs" "$DEV" /dev/zero
}

# Figures 1 and 2 and pread on roulette.ko built with bench/*.patch (a
# proposed change, measured against the same floor in the same boot).
figp_round() {
	ocr_run p "$1" -t "$secs" "$DEV" /dev/zero
	ocr_run p-pread "$1" -m pread -t "$secs" "$DEV" /dev/zero
	ocr_run p2 "$1" -p 2 -S -t "$((secs * 2))" "$DEV" /dev/zero
}

case $figs in *1*) each_round fig1_round ;; esac
case $figs in *2*) each_round fig2_round ;; esac
case $figs in *b*) each_round figb_round ;; esac
unload roulette 2>/dev/null

case $figs in
*p*)
	if [ -f /modules/patched/roulette.ko ]; then
		load patched/roulette chance=0
		/bin/ocr -t 1 "$DEV" >/dev/null
		each_round figp_round
		unload roulette
	fi
	;;
esac

case $figs in
*4*)
	# Timer accuracy: the guest is otherwise idle. dmesg -c empties the
	# ring so each setting's lines stand alone.
	for s in 1 5; do
		dmesg -c >/dev/null
		load mymod "sec=$s"
		limit=$((ticks * s + 30))
		waited=0
		while [ "$(dmesg | grep -c 'mymod: timer')" -lt "$ticks" ] &&
			[ "$waited" -lt "$limit" ]; do
			sleep 1
			waited=$((waited + 1))
		done
		unload mymod
		dmesg | grep -E 'mymod: (init|timer)$' |
			sed -nE 's/^\[ *([0-9.]+)\] mymod: (init|timer)$/\2 \1/p' |
			while read -r what t; do
				say "fig4 sec=$s event=$what t=$t"
			done
	done
	;;
esac

say "done"
poweroff -f
