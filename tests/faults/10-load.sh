#!/bin/sh
# faults: every allocation failure a module load can meet in our code.
# For N = 1, 2, ... the Nth allocation (failslab or fail_page_alloc) whose
# stack passes through a module fails (/proc/self/fail-nth: modload -n N),
# until a load meets no Nth allocation; then a sample of every allocation
# of a whole load of hello. Each injected load must fail with an errno, or
# succeed and unload, and leave nothing behind; the kernel says whether it
# injected (fail-nth reads 0) and its "times" counters must agree.
# Run by scripts/test-debug.sh faults (suites=faults).
# shellcheck source=../lib.sh
. /tests/lib.sh
# shellcheck source=common.sh
. /tests/faults/common.sh

# The module area, found at run time rather than from one architecture's
# constants: where the kernel put the sections of our three modules, from
# the lowest to the highest, widened by 256 MiB on each side and kept out of
# the kernel image (_stext to _end in /proc/kallsyms). A return address in
# it is a module's code, and the only module loaded is the one being
# loaded; a module loaded again lands where the last one did (vmalloc fits
# it from the same start). Addresses are negative in the shell's 64-bit
# arithmetic, on every architecture, so they compare as they order.
module_area() {
	_lo='' _hi='' _w=$((256 << 20))
	for _f in /sys/module/hello/sections/.[!.]* /sys/module/mymod/sections/.[!.]* \
		/sys/module/roulette/sections/.[!.]*; do	# .text, .data, ...: dot files
		# cat: the file answers only a read at offset 0 (EINVAL after), and
		# the shell's read takes a byte at a time.
		_a=$(cat "$_f") || continue
		[ $((_a)) -ne 0 ] || continue
		if [ -z "$_lo" ] || [ $((_a < _lo)) = 1 ]; then _lo=$((_a)); fi
		if [ -z "$_hi" ] || [ $((_a > _hi)) = 1 ]; then _hi=$((_a)); fi
	done
	_s=$((0x$(awk '$3 == "_stext" { print $1 }' /proc/kallsyms)))
	_e=$((0x$(awk '$3 == "_end" { print $1 }' /proc/kallsyms)))
	[ -n "$_lo" ] && [ "$_s" != 0 ] || return 1
	_lo=$((_lo - _w)) _hi=$((_hi + _w))
	[ $((_hi < 0)) = 1 ] || _hi=-4096	# past the top: wrapped
	if [ $((_e <= _lo + _w)) = 1 ]; then	# the kernel image lies below the modules
		[ $((_lo > _e)) = 1 ] || _lo=$_e
	else
		[ $((_hi < _s)) = 1 ] || _hi=$_s
	fi
	MOD_START=$(printf '0x%x' "$_lo") MOD_END=$(printf '0x%x' "$_hi")
	KERNEL_IMAGE=$(printf '0x%x-0x%x' "$_s" "$_e")
}

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
for m in hello mymod roulette; do
	expect_eq "$m loads to show where modules live" ok "$(load "$m")"
done
check "the module area found from their sections, outside the kernel image" module_area
note "[$MOD_START, $MOD_END); the kernel image $KERNEL_IMAGE"
for s in .text .init.text; do
	a=$(cat "/sys/module/roulette/sections/$s" 2>/dev/null)
	check "roulette's $s lies in the module area" [ $((a >= MOD_START && a < MOD_END)) = 1 ]
	note "$s at $a"
done
unload_all
# probability 0: only fail-nth injects; times counts down on each injection.
setup() {
	fi_set probability 0 && fi_set verbose 1 &&
		fi_set task-filter N && fi_set ignore-gfp-wait N && fi_set stacktrace-depth 32 &&
		fi_set require-start "$MOD_START" && fi_set require-end "$MOD_END" &&
		echo N >"$FI/fail_page_alloc/ignore-gfp-highmem" && echo 0 >"$FI/fail_page_alloc/min-order"
}
check "failslab and fail_page_alloc set up for the module area" setup

