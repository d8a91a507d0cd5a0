#!/bin/bash
# shellcheck shell=bash
# Builds for the kernels of other Debian suites, the way DKMS on those
# systems builds: in a cached chroot of the suite, with its compiler and its
# linux-headers package. Source it after lib.sh.
#
# Suites: trixie, trixie-backports, sid, bullseye. trixie-backports shares
# the trixie chroot, whose sources list backports too (at priority 100 it
# changes no trixie candidate: a trixie user who enabled backports).
#
# Status: 0 done; 2 the suite or its kernel is not available (chroot cannot
# be built, meta-package or package not in the archive; one line on stderr
# gives the reason: report the row as SKIPPED); 1 anything else.

# apt lists older than this (minutes) are refreshed before a kernel is
# resolved, so a newly uploaded kernel ABI is seen.
SUITE_LISTS_MAX_AGE=${SUITE_LISTS_MAX_AGE:-720}
SUITE_MIRROR=${SUITE_MIRROR:-http://deb.debian.org/debian}
# What a module build needs beyond the headers packages (which bring their
# gcc-N, linux-kbuild and the common headers): the gcc/make front ends,
# libc6-dev, sparse for C=2, kmod (depmod, modinfo), bc.
SUITE_PACKAGES=gcc,make,libc6-dev,sparse,kmod,bc,xz-utils,ca-certificates

# suite_skip SUITE REASON...: the one-line reason on stderr; returns 2.
suite_skip() {
	local suite=$1
	shift
	echo "suite $suite: $*" >&2
	return 2
}

# suite_base SUITE: the chroot a suite lives in (trixie-backports -> trixie).
suite_base() {
	case $1 in
	trixie | trixie-backports) echo trixie ;;
	sid | bullseye) echo "$1" ;;
	*) return 1 ;;
	esac
}

# suite_sources BASE: the one-line-style sources for a chroot. trixie gets
# its updates and security suites (where point-release kernels land first)
# and backports; bullseye main only, as bullseye-security's pool has lost
# files the index still names (404).
suite_sources() {
	local m=$SUITE_MIRROR
	case $1 in
	trixie)
		echo "deb $m trixie main"
		echo "deb $m trixie-updates main"
		echo "deb ${m%/debian}/debian-security trixie-security main"
		echo "deb $m trixie-backports main"
		;;
	sid) echo "deb $m sid main" ;;
	bullseye) echo "deb $m bullseye main" ;;
	esac
}

# suite_run ROOT CMD...: CMD in the chroot with a clean environment, in a
# private mount namespace with proc, /dev and the host's resolv.conf: the
# mounts vanish with the namespace, so no exit path (even SIGKILL) leaves
# one behind below the cache.
suite_run() {
	local root=$1
	shift
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare --mount --propagation private -- /bin/sh -c '
		root=$1; shift
		mount -t proc proc "$root/proc" &&
			mount --rbind /dev "$root/dev" &&
			{ [ -e "$root/etc/resolv.conf" ] || : >"$root/etc/resolv.conf"; } &&
			mount --bind /etc/resolv.conf "$root/etc/resolv.conf" || exit 1
		exec chroot "$root" /usr/bin/env -i HOME=/root LC_ALL=C.UTF-8 \
			PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"
	' suite-run "$root" "$@"
}

# suite_lock SUITE: serialise chroot creation and apt runs of one suite
# across processes; the lock is dropped when the caller's subshell exits.
suite_lock() {
	local lock
	mkdir -p "$ROULETTE_CACHE/suites" || return 1
	lock=$ROULETTE_CACHE/suites/.$1.lock
	exec 9>"$lock" && flock -w 1800 9
}

