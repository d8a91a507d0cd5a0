#!/bin/bash
# shellcheck shell=bash
# make systest: the package's life cycle in one system (sourced by
# scripts/systest.sh): the system restored from its cached base, apt
# install and kernel upgrades in the chroot (the systems lived.sh does not
# live: another architecture's, the release upgrade's start), boots,
# purge. Owns RECOMMENDS (install_mode): whether the system's apt
# installs Recommends (a default system) or not (a minimal one).

RECOMMENDS=off
# Packages the restored base has installed beyond its list (a life sets
# it: the arm64 system, arch.sh).
BASE_WITH=

# install_mode SUITE: Recommends off on a minimal system, on on a default
# one: the suite's base in tests/suites.conf.
install_mode() {
	RECOMMENDS=on
	[ "$(suite_field "$1" base)" != minimal ] || RECOMMENDS=off
}

# default_system: Recommends on (openssl: DKMS signs the modules).
default_system() { [ "$RECOMMENDS" = on ]; }

# restore_base_system SUITE ROW...: the suite's cached base system with the
# first row's kernel meta-packages installed (roulette-dkms's dependencies
# and the later rows' kernels downloaded), in $ROOT, with the local
# repositories N and N+1 available to its apt. A minimal system or a
# default one as the suite's kind (install_mode), of the first row's
# architecture (another than the host's: apt and DKMS run under qemu-user).
restore_base_system() {
	local suite=$1 base r key=minimal up=("dkms adduser")
	install_mode "$suite"
	! default_system || key=default
	shift
	for r in "$@"; do key+=-${KREL_OF[$r]}; done
	# each upgrade resolved with dkms's build tools installed, as it runs
	# (-t SUITE-backports may upgrade one of them: linux-libc-dev)
	for r in "${@:2}"; do up+=("dkms adduser $(kernel_packages "$suite" "$r")"); done
	base=$(ROOT_ARCH=${ARCH_OF[$1]} ROOT_RECOMMENDS=$(default_system && echo 1) root_base_tarball "$suite" "$key" \
		"systemd-sysv,udev,kmod,initramfs-tools,man-db,curl,$(kernel_packages "$suite" "$1" | tr ' ' ,)${BASE_WITH:+,$BASE_WITH}" \
		"${up[@]}") || { record FAIL "[$TARGET] base rootfs" "mmdebstrap failed"; return 1; }
	root_unpack "$ROOT" "$base" || { record FAIL "[$TARGET] base rootfs" "cannot unpack $base"; return 1; }
	# make repo's, N+1's and the test-only releases' (each absent when its
	# step was skipped: ROULETTE_SYSTEST_SKIP)
	mkdir -p "$ROOT/srv/roulette" && cp -r "$ROULETTE_OUT/repo" "$ROOT/srv/roulette/"
	[ ! -d "$STAGE_WORK/next" ] || cp -r "$STAGE_WORK/next" "$ROOT/srv/roulette/"
	[ ! -d "$STAGE_WORK/planted/repo" ] || cp -r "$STAGE_WORK/planted/repo" "$ROOT/srv/roulette/planted"
	# make repo's roulette.list, for the repository's place in this system
	grep '^deb ' "$ROULETTE_OUT/repo/roulette.list" |
		sed "s#$ROULETTE_OUT/repo#/srv/roulette/repo#g" >"$ROOT$LOCAL_LIST"
	# the upgrades' kernel packages, downloaded when the base was built
	cp "$ROOT"/var/cache/roulette-debs/*.deb "$ROOT/var/cache/apt/archives/" 2>/dev/null
	installed_krel "$1"
}

# kernel_packages SUITE ROW: apt's words to install the row's kernel as a
# user does, by its meta-packages (image and headers).
kernel_packages() {
	local t='' meta=${META_OF[$2]}
	[ "${SUITE_OF[$2]}" = "$1" ] || t="-t ${SUITE_OF[$2]} "
	echo "${t}$meta ${meta/linux-image-/linux-headers-}"
}

# apt_install_package ROW: apt install roulette-dkms in the chroot (the
# arm64 system, the release upgrade's start; the amd64 systems live it:
# lived.sh); DKMS builds it for the installed kernel, and signs it when
# openssl is there (Recommends on).
apt_install_package() {
	local n how='no Recommends'
	n=$(log_lines)
	! default_system || how='Recommends on'
	expect_host "apt install roulette-dkms from the local repository ($how)" "apt-get failed" \
		apt_get_local install roulette-dkms || return
	since "$n" >"$WORK/apt-install.out"
	installed_state "$1" "$WORK/apt-install.out"
}

# installed_state ROW APT-OUTPUT [noefi]: what the install left in the
# system ($ROOT), and what apt told the user (APT-OUTPUT) of the signing
# key: how to enrol it, unless the install ran on a machine booted without
# EFI (noefi: Secure Boot cannot matter there; in a chroot it may).
installed_state() {
	local k via
	k=$(krel "$1")
	note "$1's kernel is $k"
	if default_system; then
		via=$(Rout apt-cache rdepends --installed openssl | sed -n 3p | tr -d ' ')
		note "openssl installed via $via"
		expect_host "dkms made its signing key /var/lib/dkms/mok.key (openssl installed)" "no key" \
			test -s "$ROOT/var/lib/dkms/mok.key"
		if [ "${3:-}" = noefi ]; then
			expect_host "booted without EFI: apt install says nothing of mokutil" \
				"$(grep mokutil "$2")" test -z "$(grep mokutil "$2")"
		else
			expect_host "apt install tells how to enrol it: mokutil --import /var/lib/dkms/mok.pub" \
				"not in the output" grep -q 'enrol it once: mokutil --import /var/lib/dkms/mok.pub' "$2"
		fi
	else
		expect_host "no openssl: no DKMS signing key, no enrolment message" \
			"$(ls "$ROOT/var/lib/dkms/mok."* 2>&1)" no_key "$2"
	fi
	expect_host "dkms status: roulette/N installed for the $1 kernel" "$(Rout dkms status | tr '\n' ';')" \
		dkms_installed "$VERSION" "$k"
	expect_host "hello, mymod, roulette in /lib/modules/KREL/updates/dkms (the $1 kernel)" "missing" \
		modules_present "$k"
	expect_host "system group roulette created" "no group" R getent group roulette
	expect_host "udev rule installed (60-roulette.rules)" "missing" \
		test -f "$ROOT/usr/lib/udev/rules.d/60-roulette.rules"
	expect_host "modprobe.d defaults installed as a conffile" "missing or not a conffile" \
		grep -qx /etc/modprobe.d/roulette.conf "$ROOT/var/lib/dpkg/info/roulette-dkms.conffiles"
}

# upgrade_kernel SUITE ROW INSTALLED-ROW...: apt install the row's image and
# headers; DKMS rebuilds from the kernel hooks, no dkms call of ours. On a
# minimal system (Recommends off) the image comes first and its headers
# later, as an admin who forgot them: nothing is built until the headers'
# hook (/etc/kernel/header_postinst.d/dkms) runs.
upgrade_kernel() {
	local suite=$1 row=$2 k
	local -a all words pre=()
	shift 2
	read -ra words <<<"$(kernel_packages "$suite" "$row")"	# [-t SUITE] IMAGE HEADERS
	[ "${words[0]}" != -t ] || pre=("${words[@]:0:2}")
	if ! default_system; then
		expect_host "apt install ${words[*]:0:${#words[@]}-1} (no headers yet)" "apt-get failed" \
			apt_get install "${words[@]:0:${#words[@]}-1}" || return
		installed_krel "$row"
		k=$(krel "$row")
		note "$row's kernel is $k"
		expect_host "no headers for the $row kernel: DKMS built nothing for it" \
			"$(Rout dkms status | tr '\n' ';') $(ko "$k" mymod)" not_built "$k"
		words=("${pre[@]}" "${words[-1]}")
	fi
	expect_host "apt install ${words[*]}" "apt-get failed" apt_get install "${words[@]}" || return
	installed_krel "$row"
	k=$(krel "$row")
	note "$row's kernel is $k"
	expect_host "dkms rebuilt automatically: installed for the $row kernel" "$(Rout dkms status | tr '\n' ';')" \
		dkms_installed "$VERSION" "$k"
	mapfile -t all < <(krels "$@" "$row")
	expect_host "modules exist for every installed kernel" "missing: ${all[*]}" \
		modules_present "${all[@]}"
}

# system_disk IMG: the system as it is now, as an ext4 image, with the guest
# suites (tests/*/ under /tests) and the unit that runs the ones named by
# suites= on the kernel command line (tests/systest/roulette-systest.service).
system_disk() {
	local img=$1
	rm -rf "$ROOT/tests" && guest_tests "$ROOT/tests"
	cp "$ROULETTE_TOP/tests/systest/roulette-systest.service" "$ROOT/etc/systemd/system/"
	rm -f "$img"
	mke2fs -q -F -t ext4 -d "$ROOT" "$img" 4G >>"$ROOT_LOG" 2>&1 ||
		record FAIL "[$TARGET] guest disk image" "mke2fs -d failed"
	# The test's own files leave the rootfs again: the purge looks at /etc.
	rm -rf "$ROOT/tests" "$ROOT/etc/systemd/system/roulette-systest.service"
	[ -s "$img" ]
}

