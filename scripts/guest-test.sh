#!/bin/bash
# make test: build the modules for Debian kernels, boot each kernel in QEMU
# with a busybox initramfs holding tests/guest, and collect the verdicts.
#
#   scripts/guest-test.sh [TARGET...]        default: 6.1-cloud 6.12-cloud 6.12-rt
#   scripts/guest-test.sh --kernel VMLINUZ --kdir KDIR [--name NAME]
#                                            a kernel of your own (debug kernel)
# Environment: ROULETTE_KERNELS (targets), ROULETTE_CACHE, ROULETTE_OUT,
# ROULETTE_NO_PANIC=1 skips the panic boots.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

custom_kernel='' custom_kdir='' custom_name=custom
targets=()
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) custom_kernel=$2; shift 2 ;;
	--kdir) custom_kdir=$2; shift 2 ;;
	--name) custom_name=$2; shift 2 ;;
	-h | --help) sed -n '2,10s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) targets+=("$1"); shift ;;
	esac
done
if [ ${#targets[@]} -eq 0 ] && [ -z "$custom_kernel" ]; then
	read -r -a targets <<<"${ROULETTE_KERNELS:-6.1-cloud 6.12-cloud 6.12-rt}"
fi

guest_host_setup || die "cannot install host packages"
work=$ROULETTE_OUT/guest
mkdir -p "$work"
results=$work/results.txt
: >"$results"

record() { # record PASS|FAIL TEXT
	echo "$1: $2" | tee -a "$results"
}

# build TAG KREL KDIR: modules in $work/TAG/modules; a warning is a failure.
build() {
	local tag=$1 krel=$2 kdir=$3 blog=$work/$1/build.log
	mkdir -p "$work/$tag"
	if build_modules "$krel" "$kdir" "$work/$tag/modules" W=1 >"$blog" 2>&1 &&
		! grep -qi -e 'warning:' -e 'error:' "$blog"; then
		record PASS "[$tag] build for $krel with W=1, no warnings"
	else
		record FAIL "[$tag] build for $krel: $(grep -i -m3 -e warning: -e error: "$blog" | tr '\n' ' ')"
		return 1
	fi
}

# boot TAG VMLINUZ MODE: one guest run; prints the log path.
boot() {
	local tag=$1 vmlinuz=$2 mode=$3 logf=$work/$1/$3.log rc=0
	: >"$logf"
	qemu_boot "$vmlinuz" "$work/$tag/initrd.gz" "$logf" "${ROULETTE_BOOT_TIMEOUT:-420}" \
		"rtest=$mode" || rc=$?
	echo "$rc" >"$logf.rc"
	echo "$logf"
}

guest_tools "$work/tools" || die "cannot build tests/tools"

# The other series' modules prove ENOEXEC; every target needs one build of it.
declare -A krel_of kdir_of
declare -a tags=()
if [ -n "$custom_kernel" ]; then
	[ -n "$custom_kdir" ] || die "--kernel needs --kdir"
	krel_of[$custom_name]=$(make -s -C "$custom_kdir" kernelrelease)
	kdir_of[$custom_name]=$custom_kdir
	tags+=("$custom_name")
else
	for t in "${targets[@]}"; do
		krel_of[$t]=$(kernel_release "$t")
		tags+=("$t")
	done
fi
for t in "${tags[@]}"; do
	[ -n "${kdir_of[$t]:-}" ] || kdir_of[$t]=$(kernel_headers "${krel_of[$t]}")
	build "$t" "${krel_of[$t]}" "${kdir_of[$t]}" || true
done

for t in "${tags[@]}"; do
	# A 6.12 target's foreign module comes from 6.1 and vice versa.
	case ${krel_of[$t]} in
	6.1.*) other=6.12-cloud ;;
	*) other=6.1-cloud ;;
	esac
	if [ ! -d "$work/$other/modules" ]; then
		krel_of[$other]=$(kernel_release "$other")
		build "$other" "${krel_of[$other]}" "$(kernel_headers "${krel_of[$other]}")" || true
	fi
	[ -f "$work/$t/modules/roulette.ko" ] || continue
	if [ -n "$custom_kernel" ]; then vmlinuz=$custom_kernel; else vmlinuz=$(kernel_image "${krel_of[$t]}"); fi
	guest_initramfs "$work/$t/initrd.gz" "${krel_of[$t]}" "$work/$t/modules" "$work/$other/modules" "$work/tools" ||
		die "cannot build the initramfs"

	log "$t: booting ${krel_of[$t]} for the guest tests"
	start=$SECONDS
	logf=$(boot "$t" "$vmlinuz" all)
	guest_results "$logf" "$t" | tee -a "$results"
	if grep -aq '^GUEST-DONE' "$logf"; then
		record PASS "[$t] guest suite ran to the end ($((SECONDS - start)) s)"
	else
		record FAIL "[$t] guest suite did not finish (qemu status $(cat "$logf.rc")); log tail:"
		tr -d '\r' <"$logf" | tail -n 40 | sed 's/^/    /'
	fi

	[ "${ROULETTE_NO_PANIC:-0}" = 1 ] && continue
	log "$t: booting for the boom=panic test"
	logf=$(boot "$t" "$vmlinuz" panic)
	guest_results "$logf" "$t" | tee -a "$results"
	if [ "$(cat "$logf.rc")" != 124 ] &&
		grep -aq 'roulette: Boom! sampled value is' "$logf" &&
		grep -aq 'Kernel panic - not syncing: kernel-roulette: sampled value is' "$logf" &&
		! grep -aq '^GUEST-DONE' "$logf"; then
		record PASS "[$t] boom=panic: Boom! logged, then a real kernel panic"
	else
		record FAIL "[$t] boom=panic: no panic seen (qemu status $(cat "$logf.rc")); log tail:"
		tr -d '\r' <"$logf" | tail -n 40 | sed 's/^/    /'
	fi
done

passed=$(grep -c '^PASS: ' "$results" || true)
failed=$(grep -c '^FAIL: ' "$results" || true)
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