# suite_root SUITE: the path of the suite's cached chroot, built on first
# use (mmdebstrap minbase, no Recommends, apt lists kept) in a temporary
# directory moved into place, so an interrupted build leaves no half
# chroot. Refreshes the apt lists when older than SUITE_LISTS_MAX_AGE.
# Release files past their Valid-Until are accepted (still signature
# checked): sid's and the security suite's are valid for a week only, and a
# mirror that lags behind (as the one here: sid expired 18 days before it
# was last read) would otherwise turn a build test into "no such suite".
suite_root() {
	local suite=$1 base dir root tmp
	base=$(suite_base "$suite") || { echo "suite_root: unknown suite '$suite'" >&2; return 1; }
	dir=$ROULETTE_CACHE/suites
	root=$dir/$base
	(
		suite_lock "$base" || exit 1
		if [ ! -e "$root/var/lib/roulette-suite" ]; then
			apt_install mmdebstrap || exit 1
			# Leftovers of interrupted builds (this suite's lock is held).
			rm -rf "$dir/.$base.tmp."*
			tmp=$(mktemp -d "$dir/.$base.tmp.XXXXXX") || exit 1
			log "mmdebstrap: $base chroot for module builds"
			# shellcheck disable=SC2016 # $1 is the hook's argument
			if ! suite_sources "$base" | mmdebstrap --variant=minbase --quiet \
				--aptopt='Apt::Install-Recommends "false"' \
				--aptopt='Acquire::Check-Valid-Until "false"' \
				--include="$SUITE_PACKAGES" --skip=cleanup/apt/lists \
				--customize-hook='touch "$1/var/lib/roulette-suite"' \
				"$base" "$tmp/root" - >&2; then
				rm -rf "$tmp"
				suite_skip "$suite" "cannot build the $base chroot (mmdebstrap failed)"
				exit
			fi
			rm -rf "$root" && mv "$tmp/root" "$root" && rmdir "$tmp" || exit 1
		elif [ -n "$(find "$root/var/lib/roulette-suite" -mmin +"$SUITE_LISTS_MAX_AGE")" ]; then
			# Older kernels' headers stay installed; only the lists move on.
			log "apt-get update in the $base chroot"
			suite_run "$root" apt-get update -qq >&2 ||
				{ suite_skip "$suite" "apt-get update failed in the $base chroot"; exit; }
			touch "$root/var/lib/roulette-suite"
		fi
	) || return
	echo "$root"
}

# suite_target SUITE: the apt target release to resolve against ("" for
# the suite's own candidate).
suite_target() {
	case $1 in
	trixie-backports) echo trixie-backports ;;
	esac
}

# suite_kernel_release SUITE META: the kernel release META (e.g.
# linux-image-cloud-amd64) depends on in SUITE, e.g. 6.12.117+deb13-cloud-amd64.
# trixie-backports resolves against backports' (newest) version, the others
# against the suite's candidate. -unsigned images name the same release.
suite_kernel_release() {
	local suite=$1 meta=$2 root target krel
	root=$(suite_root "$suite") || return
	target=$(suite_target "$suite")
	krel=$(suite_run "$root" apt-cache ${target:+-t "$target"} depends "$meta" 2>/dev/null |
		sed -n 's/^ *|\{0,1\}Depends: linux-image-\([0-9][^ ]*\)$/\1/p' |
		sed 's/-unsigned$//' | head -n 1)
	[ -n "$krel" ] || { suite_skip "$suite" "cannot resolve $meta${target:+ in $target}"; return; }
	echo "$krel"
}

# suite_apt_get SUITE ROOT PKG DIR ARGS...: apt-get ARGS in the chroot's
# directory DIR for package PKG; for trixie-backports again with -t when
# plain apt cannot (PKG itself is found either way; -t would also pull
# backports versions of shared dependencies into the chroot trixie builds
# use). Status 2 when PKG is not in the archive or cannot be downloaded
# (superseded ABIs disappear).
suite_apt_get() {
	local suite=$1 root=$2 pkg=$3 dir=$4 target out
	shift 4
	target=$(suite_target "$suite")
	suite_run "$root" apt-cache show "$pkg" >/dev/null 2>&1 ||
		{ suite_skip "$suite" "$pkg is not in the archive"; return; }
	log "apt-get $1 $pkg ($suite)"
	# shellcheck disable=SC2016 # expanded by the inner shell
	set -- sh -c 'cd "$1" && shift && exec apt-get -qq "$@"' apt-get "$dir" "$@"
	out=$(suite_run "$root" "$@" 2>&1) && return 0
	if [ -n "$target" ]; then
		out=$(suite_run "$root" "$@" -t "$target" 2>&1) && return 0
	fi
	echo "$out" >&2
	if grep -q -e '404 *Not Found' -e 'Unable to fetch' -e 'Failed to fetch' <<<"$out"; then
		suite_skip "$suite" "cannot download $pkg"
		return
	fi
	return 1
}

