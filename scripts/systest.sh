#!/bin/bash
# make systest: the whole life of the roulette-dkms packages in real Debian
# systems, told as a user lives it (the story is at the bottom). For each
# Debian suite among the "systest" rows of tests/kernels.conf (or
# ROULETTE_KERNELS), its first row is the kernel of the installed system
# and its later rows are kernel upgrades (a row of SUITE-backports belongs
# to SUITE and upgrades with apt -t SUITE-backports). Bookworm is a minimal
# system (Recommends off), any other suite a default one (Recommends on:
# apt's ca-certificates brings openssl, so DKMS signs the modules). Then a
# release upgrade: bookworm with the package installed, upgraded to trixie.
# Results: out/results/systest.txt (scripts/lib.sh), the guest's through
# tests/lib.sh's runner (suite tests/systest/), then the time of each step.
# Environment: ROULETTE_KERNELS, ROULETTE_CACHE, ROULETTE_OUT,
# ROULETTE_SYSTEST_SKIP="rpm_install_remove run_autopkgtest" skips those
# steps (any step by its function name), each reported as skipped;
# ROULETTE_KDUMP_BOOTS: crash_dump's boots side by side (default 2).
# The story and traps call these functions: shellcheck cannot see it.
# shellcheck disable=SC2317
set -uo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pkg.sh
. "$(dirname "$0")/lib-pkg.sh"
# shellcheck source=lib-system.sh
. "$(dirname "$0")/lib-system.sh"
# shellcheck source=lib-qa.sh
. "$(dirname "$0")/lib-qa.sh"

work=$ROULETTE_OUT/systest
ROOT=$work/root
LOCAL_LIST=/etc/apt/sources.list.d/roulette-systest.list
target=packages	# the "[target]" of host checks: packages, then a suite
timings=()
sizes=()	# the crash dumps' files (crash_dump), printed with the timings
MINIMAL_SUITES=bookworm
recommends=off	# the apt of the system under test installs Recommends

# expect_host NAME DETAIL CMD...: record PASS when CMD succeeds, else FAIL
# with DETAIL, and show the tail of the rootfs's log.
expect_host() {
	local name=$1 detail=$2
	shift 2
	"$@" && record PASS "[$target] $name" && return
	record FAIL "[$target] $name: $detail"
	tail -n 20 "$work/chroot.log" | sed 's/^/    | /'
	return 1
}

# step FUNCTION ARGS...: one step of the story, timed; recorded as skipped
# when ROULETTE_SYSTEST_SKIP names it.
step() {
	local t0=$SECONDS rc=0
	if [[ " ${ROULETTE_SYSTEST_SKIP:-} " == *" $1 "* ]]; then
		record SKIP "[$target] $1: ROULETTE_SYSTEST_SKIP"
		return 0
	fi
	log "step: $target: $*"
	"$@" || rc=$?
	timing "$target: $1" $((SECONDS - t0))
	return "$rc"
}

# timing NAME SECONDS: a line of the timings the run prints at its end.
timing() { timings+=("$(printf '%-60s %4d s' "$1" "$2")"); }

