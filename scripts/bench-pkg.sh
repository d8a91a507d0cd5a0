#!/bin/bash
# Figures 5 and 6 of `make bench` (called by scripts/bench.sh; raw lines on
# stdout, progress on stderr):
#   5. `dkms build` of roulette vs a one-file hello DKMS package
#      (bench/dkms-hello), same kernel, same rootfs
#   6. `apt install roulette-dkms` vs `apt install v4l2loopback-dkms`
#      (Debian's own DKMS package), same rootfs, dependencies pre-installed
# Both run in a chroot of the system test's cached base rootfs
# (scripts/lib-system.sh), no QEMU. The kernel is the generic 6.1 amd64
# flavour: v4l2loopback needs CONFIG_VIDEO_DEV, which the cloud flavour
# lacks (its dkms.conf would skip the build there and win for nothing).
# Its headers replace the cloud ones, so each package builds for exactly
# one kernel. The roulette-dkms .deb comes from scripts/build-deb.sh (make
# deb), built into this benchmark's own output folder.
# Environment: BENCH_RUNS (default 5), ROULETTE_CACHE, ROULETTE_OUT.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=lib-pkg.sh
. "$(dirname "$0")/lib-pkg.sh"
# shellcheck source=lib-system.sh
. "$(dirname "$0")/lib-system.sh"
# shellcheck source=lib-bench.sh
. "$(dirname "$0")/lib-bench.sh"

runs=${BENCH_RUNS:-5}
work=$ROULETTE_OUT/bench/pkg
ROOT=$work/root
# Downloaded .debs (headers, v4l2loopback-dkms), kept between runs.
debcache=$ROULETTE_CACHE/bench/archives
LOCAL_LIST=/etc/apt/sources.list.d/roulette-bench.list

trap 'sys_umount_all "$ROOT"' EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

# R CMD...: run in the rootfs, output to the log.
R() {
	echo "# $*" >>"$work/chroot.log"
	in_root "$ROOT" "$@" >>"$work/chroot.log" 2>&1
}