# suite_headers SUITE KREL: install linux-headers-KREL in the chroot; prints
# the KDIR as seen inside the chroot.
suite_headers() {
	local suite=$1 krel=$2 root
	root=$(suite_root "$suite") || return
	if [ ! -e "$root/usr/src/linux-headers-$krel/Makefile" ]; then
		(
			suite_lock "$(suite_base "$suite")" || exit 1
			[ -e "$root/usr/src/linux-headers-$krel/Makefile" ] && exit 0
			suite_apt_get "$suite" "$root" "linux-headers-$krel" / \
				install -y --no-install-recommends "linux-headers-$krel"
		) || return
	fi
	suite_checker_valid "$root" "$krel" || return 1
	echo "/usr/src/linux-headers-$krel"
}

# suite_srctree ROOT KREL: the kernel's source tree as seen in the chroot:
# the -common package's directory the flavour's Makefile includes.
suite_srctree() {
	local srctree
	srctree=$(sed -n 's#^include \(/usr/src/[^ ]*\)/Makefile$#\1#p' \
		"$1/usr/src/linux-headers-$2/Makefile")
	echo "${srctree:-/usr/src/linux-headers-$2}"
}

# suite_checker_valid ROOT KREL: Debian's 7.x headers packages call
# $(srctree)/scripts/checker-valid.sh for C=1/C=2 but do not ship it, so
# make prints "No such file" and never runs sparse. Put the equivalent in
# the chroot's copy of the headers: the kernel can then decide as upstream
# does (run sparse when it parses __typeof_unqual__, else say it is too old).
suite_checker_valid() {
	local root=$1 srctree script
	srctree=$(suite_srctree "$root" "$2")
	script=$root$srctree/scripts/checker-valid.sh
	grep -qs 'scripts/checker-valid.sh' "$root$srctree/Makefile" && [ ! -e "$script" ] || return 0
	cat >"$script.tmp" <<-'EOF' && chmod 755 "$script.tmp" && mv "$script.tmp" "$script"
		#!/bin/sh
		# Added by roulette-dkms's lib-suite.sh: prints 1 when the checker
		# ("$@") exists and parses __typeof_unqual__, as upstream's does.
		command -v "$1" >/dev/null 2>&1 || { echo 0; exit 0; }
		tmp=$(mktemp) || exit 1
		trap 'rm -f "$tmp"' EXIT
		printf 'static inline int u(const int *q)\n{\n\t__typeof_unqual__(*q) v = *q;\n\treturn v;\n}\n' >"$tmp"
		if "$@" "$tmp" 2>&1 | grep -q error; then echo 0; else echo 1; fi
	EOF
}

