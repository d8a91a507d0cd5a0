#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make stress: boot each kernel in QEMU (TCG, 2 vCPUs) with a busybox
# initramfs holding our modules, tests/stress/rstress, stress-ng and trinity,
# and run tests/stress/init.sh: parallel readers (1, 2, 8) beside sysfs
# flips and a mymod sec=1 load/unload loop, roulette reloaded under readers,
# stress-ng and trinity on the device as an unprivileged user, then a scan of
# the whole kernel log, a clean unload and (debug kernel) a kmemleak scan.
#
#   scripts/stress.sh [TARGET...]   default: 6.12-cloud 6.1-cloud debug
#     TARGET: a Debian kernel target (6.1-cloud, 6.12-rt, ...) or "debug"
#     (the KASAN/lockdep kernel of scripts/build-debug-kernel.sh; built on
#     first use, then cached).
# Environment: ROULETTE_STRESS_KERNELS (targets), ROULETTE_STRESS_SECS
# (seconds per reader phase, default 15), ROULETTE_FUZZ_SECS (stress-ng and
# trinity each, default 30), ROULETTE_MIN_CYCLES (mymod load/unload cycles
# required over the whole run, default 1000).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	read -r -a targets <<<"${ROULETTE_STRESS_KERNELS:-6.12-cloud 6.1-cloud debug}"
fi
secs=${ROULETTE_STRESS_SECS:-15}
fuzz=${ROULETTE_FUZZ_SECS:-30}
min_cycles=${ROULETTE_MIN_CYCLES:-1000}

guest_host_setup || die "cannot install host packages"
apt_install stress-ng trinity || die "cannot install stress-ng and trinity"
work=$ROULETTE_OUT/stress
mkdir -p "$work"
results=$work/results.txt
: >"$results"
started=$SECONDS

record() { # record PASS|FAIL TEXT
	echo "$1: $2" | tee -a "$results"
}

guest_tools "$work/tools" || die "cannot build tests/tools"
if [ ! -x "$work/tools/rstress" ] || [ "$ROULETTE_TOP/tests/stress/rstress.c" -nt "$work/tools/rstress" ]; then
	gcc -static -O2 -Wall -Wextra -Werror -o "$work/tools/rstress" \
		"$ROULETTE_TOP/tests/stress/rstress.c" || die "cannot build rstress"
fi

# copy_dynamic ROOT BINARY: BINARY and the shared libraries it needs.
copy_dynamic() {
	local root=$1 bin=$2 lib
	install -D -m 755 "$bin" "$root$bin"
	for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
		[ -e "$root$lib" ] || install -D -m 755 "$(readlink -f "$lib")" "$root$lib"
	done
}

# stress_initramfs OUT MODDIR
stress_initramfs() {
	local out=$1 mods=$2 root
	root=$(mktemp -d) || return 1
	chmod 755 "$root"
	busybox_root "$root" || return 1
	mkdir -p "$root/tests" "$root/modules" "$root/usr/bin"
	install -m 755 "$ROULETTE_TOP/tests/stress/init.sh" "$root/init"
	cp "$ROULETTE_TOP/tests/guest/lib.sh" "$root/tests/lib.sh"
	cp "$work"/tools/{modload,devio,runas,rstress} "$root/bin/"
	cp "$mods"/*.ko "$root/modules/"
	copy_dynamic "$root" /usr/bin/stress-ng
	copy_dynamic "$root" /usr/bin/trinity
	echo 'fuzz:x:1000:1000:fuzz:/tmp:/bin/sh' >>"$root/etc/passwd"
	echo 'fuzz:x:1000:' >>"$root/etc/group"
	make_initramfs "$root" "$out"
	rm -rf "$root"
}

total_cycles=0
for t in "${targets[@]}"; do
	dir=$work/$t
	mkdir -p "$dir"
	if [ "$t" = debug ]; then
		kcache=$("$ROULETTE_TOP/scripts/build-debug-kernel.sh") || die "cannot build the debug kernel"
		krel=$(cat "$kcache/kernelrelease")
		kdir=$kcache/tree
		vmlinuz=$kcache/bzImage-modules
		mem=1536 limit=${ROULETTE_STRESS_TIMEOUT:-600}
	else
		krel=$(kernel_release "$t")
		kdir=$(kernel_headers "$krel")
		vmlinuz=$(kernel_image "$krel")
		mem=1024 limit=${ROULETTE_STRESS_TIMEOUT:-420}
	fi
	if ! build_modules "$krel" "$kdir" "$dir/modules" >"$dir/build.log" 2>&1; then
		record FAIL "[$t] module build for $krel: $(tail -n 3 "$dir/build.log" | tr '\n' ' ')"
		continue
	fi
	stress_initramfs "$dir/initrd.gz" "$dir/modules" || die "cannot build the initramfs"
	log "$t: stress run on $krel (${secs}s per reader phase, ${fuzz}s per fuzzer)"
	logf=$dir/console.log
	: >"$logf"
	start=$SECONDS rc=0
	ROULETTE_GUEST_MEM=$mem ROULETTE_GUEST_CPUS=2 qemu_boot "$vmlinuz" "$dir/initrd.gz" \
		"$logf" "$limit" "stress_secs=$secs fuzz_secs=$fuzz log_buf_len=4M" || rc=$?
	guest_results "$logf" "$t" | tee -a "$results"
	tr -d '\r' <"$logf" | grep -a '^STAT: ' | sed "s/^/[$t] /" | tee "$dir/stats.txt" >&2
	if grep -aq '^GUEST-DONE' "$logf"; then
		record PASS "[$t] stress run completed ($((SECONDS - start)) s)"
	else
		record FAIL "[$t] stress run did not finish (qemu status $rc); log tail:"
		tr -d '\r' <"$logf" | tail -n 40 | sed 's/^/    /'
	fi
	c=$(sed -n 's/.*STAT: total load_cycles=\([0-9]*\).*/\1/p' "$dir/stats.txt" | head -n 1)
	total_cycles=$((total_cycles + ${c:-0}))
done

if [ "$total_cycles" -ge "$min_cycles" ]; then
	record PASS "mymod load/unload cycles over all kernels: $total_cycles (>= $min_cycles)"
else
	record FAIL "mymod load/unload cycles over all kernels" "$total_cycles < $min_cycles"
fi
log "stress wall time: $((SECONDS - started)) s"
passed=$(grep -c '^PASS: ' "$results" || true)
failed=$(grep -c '^FAIL: ' "$results" || true)
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
