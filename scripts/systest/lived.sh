#!/bin/bash
# shellcheck shell=bash
# make systest: the user's install, lived in the booted system (sourced by
# scripts/systest.sh): no chroot between the user and dkms, so dkms sees
# the running kernel as a user's shell does (uname -r), and the messages
# checked are the ones a user reads. The system (the restored base, its
# first kernel's headers removed: a user who forgot them) boots from a disk
# of its own with the repository served over HTTP inside the guest, and
# runs tests/lived/ (README's commands verbatim, the forgotten headers,
# purge, README's install); then the disk comes back as $ROOT, and the
# story's later steps go on from the system as the guest left it.

# readme_block NAME: the fenced block of README.md that follows the line
# "<!-- systest: NAME -->": what the user is told to type, as a script.
readme_block() {
	awk -v mark="<!-- systest: $1 -->" '
		$0 == mark { want = 1; next }
		want && /^```/ { if (inside) exit; inside = 1; next }
		inside { print }' "$ROULETTE_TOP/README.md"
}

# The failure path each system lives at its kernel upgrade (its second
# row): Debian 12's dkms (3.0.10) ignores BUILD_EXCLUSIVE_KERNEL_MAX, so it
# lives the planted build failure (tests/lived/22-build-failure.sh);
# Debian 13's, the kernel out of range (21-out-of-range.sh): the column
# lived of tests/suites.conf. A suite with none ("-") upgrades its kernels
# in the chroot (lifecycle.sh: upgrade_kernel).
declare -gA LIVED_PLANT=() && table_map suites lived LIVED_PLANT	# tests/suites.conf: lived
declare -gA LIVED_FILE=([fail]=lived/22-build-failure.sh [range]=lived/21-out-of-range.sh)

# What the test brings into the system's root for a lived boot, and takes
# out again (lived_root): the guest suites and their unit (system_disk),
# its web server's files, README's blocks, its logs, apt's answers, the
# initramfs setting (lived_prepare lists them for tests/lived/60-purge.sh),
# the planted releases' source.
LIVED_FILES=(tests etc/systemd/system/roulette-systest.service srv/http srv/roulette/readme
	srv/roulette/busybox srv/roulette/own var/log/roulette-lived srv/roulette/planted
	etc/apt/sources.list.d/roulette-planted.sources etc/apt/apt.conf.d/90roulette-lived
	etc/initramfs-tools/conf.d/roulette-lived lost+found)

# lived_install SUITE ROW [NEXT-ROW]: the lived install on the row's kernel
# (tests/lived/10-install.sh); with NEXT-ROW and a plant for the suite,
# the upgrade to NEXT-ROW's kernel in the same boot, through the plant's
# failure path; then the system, as the guest left it, back as $ROOT.
lived_install() {
	local suite=$1 row=$2 next=${3:-} k b plant
	local suites=lived/10-install.sh args
	local -a words pre
	k=$(krel "$row")
	note "$row's kernel is $k"
	args="lived.version=$VERSION lived.flavour=${META_OF[$row]#linux-image-}"
	plant=${LIVED_PLANT[$suite]:-}
	if [ -n "$next" ] && [ -n "$plant" ]; then
		read -ra words <<<"$(kernel_packages "$suite" "$next")"	# [-t SUITE] IMAGE HEADERS
		pre=()
		[ "${words[0]}" != -t ] || pre=("${words[@]:0:2}")
		suites+=,${LIVED_FILE[$plant]}
		args+=" lived.planted=$VERSION~$plant lived.next=$(krel "$next")"
		args+=" lived.image=$(IFS=,; echo "${words[*]:0:${#words[@]}-1}")"
		args+=" lived.headers=$(IFS=,; echo "${pre[*]}${pre[*]:+,}${words[-1]}")"
	fi
	suites+=,lived/30-headers.sh
	expect_host "before the install: no headers for the running kernel (apt purge linux-headers-*)" \
		"apt-get failed" apt_get purge "linux-headers-$k" "${META_OF[$row]/linux-image-/linux-headers-}" || return
	# the user's system knows the package only from README's repository
	rm -f "$ROOT$LOCAL_LIST"
	mkdir -p "$ROOT/srv/roulette/readme" || return
	for b in repo install; do
		readme_block "$b" >"$ROOT/srv/roulette/readme/$b.sh"
		expect_host "README.md has the block '$b' (<!-- systest: $b -->)" "empty" \
			test -s "$ROOT/srv/roulette/readme/$b.sh" || return
	done
	lived_boot "$TARGET" "$WORK/lived" "$row" "$suites" "$args" || return
	installed_state "$row" "$WORK/lived/roulette-lived/readme-install.out" noefi
	[ -n "$next" ] && [ -n "$plant" ] || return 0
	installed_krel "$next"
	expect_host "dkms rebuilt automatically: installed for the next kernel" "$(Rout dkms status | tr '\n' ';')" \
		dkms_installed "$VERSION" "$(krel "$next")"
	expect_host "modules exist for both installed kernels" "missing" \
		modules_present "$k" "$(krel "$next")"
}

# lived_end_suites ROW...: the rest of the system's life, lived on its
# newest kernel (the last ROW) in the boot that runs the system suite there
# (secure_boot, boot_each_kernel --end): the guest suites and kernel
# command line arguments, as "SUITES ARGS". The oldest kernel (the first
# ROW, where there are two) removed (tests/lived/40-remove-kernel.sh), the
# package upgraded to N+1 from the repository over HTTP (50-upgrade.sh),
# then purged (60-purge.sh).
lived_end_suites() {
	local suites=lived/50-upgrade.sh,lived/60-purge.sh args
	# shellcheck disable=SC2153 # NEXT: version N+1 (repositories.sh)
	args="lived.version=$VERSION lived.flavour=${META_OF[$1]#linux-image-} lived.upgrade=$NEXT"
	if [ -n "$(lived_end_removes "$@")" ]; then
		suites=lived/40-remove-kernel.sh,$suites
		args+=" lived.old=$(krel "$1")"
	fi
	echo "$suites $args"
}

# lived_end_boot DISK ROW...: the caller's boot of the newest ROW made the
# one that goes on to the rest of the life (lived_end_suites): their
# suites after those of the caller's suites= in its command line a, their
# arguments after it; its kind lived; its drive a copy of DISK (end.img
# beside it, cache=unsafe: a test's disk), which lived_end_root brings
# back. Sets the caller's a, kind and drive (its locals: bash's dynamic
# scope).
lived_end_boot() {
	local end=${1%/*}/end.img ls la su
	read -r ls la < <(lived_end_suites "${@:2}")
	[[ $a =~ (^| )suites=([^ ]*) ]] || return
	su=${BASH_REMATCH[2]}
	# shellcheck disable=SC2034 # the caller's kind
	a=${a/suites=$su/suites=$su,$ls}" $la" kind=lived
	# shellcheck disable=SC2034 # the caller's drive
	cp --sparse=always "$1" "$end" && drive=file=$end,format=raw,if=virtio,cache=unsafe
}

# lived_end_removes ROW...: the row whose kernel the lived end removes: the
# oldest (the first), where there are two or more.
lived_end_removes() { [ $# -lt 2 ] || echo "$1"; }

# lived_end_root TAG IMG DIR: the system as the lived end left it on IMG
# back as $ROOT (lived_root), without the user's repository configuration.
lived_end_root() {
	expect_as "$1" "the lived system comes back as the story's root" "see $ROOT_LOG" \
		lived_root "$2" "$3" || return
	rm -f "$2" "${USER_FILES[@]/#/$ROOT/}"
}

# The user's own files: README's repository source and key.
USER_FILES=(etc/apt/sources.list.d/roulette-dkms.sources etc/apt/keyrings/roulette-dkms.gpg)

# lived_prepare: what a lived boot's system needs besides the guest suites
# (system_disk): the web server, apt's answers, the initramfs setting, and
# the files that are not the package's (the user's, the test's) for the
# purge's leftovers (tests/lived/60-purge.sh) in /srv/roulette/own.
lived_prepare() {
	mkdir -p "$ROOT/srv/roulette" && cp "$GUEST_BUSYBOX" "$ROOT/srv/roulette/busybox" &&
		printf '%s\n' "${USER_FILES[@]}" "${LIVED_FILES[@]}" >"$ROOT/srv/roulette/own" || return
	# The user answers apt's "Do you want to continue?" with yes; Debian's
	# mirror is unreachable from the guest: apt fails it at once, without
	# its retries' growing pauses (20 s an apt update)
	printf '%s\n' 'APT::Get::Assume-Yes "true";' 'Acquire::Retries "0";' \
		>"$ROOT/etc/apt/apt.conf.d/90roulette-lived" || return
	# A kernel's initramfs is built in the guest, under TCG: with what this
	# system boots from (MODULES=dep: virtio, ext4), not Debian's default
	# MODULES=most; the boots are this machine's
	printf '%s\n' MODULES=dep >"$ROOT/etc/initramfs-tools/conf.d/roulette-lived"
}

# lived_boot TAG DIR ROW SUITES ARGS: the system as it is now booted on the
# row's kernel from a disk of its own (systemd, TCG), the guest suites
# SUITES run at a root shell with ARGS on the kernel command line; then
# the system as the guest left it back as $ROOT (lived_root).
lived_boot() {
	local tag=$1 dir=$2 row=$3 img=$WORK/lived.img k
	k=$(krel "$row")
	guest_arch "$row" || { record FAIL "[$tag] lived boot: QEMU for the architecture" "no QEMU for ${ARCH_OF[$row]}"; return 1; }
	lived_prepare && system_disk "$img" || return
	# cache=unsafe: dpkg's fsyncs cost nothing (the disk is a test's, thrown
	# away if QEMU dies); what the guest sees is unchanged
	GUEST_KIND=lived guest_start "$tag" "$dir" "$(vmlinuz "$k")" "$ROOT/boot/initrd.img-$k" \
		"root=/dev/vda rw systemd.unit=roulette-systest.service suites=$4 $5" \
		-drive "file=$img,format=raw,if=virtio,cache=unsafe"
	guest_wait
	expect_as "$tag" "the lived system comes back as the story's root" "see $ROOT_LOG" \
		lived_root "$img" "$dir" || return
	rm -f "$img"
}

# lived_root IMG DIR: $ROOT replaced by the system on IMG, less what the
# test brought (LIVED_FILES; its logs kept in DIR).
lived_root() {
	local img=$1 mnt=$2/mnt f
	mkdir -p "$mnt" && rm -rf "$ROOT" || return
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare --mount --propagation private -- /bin/sh -c '
		mount -o loop,ro "$1" "$2" && cp -a "$2" "$3" && cp -r "$3/var/log/roulette-lived" "$4/"' \
		lived-root "$img" "$mnt" "$ROOT" "$2" >>"$ROOT_LOG" 2>&1 || return
	for f in "${LIVED_FILES[@]}"; do rm -rf "${ROOT:?}/$f"; done
}
