#!/bin/bash
# shellcheck shell=bash
# Debian root filesystems, one mechanism for every stage: the one
# mmdebstrap call (root_mmdebstrap), the one way to run a command in a root
# (root_run, in a private mount namespace: no mount outlives it), and the
# cached roots built with them: a suite's build chroot, a directory kept
# up to date (suite_root: check, test and the other stages' module builds),
# and pristine base systems as tarballs unpacked per run (root_base_tarball:
# systest, bench; root_autopkgtest_tarball). lib.sh sources it.

# Lists older than this (minutes) are refreshed, so a new kernel upload is
# seen (trixie-security moved 6.12.117 -> .118 within hours once): a
# refresh costs about 4 s, a stale row tests a kernel users no longer get.
SUITE_LISTS_MAX_AGE=${SUITE_LISTS_MAX_AGE:-60}
SUITE_MIRROR=${SUITE_MIRROR:-http://deb.debian.org/debian}
# A build chroot: beyond the headers packages (they bring gcc-N and linux-kbuild).
SUITE_PACKAGES=gcc,make,libc6-dev,sparse,kmod,bc,xz-utils,ca-certificates

# suite_field SUITE COLUMN...: those columns of SUITE's row of
# tests/suites.conf (sources, base, upgrade, lived).
suite_field() {
	table_field suites "$@"
}

# root_sources SUITE: the apt sources of a root of SUITE: the suite, and
# the archives its row of tests/suites.conf lists (sources: trixie's
# updates, security and backports; not bullseye-security, whose pool lost
# files: 404).
root_sources() {
	local s sources
	sources=$(suite_field "$1" sources) || return 1
	echo "deb $SUITE_MIRROR $1 main"
	for s in ${sources//,/ }; do
		case $s in
		-) ;;
		security) echo "deb ${SUITE_MIRROR%/debian}/debian-security $1-security main" ;;
		*) echo "deb $SUITE_MIRROR $1-$s main" ;;
		esac
	done
}

# root_foreign ARCH: the host runs ARCH's programs, for a root of another
# architecture (mmdebstrap --architectures, chroot): qemu-user-static's
# emulator (qemu-NAME, as tests/arches.conf's qemu-system-NAME), registered
# with binfmt_misc (fix-binary: found inside a chroot too).
root_foreign() {
	local qemu
	[ "$1" != "$(dpkg --print-architecture)" ] || return 0
	qemu=$(arch_field "$1" qemu) && host_install foreign >&2 || return 1
	[ -e /proc/sys/fs/binfmt_misc/status ] ||
		mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc || return 1
	[ -e "/proc/sys/fs/binfmt_misc/qemu-${qemu#qemu-system-}" ] ||
		update-binfmts --enable "qemu-${qemu#qemu-system-}" >&2
}

# root_mmdebstrap SUITE OUT MMDEBSTRAP-ARGS...: a minbase system (OUT: a
# directory or a tarball) of the host's architecture or ROOT_ARCH's (run
# under qemu-user: the caller has run root_foreign, as root_base_tarball
# does for its cached base too), without Recommends unless ROOT_RECOMMENDS=1,
# from the host's own sources for the host's suite, from root_sources for
# another, whose Release files may be past Valid-Until (still signed: a
# lagging mirror's sid is not "no such suite"). Output on stderr.
root_mmdebstrap() {
	local suite=$1 out=$2 src=-
	local -a opts=(--variant=minbase --quiet)
	shift 2
	host_install roots >&2 || return 1
	[ -z "${ROOT_ARCH:-}" ] || opts+=(--architectures="$ROOT_ARCH")
	# minbase leaves out apt's own Recommends even with them on: its
	# ca-certificates (which brings openssl) is on every default Debian.
	if [ "${ROOT_RECOMMENDS:-0}" = 1 ]; then
		opts+=(--include=ca-certificates)
	else
		opts+=(--aptopt='Apt::Install-Recommends "false"')
	fi
	if [ "$suite" = "$HOST_SUITE" ]; then
		src=/etc/apt/sources.list.d/debian.sources	# stdin unread
	else
		opts+=(--aptopt='Acquire::Check-Valid-Until "false"')
	fi
	log "mmdebstrap $suite $out"
	root_sources "$suite" | mmdebstrap "${opts[@]}" "$@" "$suite" "$out" "$src" >&2
}

