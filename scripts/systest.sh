#!/bin/bash
# make systest: the whole life of the roulette-dkms packages in a real
# Debian 12 system.
#   1. apt install roulette-dkms from the local repository (chroot of a
#      cached minbase rootfs with a 6.1 cloud kernel): DKMS builds it
#   2. kernel upgrade: apt install a 6.12 cloud image + headers: DKMS
#      rebuilds from the kernel hooks, no manual dkms call
#   3. boot each kernel under QEMU (systemd, udev) and run
#      tests/systest/guest.sh: modprobe.d default, sec override, udev rule,
#      group access, timer ticks
#   4. package upgrade N -> N+1 (a second version built here)
#   5. apt purge: nothing left
#   6. the RPM's scriptlets for real (rpm -i --nodeps / rpm -e in the rootfs)
#   7. Debian's own test: autopkgtest (unshare backend) on the .deb
# Output: "PASS: name" / "FAIL: name: detail" per check, the time of each
# step, and a last line "N passed, N failed". Exit status 1 on any failure.
# Environment: ROULETTE_CACHE (base rootfs cache), ROULETTE_OUT,
# ROULETTE_SYSTEST_SKIP="autopkgtest rpm ..." skips steps (for development).
# check() and trap run most functions here indirectly:
# shellcheck disable=SC2317
set -uo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pkg.sh
. "$(dirname "$0")/lib-pkg.sh"
# shellcheck source=lib-system.sh
. "$(dirname "$0")/lib-system.sh"

work=$ROULETTE_OUT/systest
ROOT=$work/root
npass=0 nfail=0
timings=()
skip=" ${ROULETTE_SYSTEST_SKIP:-} "

pass() { echo "PASS: $1"; npass=$((npass + 1)); }
fail() { echo "FAIL: $1: $2"; nfail=$((nfail + 1)); }
# check NAME DETAIL CMD...: PASS when CMD succeeds, else FAIL with DETAIL.
check() {
	local name=$1 detail=$2
	shift 2
	if "$@"; then pass "$name"; else fail "$name" "$detail"; fi
}
step_start() { step_name=$1 step_t0=$SECONDS; log "step: $1"; }
step_end() { timings+=("$(printf '%-28s %4d s' "$step_name" $((SECONDS - step_t0)))"); }
skipped() { [[ $skip == *" $1 "* ]]; }

finish() {
	sys_umount_all "$ROOT"
	echo
	echo "systest timings:"
	printf '  %s\n' "${timings[@]}" "$(printf '%-28s %4d s' total "$SECONDS")"
	echo "$npass passed, $nfail failed"
	[ "$nfail" -eq 0 ] && [ "$npass" -gt 0 ]
	exit
}
abort() { # abort NAME DETAIL: a failure that stops the test
	fail "$1" "$2"
	finish
}
qemu_pids=()
cleanup() {
	local p
	for p in "${qemu_pids[@]}"; do kill "$p" 2>/dev/null; done
	sys_umount_all "$ROOT"
}
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

# R CMD...: run in the test rootfs; output in $work/chroot.log.
R() {
	echo "# $*" >>"$work/chroot.log"
	in_root "$ROOT" "$@" >>"$work/chroot.log" 2>&1
}
# Rout CMD...: the same, output on stdout.
Rout() { in_root "$ROOT" "$@" 2>>"$work/chroot.log"; }
chroot_tail() { tail -n "${1:-15}" "$work/chroot.log" | sed 's/^/    | /' >&2; }

# apt in the rootfs, reading only the local repositories' lists (the
# Debian lists in the base are kept; the kernel debs are cached).
LOCAL_LIST=/etc/apt/sources.list.d/roulette-systest.list
apt_local_update() {
	R apt-get update -o Dir::Etc::SourceList="$LOCAL_LIST" \
		-o Dir::Etc::SourceParts=- -o APT::Get::List-Cleanup=0
}
apt_get() { R apt-get -y -o DPkg::Lock::Timeout=60 --no-install-recommends "$@"; }

