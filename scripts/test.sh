#!/bin/bash
# make test: for every kernel of tests/kernels.conf with the "test" stage
# (or ROULETTE_KERNELS; scripts/lib-rows.sh: stage_rows, rows_build,
# each_row), build the modules as that system would (W=1; a warning is a
# failure), boot the kernel under QEMU with the one initramfs
# and run the guest suite (suites=guest), then boot it once more for a
# real boom=panic (suites=guest/panic.sh), and once with module.sig_enforce=1
# for the refused loads (signatures, modules_disabled). A build for another
# kernel series rides along to prove ENOEXEC. Boots run side by side.
#
#   scripts/test.sh [STAGE]   the table column and results name (default
#                             test; make test-debug runs it as test-debug)
# Environment: ROULETTE_KERNELS, ROULETTE_CACHE, ROULETTE_OUT,
# ROULETTE_NO_PANIC=1 reports the panic boots as skipped,
# ROULETTE_TEST_BOOTS=N boots N guests at once (default 3; make test-debug 2).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

stage=${1:-test}
guest_host_setup || die "cannot install host packages"
work=$ROULETTE_OUT/$stage
mkdir -p "$work"
results_open "$stage"
trap guest_kill EXIT
stage_rows --required "$stage" "$work"
# Debug kernels boot slower (KASAN's shadow, the detectors), and their
# reports are judged from the ring buffer: a debug boot (tests/boots.conf).
[ "$stage" = test-debug ] && GUEST_KIND=debug

# signed NAME: $work/NAME/signed/hello-untrusted.ko, the row's hello.ko
# signed (sha256) with a key of ours, which no Debian kernel trusts, and
# hello-badsig.ko, the same with its PKCS#7 blob's first byte zeroed.
signed() {
	local d=$work/$1/signed key=$work/sign-key.pem sz len
	local sign_file=/usr/lib/linux-kbuild-6.1/scripts/sign-file
	host_install test || return 1
	[ -s "$key" ] || openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -batch \
		-subj "/CN=roulette-dkms test key, trusted by no kernel/" -keyout "$key" -out "$key" \
		>/dev/null 2>&1 || return 1
	mkdir -p "$d" && cp "$work/$1/modules/hello.ko" "$d/hello-untrusted.ko" || return 1
	"$sign_file" sha256 "$key" "$key" "$d/hello-untrusted.ko" || return 1
	cp "$d/hello-untrusted.ko" "$d/hello-badsig.ko"
	# The tail: PKCS#7 blob, struct module_signature (sig_len: big-endian,
	# its last 4 bytes), "~Module signature appended~\n" (28 bytes).
	sz=$(stat -c %s "$d/hello-badsig.ko")
	len=$(tail -c 32 "$d/hello-badsig.ko" | head -c 4 | od -An -tu1 |
		awk '{ print (($1 * 256 + $2) * 256 + $3) * 256 + $4 }')
	printf '\0' | dd of="$d/hello-badsig.ko" bs=1 seek=$((sz - 40 - len)) conv=notrunc status=none
}

declare -A built
# build NAME: a ready row's modules in $work/NAME/modules, once (started
# side by side by rows_build below, or built now); a compiler warning is a
# failure. Run by each_row, which records a row not ready.
build() {
	local t=$1 blog=$work/$1/build.log rc=0
	[ -n "${built[$t]:-}" ] && return "${built[$t]}"
	mkdir -p "$work/$t"
	if { [ -n "${ROWS_BUILT[$t]:-}" ] || kernel_build_status "$t" "$work/$t/modules" "$blog" W=1; } &&
		[ "$(cat "$blog.status")" = 0 ] && ! grep -qi -e 'warning:' -e 'error:' "$blog"; then
		record PASS "[$t] build with W=1, no warnings" "release ${KREL_OF[$t]}"
	else
		record FAIL "[$t] build with W=1, no warnings" \
			"release ${KREL_OF[$t]:-unknown}: $(grep -i -m3 -e warning: -e error: "$blog" | tr '\n' ' ')"
		rc=1
	fi
	built[$t]=$rc
	return "$rc"
}