# root_mounted ROOT CMD...: the host's CMD in a private mount namespace in
# which ROOT has proc, sys, dev (recursive bind) and the host's resolv.conf
# (unless ROOT's is a symlink): the mounts vanish with it, so no exit path
# (even SIGKILL) leaves one behind below ROOT. rpm --root runs so.
root_mounted() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare --mount --propagation private -- /bin/sh -c '
		root=$1 conf=$1/etc/resolv.conf; shift
		mount -t proc proc "$root/proc" &&
			mount -t sysfs sysfs "$root/sys" &&
			mount --rbind /dev "$root/dev" || exit 1
		if [ ! -L "$conf" ]; then
			{ [ -e "$conf" ] || : >"$conf"; } && mount --bind /etc/resolv.conf "$conf" || exit 1
		fi
		exec "$@"
	' root-mounted "$@"
}

# root_run ROOT CMD...: CMD in the chroot ROOT (root_mounted's mounts),
# with a clean environment.
root_run() {
	local root=$1
	shift
	root_mounted "$root" chroot "$root" /usr/bin/env -i HOME=/root LC_ALL=C.UTF-8 \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"
}

# R CMD...: root_run in $ROOT, the command and its output appended to
# $ROOT_LOG (the caller sets both). Rout CMD...: its output on stdout.
R() {
	echo "# $*" >>"$ROOT_LOG"
	root_run "${ROOT:?}" "$@" >>"$ROOT_LOG" 2>&1
}
Rout() { root_run "${ROOT:?}" "$@" 2>>"$ROOT_LOG"; }

# root_unpack DIR TARBALL: DIR replaced by the root TARBALL holds. Mounts
# left below DIR (a killed run of an older harness mounted there) are
# undone first: rm -rf must not reach through them into the host's /dev.
root_unpack() {
	local dir=$1 m
	if [ -e "$dir" ]; then
		awk -v r="$(readlink -f "$dir")/" 'index($5, r) == 1 { print $5 }' /proc/self/mountinfo |
			sort -r | while read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; done
	fi
	rm -rf "$dir" && mkdir -p "$dir" && tar -C "$dir" --numeric-owner -I zstd -xf "$2"
}

# suite_lock SUITE: serialise apt runs in the suite's chroot until the
# subshell exits.
suite_lock() {
	mkdir -p "$ROULETTE_CACHE/suites" &&
		exec 9>"$ROULETTE_CACHE/suites/.${1%-backports}.lock" &&
		flock -w 1800 9
}

# suite_root SUITE: the suite's build chroot (a directory kept in
# $ROULETTE_CACHE/suites), built in a directory moved into place (no half
# chroot), lists refreshed after SUITE_LISTS_MAX_AGE. trixie-backports
# shares the trixie chroot, which lists backports (priority 100: no trixie
# candidate changes). Status 2 (suite_skip) when the suite is unavailable.
suite_root() {
	local suite=$1 base=${1%-backports} dir=$ROULETTE_CACHE/suites tmp
	local root=$dir/$base stamp=$dir/$base/var/lib/roulette-suite sources
	# a row of tests/suites.conf, or SUITE-backports of a row that lists them
	if ! sources=$(suite_field "$base" sources 2>/dev/null) ||
		{ [ "$suite" != "$base" ] && [[ ,$sources, != *,backports,* ]]; }; then
		echo "suite_root: unknown suite '$suite' (tests/suites.conf)" >&2
		return 1
	fi
	(
		suite_lock "$suite" || exit 1
		if [ ! -e "$stamp" ]; then
			rm -rf "$dir/.$base.tmp."*
			tmp=$(mktemp -d "$dir/.$base.tmp.XXXXXX") || exit 1
			trap 'rm -rf "$tmp"' EXIT
			# shellcheck disable=SC2016 # $1 is the hook's argument
			root_mmdebstrap "$base" "$tmp/root" --include="$SUITE_PACKAGES" \
				--skip=cleanup/apt/lists --customize-hook='touch "$1/var/lib/roulette-suite"' ||
				suite_skip "$suite" "cannot build the $base chroot (mmdebstrap failed)" || exit
			rm -rf "$root" && mv "$tmp/root" "$root" || exit 1
		elif [ -n "$(find "$stamp" -mmin +"$SUITE_LISTS_MAX_AGE")" ]; then
			# Older kernels' headers stay installed; only the lists move on.
			log "apt-get update in the $base chroot"
			root_run "$root" apt-get update -qq >&2 ||
				suite_skip "$suite" "apt-get update failed in the $base chroot" || exit
			touch "$stamp"
		fi
	) || return
	echo "$root"
}