# dkms_state VERSION KREL: "installed" when DKMS reports it so.
dkms_installed() {
	Rout dkms status -m roulette -v "$1" -k "$2" | grep -q ": installed"
}
# modules_present KREL: the three .ko files DKMS installed for KREL.
modules_present() {
	local m
	for m in hello mymod roulette; do
		compgen -G "$ROOT/lib/modules/$1/updates/dkms/$m.ko*" >/dev/null || return 1
	done
}
ko_version() { # ko_version KREL MODULE
	local f
	f=$(compgen -G "$ROOT/lib/modules/$1/updates/dkms/$2.ko*" | head -n 1)
	[ -n "$f" ] && modinfo -F version "$f" 2>/dev/null
}
dkms_versions() { # every roulette version DKMS knows, one a line
	Rout dkms status -m roulette | sed -n 's#^roulette/\([^,]*\),.*#\1#p' | sort -u
}
both_present() { modules_present "$k61" && modules_present "$k612"; }
rebuilt_as() { # rebuilt_as VERSION KREL
	dkms_installed "$1" "$2" && [ "$(ko_version "$2" mymod)" = "$1" ] &&
		[ "$(ko_version "$2" roulette)" = "$1" ]
}
old_gone() { [ ! -e "$ROOT/usr/src/roulette-$1" ] && [ ! -e "$ROOT/var/lib/dkms/roulette/$1" ]; }
# shellcheck disable=SC2016 # a dpkg-query format
pkg_status() { Rout dpkg-query -W -f='${Status}' roulette-dkms 2>/dev/null; }
purged() { ! pkg_status | grep -qE ' (installed|config-files|half-)'; }
no_group() { ! R getent group roulette; }
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
rpm_files() {
	[ -f "$ROOT/usr/lib/udev/rules.d/60-roulette.rules" ] &&
		[ -f "$ROOT/etc/modprobe.d/roulette.conf" ]
}
dkms_empty() { [ -z "$(Rout dkms status -m roulette)" ]; }

# ---------------------------------------------------------------------------
mkdir -p "$work"
: >"$work/chroot.log"

step_start "host tools"
apt_install mmdebstrap qemu-system-x86 zstd e2fsprogs apt-utils createrepo-c \
	rpm rpmlint autopkgtest autodep8 uidmap dpkg-dev debhelper dh-dkms lintian kmod dnf ||
	abort "host tools" "apt-get install failed"
step_end

# --- packages: version N (the tree) and N+1 (a bumped copy) -----------------
step_start "build packages N, N+1"
version=$(pkg_version) || abort "version check" "scripts/check-version.sh failed"
pass "version $version agrees in version.h, debian/changelog, spec, dkms.conf"
if "$ROULETTE_TOP/scripts/build-repo.sh" >"$work/build.log" 2>&1; then
	pass "make repo: deb + rpm built, lintian --pedantic and rpmlint clean"
else
	tail -n 20 "$work/build.log" >&2
	abort "make repo" "see $work/build.log"
fi
# The repositories as users see them: out/repo/roulette.list for apt (own
# lists, the host's apt state untouched), out/repo/rpm for dnf.
rm -rf "$work/apt" && mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial"
aptopts=(-o Dir::Etc::SourceList="$ROULETTE_OUT/repo/roulette.list" -o Dir::Etc::SourceParts=-
	-o Dir::State::Lists="$work/apt/lists" -o Dir::Cache="$work/apt/cache")
apt-get -q "${aptopts[@]}" update >"$work/apt/update.log" 2>&1
got=$(apt-cache "${aptopts[@]}" policy roulette-dkms 2>&1 | sed -n 's/^ *Candidate: //p')
check "apt repository (roulette.list): candidate roulette-dkms $version" "candidate '$got'" \
	test "$got" = "$version"
got=$(dnf -q --setopt=reposdir=/nonexistent --setopt=cachedir="$work/dnf-cache" --releasever=40 \
	--repofrompath=roulette,"file://$ROULETTE_OUT/repo/rpm" --repo=roulette \
	repoquery --qf '%{name}-%{version}-%{release}.%{arch}' roulette-dkms 2>&1)
check "dnf repository: dnf finds roulette-dkms-$version-1.noarch" "dnf says: $got" \
	grep -qx "roulette-dkms-$version-1.noarch" <<<"$got"
