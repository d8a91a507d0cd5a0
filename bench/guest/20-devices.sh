#!/bin/sh
# make bench, figures 1 (device cost), 2 (scaling), b (where figure 1's time
# goes) and p (figures 1 and 2 with the patched roulette.ko): /bin/devloop
# loops on /dev/kernel-roulette and /dev/zero alternating in 100 ms slices
# (bench/devloop.c), so a burst of host load hits both. bench.runs rounds
# a figure, numbered from bench.round0 + 1 (later boots of a kernel go on).
# shellcheck source=../../tests/lib.sh
. /tests/lib.sh

figs=$(cmdline_arg bench.figs)
runs=$(cmdline_arg bench.runs)
secs=$(cmdline_arg bench.secs)
round0=$(cmdline_arg bench.round0)
PATCHED=/modules/patched/roulette.ko	# src/ with bench/*.patch applied

# figure NAME DEVLOOP-ARGS...: the rounds of one figure, a DATA line for
# each configuration devloop measured.
figure() {
	_fig=$1 _r=$((round0 + 1))
	shift
	while [ "$_r" -le $((round0 + runs)) ]; do
		if _out=$(devloop -s 100 "$@" "$DEV" /dev/zero 2>&1); then
			echo "$_out" | while read -r _l; do emit "DATA: fig$_fig round=$_r $_l"; done
		else
			fail "figure $_fig: devloop $*" "round $_r: $(echo "$_out" | tr '\n' ' ')"
		fi
		_r=$((_r + 1))
	done
}

# warm_up: caches, page tables, the first path lookups.
warm_up() {
	devloop -t 1 "$DEV" >/dev/null
	devloop -t 1 /dev/zero >/dev/null
}

case $figs in
*[12b]*)
	expect_eq "load roulette chance=0" ok "$(load roulette chance=0)"
	warm_up
	case $figs in *1*) figure 1 -t "$secs" ;; esac
	case $figs in *2*) figure 2 -p 2 -S -t "$((secs * 2))" ;; esac
	case $figs in *b*)
		figure b-oc -m oc -t "$secs"
		figure b-pread -m pread -t "$secs"
		;;
	esac
	expect_eq "unload roulette" ok "$(unload roulette)"
	;;
esac
case $figs in
*p*)
	expect_eq "load the patched roulette.ko chance=0" ok "$(modload "$PATCHED" chance=0)"
	warm_up
	figure p -t "$secs"
	figure p-pread -m pread -t "$secs"
	figure p2 -p 2 -S -t "$((secs * 2))"
	;;
esac
finish