# suite_build SUITE KREL OUTDIR [make args...]: build src/ for KREL in the
# chroot with its compiler, like build_modules does on the host; the .ko
# files land in OUTDIR. Compiler output goes to stdout/stderr (grep it for
# "warning:"); the status is make's. With C=1/C=2, sparse is the chroot's
# own unless the kernel rejects it (suite_check_arg).
suite_build() {
	local suite=$1 krel=$2 out=$3 root kdir build check rc=0
	shift 3
	root=$(suite_root "$suite") || return
	kdir=$(suite_headers "$suite" "$krel") || return
	rm -rf "$out" && mkdir -p "$out" || return 1
	build=$(mktemp -d "$root/tmp/roulette-build.XXXXXX") || return 1
	cp "${ROULETTE_SRC:-$ROULETTE_TOP/src}"/{*.c,*.h,Kbuild} "$build/" || {
		rm -rf "$build"
		return 1
	}
	check=$(suite_check_arg "$suite" "$root" "$krel" "$@") || {
		rm -rf "$build"
		return 1
	}
	suite_run "$root" make -s -C "$kdir" M="/tmp/${build##*/}" KERNELRELEASE="$krel" \
		${check:+"$check"} "$@" modules || rc=$?
	if [ "$rc" -eq 0 ]; then
		cp "$build"/*.ko "$out/" || rc=1
	fi
	rm -rf "$build"
	return "$rc"
}

# suite_image SUITE KREL: download the kernel image package with the
# chroot's apt (nothing installed) and print the path of its vmlinuz,
# cached like kernel_image's in $ROULETTE_CACHE/kernels/KREL/vmlinuz. Up to
# 6.x it is boot/vmlinuz-KREL in linux-image-KREL; Debian's 7.x packages
# moved it to usr/lib/modules/KREL/vmlinuz in linux-binary-KREL (which
# linux-image-KREL depends on).
suite_image() {
	local suite=$1 krel=$2 root dir=$ROULETTE_CACHE/kernels/$2 dl pkg deb path rc=0
	[ -s "$dir/vmlinuz" ] && { echo "$dir/vmlinuz"; return 0; }
	root=$(suite_root "$suite") || return
	dl=$(mktemp -d "$root/tmp/roulette-image.XXXXXX") || return 1
	for pkg in "linux-image-$krel" "linux-binary-$krel"; do
		# The second package is tried only where it exists (7.x).
		[ "$pkg" = "linux-image-$krel" ] ||
			suite_run "$root" apt-cache show "$pkg" >/dev/null 2>&1 || break
		# As root: the chroot's _apt cannot write to the mktemp directory.
		suite_apt_get "$suite" "$root" "$pkg" "/tmp/${dl##*/}" \
			download "$pkg" -o APT::Sandbox::User=root || { rc=$?; break; }
		deb=$(echo "$dl/${pkg}_"*.deb)
		path=$(dpkg-deb --fsys-tarfile "$deb" | tar -t |
			grep -x -m 1 -e "\./boot/vmlinuz-$krel" -e "\./\(usr/\)\{0,1\}lib/modules/$krel/vmlinuz")
		[ -n "$path" ] && break
	done
	if [ "$rc" -eq 0 ] && [ -z "$path" ]; then
		echo "suite_image: no vmlinuz for $krel in linux-image-$krel or linux-binary-$krel" >&2
		rc=1
	fi
	if [ "$rc" -eq 0 ]; then
		mkdir -p "$dir" &&
			dpkg-deb --fsys-tarfile "$deb" | tar -xO "$path" >"$dir/vmlinuz.tmp" &&
			[ -s "$dir/vmlinuz.tmp" ] && mv "$dir/vmlinuz.tmp" "$dir/vmlinuz" || rc=1
	fi
	rm -rf "$dl" "$dir/vmlinuz.tmp"
	[ "$rc" -eq 0 ] || return "$rc"
	echo "$dir/vmlinuz"
}

# A newer sparse for a chroot whose own is too old for a kernel's headers
# (trixie's 0.6.4 cannot parse 7.x's __typeof_unqual__, and sid's binary
# package needs sid's gcc): built, as a trixie developer would, from the
# source package of SUITE_SPARSE_FROM with the chroot's own gcc (sparse
# looks for that gcc's headers), installed as SUITE_SPARSE beside the
# chroot's sparse, which other kernels' builds keep using.
SUITE_SPARSE=/usr/local/bin/sparse
SUITE_SPARSE_FROM=${SUITE_SPARSE_FROM:-sid}