next=$(echo "$version" | awk -F. -v OFS=. '{ $NF = $NF + 1; print }')
nsrc=$work/next-src
if ! pkg_stage "$nsrc" || ! mkdir -p "$nsrc/scripts" ||
	! cp "$ROULETTE_TOP"/scripts/{lib.sh,lib-pkg.sh,check-version.sh,build-deb.sh} "$nsrc/scripts/"; then
	abort "stage version $next" "copy failed"
fi
sed -i "s/\(#define ROULETTE_VERSION \)\"$version\"/\1\"$next\"/" "$nsrc/src/version.h"
sed -i "s/^Version:\( *\)$version/Version:\1$next/" "$nsrc/rpm/roulette-dkms.spec"
{
	printf 'roulette (%s) unstable; urgency=medium\n\n  * System test: the next version.\n\n' "$next"
	printf ' -- %s  %s\n\n' "$(sed -n 's/^ -- \(.*>\)  .*/\1/p' "$ROULETTE_TOP/debian/changelog" | head -n 1)" "$(date -R)"
	cat "$ROULETTE_TOP/debian/changelog"
} >"$nsrc/debian/changelog.new" && mv "$nsrc/debian/changelog.new" "$nsrc/debian/changelog"
if ROULETTE_OUT=$work/next ROULETTE_NO_LINT=1 "$nsrc/scripts/build-deb.sh" >>"$work/build.log" 2>&1 &&
	[ -f "$work/next/deb/roulette-dkms_${next}_all.deb" ]; then
	pass "version $next built from a bumped copy"
else
	fail "version $next built from a bumped copy" "see $work/build.log"
fi
step_end

# --- base rootfs --------------------------------------------------------------
step_start "base rootfs (cache)"
k61=$(kernel_release 6.1-cloud) || abort "kernel_release 6.1-cloud" "not resolved"
k612=$(kernel_release 6.12-cloud) || abort "kernel_release 6.12-cloud" "not resolved"
log "kernels: $k61 (installed in the base) -> $k612 (the upgrade)"
base=$(sys_base_tarball "$k61" "$k612") || abort "base rootfs" "mmdebstrap failed"
sys_umount_all "$ROOT"
if ! rm -rf "$ROOT" || ! mkdir -p "$ROOT" ||
	! tar -C "$ROOT" --numeric-owner -I zstd -xf "$base"; then
	abort "base rootfs" "cannot unpack $base"
