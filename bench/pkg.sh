#!/bin/bash
# shellcheck shell=bash
# The package figures of make bench (bench/run.sh sources this file and
# runs pkg_figures in a subshell; raw lines on stdout, progress on stderr):
#   5. `dkms build` of roulette vs a one-file hello DKMS package
#      (bench/dkms-hello), same kernel, same rootfs
#   6. `apt install roulette-dkms` vs `apt install v4l2loopback-dkms`
#      (Debian's own DKMS package), same rootfs, dependencies pre-installed
# Both run in a chroot of a cached base rootfs with dkms and one kernel's
# headers (scripts/lib-root.sh: root_base_tarball), no QEMU, so each
# package builds for exactly that kernel: the bench-pkg row of
# tests/kernels.conf (6.1-amd64), as v4l2loopback needs CONFIG_VIDEO_DEV,
# which the cloud flavour lacks (its dkms.conf would skip the build there
# and win for nothing).
# shellcheck source=../scripts/lib-pkg.sh
. "$ROULETTE_TOP/scripts/lib-pkg.sh"

PKG_LIST=/etc/apt/sources.list.d/roulette-bench.list

# timed CMD...: run in the rootfs (lib-root.sh's R, output in $ROOT_LOG);
# prints the wall seconds. Fails with CMD.
timed() {
	local t0
	t0=$(date +%s.%N)
	R "$@" || return 1
	awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f\n", b - a }'
}

# apt_local CMD...: apt-get that knows only the local repository (no network).
apt_local() {
	R apt-get -y -q --no-install-recommends -o Dir::Etc::SourceList="$PKG_LIST" \
		-o Dir::Etc::SourceParts=- -o APT::Get::List-Cleanup=0 "$@"
}