# suite_sparse SUITE ROOT: SUITE_SPARSE in the chroot ROOT, built once
# (stamp: /var/lib/roulette-sparse, the source version). deb-src comes from
# a throwaway sources list and lists directory: the chroot's apt state is
# left as it was, only dpkg-dev (for apt-get source) is added. Silent when
# it works (make check reads a build's output as findings): the log is
# $ROULETTE_CACHE/suites/.BASE.sparse.log, its tail on stderr on failure.
suite_sparse() {
	local suite=$1 root=$2 base stamp logf
	base=$(suite_base "$suite") || return 1
	stamp=$root/var/lib/roulette-sparse
	[ -x "$root$SUITE_SPARSE" ] && [ -s "$stamp" ] && return 0
	logf=$ROULETTE_CACHE/suites/.$base.sparse.log
	(
		suite_lock "$base" || exit 1
		[ -x "$root$SUITE_SPARSE" ] && [ -s "$stamp" ] && exit 0
		tmp=$(mktemp -d "$root/tmp/roulette-sparse.XXXXXX") || exit 1
		trap 'rm -rf "$tmp"' EXIT
		dir=/tmp/${tmp##*/}
		echo "deb-src $SUITE_MIRROR $SUITE_SPARSE_FROM main" >"$tmp/sources.list" &&
			mkdir -p "$tmp/sources.list.d" "$tmp/lists/partial" "$tmp/cache" || exit 1
		# Valid-Until off as for the chroots (a lagging mirror's sid).
		set -- apt-get -q -o Dir::Etc::SourceList="$dir/sources.list" \
			-o Dir::Etc::SourceParts="$dir/sources.list.d" \
			-o Dir::State::Lists="$dir/lists" -o Dir::Cache="$dir/cache" \
			-o Acquire::Check-Valid-Until=false -o APT::Sandbox::User=root
		{
			start=$SECONDS
			echo "== $(date -u +%FT%TZ): sparse from $SUITE_SPARSE_FROM's source for $base"
			# shellcheck disable=SC2016 # expanded by the inner shell
			suite_run "$root" apt-get -q install -y --no-install-recommends dpkg-dev &&
				suite_run "$root" "$@" update &&
				suite_run "$root" sh -c 'cd "$1" && shift && exec "$@"' sh "$dir" "$@" source sparse ||
				exit 1
			dsc=$(echo "$tmp"/sparse_*.dsc) && src=$(echo "$tmp"/sparse-*/) &&
				[ -f "$dsc" ] && [ -d "$src" ] || exit 1
			version=${dsc##*/sparse_} version=${version%.dsc}
			# CC=gcc: Debian's patch pins sid's gcc-N. The version string
			# as Debian's build sets it, naming where this one comes from.
			src=$dir/${src#"$tmp"/}
			suite_run "$root" make -C "$src" \
				-j"$(nproc)" CC=gcc HAVE_LLVM=no \
				SPARSE_VERSION="$version ($SUITE_SPARSE_FROM source, built in $base)" sparse &&
				suite_run "$root" install -D -m 755 "${src}sparse" "$SUITE_SPARSE" &&
				suite_run "$root" "$SUITE_SPARSE" --version || exit 1
			echo "$version" >"$stamp.tmp" && mv "$stamp.tmp" "$stamp" || exit 1
			echo "== sparse $version built in $((SECONDS - start)) s"
		} >"$logf" 2>&1
	) && return 0
	tail -n 20 "$logf" >&2 2>/dev/null
	echo "suite $suite: cannot build sparse from $SUITE_SPARSE_FROM's source (log: $logf)" >&2
	return 1
}

# suite_check_arg SUITE ROOT KREL [make args...]: the CHECK= argument a
# build with these make args needs, or nothing. Only a C= build whose
# kernel validates its checker (7.x: scripts/checker-valid.sh) and rejects
# the chroot's sparse needs one: SUITE_SPARSE, built on that first use.
# Kernels that take the chroot's sparse (trixie's 6.12) keep it.
suite_check_arg() {
	local suite=$1 root=$2 krel=$3 a checked='' srctree
	shift 3
	for a; do
		case $a in
		C=0 | C=) checked='' ;;
		C=*) checked=1 ;;
		CHECK=*) return 0 ;;
		esac
	done
	[ -n "$checked" ] || return 0
	srctree=$(suite_srctree "$root" "$krel")
	grep -qs 'scripts/checker-valid.sh' "$root$srctree/Makefile" || return 0
	[ "$(suite_run "$root" "$srctree/scripts/checker-valid.sh" sparse 2>/dev/null)" = 1 ] &&
		return 0
	suite_sparse "$suite" "$root" || return
	if [ "$(suite_run "$root" "$srctree/scripts/checker-valid.sh" "$SUITE_SPARSE" 2>&1)" != 1 ]; then
		echo "suite $suite: $SUITE_SPARSE is not valid for $krel either" >&2
		return 1
	fi
	echo "CHECK=$SUITE_SPARSE"
}