the_end() {
	local left target=host
	sys_umount_all "$ROOT"
	left=$(pgrep -af "$ROULETTE_OUT/")
	expect_host "nothing left running from out/ (gpg-agent, QEMU)" "$left" test -z "$left"
	echo
	echo "systest timings:"
	timing total "$SECONDS"
	printf '  %s\n' "${timings[@]}"
	[ ${#sizes[@]} -eq 0 ] || { echo "crash dumps:"; printf '  %s\n' "${sizes[@]}"; }
	results_close
	exit
}

cleanup() {
	guest_kill
	sys_umount_all "$ROOT"
}
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

# --- in the system under test -------------------------------------------------

# R CMD...: run in the rootfs; output in $work/chroot.log. Rout: on stdout.
R() {
	echo "# $*" >>"$work/chroot.log"
	in_root "$ROOT" "$@" >>"$work/chroot.log" 2>&1
}
Rout() { in_root "$ROOT" "$@" 2>>"$work/chroot.log"; }
logged() { local f=$1; shift; "$@" >>"$f" 2>&1; } # logged FILE CMD...
since() { tail -n +"$(($1 + 1))" "$work/chroot.log"; } # since LINE: the log after it
log_lines() { wc -l <"$work/chroot.log"; }

apt_get() {
	[ "$recommends" = on ] || set -- --no-install-recommends "$@"
	R apt-get -y -o DPkg::Lock::Timeout=60 "$@"
}
# apt_get_local ARGS...: apt-get after reading the local repositories'
# lists only (the suite's lists in the base are kept, the kernel debs cached).
apt_get_local() {
	R apt-get update -o Dir::Etc::SourceList="$LOCAL_LIST" -o Dir::Etc::SourceParts=- \
		-o APT::Get::List-Cleanup=0 && apt_get "$@"
}

dkms_installed() { # dkms_installed VERSION KREL
	Rout dkms status -m roulette -v "$1" -k "$2" | grep -q ": installed"
}
dkms_versions() { Rout dkms status -m roulette | sed -n 's#^roulette/\([^,]*\),.*#\1#p' | sort -u; }
dkms_empty() { [ -z "$(Rout dkms status -m roulette)" ]; }
ko() { compgen -G "$ROOT/lib/modules/$1/updates/dkms/$2.ko*" | head -n 1; } # ko KREL MODULE
ko_version() { local f; f=$(ko "$1" "$2") && [ -n "$f" ] && modinfo -F version "$f" 2>/dev/null; }
modules_present() { # modules_present KREL...: the three .ko files DKMS installed
	local k m
	for k in "$@"; do
		for m in hello mymod roulette; do [ -n "$(ko "$k" "$m")" ] || return 1; done
	done
}
built_by_dkms() { dkms_installed "$1" "$2" && modules_present "$2"; } # VERSION KREL
rebuilt_as() { # rebuilt_as VERSION KREL
	dkms_installed "$1" "$2" && [ "$(ko_version "$2" mymod)" = "$1" ] &&
		[ "$(ko_version "$2" roulette)" = "$1" ]
}
not_built() { ! dkms_installed "$version" "$1" && [ -z "$(ko "$1" mymod)" ]; } # not_built KREL
not_for() { ! Rout dkms status -m roulette | grep -qF ", $1,"; } # not_for KREL
old_gone() { [ ! -e "$ROOT/usr/src/roulette-$1" ] && [ ! -e "$ROOT/var/lib/dkms/roulette/$1" ]; }
# shellcheck disable=SC2016 # a dpkg-query format
pkg_status() { Rout dpkg-query -W -f='${Status}' roulette-dkms 2>/dev/null; }
purged() { ! pkg_status | grep -qE ' (installed|config-files|half-)'; }
leftovers() { # roulette files DKMS or the packages could leave behind
	(cd "$ROOT" && {
		compgen -G 'usr/src/roulette*'
		find lib/modules/*/updates \( -name 'hello.ko*' -o -name 'mymod.ko*' \
			-o -name 'roulette.ko*' \) 2>/dev/null
		find var/lib/dkms -maxdepth 1 -name 'roulette*'
		find etc lib/udev usr/lib/udev -name '*roulette*' 2>/dev/null
		grep -rlE 'mymod|kernel-roulette' etc 2>/dev/null
	} | sort -u | tr '\n' ' ')
}
no_group() { ! R getent group roulette; }
rpm_files() { [ -f "$ROOT/usr/lib/udev/rules.d/60-roulette.rules" ] && [ -f "$ROOT/etc/modprobe.d/roulette.conf" ]; }
rpm_removed() { [ -z "${1// /}" ] && dkms_empty; } # rpm_removed LEFTOVERS
krels() { local r; for r in "$@"; do echo "${KREL_OF[$r]}"; done; } # krels ROW...
# installed_krel ROW: KREL_OF[ROW] from the row's meta-package as the
# rootfs has it: the archive may have moved on since kernel_resolve.
installed_krel() {
	local meta=${META_OF[$1]} krel
	# shellcheck disable=SC2016 # a dpkg-query format
	krel=$(Rout dpkg-query -W -f='${Depends}' "$meta" | grep -o 'linux-image-[0-9][^ ,]*' |
		sed 's/^linux-image-//; s/-unsigned$//' | head -n 1)
	[ -z "$krel" ] || [ "$krel" = "${KREL_OF[$1]}" ] || log "$1: $meta brought $krel, not ${KREL_OF[$1]}"
	KREL_OF[$1]=${krel:-${KREL_OF[$1]}}
}
# vmlinuz KREL: /boot/vmlinuz-KREL up to 6.x; 7.x's linux-binary-KREL has
# /usr/lib/modules/KREL/vmlinuz (trixie-backports' 7.3 hooks hard-link
# /boot/vmlinuz-KREL to it; a symlink there could be absolute).
vmlinuz() {
	local f=$ROOT/usr/lib/modules/$1/vmlinuz
	[ -f "$f" ] && [ ! -L "$f" ] || f=$ROOT/boot/vmlinuz-$1
	echo "$f"
}
no_key() { [ ! -e "$ROOT/var/lib/dkms/mok.key" ] && ! since "$1" | grep -q mokutil; } # no_key LINE

# --- the steps ------------------------------------------------------------------

# build_packages: version N of the tree as make repo builds and publishes it.
build_packages() {
	version=$(pkg_version) ||
		{ record FAIL "[$target] version check: scripts/check-version.sh failed"; return 1; }
	record PASS "[$target] version $version agrees in version.h, debian/changelog, spec, dkms.conf"
	next=$(echo "$version" | awk -F. -v OFS=. '{ $NF = $NF + 1; print }')
	expect_host "make repo: deb + rpm built" "see $work/build.log" \
		logged "$work/build.log" "$ROULETTE_TOP/scripts/build-repo.sh" || return
	expect_host "make repo left no gpg-agent running" "$(pgrep -af "gpg-agent --homedir $ROULETTE_OUT/repo-key")" \
		test -z "$(pgrep -f "gpg-agent --homedir $ROULETTE_OUT/repo-key")"
}

# lint_packages: the very packages the systems install, whether make repo
# built them now or found them up to date.
lint_packages() {
	local d=$ROULETTE_OUT/deb r=$ROULETTE_OUT/rpm
	if pkg_lint_deb "$d" "$version"; then
		record PASS "[$target] lintian --pedantic clean: roulette_${version}_amd64.changes (.dsc, .deb)"
	else
		record FAIL "[$target] lintian --pedantic clean: $(cat "$d/lintian.txt" "$d/lintian.err" | head -n 5 | tr '\n' ' ')"
	fi
	if pkg_lint_rpm "$r"; then
		record PASS "[$target] rpmlint clean: roulette-dkms-$version-1 (.noarch.rpm, .src.rpm, spec)"
	else
		record FAIL "[$target] rpmlint clean: $(tail -n 5 "$r/rpmlint.txt" | tr '\n' ' ')"
	fi
}

# find_in_repositories: out/repo's signed repositories as users add them
# (roulette.list with signed-by=, roulette.repo with gpgcheck and
# repo_gpgcheck; own state, the host's untouched): the package is found;
# a tampered index, or another key, makes apt and dnf refuse.
find_in_repositories() {
	local r=$ROULETTE_OUT/repo t=$work/tampered got
	rm -rf "$t" && mkdir -p "$t/wrong-key" && cp -r "$r/deb" "$r/rpm" "$t/" || return 1
	got=$(apt_try signed "$r/roulette.list")
	expect_host "apt repository (roulette.list, signed-by=, no trusted=yes): update clean, candidate roulette-dkms $version" \
		"candidate '$got'; $(grep -E '^(W|E):' "$work/apt/signed/update.log" | head -n 2)" \
		test "$got" = "$version" -a -z "$(grep -E '^(W|E):' "$work/apt/signed/update.log")"
	sed -i 's/^Description: .*/& (tampered)/' "$t/deb/Packages" && gzip -9kfn "$t/deb/Packages"
	sed "s#file:$r/deb#file:$t/deb#" "$r/roulette.list" >"$t/tampered.list"
	refused apt tampered "$t/tampered.list" 'Hash Sum mismatch'
	sed "s#signed-by=[^]]*#signed-by=/usr/share/keyrings/debian-archive-keyring.gpg#" \
		"$r/roulette.list" >"$t/wrong-key.list"
	refused apt wrong-key "$t/wrong-key.list" 'NO_PUBKEY'
	got=$(dnf_try "$r")
	expect_host "dnf repository (roulette.repo, gpgcheck=1, repo_gpgcheck=1): dnf finds roulette-dkms-$version-1.noarch" \
		"dnf says: $got" grep -qx "roulette-dkms-$version-1.noarch" <<<"$got"
	sed -i 's#<revision>#&1#' "$t/rpm/repodata/repomd.xml"
	sed "s#$r/rpm#$t/rpm#" "$r/roulette.repo" >"$t/roulette.repo"
	refused dnf tampered "$t" 'repomd.xml GPG signature verification error'
	sed "s#^gpgkey=.*#gpgkey=file:///usr/share/keyrings/debian-archive-keyring.gpg#" \
		"$r/roulette.repo" >"$t/wrong-key/roulette.repo"
	refused dnf wrong-key "$t/wrong-key" 'repomd.xml GPG signature verification error'
	rm -rf "$work/rpmdb" && mkdir -p "$work/rpmdb" &&
		rpmkeys --dbpath "$work/rpmdb" --import "$r/RPM-GPG-KEY-roulette-dkms"
	got=$(rpmkeys --dbpath "$work/rpmdb" -K "$r/rpm/roulette-dkms-$version-1.noarch.rpm" 2>&1)
	expect_host "rpm -K with the repository key: roulette-dkms-$version-1.noarch.rpm signed" \
		"$got" grep -q ': digests signatures OK$' <<<"$got"
}

# apt_try NAME LIST: apt-get update with LIST alone (state in
# $work/apt/NAME, log update.log there); prints roulette-dkms's candidate.
apt_try() {
	local d=$work/apt/$1
	rm -rf "$d" && mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	local o=(-o Dir::Etc::SourceList="$2" -o Dir::Etc::SourceParts=-
		-o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache")
	apt-get -q "${o[@]}" update >"$d/update.log" 2>&1
	apt-cache "${o[@]}" policy roulette-dkms 2>&1 | sed -n 's/^ *Candidate: //p'
}

# dnf_try REPOSDIR: dnf with the .repo files of REPOSDIR alone (keys
# imported as asked); prints the packages it finds and its errors.
dnf_try() {
	local h rc=0
	rm -rf "$work/dnf-cache"
	dnf -y --setopt=reposdir="$1" --setopt=cachedir="$work/dnf-cache" --releasever=40 \
		repoquery --qf '%{name}-%{version}-%{release}.%{arch}' roulette-dkms 2>&1 | grep -v '^ \|^Importing' || rc=$?
	# dnf's gpgme starts a gpg-agent on the keyring it imported to
	for h in "$work"/dnf-cache/*/pubring; do gpg_agent_stop "$h"; done
	return "$rc"
}

# refused apt|dnf CASE SOURCE TEXT: the client finds no roulette-dkms in
# SOURCE (a list, a reposdir) and says why (TEXT).
refused() {
	local said
	if [ "$1" = apt ]; then
		[ -z "$(apt_try "$2" "$3")" ] && said=$(grep -E '^(W|E):' "$work/apt/$2/update.log")
	else
		said=$(dnf_try "$3") && ! grep -q '^roulette-dkms' <<<"$said"
	fi
	expect_host "$1 refuses the repository ($2): $4" "$1 said: $(head -c 300 <<<"$said")" \
		grep -qF "$4" <<<"$said"
}

next_repo() {
	local rc=0
	repo_key && apt_repo "$work/next/repo" || rc=1
	repo_key_release
	return "$rc"
}

# build_next_version: version N+1, for the package upgrade, in an apt
# repository of its own signed with the same key (out/systest/next/repo).
build_next_version() {
	expect_host "version $next built from a bumped copy" "see $work/build.log" \
		logged "$work/build.log" env ROULETTE_OUT="$work/next" ROULETTE_NO_LINT=1 \
		"$ROULETTE_TOP/scripts/build-deb.sh" --version "$next" || return
	rm -rf "$work/next/repo" && mkdir -p "$work/next/repo" &&
		cp "$work/next/deb/roulette-dkms_${next}_all.deb" "$work/next/repo/"
	expect_host "version $next in a signed apt repository" "see $work/build.log" \
		logged "$work/build.log" next_repo
}

# restore_base_system SUITE ROW...: the suite's cached base system with the
# first row's kernel meta-packages installed (roulette-dkms's dependencies
# and the later rows' kernels downloaded), in $ROOT, with the local
# repositories N and N+1 available to its apt.
restore_base_system() {
	local suite=$1 base r key=minimal up=("dkms adduser")
	[ "$recommends" = off ] || key=default
	shift
	for r in "$@"; do key+=-${KREL_OF[$r]}; done
	for r in "${@:2}"; do up+=("$(kernel_packages "$suite" "$r")"); done
	base=$(SYS_RECOMMENDS=$([ "$recommends" = on ] && echo 1) sys_base_tarball "$suite" "$key" \
		"systemd-sysv,udev,kmod,initramfs-tools,man-db,$(kernel_packages "$suite" "$1" | tr ' ' ,)" \
		"${up[@]}") || { record FAIL "[$target] base rootfs: mmdebstrap failed"; return 1; }
	sys_umount_all "$ROOT"
	if ! rm -rf "$ROOT" || ! mkdir -p "$ROOT" || ! tar -C "$ROOT" --numeric-owner -I zstd -xf "$base" ||
		! sys_mount "$ROOT"; then
		record FAIL "[$target] base rootfs: cannot unpack $base and mount"
		return 1
	fi
	cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null
	mkdir -p "$ROOT/srv/roulette" && cp -r "$ROULETTE_OUT/repo" "$work/next" "$ROOT/srv/roulette/"
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

# apt_install_package ROW: apt install roulette-dkms; DKMS builds it for
# the installed kernel, and signs it when openssl is there (Recommends on).
apt_install_package() {
	local k=${KREL_OF[$1]} n via how='no Recommends'
	n=$(log_lines)
	[ "$recommends" = off ] || how='Recommends on'
	expect_host "apt install roulette-dkms from the local repository ($how)" "apt-get failed" \
		apt_get_local install roulette-dkms || return
	if [ "$recommends" = on ]; then
		via=$(Rout apt-cache rdepends --installed openssl | sed -n 3p | tr -d ' ')
		expect_host "dkms made its signing key /var/lib/dkms/mok.key (openssl via $via)" "no key" \
			test -s "$ROOT/var/lib/dkms/mok.key"
		expect_host "apt install tells how to enrol it: mokutil --import /var/lib/dkms/mok.pub" \
			"not in the output" grep -q 'enrol it once: mokutil --import /var/lib/dkms/mok.pub' <(since "$n")
	else
		expect_host "no openssl: no DKMS signing key, no enrolment message" \
			"$(ls "$ROOT/var/lib/dkms/mok."* 2>&1)" no_key "$n"
	fi
	expect_host "dkms status: roulette/$version installed for $k" "$(Rout dkms status | tr '\n' ';')" \
		dkms_installed "$version" "$k"
	expect_host "hello, mymod, roulette in /lib/modules/$k/updates/dkms" "missing" modules_present "$k"
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
	local suite=$1 row=$2 k=${KREL_OF[$2]}
	local -a all words pre=()
	shift 2
	read -ra words <<<"$(kernel_packages "$suite" "$row")"	# [-t SUITE] IMAGE HEADERS
	[ "${words[0]}" != -t ] || pre=("${words[@]:0:2}")
	if [ "$recommends" = off ]; then
		expect_host "apt install ${words[*]:0:${#words[@]}-1} (no headers yet)" "apt-get failed" \
			apt_get install "${words[@]:0:${#words[@]}-1}" || return
		installed_krel "$row"
		k=${KREL_OF[$row]}
		expect_host "no headers for $k: DKMS built nothing for it" \
			"$(Rout dkms status | tr '\n' ';') $(ko "$k" mymod)" not_built "$k"
		words=("${pre[@]}" "${words[-1]}")
	fi
	expect_host "apt install ${words[*]}" "apt-get failed" apt_get install "${words[@]}" || return
	installed_krel "$row"
	k=${KREL_OF[$row]}
	expect_host "dkms rebuilt automatically: installed for $k" "$(Rout dkms status | tr '\n' ';')" \
		dkms_installed "$version" "$k"
	mapfile -t all < <(krels "$@" "$row")
	expect_host "modules exist for every installed kernel (${all[*]})" "missing" \
		modules_present "${all[@]}"
}

# system_disk IMG: the system as it is now, as an ext4 image, with the guest
# suites (tests/*/ under /tests) and the unit that runs the ones named by
# suites= on the kernel command line (tests/systest/roulette-systest.service).
system_disk() {
	local img=$1 d
	sys_umount_all "$ROOT"
	rm -rf "$ROOT/tests" && mkdir -p "$ROOT/tests"
	cp "$ROULETTE_TOP/tests/lib.sh" "$ROULETTE_TOP/tests/kernel-reports.txt" "$ROOT/tests/"
	for d in "$ROULETTE_TOP"/tests/*/; do
		compgen -G "$d*.sh" >/dev/null && cp -r "${d%/}" "$ROOT/tests/"
	done
	cp "$ROULETTE_TOP/tests/systest/roulette-systest.service" "$ROOT/etc/systemd/system/"
	rm -f "$img"
	mke2fs -q -F -t ext4 -d "$ROOT" "$img" 4G >>"$work/chroot.log" 2>&1 ||
		record FAIL "[$target] guest disk image: mke2fs -d failed"
	# The test's own files leave the rootfs again: the purge looks at /etc.
	rm -rf "$ROOT/tests" "$ROOT/etc/systemd/system/roulette-systest.service"
	sys_mount "$ROOT" || { record FAIL "[$target] chroot mounts: mount failed"; return 1; }
	[ -s "$img" ]
}

# boot_each_kernel ROW...: the system as it is now, as a disk, booted with
# each kernel under QEMU (side by side): systemd runs the suite
# tests/systest/ with tests/lib.sh's runner; guest_wait records it.
boot_each_kernel() {
	local r k signer=none
	# DKMS signs with its key when it has one (tests/systest/01-system.sh)
	[ -e "$ROOT/var/lib/dkms/mok.pub" ] && signer=dkms
	system_disk "$work/disk.img" || return 1
	for r in "$@"; do
		k=${KREL_OF[$r]}
		ROULETTE_GUEST_MEM=1024 guest_start "$r" "$work/boot" "$(vmlinuz "$k")" "$ROOT/boot/initrd.img-$k" \
			"root=/dev/vda rw systemd.unit=roulette-systest.service suites=systest systest.kernel=$k systest.version=$version systest.signer=$signer" \
			-drive "file=$work/disk.img,format=raw,if=virtio" -snapshot
	done
	guest_wait
}

# set_up_kdump ROW...: kdump-tools as a sysadmin installs it, and for
# each row's kernel the capture initrd its kernel hook would build. The
# hook's MODULES=dep finds no root device in a chroot ("failed to determine
# device for /"; trixie's hook skips a chroot altogether): the same
# mkinitramfs with MODULES=most; latest_sysctls marks it current, or
# kdump-config deletes it and rebuilds at boot (80 s, TCG). kdump-config
# load links /var/lib/kdump/vmlinuz to /boot/vmlinuz-KREL (the
# KDUMP_KERNEL of /etc/default/kdump-tools) and fails without that file:
# 7.x's image is /usr/lib/modules/KREL/vmlinuz, which trixie-backports'
# kernel hooks hard-link there.
set_up_kdump() {
	local r k d=/var/lib/kdump what
	expect_host "apt install kdump-tools makedumpfile procps" "apt-get failed" \
		apt_get install kdump-tools makedumpfile procps || return
	R sh -c "rm -rf $d/initramfs-tools && cp -pr /etc/initramfs-tools $d/ &&
		echo MODULES=most >$d/initramfs-tools/conf.d/zzz-kdump"
	for r in "$@"; do
		k=${KREL_OF[$r]} what=
		[ ! -f "$ROOT/usr/lib/modules/$k/vmlinuz" ] ||
			what=", the image of /usr/lib/modules/$k/vmlinuz"
		expect_host "$r: kdump-config's capture kernel /boot/vmlinuz-$k exists$what" \
			"$(stat -c "%n: inode %i, %h links" "$ROOT/boot/vmlinuz-$k" "$ROOT/usr/lib/modules/$k/vmlinuz" 2>&1 | tr '\n' ' ')" \
			kdump_kernel_file "$k"
		expect_host "$r: kdump initrd $d/initrd.img-$k (mkinitramfs, MODULES=most)" "mkinitramfs failed" \
			R sh -c "mkinitramfs -d $d/initramfs-tools -o $d/initrd.img-$k $k &&
				cp /etc/kdump/sysctl.conf $d/latest_sysctls-$k"
	done
}

# kdump_kernel_file KREL: /boot/vmlinuz-KREL is a file, and for 7.x the
# very image the kernel package installed.
kdump_kernel_file() {
	local b=$ROOT/boot/vmlinuz-$1 m=$ROOT/usr/lib/modules/$1/vmlinuz
	[ -f "$b" ] && { [ ! -f "$m" ] || [ "$b" -ef "$m" ] || cmp -s "$b" "$m"; }
}

# grep_all FILE REGEX...: every extended REGEX matches a line of FILE.
grep_all() {
	local f=$1 re
	shift
	for re in "$@"; do grep -qE -- "$re" "$f" || return; done
}
mtime() { stat -c %Y "$1"; }

# dump_names_culprit TAG IMG BOOM: the dump kdump-tools saved in the
# disk's /var/crash/STAMP/ (read with debugfs) names roulette: the Boom!
# line, then the panic (boom=panic) or the oops, and a trace through
# roulette_boom and roulette_read; the vmcore reads back with the system's
# makedumpfile; the task that died (cat) ran KREL.
dump_names_culprit() {
	local target=$1 img=$2 boom=$3 k=$4 out=${2%.img}-crash dm core v
	rm -rf "$out" && mkdir -p "$out"
	debugfs -R "rdump /var/crash $out" "$img" >>"$work/chroot.log" 2>&1
	dm=$(compgen -G "$out/crash/2*/dmesg.2*" | head -n 1)
	core=$(compgen -G "${dm%/*}/dump.2*" | head -n 1)
	expect_host "kdump saved a dmesg and a vmcore in /var/crash/STAMP/" \
		"found: $(cd "$out" && find . -type f | tr '\n' ' ')" test -s "$core" || return
	log "$target: $(cd "$out" && du -h crash/*/* | tr '\n\t' '  ')"
	sizes+=("$(printf '%-60s %s' "$target" "$(cd "${core%/*}" && du -h dump.* dmesg.* | tr '\n\t' '  ')")")
	v=$(sed -n 's/.*roulette: Boom! sampled value is \([0-9]*\), which is < 100$/\1/p' "$dm" | head -n 1)
	expect_host "dump's dmesg: roulette: Boom! sampled value is ${v:-V}, which is < 100" "not in $dm" \
		test -n "$v"
	if [ "$boom" = panic ]; then
		expect_host "dump's dmesg: Kernel panic - not syncing: kernel-roulette: sampled value is ${v:-V}, which is < 100" \
			"not in $dm" grep -qx ".*Kernel panic - not syncing: kernel-roulette: sampled value is $v, which is < 100" "$dm"
	else
		expect_host "dump's dmesg: the oops: kernel BUG at .../roulette.c:N!, invalid opcode" "not in $dm" \
			grep_all "$dm" 'kernel BUG at .*roulette\.c:[0-9]+!' 'invalid opcode'
		# panic_on_oops: oops_end() kexecs into the capture kernel itself, before panic()
		expect_host "dump's dmesg ends with the oops (panic_on_oops: captured from oops_end, no 'Kernel panic' line)" \
			"last line: $(tail -n 1 "$dm")" grep -q 'Modules linked in: roulette' <(tail -n 1 "$dm")
	fi
	expect_host "dump's dmesg: the task that died ran $k (CPU: ... Comm: cat ... $k #N)" \
		"$(grep -a -m 1 'Comm: cat' "$dm")" grep -qF " $k #" <(grep -a 'Comm: cat' "$dm")
	# an oops names the function that died on its RIP line, a panic in its call trace
	expect_host "dump's dmesg: the trace names roulette_boom and roulette_read" "not in $dm" \
		grep_all "$dm" '[ :]roulette_boom[.a-z0-9]*\+0x[0-9a-f]+/0x[0-9a-f]+ \[roulette\]' \
		' roulette_read[.a-z0-9]*\+0x[0-9a-f]+/0x[0-9a-f]+ \[roulette\]'
	cp "$core" "$ROOT/tmp/dump"
	expect_host "the vmcore reads back: makedumpfile -R, then --dump-dmesg has the Boom! line" "see $work/chroot.log" \
		R sh -c "makedumpfile -R /tmp/vmcore </tmp/dump && makedumpfile --dump-dmesg /tmp/vmcore /tmp/vmcore.dmesg &&
			grep -q 'roulette: Boom! sampled value is $v,' /tmp/vmcore.dmesg"
	rm -f "$ROOT"/tmp/dump "$ROOT"/tmp/vmcore*
}

# crash_dump ROW...: a server's crash-dump pipeline (set_up_kdump) catches
# roulette on every kernel of the system: per row two boots on copies of
# the disk (crashkernel=, 1536 MiB): boom=panic, and the default boom=oops
# with kernel.panic_on_oops=1 in /etc/sysctl.d; ROULETTE_KDUMP_BOOTS of
# them side by side (default 2, one kernel's pair: on 2 cores the four
# boots of Debian 13 took 241 s two by two, 313 s all at once, each boot
# 2.5 times slower). The guest (tests/systest/kdump.sh)
# checks the capture kernel is loaded and reads the device; the capture
# kernel saves the dump and reboots (QEMU exits); the host reads the dump.
crash_dump() {
	local dir=$work/kdump per=${ROULETTE_KDUMP_BOOTS:-2} r b k i rb tag t0
	local -a boots=()
	rm -rf "$dir" && mkdir -p "$dir"
	system_disk "$dir/system.img" || return 1
	echo "kernel.panic_on_oops = 1" >"$dir/panic-on-oops.conf"
	for r in "$@"; do
		for b in panic oops; do
			cp --sparse=always "$dir/system.img" "$dir/$r-$b.img" || return 1
			boots+=("$r $b")
		done
		debugfs -w -R "write $dir/panic-on-oops.conf /etc/sysctl.d/90-panic-on-oops.conf" \
			"$dir/$r-oops.img" >>"$work/chroot.log" 2>&1
	done
	rm -f "$dir/system.img"
	for ((i = 0; i < ${#boots[@]}; i += per)); do
		t0=$(date +%s)
		for rb in "${boots[@]:i:per}"; do
			read -r r b <<<"$rb"
			k=${KREL_OF[$r]}
			ROULETTE_GUEST_MEM=1536 ROULETTE_BOOT_TIMEOUT=600 guest_start "$r-kdump-$b" "$dir" \
				"$(vmlinuz "$k")" "$ROOT/boot/initrd.img-$k" \
				"root=/dev/vda rw crashkernel=256M systemd.unit=roulette-systest.service suites=systest/kdump.sh systest.kernel=$k systest.boom=$b" \
				-drive "file=$dir/$r-$b.img,format=raw,if=virtio"
		done
		guest_wait
		for rb in "${boots[@]:i:per}"; do
			read -r r b <<<"$rb"
			tag=$r-kdump-$b
			# the results' last line came just before the panic, the console's at QEMU's exit
			timing "$target: kdump $r boom=$b: boot to panic" $(($(mtime "$dir/$tag.results") - t0))
			timing "$target: kdump $r boom=$b: capture, reboot" \
				$(($(mtime "$dir/$tag.console") - $(mtime "$dir/$tag.results")))
		done
	done
	for rb in "${boots[@]}"; do
		read -r r b <<<"$rb"
		dump_names_culprit "$r-kdump-$b" "$dir/$r-$b.img" "$b" "${KREL_OF[$r]}"
	done
}

# upgrade_package ROW...: apt upgrade to N+1; DKMS replaces N for every
# kernel.
upgrade_package() {
	local k got
	echo "deb [signed-by=/srv/roulette/repo/roulette-dkms.gpg] file:/srv/roulette/next/repo ./" >>"$ROOT$LOCAL_LIST"
	expect_host "apt upgrade roulette-dkms $version -> $next" "apt-get failed" \
		apt_get_local install roulette-dkms
	# shellcheck disable=SC2016 # a dpkg-query format
	got=$(Rout dpkg-query -W -f='${Version}' roulette-dkms)
	expect_host "package version is now $next" "got '$got'" test "$got" = "$next"
	expect_host "dkms holds only $next" "dkms has: $(dkms_versions | tr '\n' ' ')" \
		test "$(dkms_versions)" = "$next"
	for k in $(krels "$@"); do
		expect_host "dkms: $next installed for $k, modules rebuilt (modinfo version)" \
			"status '$(Rout dkms status -k "$k" | tr '\n' ';')', mymod.ko version '$(ko_version "$k" mymod)'" \
			rebuilt_as "$next" "$k"
	done
	expect_host "old sources gone: /usr/src/roulette-$version, /var/lib/dkms/roulette/$version" \
		"still there" old_gone "$version"
}

# remove_old_kernel ROW KEPT-ROW...: apt purge of the row's kernel (its
# image and headers, as a user clears an old kernel after an upgrade):
# DKMS's kernel hook (/etc/kernel/prerm.d/dkms) removes roulette for it;
# the kept kernels keep theirs (version N+1 by then: after upgrade_package).
remove_old_kernel() {
	local k=${KREL_OF[$1]} n r left
	local -a pkgs
	shift
	# shellcheck disable=SC2016 # a dpkg-query format
	mapfile -t pkgs < <(Rout dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "linux-image-$k*" \
		"linux-headers-$k" 2>/dev/null | awk '$1 == "ii" { print $2 }')
	n=$(log_lines)
	expect_host "apt purge ${pkgs[*]:-linux-image-$k}" "apt-get failed" \
		apt_get purge "${pkgs[@]:-linux-image-$k}" || return
	# dkms 3.0 (bookworm) and 3.2 (trixie) word it differently
	expect_host "the kernel hook said: dkms: removing roulette $next for $k" "not in apt's output" \
		grep -qF -e "dkms: removing: roulette $next ($k)" \
		-e "dkms: removing module roulette/$next for kernel $k " <(since "$n")
	expect_host "dkms status: no roulette for $k" "$(Rout dkms status -m roulette | tr '\n' ';')" \
		not_for "$k"
	left=$(cd "$ROOT" && find lib/modules/"$k" usr/lib/modules/"$k" 2>/dev/null | grep -E 'updates|\.ko' | tr '\n' ' ')
	expect_host "no module of the removed kernel left in /lib/modules/$k" "left: $left" test -z "$left"
	log "after the purge: /lib/modules/$k $([ -e "$ROOT/lib/modules/$k" ] || [ -e "$ROOT/usr/lib/modules/$k" ] && echo remains || echo is gone)"
	for r in "$@"; do
		expect_host "roulette $next still installed for the kept kernel ${KREL_OF[$r]}" \
			"$(Rout dkms status | tr '\n' ';')" built_by_dkms "$next" "${KREL_OF[$r]}"
	done
}

# purge_package: apt purge; nothing of the package is left.
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

# rpm_install_remove ROW...: the RPM's scriptlets for real (rpm -i --nodeps
# and rpm -e in the rootfs, whose dkms they call).
rpm_install_remove() {
	local k left got rpmf=$ROULETTE_OUT/repo/rpm/roulette-dkms-$version-1.noarch.rpm
	rpmr() { rpm --root "$ROOT" --dbpath /var/lib/rpm "$@" >>"$work/chroot.log" 2>&1; }
	rpmr --initdb
	rpmr --import "$ROULETTE_OUT/repo/RPM-GPG-KEY-roulette-dkms"	# a host path
	got=$(rpm --root "$ROOT" --dbpath /var/lib/rpm -K "$rpmf" 2>&1)
	expect_host "rpm --import the repository key; rpm -K: the package's signature OK" \
		"$got" grep -q ': digests signatures OK$' <<<"$got"
	expect_host "rpm -i --nodeps roulette-dkms-$version in the rootfs" "rpm failed" \
		rpmr -i --nodeps "$rpmf"
	for k in $(krels "$@"); do
		expect_host "rpm %post: dkms built and installed $version for $k" \
			"$(Rout dkms status | tr '\n' ';')" built_by_dkms "$version" "$k"
	done
	expect_host "rpm %pre: group roulette created" "no group" R getent group roulette
	expect_host "rpm: udev rule and modprobe.d file installed" "missing" \
		rpm_files
	expect_host "rpm -e roulette-dkms" "rpm failed" rpmr -e roulette-dkms
	# %config(noreplace) and the udev rule are rpm's to remove, not dkms's
	left=$(leftovers | tr ' ' '\n' | grep -v -e '^etc/modprobe.d/roulette.conf$' -e udev | tr '\n' ' ')
	expect_host "rpm %preun: dkms removed the modules and sources" \
		"left: $left; dkms: $(Rout dkms status | tr '\n' ';')" rpm_removed "$left"
}

# run_autopkgtest SUITE ROW: Debian's own test (autopkgtest-pkg-dkms) with
# the unshare backend, in a testbed with the row's headers.
run_autopkgtest() {
	local tb rc=0 subid=$work/subid
	tb=$(sys_autopkgtest_tarball "$1" "${KREL_OF[$2]}") ||
		{ record FAIL "[$target] autopkgtest testbed: mmdebstrap failed"; return 1; }
	echo "root:100000:65536" >"$subid"
	# Root has no /etc/subuid entry: lend it one inside a mount namespace.
	# shellcheck disable=SC2016 # expanded by the inner sh
	unshare -m sh -c 'mount --bind "$1" /etc/subuid && mount --bind "$1" /etc/subgid &&
		shift && exec "$@"' sh "$subid" timeout 900 autopkgtest -U \
		"$ROULETTE_OUT/deb/roulette_$version.dsc" "$ROULETTE_OUT/deb/roulette-dkms_${version}_all.deb" \
		-- unshare --release "$1" --arch amd64 --tarball "$tb" >"$work/autopkgtest.log" 2>&1 || rc=$?
	# 8: only superficial tests ran; the dkms test is one
	if [ "$rc" -eq 0 ] || [ "$rc" -eq 8 ]; then
		record PASS "[$target] autopkgtest autopkgtest-pkg-dkms (unshare): exit $rc ($([ "$rc" -eq 8 ] && echo 'superficial test passed' || echo passed))"
	else
		record FAIL "[$target] autopkgtest autopkgtest-pkg-dkms (unshare): exit $rc, see $work/autopkgtest.log"
		tail -n 30 "$work/autopkgtest.log"
	fi
}

# upgrade_release FROM TO ROW: the release upgrade a user does: sources
# switched from FROM to TO, apt full-upgrade keeping conffiles; FROM's
# kernel meta-package brings TO's kernel (ROW's), which DKMS builds for.
# The dkms part of apt's output goes to release-upgrade.log.
upgrade_release() {
	local from=$1 to=$2 k n
	sed -i "s/\\b$from\\b/$to/g" "$ROOT"/etc/apt/sources.list.d/*.sources
	expect_host "sources switched to $to: apt update" "apt-get update failed" \
		R apt-get update -o Acquire::Check-Valid-Until=false || return
	n=$(log_lines)
	expect_host "apt full-upgrade to $to (--force-confold)" "apt-get failed" \
		apt_get -o Dpkg::Options::=--force-confold full-upgrade
	installed_krel "$3"
	k=${KREL_OF[$3]} KREL_OF[$target]=${KREL_OF[$3]}
	since "$n" | grep -E -e '^(Setting up|Unpacking) (dkms|linux-(image|headers)-[0-9][^ ]*|gcc-[0-9]+) ' \
		-e '^(/etc/kernel/.*dkms:|Sign|Public|Certificate|openssl|Autoinstall|Building module|Installing /|Error|Warning)' \
		>"$work/release-upgrade.log"
	expect_host "dkms rebuilt roulette/$version for $to's kernel $k" \
		"$(Rout dkms status | tr '\n' ';')" built_by_dkms "$version" "$k"
	expect_host "modprobe.d conffile kept: options mymod sec=5" "changed" \
		grep -qx 'options mymod sec=5' "$ROOT/etc/modprobe.d/roulette.conf"
}

# release_upgrade FROM TO: FROM's system (its base) with the package
# installed, upgraded to TO, booted on TO's kernel (the tag FROM-to-TO).
release_upgrade() {
	local from=$1 to=$2 first to_row
	read -r first _ <<<"${rows_of[$from]}"
	read -r to_row _ <<<"${rows_of[$to]}"
	target=$from-to-$to
	install_mode "$from"
	# shellcheck disable=SC2086 # the suite's rows (its base's key)
	step restore_base_system "$from" ${rows_of[$from]} || return
	step apt_install_package "$first" || return
	step upgrade_release "$from" "$to" "$to_row" || return
	step boot_each_kernel "$target"
	sys_umount_all "$ROOT"
}

# --- Secure Boot ----------------------------------------------------------------
OVMF=/usr/share/OVMF	# the host's ovmf: the PC's firmware
MOK_GUID=605dab50-e046-4300-abb6-3dd810dd8b23	# shim's variables (MokList)

# sb_efi_binaries DIR: the signed shim, MokManager and grub, downloaded by
# the system's apt (the packages a Debian Secure Boot install has).
sb_efi_binaries() {
	local dl=/var/tmp/roulette-sb deb
	rm -rf "${ROOT:?}$dl" && mkdir -p "$ROOT$dl" "$1" &&
		R env -C "$dl" apt-get download -o APT::Sandbox::User=root \
			shim-signed shim-helpers-amd64-signed grub-efi-amd64-signed || return
	for deb in "$ROOT$dl"/*.deb; do dpkg-deb -x "$deb" "$1" || return; done
	rm -rf "${ROOT:?}$dl"
}

# sb_enrol SUITE VARS: what MokManager does once the user confirms
# mokutil --import: the DKMS key in shim's MokList, here written into a
# copy of the firmware's variable store by virt-fw-vars (python3-virt-firmware,
# installed in the suite's chroot, scripts/lib-suite.sh).
sb_enrol() {
	local root tmp rc
	suite_lib && root=$(suite_root "$1") || return
	(suite_lock "$1" || exit; [ -x "$root/usr/bin/virt-fw-vars" ] ||
		suite_run "$root" apt-get install -y -qq --no-install-recommends python3-virt-firmware) \
		>>"$work/chroot.log" 2>&1 || return
	tmp=$(mktemp -d "$root/tmp/roulette-sb.XXXXXX") || return
	Rout openssl x509 -inform DER -in /var/lib/dkms/mok.pub >"$tmp/mok.pem" &&
		cp "$OVMF/OVMF_VARS_4M.ms.fd" "$tmp/vars.fd" &&
		suite_run "$root" env -C "/tmp/${tmp##*/}" virt-fw-vars --input vars.fd --output out.fd \
			--secure-boot --add-mok "$MOK_GUID" mok.pem >>"$work/chroot.log" 2>&1 &&
		mv "$tmp/out.fd" "$2"
	rc=$?
	rm -rf "$tmp"
	return "$rc"
}

# sb_esp DISK KREL UUID APPEND: a GPT disk with an EFI system partition:
# shim as the removable-media loader, MokManager and grub beside it, and
# grub's grub.cfg (EFI/debian/) booting KREL from the root filesystem UUID.
sb_esp() {
	local disk=$1 esp=$1.fat efi=$work/sb/efi cfg=$1.cfg k
	k=$(vmlinuz "$2")
	printf '%s\n' 'set timeout=0' "search --no-floppy --fs-uuid --set=root $3" \
		"linux ${k#"$ROOT"} root=UUID=$3 rw $(guest_cmdline "$4")" \
		"initrd /boot/initrd.img-$2" boot >"$cfg"
	rm -f "$esp" "$disk"
	mkfs.vfat -C "$esp" 32768 >/dev/null &&
		mmd -i "$esp" ::/EFI ::/EFI/BOOT ::/EFI/debian &&
		mcopy -i "$esp" "$efi/usr/lib/shim/shimx64.efi.signed" ::/EFI/BOOT/BOOTX64.EFI &&
		mcopy -i "$esp" "$efi/usr/lib/shim/mmx64.efi.signed" ::/EFI/BOOT/mmx64.efi &&
		mcopy -i "$esp" "$efi/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed" ::/EFI/BOOT/grubx64.efi &&
		mcopy -i "$esp" "$cfg" ::/EFI/debian/grub.cfg &&
		truncate -s 40M "$disk" && sgdisk -o -n1:2048:0 -t1:ef00 "$disk" >/dev/null &&
		dd if="$esp" of="$disk" bs=1M seek=1 conv=notrunc status=none
}

# secure_boot ROW...: the system on a Secure Boot PC (OVMF with Microsoft's
# keys, Debian's signed shim, grub and kernels), side by side: the first
# row's kernel before the DKMS key is enrolled (modules refused), then
# every row's with the key in MokList (the later rows are kernel upgrades
# DKMS signed with the same key); the suites under test: tests/secureboot/.
secure_boot() {
	local d=$work/sb r k uuid mok=absent tag su a
	rm -rf "$d" && mkdir -p "$d"
	expect_host "host: ovmf, mtools, dosfstools, gdisk" "apt-get failed" \
		apt_install ovmf mtools dosfstools gdisk || return
	expect_host "apt install mokutil" "apt-get failed" apt_get install mokutil || return
	expect_host "signed shim, MokManager and grub downloaded by apt" "apt-get download failed" \
		sb_efi_binaries "$d/efi" || return
	expect_host "DKMS key added to MokList in a copy of OVMF_VARS_4M.ms.fd (virt-fw-vars)" \
		"virt-fw-vars failed" sb_enrol "${SUITE_OF[$1]}" "$d/enrolled.vars" || return
	system_disk "$d/disk.img" || return
	uuid=$(blkid -o value -s UUID "$d/disk.img")
	cp "$OVMF/OVMF_VARS_4M.ms.fd" "$d/absent.vars"
	for r in "$1" "$@"; do
		# the first boot: key not enrolled, the modules refused (no udev test)
		su=systest/01-system.sh,secureboot
		[ "$mok" = absent ] || su+=,systest/20-udev-access.sh
		k=${KREL_OF[$r]} tag=$r-sb-$mok
		cp "$d/$mok.vars" "$d/$tag.vars"
		a="systemd.unit=roulette-systest.service suites=$su systest.kernel=$k"
		a+=" systest.version=$version systest.signer=dkms systest.mok=$mok"
		sb_esp "$d/$tag.disk" "$k" "$uuid" "$a" || {
			record FAIL "[$target] EFI system partition: mkfs.vfat, mtools or sgdisk failed"
			return 1
		}
		ROULETTE_GUEST_MEM=1024 guest_start "$tag" "$d" firmware "" "$a" -machine q35,smm=on \
			-global driver=cfi.pflash01,property=secure,value=on \
			-drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF/OVMF_CODE_4M.secboot.fd" \
			-drive "if=pflash,format=raw,unit=1,file=$d/$tag.vars" \
			-drive "file=$d/$tag.disk,format=raw,if=virtio" \
			-drive "file=$d/disk.img,format=raw,if=virtio,snapshot=on"
		mok=enrolled
	done
	guest_wait
}

# install_mode SUITE: Recommends off on a minimal system, on on a default one.
install_mode() {
	recommends=on
	[[ " $MINIMAL_SUITES " != *" $1 "* ]] || recommends=off
}

# life_of_a_system SUITE ROW...: a user's system of that suite, from apt
# install to purge, across its kernel upgrades.
life_of_a_system() {
	local suite=$1 r
	shift
	local -a installed=("$1")
	target=$suite
	install_mode "$suite"
	step restore_base_system "$suite" "$@" || return
	step apt_install_package "$1" || return
	for r in "${@:2}"; do
		step upgrade_kernel "$suite" "$r" "${installed[@]}" || return
		installed+=("$r")
	done
	step boot_each_kernel "$@"
	[ "$recommends" = off ] || step secure_boot "$@"
	step set_up_kdump "$@" && step crash_dump "$@"
	step upgrade_package "$@"
	local -a kept=("$@")
	if [ $# -gt 1 ]; then
		step remove_old_kernel "$@"
		kept=("${@:2}")
	fi
	step purge_package
	step rpm_install_remove "${kept[@]}"
	sys_umount_all "$ROOT"
	step run_autopkgtest "$suite" "$1"
}

# systest_suites: the systest rows grouped by suite (SUITE-backports with
# SUITE), in table order: sets suites and rows_of; an unavailable kernel
# is reported as skipped.
systest_suites() {
	local r s
	suites=()
	declare -gA rows_of=()
	for r in $(kernel_rows systest); do
		row_ready "$r" "$work/resolve.log" || continue
		s=${SUITE_OF[$r]%-backports}
		[ -n "${rows_of[$s]:-}" ] || suites+=("$s")
		rows_of[$s]+=" $r"
	done
}

# --- the story --------------------------------------------------------------------
mkdir -p "$work"
: >"$work/chroot.log"
: >"$work/build.log"
results_open systest
apt_install mmdebstrap qemu-system-x86 zstd e2fsprogs apt-utils createrepo-c rpm rpmlint \
	autopkgtest autodep8 uidmap dpkg-dev debhelper dh-dkms lintian kmod dnf ||
	{ record FAIL "[$target] host tools: apt-get install failed" && the_end; }
step build_packages || the_end
step lint_packages
step find_in_repositories
step build_next_version
systest_suites
for s in "${suites[@]}"; do
	# shellcheck disable=SC2086 # the suite's rows, one word each
	life_of_a_system "$s" ${rows_of[$s]}
done
if [ -n "${rows_of[bookworm]:-}" ] && [ -n "${rows_of[trixie]:-}" ]; then
	release_upgrade bookworm trixie
fi
qa_autopkgtest_more	# sid (scripts/lib-qa.sh)
target=packages step qa_piuparts
the_end
