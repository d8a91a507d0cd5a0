#!/bin/sh
# faults: every allocation failure a module load can meet in our code.
# For N = 1, 2, ... the Nth allocation (failslab or fail_page_alloc) whose
# stack passes through a module fails (/proc/self/fail-nth: modload -n N),
# until a load meets no Nth allocation. Each injected load must fail with
# an errno, or succeed and unload, and leave nothing behind; the kernel
# says whether it injected (fail-nth reads 0) and its "times" counters
# must agree. Run by scripts/test-debug.sh faults (suites=faults).
# shellcheck source=../lib.sh
. /tests/lib.sh
# shellcheck source=common.sh
. /tests/faults/common.sh

# x86_64's module area (MODULES_VADDR with KASLR to the fixmap's lowest
# MODULES_END): a return address in it is a module's code; nothing else is
# loaded here, so that is the module being loaded.
MOD_START=0xffffffffc0000000
MOD_END=0xfffffffffe000000

# fi_set FILE VALUE: the same knob for failslab and fail_page_alloc.
fi_set() {
	for _a in failslab fail_page_alloc; do
		echo "$2" >"$FI/$_a/$1" || return 1
	done
}

fi_times() {
	echo $(($(cat "$FI/failslab/times") + $(cat "$FI/fail_page_alloc/times")))
}

if [ ! -d "$FI/failslab" ] || [ ! -d "$FI/fail_page_alloc" ] || [ ! -e /proc/self/fail-nth ]; then
	fail "fault injection available" "no $FI/failslab, $FI/fail_page_alloc or /proc/self/fail-nth"
	finish
	exit
fi
expect_eq "no module loaded: the stack filter's range holds only the one being loaded" "" \
	"$(cat /proc/modules)"
expect_eq "roulette loads to show where modules live" ok "$(load roulette)"
for s in .text .init.text; do
	a=$(cat "/sys/module/roulette/sections/$s" 2>/dev/null)
	check "roulette's $s ($a) lies in [$MOD_START, $MOD_END)" awk -v a="$a" -v s=$MOD_START -v e=$MOD_END \
		'BEGIN { exit !(length(a) == 18 && a >= s && a < e) }'
done
unload roulette >/dev/null
# probability 0: only fail-nth injects; times counts down on each injection.
setup() {
	fi_set probability 0 && fi_set verbose 1 &&
		fi_set task-filter N && fi_set ignore-gfp-wait N && fi_set stacktrace-depth 32 &&
		fi_set require-start $MOD_START && fi_set require-end $MOD_END &&
		echo N >"$FI/fail_page_alloc/ignore-gfp-highmem" && echo 0 >"$FI/fail_page_alloc/min-order"
}
check "failslab and fail_page_alloc set up for the module area" setup

# sweep TAG MAX MODULE [param=value ...]: N = 1, 2, ... up to MAX.
sweep() {
	_tag=$1 _max=$2 m=$3
	shift 3
	fi_set times 100000
	n=0 failed=0 tolerated=0 errnos='' bad='' out=''
	mk=$(mark "$_tag")
	while [ $n -lt "$_max" ]; do
		n=$((n + 1))
		t=$(fi_times)
		out=$(/bin/modload -n $n "$MODS/$m.ko" "$@")
		hits=$((t - $(fi_times)))
		case $out in
		*injected) [ "$hits" = 1 ] || bad="$bad N=$n: fail-nth says injected, times counted $hits;" ;;
		*)
			[ "$hits" = 0 ] || bad="$bad N=$n: not injected, times counted $hits;"
			break
			;;
		esac
		case $out in
		"ok injected")
			tolerated=$((tolerated + 1))
			u=$(unload "$m")
			[ "$u" = ok ] || bad="$bad N=$n: loaded, then unload: $u;"
			;;
		"error E"*)
			failed=$((failed + 1))
			e=${out#error }
			e=${e% injected}
			case " $errnos " in *" $e "*) ;; *) errnos="$errnos $e" ;; esac
			;;
		*) bad="$bad N=$n: '$out';" ;;
		esac
		l=$(leftovers)
		[ -z "$l" ] || bad="$bad N=$n ($out) left: $(echo "$l" | tr '\n' ' ');"
	done
	points=$((n - 1))
	emit "DATA: faults $_tag points=$points failed_loads=$failed tolerated=$tolerated errnos=${errnos# }"
	echo "INFO: $_tag: $points failure points: $failed loads failed ($errnos), $tolerated succeeded"
	expect_eq "$_tag: the load past the last failure point (N=$n) succeeds uninjected" ok "$out"
	expect_eq "$_tag: every injected load failed with an errno or unloaded, and left nothing" "" "$bad"
	expect_eq "$_tag: then unloads and leaves nothing" "ok" "$(unload "$m")$(leftovers)"
	expect_eq "$_tag: plain load after the injections" ok "$(load "$m" "$@")"
	expect_eq "$_tag: plain unload" ok "$(unload "$m")"
	no_reports "$_tag" "$mk"
	drain
}

expect_oops_begin
# hello_init() and mymod_init() allocate nothing of their own: any point
# they show is a debug-object or kmemleak allocation below them.
sweep hello 50 hello
sweep mymod 50 mymod
sweep roulette 200 roulette chance=0
# roulette_register()'s four registrations allocate at least once each.
expect_range "roulette: loads failed by an allocation in roulette_register()" 4 200 "$failed"

# Every slab allocation of a whole finit_module() of hello, the kernel's
# module loader included; failslab only (fewer vmalloc warnings).
fi_set require-start 0
fi_set require-end 18446744073709551615
echo 1 >"$FI/fail_page_alloc/require-end"	# [0, 1): no stack matches
sweep hello-whole-load 1000 hello
expect_range "hello-whole-load: loads failed in the module loader" 10 1000 "$failed"
expect_oops_end
fi_set times 0
finish