# boot_each_kernel [--end] ROW...: the system as it is now, as a disk,
# booted with each kernel under QEMU (side by side) as its architecture
# boots (guest_arch): systemd runs the suite tests/systest/ with
# tests/lib.sh's runner; guest_wait records it under the row's name, or
# TAG for a ROW written TAG=ROW. With --end, the newest kernel's boot (the
# last ROW) goes on to the rest of the system's life (lived.sh:
# lived_end_suites) on a disk of its own, which comes back as $ROOT.
boot_each_kernel() {
	local r tag k signer=none end='' kind drive a
	[ "$1" != --end ] || { shift && end=${*: -1} && end=${end#*=}; }
	# DKMS signs with its key when it has one (tests/systest/01-system.sh)
	[ -e "$ROOT/var/lib/dkms/mok.pub" ] && signer=dkms
	[ -z "$end" ] || lived_prepare || return
	system_disk "$WORK/disk.img" || return 1
	for r in "$@"; do
		tag=${r%%=*} r=${r#*=}
		k=$(krel "$r")
		guest_arch "$r" || { record FAIL "[$tag] boot" "no QEMU for ${ARCH_OF[$r]}"; continue; }
		a="root=/dev/vda rw systemd.unit=roulette-systest.service suites=systest"
		a+=" systest.kernel=$k systest.version=$VERSION systest.signer=$signer"
		kind=system drive=file=$WORK/disk.img,format=raw,if=virtio,snapshot=on
		[ "$r" != "$end" ] || lived_end_boot "$WORK/disk.img" "$@" || return
		GUEST_KIND=$kind guest_start "$tag" "$WORK/boot" "$(vmlinuz "$k")" "$ROOT/boot/initrd.img-$k" \
			"$a" -drive "$drive"
	done
	guest_wait
	[ -z "$end" ] || lived_end_root "$end" "$WORK/end.img" "$WORK/boot"
}

# purge_package: apt purge; nothing of the package is left (the system of
# another architecture; the amd64 ones live it: lived.sh, lived_end_suites).
purge_package() {
	local left
	expect_host "apt purge roulette-dkms" "apt-get failed" apt_get purge roulette-dkms
	rm -f "$ROOT$LOCAL_LIST"	# the test's own file
	expect_host "dpkg: roulette-dkms purged" "status '$(pkg_status)'" purged
	left=$(leftovers)
	expect_host "nothing left in /usr/src, /lib/modules/*/updates, /var/lib/dkms, /etc, udev" \
		"left: $left" test -z "$left"
	expect_host "group roulette removed (it had no members)" "$(Rout getent group roulette)" \
		no_group
}