fi
sys_mount "$ROOT" || abort "chroot mounts" "mount failed"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null
mkdir -p "$ROOT/srv/roulette/repo" "$ROOT/srv/roulette/next"
cp "$ROULETTE_OUT"/repo/deb/* "$ROOT/srv/roulette/repo/"
cp "$work/next/deb/roulette-dkms_${next}_all.deb" "$ROOT/srv/roulette/next/" 2>/dev/null
(cd "$ROOT/srv/roulette/next" && apt-ftparchive packages . >Packages 2>/dev/null)
echo "deb [trusted=yes] file:/srv/roulette/repo ./" >"$ROOT$LOCAL_LIST"
step_end

# --- 1. apt install ------------------------------------------------------------
step_start "1 apt install"
if apt_local_update && apt_get install roulette-dkms; then
	pass "apt install roulette-dkms from the local repository (no Recommends)"
else
	chroot_tail 25
	abort "apt install roulette-dkms" "apt-get failed"
fi
check "dkms status: roulette/$version installed for $k61" "$(Rout dkms status | tr '\n' ';')" \
	dkms_installed "$version" "$k61"
check "hello, mymod, roulette in /lib/modules/$k61/updates/dkms" "missing" modules_present "$k61"
check "system group roulette created" "no group" R getent group roulette
check "udev rule installed (60-roulette.rules)" "missing" \
	test -f "$ROOT/lib/udev/rules.d/60-roulette.rules"
check "modprobe.d defaults installed as a conffile" "missing or not a conffile" \
	grep -qx /etc/modprobe.d/roulette.conf "$ROOT/var/lib/dpkg/info/roulette-dkms.conffiles"
step_end

# --- 2. kernel upgrade -----------------------------------------------------------
step_start "2 kernel upgrade"
cp "$ROOT"/var/cache/roulette-debs/*.deb "$ROOT/var/cache/apt/archives/" 2>/dev/null
if apt_get install "linux-image-$k612" "linux-headers-$k612"; then
	pass "apt install linux-image/headers-$k612"
else
	chroot_tail 25
	abort "kernel upgrade" "apt-get install linux-image-$k612 failed"
fi
check "dkms rebuilt automatically: installed for $k612" "$(Rout dkms status | tr '\n' ';')" \
	dkms_installed "$version" "$k612"
check "modules exist for both kernels" "missing" both_present
step_end

# --- 3. boot each kernel ----------------------------------------------------------
step_start "3 boot both kernels"
sys_umount_all "$ROOT"
mkdir -p "$ROOT/usr/local/lib/roulette-systest"
cp "$ROULETTE_TOP/tests/systest/guest.sh" "$ROOT/usr/local/lib/roulette-systest/"
echo "$version" >"$ROOT/usr/local/lib/roulette-systest/version"
cp "$ROULETTE_TOP/tests/systest/roulette-systest.service" "$ROOT/etc/systemd/system/"
rm -f "$work/disk.img"
if ! mke2fs -q -F -t ext4 -d "$ROOT" "$work/disk.img" 4G >>"$work/chroot.log" 2>&1; then
	abort "guest disk image" "mke2fs -d failed"
fi
# The test's own files leave the rootfs again: the purge check looks at /etc.
rm -rf "$ROOT/usr/local/lib/roulette-systest" "$ROOT/etc/systemd/system/roulette-systest.service"
declare -A boot_log
for k in "$k61" "$k612"; do
	boot_log[$k]=$work/boot-$k.log
	: >"${boot_log[$k]}"
	ROULETTE_GUEST_MEM=1024 qemu_boot "$ROOT/boot/vmlinuz-$k" "$ROOT/boot/initrd.img-$k" \
		"${boot_log[$k]}" "${ROULETTE_BOOT_TIMEOUT:-300}" \
		"root=/dev/vda rw systemd.unit=roulette-systest.service systest.kernel=$k" \
		-drive "file=$work/disk.img,format=raw,if=virtio" -snapshot &
	qemu_pids+=("$!")
done
wait "${qemu_pids[@]}"
qemu_pids=()
for k in "$k61" "$k612"; do
	series=${k%%.*}.$(echo "$k" | cut -d. -f2)
	res=$(guest_results "${boot_log[$k]}" "boot $series")
	[ -n "$res" ] && echo "$res"
	npass=$((npass + $(printf '%s\n' "$res" | grep -c '^PASS: ')))
	f=$(printf '%s\n' "$res" | grep -c '^FAIL: ')
	nfail=$((nfail + f))
	if ! tr -d '\r' <"${boot_log[$k]}" | grep -aq '^SYSTEST-GUEST-DONE'; then
		fail "[boot $series] guest ran to the end" "no SYSTEST-GUEST-DONE (hang, panic or boot failure)"
		f=1
	fi
	if [ "$f" -gt 0 ]; then
		echo "--- serial log tail, $k (${boot_log[$k]}) ---"
		tr -d '\r' <"${boot_log[$k]}" | tail -n 40 | sed 's/^/    | /'
		echo "---"
	fi
done
step_end

# --- 4. package upgrade N -> N+1 ----------------------------------------------------
step_start "4 package upgrade"
sys_mount "$ROOT" || abort "chroot mounts" "mount failed"
echo "deb [trusted=yes] file:/srv/roulette/next ./" >>"$ROOT$LOCAL_LIST"
if apt_local_update && apt_get install roulette-dkms; then
	pass "apt upgrade roulette-dkms $version -> $next"
else
	chroot_tail 25
	fail "apt upgrade roulette-dkms $version -> $next" "apt-get failed"
fi
# shellcheck disable=SC2016 # a dpkg-query format
got=$(Rout dpkg-query -W -f='${Version}' roulette-dkms)
check "package version is now $next" "got '$got'" test "$got" = "$next"
check "dkms holds only $next" "dkms has: $(dkms_versions | tr '\n' ' ')" \
	test "$(dkms_versions)" = "$next"
for k in "$k61" "$k612"; do
	check "dkms: $next installed for $k, modules rebuilt (modinfo version)" \
		"status '$(Rout dkms status -k "$k" | tr '\n' ';')', mymod.ko version '$(ko_version "$k" mymod)'" \
		rebuilt_as "$next" "$k"
done
check "old sources gone: /usr/src/roulette-$version, /var/lib/dkms/roulette/$version" "still there" \
	old_gone "$version"
step_end

# --- 5. purge ------------------------------------------------------------------------
step_start "5 purge"
if apt_get purge roulette-dkms; then
	pass "apt purge roulette-dkms"
else
	chroot_tail 25
	fail "apt purge roulette-dkms" "apt-get failed"
fi
rm -f "$ROOT$LOCAL_LIST"	# the test's own file
check "dpkg: roulette-dkms purged" "status '$(pkg_status)'" purged
left=$(leftovers)
check "nothing left in /usr/src, /lib/modules/*/updates, /var/lib/dkms, /etc, udev" "left: $left" \
	test -z "$left"