# suite_skip SUITE REASON: the one-line reason on stderr; returns 2.
suite_skip() {
	echo "suite $1: $2" >&2
	return 2
}

# root_base_tarball SUITE KEY PACKAGES [APT-ARGS...]: the cached base
# system (tar.zst) of SUITE with PACKAGES (comma-separated) installed
# (Recommends as ROOT_RECOMMENDS); each APT-ARGS (one word list, e.g.
# "-t trixie-backports linux-image-cloud-amd64 ...") is installed later by
# the test, downloaded only into /var/cache/roulette-debs so that needs no
# network. Apt lists kept. KEY names the kernel releases: a new ABI makes
# a new base. ROOT_ARCH: another architecture's (its name in the file's;
# the host runs its programs, root_foreign: once, for root_mmdebstrap's
# build and for a cached base's users alike).
root_base_tarball() {
	local suite=$1 key=$2 pkgs=$3 dir=$ROULETTE_CACHE/systest a hooks=() name=base-$1 rec=false
	[ "${ROOT_RECOMMENDS:-0}" != 1 ] || rec=true
	if [ -n "${ROOT_ARCH:-}" ] && [ "$ROOT_ARCH" != "$(dpkg --print-architecture)" ]; then
		root_foreign "$ROOT_ARCH" || return 1
		name+=-$ROOT_ARCH
	fi
	shift 3
	# mmdebstrap's own apt options keep Recommends off in its hooks: the
	# test's apt installs them on a default system, so they are fetched too
	# (no download in a warm run).
	for a in "$@"; do
		hooks+=(--customize-hook="chroot \"\$1\" apt-get install -qq --download-only -o APT::Install-Recommends=$rec $a")
	done
	local tarball tmp
	# Another package list makes another base: a checksum ends the name.
	tarball=$dir/$name-$key-$(printf '%s\n' "$pkgs" "$@" "$rec" | md5sum | cut -c 1-8).tar.zst
	mkdir -p "$dir" || return 1
	# Two users of one base at once (systest's lives side by side: a
	# suite's life and the release upgrade from it) build it once.
	(
		flock -w 3600 9 || exit 1
		[ ! -s "$tarball" ] || exit 0
		tmp=$(mktemp -d "$dir/base.XXXXXX") || exit 1
		trap 'rm -rf "$tmp"' EXIT
		# shellcheck disable=SC2016 # $1 is the hook's argument
		root_mmdebstrap "$suite" "$tmp/root" --skip=cleanup/apt/lists --include="$pkgs" \
			"${hooks[@]}" --customize-hook='mkdir -p "$1/var/cache/roulette-debs" &&
				find "$1/var/cache/apt/archives" -name "*.deb" -exec mv -t "$1/var/cache/roulette-debs" {} +' &&
			tar -C "$tmp/root" --numeric-owner -I 'zstd -q -T0 -3' -cf "$tmp/base.tar.zst" . &&
			mv "$tmp/base.tar.zst" "$tarball" || exit 1
		# Bases of this suite and kind (the key's first word: minimal,
		# default, bench) unused for two days name superseded ABIs; a
		# base of other rows (ROULETTE_KERNELS) that is in use stays.
		find "$dir" -maxdepth 1 -name "$name-${key%%-*}-*.tar.zst" -mtime +1 -delete
	) 9>"$tarball.lock" || return 1
	touch "$tarball"	# in use: see the pruning above
	echo "$tarball"
}

# root_autopkgtest_tarball SUITE KREL: the cached testbed for autopkgtest's
# unshare backend: minbase with dkms, the headers of one kernel (so the
# dkms test builds for that kernel only) and linux-doc (a dependency of the
# generated test), already installed.
root_autopkgtest_tarball() {
	local suite=$1 krel=$2 dir=$ROULETTE_CACHE/systest tarball tmp
	tarball=$dir/autopkgtest-$suite-$krel.tar
	if [ ! -s "$tarball" ]; then
		mkdir -p "$dir" && tmp=$(mktemp "$dir/autopkgtest.XXXXXX.tar") || return 1
		if ! root_mmdebstrap "$suite" "$tmp" --include="dkms,linux-headers-$krel,linux-doc" ||
			! mv "$tmp" "$tarball"; then
			rm -f "$tmp"
			return 1
		fi
		find "$dir" -maxdepth 1 -name "autopkgtest-$suite-*.tar" ! -name "${tarball##*/}" -delete
	fi
	echo "$tarball"
}
