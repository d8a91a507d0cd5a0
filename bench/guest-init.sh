#!/bin/sh
# /init of the benchmark initramfs (busybox), built by scripts/bench.sh.
# The kernel command line carries the plan:
#   bench.figs=1234bp which figures to run (1 device cost, 2 scaling,
#                    3 footprint, 4 timer accuracy, b breakdown of 1,
#                    p figure 1 again with /modules/patched/roulette.ko)
#   bench.runs=N     runs per configuration (figures 1 and 2)
#   bench.secs=S     seconds per run
#   bench.ticks=N    timer ticks per period setting (figure 4)
# Every result is one "BENCH ..." line on the serial console; the host
# parses them (scripts/bench.sh). Modules are in /modules, the loop program
# is /bin/ocr, /bin/modload loads with finit_module(2).
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
# Only KERN_EMERG reaches the console: it must not split our lines.
dmesg -n 1

arg() {
	sed -n "s/.*bench\\.$1=\\([^ ]*\\).*/\\1/p" /proc/cmdline
}
figs=$(arg figs)
runs=$(arg runs)
secs=$(arg secs)
ticks=$(arg ticks)
: "${figs:=1234}" "${runs:=5}" "${secs:=2}" "${ticks:=20}"
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

# ocr_run FIG ROUND DEV PROCS [MODE]: one timed loop, one result line.
ocr_run() {
	out=$(/bin/ocr -p "$4" -t "$secs" -m "${5:-ocr}" "$3" 2>&1)
	case $out in
	procs=*) say "fig$1 round=$2 dev=${3##*/} $out" ;;
	*) say "error fig$1 round=$2 dev=${3##*/} procs=$4: $(echo "$out" | tr '\n' ' ')" ;;
	esac
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

case $figs in
*1*)
	# Device cost: A B A B ..., one reader.
	i=1
	while [ "$i" -le "$runs" ]; do
		ocr_run 1 "$i" "$DEV" 1
		ocr_run 1 "$i" /dev/zero 1
		i=$((i + 1))
	done
	;;
esac

case $figs in
*2*)
	# Scaling: each round measures 1 and 2 readers on both devices.
	i=1
	while [ "$i" -le "$runs" ]; do
		ocr_run 2 "$i" "$DEV" 1
		ocr_run 2 "$i" /dev/zero 1
		ocr_run 2 "$i" "$DEV" 2
		ocr_run 2 "$i" /dev/zero 2
		i=$((i + 1))
	done
	;;
esac

case $figs in
*b*)
	# Breakdown of figure 1: the open path alone (open+close) and the read
	# path alone (pread at offset 0 on one descriptor), A B A B.
	i=1
	while [ "$i" -le "$runs" ]; do
		for m in oc pread; do
			ocr_run "b-$m" "$i" "$DEV" 1 "$m"
			ocr_run "b-$m" "$i" /dev/zero 1 "$m"
		done
		i=$((i + 1))
	done
	;;
esac

unload roulette 2>/dev/null

case $figs in
*p*)
	# The same loops on roulette.ko built with bench/*.patch (a proposed
	# change, measured against the same floor in the same boot).
	if [ -f /modules/patched/roulette.ko ]; then
		load patched/roulette chance=0
		/bin/ocr -t 1 "$DEV" >/dev/null
		i=1
		while [ "$i" -le "$runs" ]; do
			ocr_run p "$i" "$DEV" 1
			ocr_run p "$i" /dev/zero 1
			ocr_run p-pread "$i" "$DEV" 1 pread
			ocr_run p-pread "$i" /dev/zero 1 pread
			i=$((i + 1))
		done
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
