#!/bin/bash
# shellcheck shell=bash
# Helpers for the package system test (scripts/systest.sh): the cached base
# rootfs, chroot mounts that are always undone, and runs inside the rootfs.
# Source it after lib.sh.

# sys_base_tarball K61 K612: the cached base rootfs (tar.zst) for this pair
# of kernel ABIs, built when missing. The rootfs: Debian 12 minbase without
# Recommends, systemd-sysv udev kmod dkms initramfs-tools, the 6.1 kernel
# image + headers installed, the 6.12 image + headers downloaded only (to
# /var/cache/roulette-debs: the kernel upgrade needs no network), apt lists
# kept.
sys_base_tarball() {
	local k61=$1 k612=$2 dir=$ROULETTE_CACHE/systest
	local tarball=$dir/base-$k61-$k612.tar.zst tmp
	if [ -s "$tarball" ]; then
		echo "$tarball"
		return 0
	fi
	mkdir -p "$dir" || return 1
	tmp=$(mktemp -d "$dir/base.XXXXXX") || return 1
	log "mmdebstrap: base rootfs with linux-image-$k61 (+ $k612 downloaded)"
	if ! mmdebstrap --variant=minbase --quiet \
		--aptopt='Apt::Install-Recommends "false"' \
		--include="systemd-sysv,udev,kmod,dkms,initramfs-tools,linux-image-$k61,linux-headers-$k61" \
		--skip=cleanup/apt/lists \
		--customize-hook="chroot \"\$1\" apt-get install -qq --download-only --no-install-recommends linux-image-$k612 linux-headers-$k612" \
		--customize-hook="mkdir -p \"\$1/var/cache/roulette-debs\" && mv \"\$1\"/var/cache/apt/archives/*.deb \"\$1/var/cache/roulette-debs/\"" \
		bookworm "$tmp/root" /etc/apt/sources.list.d/debian.sources >&2; then
		rm -rf "$tmp"
		return 1
	fi
	if ! tar -C "$tmp/root" --numeric-owner -I 'zstd -q -T0 -3' -cf "$tmp/base.tar.zst" . ||
		! mv "$tmp/base.tar.zst" "$tarball"; then
		rm -rf "$tmp"
		return 1
	fi
	rm -rf "$tmp"
	# Older bases (superseded ABIs) are of no further use.
	find "$dir" -maxdepth 1 -name 'base-*.tar.zst' ! -name "${tarball##*/}" -delete
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

# sys_autopkgtest_tarball K61: the cached testbed for autopkgtest's unshare
# backend: Debian 12 minbase with dkms, the headers of one 6.1 kernel (so
# the dkms test builds for that kernel only) and linux-doc (a dependency of
# the generated test), already installed.
sys_autopkgtest_tarball() {
	local k61=$1 dir=$ROULETTE_CACHE/systest tarball tmp
	tarball=$dir/autopkgtest-bookworm-$k61.tar
	if [ -s "$tarball" ]; then
		echo "$tarball"
		return 0
	fi
	mkdir -p "$dir" || return 1
	tmp=$(mktemp "$dir/autopkgtest.XXXXXX.tar") || return 1
	log "mmdebstrap: autopkgtest testbed with linux-headers-$k61"
	if ! mmdebstrap --variant=minbase --quiet \
		--aptopt='Apt::Install-Recommends "false"' \
		--include="dkms,linux-headers-$k61,linux-doc" \
		bookworm "$tmp" /etc/apt/sources.list.d/debian.sources >&2 ||
		! mv "$tmp" "$tarball"; then
		rm -f "$tmp"
		return 1
	fi
	find "$dir" -maxdepth 1 -name 'autopkgtest-bookworm-*.tar' ! -name "${tarball##*/}" -delete
	echo "$tarball"
}