check "group roulette removed (it had no members)" "$(Rout getent group roulette)" no_group
step_end

# --- 6. RPM scriptlets ---------------------------------------------------------------
if skipped rpm; then
	log "skipping rpm"
else
	step_start "6 rpm -i / rpm -e"
	rpmf=$ROULETTE_OUT/rpm/roulette-dkms-$version-1.noarch.rpm
	rpmr() { rpm --root "$ROOT" --dbpath /var/lib/rpm "$@" >>"$work/chroot.log" 2>&1; }
	if rpmr --initdb && rpmr -i --nodeps "$rpmf"; then
		pass "rpm -i --nodeps roulette-dkms-$version in the rootfs"
	else
		chroot_tail 25
		fail "rpm -i --nodeps roulette-dkms-$version in the rootfs" "rpm failed"
	fi
	for k in "$k61" "$k612"; do
		check "rpm %post: dkms built and installed $version for $k" "$(Rout dkms status | tr '\n' ';')" \
			dkms_installed "$version" "$k" && modules_present "$k"
	done
	check "rpm %pre: group roulette created" "no group" R getent group roulette
	check "rpm: udev rule and modprobe.d file installed" "missing" rpm_files
	if rpmr -e roulette-dkms; then pass "rpm -e roulette-dkms"; else
		chroot_tail 25
		fail "rpm -e roulette-dkms" "rpm failed"
	fi
	left=$(leftovers | tr ' ' '\n' | grep -v -e '^etc/modprobe.d/roulette.conf$' -e 'udev' | tr '\n' ' ')
	check "rpm %preun: dkms removed the modules and sources" "left: $left; dkms: $(Rout dkms status | tr '\n' ';')" \
		eval "[ -z '${left// /}' ] && dkms_empty"
	step_end
fi
sys_umount_all "$ROOT"

# --- 7. autopkgtest ------------------------------------------------------------------
if skipped autopkgtest; then
	log "skipping autopkgtest"
else
	step_start "7 autopkgtest (unshare)"
	if tb=$(sys_autopkgtest_tarball "$k61"); then
		subid=$work/subid
		echo "root:100000:65536" >"$subid"
		rc=0
		# Root has no /etc/subuid entry: lend it one inside a mount namespace.
		# shellcheck disable=SC2016 # expanded by the inner sh
		unshare -m sh -c 'mount --bind "$1" /etc/subuid && mount --bind "$1" /etc/subgid &&
			shift && exec "$@"' sh "$subid" \
			timeout 900 autopkgtest -U \
			"$ROULETTE_OUT/deb/roulette_$version.dsc" "$ROULETTE_OUT/deb/roulette-dkms_${version}_all.deb" \
			-- unshare --release bookworm --arch amd64 --tarball "$tb" \
			>"$work/autopkgtest.log" 2>&1 || rc=$?
		if [ "$rc" -eq 0 ] || [ "$rc" -eq 8 ]; then
			pass "autopkgtest autopkgtest-pkg-dkms (unshare): exit $rc ($([ "$rc" -eq 8 ] && echo 'superficial test passed' || echo passed))"
		else
			fail "autopkgtest autopkgtest-pkg-dkms (unshare)" "exit $rc, see $work/autopkgtest.log"
			tail -n 30 "$work/autopkgtest.log"
		fi
	else
		fail "autopkgtest testbed" "mmdebstrap failed"
	fi
	step_end
fi

finish