# other NAME: sets o to a row of another kernel series (the selected rows
# first, then the table's test and check rows, whatever ROULETTE_KERNELS
# says), for the ENOEXEC check; of the same architecture: another's modules
# would be refused for their machine type.
other() {
	local t=$1
	for o in "${ROWS[@]}" $(ROULETTE_KERNELS="" kernel_rows test) $(ROULETTE_KERNELS="" kernel_rows check); do
		[ "$o" != "$t" ] && kernel_columns "$o" && [ "${ARCH_OF[$o]}" = "${ARCH_OF[$t]}" ] && each_row build "$o" &&
			[ "$(kernel_series "${KREL_OF[$o]}")" != "$(kernel_series "${KREL_OF[$t]}")" ] &&
			return 0
	done
	return 1
}

# The rows' builds side by side (a row not ready: each_row says why).
rows_build "$work/{}/modules" "$work/{}/build.log" W=1
each_row build || true
# Each boot has one vCPU, idle for about half of the suite's boot (its
# sleeps: the timer's ticks): ROULETTE_TEST_BOOTS (default 3 on the 2
# cores; make test-debug's detectors are busy: 2) boot side by side, the
# next starting as soon as one ends. Three measured 390 s against 504 s
# for two (the whole stage, warm, 2026-12-05), the worst tick 4 ms late.
boots=$(positive_setting ROULETTE_TEST_BOOTS "$([ "$stage" = test-debug ] && echo 2 || echo 3)") || exit
for t in "${ROWS[@]}"; do
	[ "${built[$t]:-1}" = 0 ] || continue
	other "$t" || {
		record FAIL "[$t] no build of another kernel series for the ENOEXEC check" \
			"no row of ${ARCH_OF[$t]} in another series built"
		continue
	}
	krel=${KREL_OF[$t]}
	vmlinuz=$(kernel_vmlinuz "$t")
	guest_arch "$t" || die "cannot prepare $t's ${ARCH_OF[$t]} guests"
	signed "$t" || die "cannot sign hello.ko for $t"
	guest_initramfs "$work/$t/initrd.gz" --krel "$krel" --mods "$work/$t/modules" \
		--other "$work/$o/modules" --add "$ROULETTE_TOP/src/version.h" src/version.h \
		--add "$work/$t/signed/hello-untrusted.ko" modules/signed/hello-untrusted.ko \
		--add "$work/$t/signed/hello-badsig.ko" modules/signed/hello-badsig.ko ||
		die "cannot build the initramfs"
	log "$t: $krel, the other series from $o (${KREL_OF[$o]})"
	flavour=flavour=${FLAVOUR_OF[$t]}
	guest_queue "$boots" "$t" "$work/$t" "$vmlinuz" "$work/$t/initrd.gz" "suites=guest $flavour"
	# Loading refused: enforced signatures, then modules_disabled (irreversible: last).
	sig=guest/sig-enforce.sh,
	if [ "${META_OF[$t]}" = source ]; then
		record SKIP "[$t-sig] guest/sig-enforce" "the debug kernel is built without module signing"
		sig=
	fi
	guest_queue "$boots" "$t-sig" "$work/$t" "$vmlinuz" "$work/$t/initrd.gz" \
		"module.sig_enforce=1 suites=${sig}guest/modules-disabled.sh $flavour"
	# KCSAN sees a race only between two CPUs (a debug boot has one): the
	# configuration flips while a member spins, again on two.
	if [ "${FLAVOUR_OF[$t]}" = kcsan ]; then
		GUEST_KIND=kcsan guest_queue "$boots" "$t-conf" "$work/$t" "$vmlinuz" "$work/$t/initrd.gz" \
			"suites=guest/29-roulette-conf.sh $flavour"
	fi
	if [ "${ROULETTE_NO_PANIC:-0}" = 1 ]; then
		record SKIP "[$t-panic] guest/panic" "ROULETTE_NO_PANIC=1"
	else
		guest_queue "$boots" "$t-panic" "$work/$t" "$vmlinuz" "$work/$t/initrd.gz" \
			"suites=guest/panic.sh $flavour"
	fi
done
guest_wait || true
results_close