# load N MODULE [param=value ...]: sets out (the verdict), r (fail-nth read
# back: 0 when injected) and hits (injections by the times counters).
load_nth() {
	_t=$(fi_times)
	out=$(/bin/modload -n "$@")
	hits=$((_t - $(fi_times)))
	r=${out##*fail-nth=}
	out=${out% fail-nth=*}
}

# sweep TAG STEP MODULE [param=value ...]: N = 1, 1 + STEP, ... until a
# load meets no Nth allocation (at most 300 loads).
sweep() {
	_tag=$1 _step=$2 m=$3
	shift 3
	fi_set times 100000
	n=1 loads=0 failed=0 tolerated=0 errnos='' bad=''
	mk=$(mark "$_tag")
	while [ $loads -lt 300 ]; do
		loads=$((loads + 1))
		load_nth $n "$MODS/$m.ko" "$@"
		if [ "$r" != 0 ]; then
			[ "$hits" = 0 ] || bad="$bad N=$n: not injected, times counted $hits;"
			break
		fi
		[ "$hits" = 1 ] || bad="$bad N=$n: fail-nth says injected, times counted $hits;"
		case $out in
		ok)
			tolerated=$((tolerated + 1))
			u=$(unload "$m")
			[ "$u" = ok ] || bad="$bad N=$n: loaded, then unload: $u;"
			;;
		"error E"*)
			failed=$((failed + 1))
			case " $errnos " in *" ${out#error } "*) ;; *) errnos="$errnos ${out#error }" ;; esac
			;;
		*) bad="$bad N=$n: '$out';" ;;
		esac
		l=$(leftovers)
		[ -z "$l" ] || bad="$bad N=$n ($out) left: $(echo "$l" | tr '\n' ' ');"
		n=$((n + _step))
	done
	emit "DATA: faults $_tag step=$_step injected=$((failed + tolerated)) failed_loads=$failed tolerated=$tolerated errnos=${errnos# } last_n=$n"
	echo "INFO: $_tag: $((failed + tolerated)) failures injected: $failed loads failed ($errnos), $tolerated succeeded"
	expect_eq "$_tag: the load past the last failure point succeeds uninjected" "ok 0" "$out $hits"
	note "N=$n"
	expect_eq "$_tag: every injected load failed with an errno or unloaded, and left nothing" "" "$bad"
	expect_eq "$_tag: then unloads and leaves nothing" "ok" "$(unload "$m")$(leftovers)"
	expect_eq "$_tag: plain load after the injections" ok "$(load "$m" "$@")"
	expect_eq "$_tag: plain unload" ok "$(unload "$m")"
	no_reports "$_tag" "$mk"
}

expect_oops_begin
# hello_init() and mymod_init() allocate nothing of their own: any point
# they show is a debug-object or kmemleak allocation below them.
sweep hello 1 hello
sweep mymod 1 mymod
sweep roulette 1 roulette chance=0
drain
# Each of roulette_register()'s five allocating steps fails in turn: with the
# stack filter narrowed to that function's text (/proc/kallsyms: its
# address to the next symbol's), N = 1 is the first allocation below it.
# A sweep of the module area can step over one, as the counts vary.
sort /proc/kallsyms >/tmp/kallsyms
for f in alloc_chrdev_region class_create cdev_alloc cdev_add device_create; do
	range=$(awk -v f="$f" 's && $1 != s { print "0x" s, "0x" $1; exit }
		$3 == f && $2 ~ /^[tT]$/ { s = $1 }' /tmp/kallsyms)
	fi_set require-start "${range% *}" && fi_set require-end "${range#* }"
	echo "INFO: $f: $range"
	load_nth 1 "$MODS/roulette.ko" chance=0
	expect_eq "roulette: the first allocation in $f() fails the load, injected once" \
		"error ENOMEM 0 1" "$out $r $hits"
	expect_eq "roulette: a load failed in $f() leaves nothing" "" "$(leftovers)"
done

# A whole finit_module() of hello, the kernel's module loader included:
# failslab only (fewer vmalloc warnings), no stack filter. An uninjected
# load with a large N counts its allocations (N minus what fail-nth reads
# back); then about 40 of them, evenly spaced, fail in turn.
fi_set require-start 0
fi_set require-end 18446744073709551615
echo 1 >"$FI/fail_page_alloc/require-end"	# [0, 1): no stack matches
load_nth 1000000 "$MODS/hello.ko"
unload hello >/dev/null
count=$((1000000 - r))
emit "DATA: faults hello-whole-load allocations=$count"
expect_range "hello-whole-load: a load counts its slab allocations" 10 100000 "$count"
sweep hello-whole-load $((count / 40 + 1)) hello
drain
expect_range "hello-whole-load: sampled loads failed in the module loader" 10 300 "$failed"
expect_oops_end
fi_set times 0
finish