# timed CMD...: run in the rootfs; prints the wall seconds. Fails with CMD.
timed() {
	local t0 t1
	t0=$(date +%s.%N)
	R "$@" || return 1
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

# apt_local CMD...: apt-get that knows only the local repository (no network).
apt_local() {
	R apt-get -y -q --no-install-recommends -o Dir::Etc::SourceList="$LOCAL_LIST" \
		-o Dir::Etc::SourceParts=- -o APT::Get::List-Cleanup=0 "$@"
}

dkms_state() { # dkms_state MODULE: dkms's one-line status
	in_root "$ROOT" dkms status -m "$1" 2>/dev/null | tr '\n' ' '
}

apt_install mmdebstrap zstd apt-utils dpkg-dev debhelper dh-dkms >&2 ||
	die "cannot install host tools"
version=$(pkg_version) || die "version mismatch (scripts/check-version.sh)"
k61=$(kernel_release 6.1-cloud)
k612=$(kernel_release 6.12-cloud)
kbench=$(kernel_release 6.1-amd64)
mkdir -p "$work" "$debcache"
: >"$work/chroot.log"

log "bench-pkg: roulette-dkms $version .deb (scripts/build-deb.sh)"
ROULETTE_OUT=$work/out ROULETTE_NO_LINT=1 "$ROULETTE_TOP/scripts/build-deb.sh" >"$work/build-deb.log" 2>&1 ||
	die "make deb failed (see $work/build-deb.log)"
deb=$work/out/deb/roulette-dkms_${version}_all.deb

log "bench-pkg: rootfs from the system test's cached base"
tarball=$(sys_base_tarball "$k61" "$k612") || die "cannot build the base rootfs"
sys_umount_all "$ROOT"
rm -rf "$ROOT" && mkdir -p "$ROOT"
tar -C "$ROOT" --numeric-owner -I zstd -xf "$tarball" || die "cannot unpack $tarball"
sys_mount "$ROOT" || die "cannot mount proc/sys/dev in the rootfs"

# The benchmark kernel's headers in place of the cloud ones, and the
# reference package downloaded: from the cache, else from Debian's archive.
cp "$debcache"/*.deb "$ROOT/var/cache/apt/archives/" 2>/dev/null || true
R apt-get install -y -q --no-install-recommends "linux-headers-$kbench" ||
	die "cannot install linux-headers-$kbench in the rootfs (see $work/chroot.log)"
R apt-get purge -y -q "linux-headers-$k61" || die "cannot remove linux-headers-$k61"
R apt-get install -y -q --download-only v4l2loopback-dkms ||
	die "cannot download v4l2loopback-dkms (see $work/chroot.log)"
cp "$ROOT"/var/cache/apt/archives/*.deb "$debcache/"

# Both packages in one local flat repository: the same apt path for both.
mkdir -p "$ROOT/srv/bench"
cp "$deb" "$ROOT"/var/cache/apt/archives/v4l2loopback-dkms_*.deb "$ROOT/srv/bench/"
(cd "$ROOT/srv/bench" && apt-ftparchive packages . >Packages) || die "apt-ftparchive failed"
echo "deb [trusted=yes] file:/srv/bench ./" >"$ROOT$LOCAL_LIST"
apt_local update || die "apt-get update of the local repository failed"
ref_version=$(dpkg-deb -f "$ROOT"/srv/bench/v4l2loopback-dkms_*.deb Version)

echo "pkg fig5 kernel=$kbench"
echo "pkg fig6 kernel=$kbench"
# shellcheck disable=SC2016 # a dpkg-query format
dkms_version=$(in_root "$ROOT" dpkg-query -W -f='${Version}' dkms)
echo "pkg versions roulette-dkms=$version v4l2loopback-dkms=$ref_version dkms=$dkms_version"

# --- figure 5: dkms build ------------------------------------------------------
log "bench-pkg: figure 5, dkms build ($runs runs each, A B A B)"
rm -rf "$ROOT/usr/src/hello-bench-1.0"
cp -r "$ROULETTE_TOP/bench/dkms-hello" "$ROOT/usr/src/hello-bench-1.0"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$ROOT" "./usr/src/roulette-$version" ||
	die "cannot unpack the roulette sources from $deb"
R dkms add -m hello-bench -v 1.0 || die "dkms add hello-bench failed"
R dkms add -m roulette -v "$version" || die "dkms add roulette failed"
# Warm-up: compiler and headers in the page cache for both.
R dkms build -m roulette -v "$version" -k "$kbench" || die "dkms build roulette failed (see $work/chroot.log)"
R dkms build -m hello-bench -v 1.0 -k "$kbench" || die "dkms build hello-bench failed"
read -r b0 n0 < <(cpu_jiffies)
c0=$(child_jiffies)
start=$SECONDS
for i in $(seq 1 "$runs"); do
	s=$(timed dkms build --force -m roulette -v "$version" -k "$kbench") ||
		die "dkms build roulette failed (see $work/chroot.log)"
	echo "pkg fig5 pkg=roulette run=$i secs=$s"
	s=$(timed dkms build --force -m hello-bench -v 1.0 -k "$kbench") ||
		die "dkms build hello-bench failed (see $work/chroot.log)"
	echo "pkg fig5 pkg=hello run=$i secs=$s"
done
host_load pkg-fig5 "$((SECONDS - start))" "$b0" "$n0" "$c0"
R dkms remove -m roulette -v "$version" --all
R dkms remove -m hello-bench -v 1.0 --all
rm -rf "$ROOT/usr/src/roulette-$version" "$ROOT/usr/src/hello-bench-1.0"

# --- figure 6: apt install -----------------------------------------------------
log "bench-pkg: figure 6, apt install ($runs runs each, A B A B)"
# Warm-up install + purge: whatever either package pulls in stays installed.
for p in roulette-dkms v4l2loopback-dkms; do
	apt_local install "$p" || die "apt install $p failed (see $work/chroot.log)"
	R apt-get purge -y -q "$p" || die "apt purge $p failed"
done
read -r b0 n0 < <(cpu_jiffies)
c0=$(child_jiffies)
start=$SECONDS
for i in $(seq 1 "$runs"); do
	for p in roulette-dkms v4l2loopback-dkms; do
		s=$(timed apt-get -y -q --no-install-recommends \
			-o Dir::Etc::SourceList="$LOCAL_LIST" -o Dir::Etc::SourceParts=- \
			install "$p") || die "apt install $p failed (see $work/chroot.log)"
		m=${p%-dkms}
		# Built and installed for the kernel, or the time means nothing.
		case $(dkms_state "$m") in
		*"$kbench"*": installed"*) ;;
		*) die "apt install $p: dkms did not install $m for $kbench: $(dkms_state "$m")" ;;
		esac
		echo "pkg fig6 pkg=$p run=$i secs=$s"
		R apt-get purge -y -q "$p" || die "apt purge $p failed"
	done
done
host_load pkg-fig6 "$((SECONDS - start))" "$b0" "$n0" "$c0"
