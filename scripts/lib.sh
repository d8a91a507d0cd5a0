#!/bin/bash
# shellcheck shell=bash
# Shared helpers for the project's scripts: kernel selection, kernel
# download, module builds and QEMU boots. Source it; it defines functions
# and a few variables and runs nothing.

ROULETTE_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Downloads and caches live outside the work tree (override for CI or tests).
ROULETTE_CACHE=${ROULETTE_CACHE:-/var/cache/roulette-dkms}
ROULETTE_OUT=${ROULETTE_OUT:-$ROULETTE_TOP/out}
export ROULETTE_TOP ROULETTE_CACHE ROULETTE_OUT

die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

log() {
	echo "==> $*" >&2
}

# apt_install PKG...: install what is missing, with no Recommends.
apt_install() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing ${missing[*]}"
	if [ ! -e "$ROULETTE_CACHE/.apt-updated" ] ||
		[ -n "$(find "$ROULETTE_CACHE/.apt-updated" -mmin +720)" ]; then
		apt-get -o DPkg::Lock::Timeout=600 update -qq || return 1
		mkdir -p "$ROULETTE_CACHE" && touch "$ROULETTE_CACHE/.apt-updated"
	fi
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install \
		-y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Target names used by all scripts: SERIES-FLAVOUR.
#   6.1-cloud 6.1-amd64 6.1-rt 6.12-cloud 6.12-amd64 6.12-rt
# kernel_release TARGET: the newest Debian ABI for it, e.g. 6.1.0-56-cloud-amd64.
# Resolved through Debian's meta-packages, so no ABI number is hard-coded.
kernel_release() {
	local series=${1%%-*} flavour=${1#*-} meta
	case $flavour in
	cloud | rt) flavour=$flavour-amd64 ;;
	amd64) ;;
	*) die "unknown kernel target '$1'" ;;
	esac
	case $series in
	6.1) meta=linux-image-$flavour ;;
	6.12) meta=linux-image-6.12-$flavour ;;
	*) die "unknown kernel series in '$1'" ;;
	esac
	apt-cache depends "$meta" 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\([0-9][^ ]*\)$/\1/p' |
		sed 's/-unsigned$//' | head -n 1 | grep . ||
		die "cannot resolve $meta (apt-get update?)"
}

# kernel_headers KREL: install its headers; prints KDIR.
kernel_headers() {
	apt_install "linux-headers-$1" || die "cannot install linux-headers-$1"
	echo "/usr/src/linux-headers-$1"
}

# kernel_image KREL: download the image package into the cache (not
# installed on the host) and print the path of its vmlinuz.
kernel_image() {
	local krel=$1 dir=$ROULETTE_CACHE/kernels/$1 tmp
	if [ ! -s "$dir/vmlinuz" ]; then
		log "downloading linux-image-$krel"
		tmp=$(mktemp -d) || return 1
		chown _apt "$tmp" 2>/dev/null || true	# apt downloads as _apt
		(cd "$tmp" && apt-get download -qq "linux-image-$krel" >/dev/null) ||
			die "cannot download linux-image-$krel"
		mkdir -p "$dir/root"
		dpkg-deb -x "$tmp"/linux-image-*.deb "$dir/root"
		rm -rf "$tmp"
		cp "$dir/root/boot/vmlinuz-$krel" "$dir/vmlinuz.tmp" && mv "$dir/vmlinuz.tmp" "$dir/vmlinuz"
	fi
	echo "$dir/vmlinuz"
}

