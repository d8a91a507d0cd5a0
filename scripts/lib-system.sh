#!/bin/bash
# shellcheck shell=bash
# Helpers for the package system test (scripts/systest.sh): the cached base
# rootfs and autopkgtest testbed of a Debian suite, chroot mounts that are
# always undone, and runs inside the rootfs. Source it after lib.sh.

# sys_mmdebstrap SUITE OUT MMDEBSTRAP-ARGS...: a minbase system, without
# Recommends unless SYS_RECOMMENDS=1, from the host's own sources for the
# host's suite, from scripts/lib-suite.sh's (on stdin) for another, whose
# Release files may be past Valid-Until (as lib-suite.sh's chroots).
sys_mmdebstrap() {
	local suite=$1 out=$2 src=/etc/apt/sources.list.d/debian.sources
	local -a opts=(--variant=minbase --quiet)
	shift 2
	# minbase leaves out apt's own Recommends even with them on: its
	# ca-certificates (which brings openssl) is on every default Debian.
	if [ "${SYS_RECOMMENDS:-0}" = 1 ]; then
		opts+=(--include=ca-certificates)
	else
		opts+=(--aptopt='Apt::Install-Recommends "false"')
	fi
	log "mmdebstrap $suite $out"
	if [ "$suite" = "$HOST_SUITE" ]; then
		mmdebstrap "${opts[@]}" "$@" "$suite" "$out" "$src" >&2
	else
		suite_lib && suite_sources "$suite" | mmdebstrap "${opts[@]}" \
			--aptopt='Acquire::Check-Valid-Until "false"' "$@" "$suite" "$out" - >&2
	fi
}

# sys_base_tarball SUITE KEY PACKAGES [APT-ARGS...]: the cached base rootfs
# (tar.zst) of SUITE with PACKAGES (comma-separated) installed; each APT-ARGS
# (one word list, e.g. "-t trixie-backports linux-image-cloud-amd64 ...")
# is installed later by the test, downloaded only into
# /var/cache/roulette-debs so that needs no network. Apt lists kept. KEY
# names the kernel releases: a new ABI makes a new base; so does another
# package list (a checksum of PACKAGES and APT-ARGS ends the name).
sys_base_tarball() {
	local suite=$1 key=$2 pkgs=$3 dir=$ROULETTE_CACHE/systest a hooks=()
	shift 3
	for a in "$@"; do
		hooks+=(--customize-hook="chroot \"\$1\" apt-get install -qq --download-only $a")
	done
	local tarball tmp
	tarball=$dir/base-$suite-$key-$(printf '%s\n' "$pkgs" "$@" | md5sum | cut -c 1-8).tar.zst
	if [ ! -s "$tarball" ]; then
		mkdir -p "$dir" && tmp=$(mktemp -d "$dir/base.XXXXXX") || return 1
		# shellcheck disable=SC2016 # $1 is the hook's argument
		if ! sys_mmdebstrap "$suite" "$tmp/root" --skip=cleanup/apt/lists --include="$pkgs" \
			"${hooks[@]}" --customize-hook='mkdir -p "$1/var/cache/roulette-debs" &&
				find "$1/var/cache/apt/archives" -name "*.deb" -exec mv -t "$1/var/cache/roulette-debs" {} +' ||
			! tar -C "$tmp/root" --numeric-owner -I 'zstd -q -T0 -3' -cf "$tmp/base.tar.zst" . ||
			! mv "$tmp/base.tar.zst" "$tarball"; then
			rm -rf "$tmp"
			return 1
		fi
		rm -rf "$tmp"
		# Bases of this suite and kind (the key's first word: minimal,
		# default, bench) unused for two days name superseded ABIs; a
		# base of other rows (ROULETTE_KERNELS) that is in use stays.
		find "$dir" -maxdepth 1 -name "base-$suite-${key%%-*}-*.tar.zst" -mtime +1 -delete
	fi
	touch "$tarball"	# in use: see the pruning above
	echo "$tarball"
}

# sys_autopkgtest_tarball SUITE KREL: the cached testbed for autopkgtest's
# unshare backend: minbase with dkms, the headers of one kernel (so the
# dkms test builds for that kernel only) and linux-doc (a dependency of the
# generated test), already installed.
sys_autopkgtest_tarball() {
	local suite=$1 krel=$2 dir=$ROULETTE_CACHE/systest tarball tmp
	tarball=$dir/autopkgtest-$suite-$krel.tar
	if [ ! -s "$tarball" ]; then
		mkdir -p "$dir" && tmp=$(mktemp "$dir/autopkgtest.XXXXXX.tar") || return 1
		if ! sys_mmdebstrap "$suite" "$tmp" --include="dkms,linux-headers-$krel,linux-doc" ||
			! mv "$tmp" "$tarball"; then
			rm -f "$tmp"
			return 1
		fi
		find "$dir" -maxdepth 1 -name "autopkgtest-$suite-*.tar" ! -name "${tarball##*/}" -delete
	fi
	echo "$tarball"
}

# sys_umount_all ROOT: undo every mount below ROOT, innermost first.
sys_umount_all() {
	local root m
	root=$(readlink -f "$1")
	awk -v r="$root/" 'index($5, r) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
		while read -r m; do
			umount "$m" 2>/dev/null || umount -l "$m"
		done
}

# sys_mount ROOT: proc, sys, dev, dev/pts for a chroot.
sys_mount() {
	local root=$1
	mountpoint -q "$root/proc" && return 0
	mount -t proc proc "$root/proc" &&
		mount -t sysfs sysfs "$root/sys" &&
		mount --bind /dev "$root/dev" &&
		mount --bind /dev/pts "$root/dev/pts"
}

# in_root ROOT CMD...: run CMD in the chroot with a clean environment.
in_root() {
	local root=$1
	shift
	chroot "$root" /usr/bin/env -i HOME=/root LC_ALL=C.UTF-8 \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"
}