# pkg_rootfs: the base rootfs in $ROOT, with both packages of
# figure 6 in a local flat repository (the same apt path for both). Sets deb.
pkg_rootfs() {
	local debcache=$ROULETTE_CACHE/bench/archives tarball
	log "bench: roulette-dkms $version .deb (scripts/build-deb.sh)"
	ROULETTE_OUT=$pwork/out ROULETTE_NO_LINT=1 "$ROULETTE_TOP/scripts/build-deb.sh" >"$pwork/build-deb.log" 2>&1 ||
		die "make deb failed (see $pwork/build-deb.log)"
	deb=$pwork/out/deb/roulette-dkms_${version}_all.deb
	# A base of its own kind (root_base_tarball keeps the system test's).
	tarball=$(root_base_tarball "$HOST_SUITE" "bench-$kbench" \
		"dkms,adduser,systemd-standalone-sysusers,linux-headers-$kbench") ||
		die "cannot build the base rootfs"
	mkdir -p "$debcache"
	root_unpack "$ROOT" "$tarball" || die "cannot unpack $tarball"
	# Downloaded .debs (headers, v4l2loopback-dkms) are kept between runs.
	cp "$debcache"/*.deb "$ROOT/var/cache/apt/archives/" 2>/dev/null || true
	R apt-get install -y -q --download-only v4l2loopback-dkms ||
		die "cannot download v4l2loopback-dkms (see $pwork/chroot.log)"
	cp "$ROOT"/var/cache/apt/archives/*.deb "$debcache/"
	mkdir -p "$ROOT/srv/bench"
	cp "$deb" "$ROOT"/var/cache/apt/archives/v4l2loopback-dkms_*.deb "$ROOT/srv/bench/"
	# signed as make repo signs (lib-pkg.sh), so apt's path is a user's
	{ repo_key && apt_repo "$ROOT/srv/bench" &&
		gpg --batch --quiet --export "$REPO_KEYID" >"$ROOT/srv/bench.gpg"; } || die "cannot sign the repository"
	repo_key_release
	echo "deb [signed-by=/srv/bench.gpg] file:/srv/bench ./" >"$ROOT$PKG_LIST"
	apt_local update || die "apt-get update of the local repository failed"
}

# fig5: dkms build of both, A B A B, after a warm-up build of each.
fig5() {
	local i s
	log "bench: figure 5, dkms build ($runs runs each, A B A B)"
	echo "pkg fig5 kernel=$kbench"
	rm -rf "$ROOT/usr/src/hello-bench-1.0"
	cp -r "$ROULETTE_TOP/bench/dkms-hello" "$ROOT/usr/src/hello-bench-1.0"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$ROOT" "./usr/src/roulette-$version" ||
		die "cannot unpack the roulette sources from $deb"
	{ R dkms add -m hello-bench -v 1.0 && R dkms add -m roulette -v "$version" &&
		R dkms build -m roulette -v "$version" -k "$kbench" &&
		R dkms build -m hello-bench -v 1.0 -k "$kbench"; } || die "dkms add/build failed (see $pwork/chroot.log)"
	load_start
	for i in $(seq 1 "$runs"); do
		s=$(timed dkms build --force -m roulette -v "$version" -k "$kbench") || die "dkms build roulette failed"
		echo "pkg fig5 pkg=roulette run=$i secs=$s"
		s=$(timed dkms build --force -m hello-bench -v 1.0 -k "$kbench") || die "dkms build hello-bench failed"
		echo "pkg fig5 pkg=hello run=$i secs=$s"
	done
	load_line pkg-fig5
	R dkms remove -m roulette -v "$version" --all
	R dkms remove -m hello-bench -v 1.0 --all
	rm -rf "$ROOT/usr/src/roulette-$version" "$ROOT/usr/src/hello-bench-1.0"
}

# fig6: apt install of both, A B A B, after a warm-up install + purge of
# each (whatever either pulls in stays installed); each install must have
# built and installed the module for the kernel, or its time means nothing.
fig6() {
	local i p s st
	log "bench: figure 6, apt install ($runs runs each, A B A B)"
	echo "pkg fig6 kernel=$kbench"
	for p in roulette-dkms v4l2loopback-dkms; do
		{ apt_local install "$p" && R apt-get purge -y -q "$p"; } || die "apt install/purge $p failed"
	done
	load_start
	for i in $(seq 1 "$runs"); do
		for p in roulette-dkms v4l2loopback-dkms; do
			s=$(timed apt-get -y -q --no-install-recommends -o Dir::Etc::SourceList="$PKG_LIST" \
				-o Dir::Etc::SourceParts=- install "$p") || die "apt install $p failed (see $pwork/chroot.log)"
			st=$(root_run "$ROOT" dkms status -m "${p%-dkms}" 2>/dev/null)
			[[ $st == *"$kbench"*": installed"* ]] || die "apt install $p: dkms did not install ${p%-dkms} for $kbench: $st"
			echo "pkg fig6 pkg=$p run=$i secs=$s"
			R apt-get purge -y -q "$p" || die "apt purge $p failed"
		done
	done
	load_line pkg-fig6
}

# pkg_figures FIGS RUNS DIR: figures 5 and/or 6, RUNS runs each, working
# in DIR; run it in a subshell (it exits on error). build-deb.sh installs
# its own tools.
pkg_figures() {
	local kbench version row
	runs=$2 pwork=$3 ROOT=$3/root ROOT_LOG=$3/chroot.log
	host_install roots repo >&2 || die "cannot install host tools"
	version=$(pkg_version) || die "version mismatch (scripts/check-version.sh)"
	row=$(stage_kernel bench-pkg) || die "no kernel for bench-pkg in tests/kernels.conf"
	kernel_resolve "$row" || die "cannot resolve the kernel"
	kbench=${KREL_OF[$row]}
	mkdir -p "$pwork" && : >"$ROOT_LOG"
	pkg_rootfs
	# shellcheck disable=SC2016 # a dpkg-query format
	echo "pkg versions roulette-dkms=$version v4l2loopback-dkms=$(dpkg-deb -f "$ROOT"/srv/bench/v4l2loopback-dkms_*.deb Version) dkms=$(root_run "$ROOT" dpkg-query -W -f='${Version}' dkms)"
	[[ $1 != *5* ]] || fig5
	[[ $1 != *6* ]] || fig6
}