# build_modules KREL KDIR OUTDIR [make args...]: build src/ out of tree in
# OUTDIR (a copy, so several kernels can be built side by side).
build_modules() {
	local krel=$1 kdir=$2 out=$3
	shift 3
	rm -rf "$out" && mkdir -p "$out" || return 1
	cp "$ROULETTE_TOP"/src/*.c "$ROULETTE_TOP"/src/*.h "$ROULETTE_TOP"/src/Kbuild "$out"/
	make -s -C "$kdir" M="$out" KERNELRELEASE="$krel" "$@" modules
}

# make_initramfs DIR OUT: pack DIR as a gzip'd newc cpio.
make_initramfs() {
	(cd "$1" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$2"
}

# busybox_root DIR: a minimal root with a static busybox and its applets.
busybox_root() {
	local root=$1 a
	apt_install busybox-static cpio || return 1
	mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,etc,root,lib/modules}
	cp /bin/busybox "$root/bin/busybox"
	install -m 644 "$ROULETTE_TOP/tests/guest-boot.sh" "$root/etc/guest-boot.sh"
	for a in $("$root/bin/busybox" --list); do
		[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$root/etc/passwd"
	printf 'root:x:0:\nroulette:x:900:\nnogroup:x:65534:\n' >"$root/etc/group"
}

# qemu_boot VMLINUZ INITRD LOG TIMEOUT APPEND [qemu args...]: boot under TCG
# with the serial console in LOG. QEMU exits 0 whatever the guest did: the
# caller decides from LOG. Returns timeout's status (124 on a hang).
qemu_boot() {
	local kernel=$1 initrd=$2 logf=$3 secs=$4 append=$5
	shift 5
	timeout --foreground -k 5 "$secs" qemu-system-x86_64 \
		-accel tcg -cpu max -m "${ROULETTE_GUEST_MEM:-512}" \
		-smp "${ROULETTE_GUEST_CPUS:-1}" -nographic -no-reboot \
		-monitor none -serial "file:$logf" -display none -nic none \
		-kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 quiet $append" \
		"$@" </dev/null >/dev/null 2>&1
}

# --- guest test images -------------------------------------------------------

# guest_host_setup: what the host needs to build and boot guest tests.
guest_host_setup() {
	apt_install qemu-system-x86 busybox-static cpio gzip gcc libc6-dev make kmod
}

# guest_tools DIR: the static test helpers from tests/tools, built once.
guest_tools() {
	local dir=$1 t
	mkdir -p "$dir"
	for t in modload devio runas; do
		if [ ! -x "$dir/$t" ] || [ "$ROULETTE_TOP/tests/tools/$t.c" -nt "$dir/$t" ]; then
			gcc -static -O2 -Wall -Wextra -Werror -o "$dir/$t" "$ROULETTE_TOP/tests/tools/$t.c" ||
				return 1
		fi
	done
}

# guest_initramfs OUT KREL MODDIR OTHERMODDIR TOOLSDIR: busybox, the guest
# tests, the helpers, and the modules for this kernel (installed under
# /lib/modules/KREL/extra with a modules.dep, so modinfo and modprobe work)
# and for the other series.
guest_initramfs() {
	local out=$1 krel=$2 mods=$3 other=$4 tools=$5 root
	root=$(mktemp -d) || return 1
	chmod 755 "$root"	# the guest's /: unprivileged test users must traverse it
	busybox_root "$root" || return 1
	cp "$ROULETTE_TOP"/tests/guest/*.sh "$root/tests/" 2>/dev/null ||
		{ mkdir -p "$root/tests" && cp "$ROULETTE_TOP"/tests/guest/*.sh "$root/tests/"; }
	mv "$root/tests/init.sh" "$root/init"
	chmod 755 "$root/init"
	cp "$tools"/modload "$tools"/devio "$tools"/runas "$root/bin/"
	mkdir -p "$root/lib/modules/$krel/extra" "$root/modules/other"
	cp "$mods"/*.ko "$root/lib/modules/$krel/extra/"
	touch "$root/lib/modules/$krel/"{modules.order,modules.builtin,modules.builtin.modinfo}
	depmod -b "$root" "$krel" || return 1
	ln -s "/lib/modules/$krel/extra" "$root/modules/this"
	cp "$other"/*.ko "$root/modules/other/"
	make_initramfs "$root" "$out"
	rm -rf "$root"
}

# guest_results LOG NAME: the PASS/FAIL lines of one boot, prefixed with NAME.
guest_results() {
	tr -d '\r' <"$1" | { grep -a -E '^(PASS|FAIL): ' || true; } |
		sed -E "s#^(PASS|FAIL): #\1: [$2] #"
}
