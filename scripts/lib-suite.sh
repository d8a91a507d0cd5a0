#!/bin/bash
# shellcheck shell=bash
# Builds for other Debian suites' kernels as DKMS there does: in the suite's
# cached chroot (scripts/lib-root.sh: suite_root), with its compiler and
# linux-headers. lib.sh sources it. Status: 0 done; 2
# suite or kernel unavailable (one reason line on stderr: the row is
# SKIPPED); 1 else.

# For kernels that reject the chroot's sparse (trixie's 0.6.4 and 7.x's
# __typeof_unqual__): built from the source of the sparse suite
# (tests/suites.conf: role; sid's binary needs sid's gcc).
SUITE_SPARSE=/usr/local/bin/sparse

# SUITE_ARCH (set by the caller, e.g. SUITE_ARCH=arm64 suite_image ...):
# the Debian architecture of the kernel, when not the chroot's own. apt in
# the chroot then sees that architecture's packages through options
# (SUITE_APT, set by suite_foreign): images, headers and busybox are
# downloaded, never installed, and dpkg's architectures stay the chroot's.
SUITE_APT=()

# suite_foreign SUITE ROOT: SUITE_APT for SUITE_ARCH (empty for the
# chroot's own), with that architecture's lists of its own, in
# ROOT/var/lib/roulette-arch/ARCH, refreshed as the chroot's are.
suite_foreign() {
	local suite=$1 root=$2 a=${SUITE_ARCH:-} d stamp
	SUITE_APT=()
	[ -n "$a" ] && [ "$a" != "$(root_run "$root" dpkg --print-architecture)" ] || return 0
	d=/var/lib/roulette-arch/$a stamp=$2/var/lib/roulette-arch/$a/updated
	SUITE_APT=(-o APT::Architecture="$a" -o APT::Architectures="$a"
		-o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache")
	[ -e "$stamp" ] && [ -z "$(find "$stamp" -mmin +"$SUITE_LISTS_MAX_AGE")" ] && return 0
	(
		suite_lock "$suite" || exit 1
		log "apt-get update for $a in the ${suite%-backports} chroot"
		mkdir -p "$root$d/lists/partial" "$root$d/cache/archives/partial" &&
			root_run "$root" apt-get -qq "${SUITE_APT[@]}" update >&2 && touch "$stamp"
	) || suite_skip "$suite" "apt-get update for $a failed in the ${suite%-backports} chroot"
}

# suite_kernel_release SUITE META: the release META depends on (e.g.
# 6.12.117+deb13-cloud-amd64): trixie-backports' newest, else the candidate.
suite_kernel_release() {
	local suite=$1 meta=$2 root krel target=
	[[ $suite != *-backports ]] || target=$suite
	root=$(suite_root "$suite") && suite_foreign "$suite" "$root" || return
	krel=$(root_run "$root" apt-cache "${SUITE_APT[@]}" ${target:+-t "$target"} depends "$meta" 2>/dev/null |
		sed -n 's/-unsigned$//; s/^ *|\{0,1\}Depends: linux-image-\([0-9][^ ]*\)$/\1/p' | head -n 1)
	[ -n "$krel" ] || suite_skip "$suite" "cannot resolve $meta${target:+ in $target}" || return
	echo "$krel"
}

# suite_apt_get SUITE ROOT PKG DIR ARGS...: apt-get ARGS in the chroot's DIR
# (with SUITE_APT: suite_foreign first);
# for backports with -t only when plain apt fails (it would pull backports'
# shared dependencies into trixie's builds). Status 2 when PKG is gone.
suite_apt_get() {
	local suite=$1 root=$2 pkg=$3 dir=$4 out
	shift 4
	root_run "$root" apt-cache "${SUITE_APT[@]}" show "$pkg" >/dev/null 2>&1 ||
		suite_skip "$suite" "$pkg is not in the archive" || return
	log "apt-get $1 $pkg ($suite${SUITE_APT[*]:+, $SUITE_ARCH})"
	out=$(root_run "$root" env -C "$dir" apt-get -qq "${SUITE_APT[@]}" "$@" 2>&1) && return 0
	if [[ $suite == *-backports ]]; then
		out=$(root_run "$root" env -C "$dir" apt-get -qq "${SUITE_APT[@]}" "$@" -t "$suite" 2>&1) && return 0
	fi
	echo "$out" >&2
	grep -q -e '404 *Not Found' -e 'Unable to fetch' -e 'Failed to fetch' <<<"$out" || return 1
	suite_skip "$suite" "cannot download $pkg"
}

# suite_build SUITE KREL OUTDIR [make args...]: src/'s .ko files for KREL in
# OUTDIR, built in the chroot (headers installed on first use) as
# build_modules does on the host; compiler output on stdout/stderr.
suite_build() {
	local suite=$1 krel=$2 out=$3 kdir=/usr/src/linux-headers-$2
	local root srctree valid build check='' sparse rc=0
	shift 3
	root=$(suite_root "$suite") && suite_foreign "$suite" "$root" || return
	(
		suite_lock "$suite" || exit 1
		[ -e "$root$kdir/Makefile" ] && exit 0
		if [ ${#SUITE_APT[@]} -gt 0 ]; then
			suite_cross_headers "$suite" "$root" "$krel"
		else
			suite_apt_get "$suite" "$root" "linux-headers-$krel" / \
				install -y --no-install-recommends "linux-headers-$krel"
		fi
	) || return
	srctree=$(sed -n 's#^include \(/usr/src/[^ ]*\)/Makefile$#\1#p' "$root$kdir/Makefile")
	valid=${srctree:-$kdir}/scripts/checker-valid.sh
	# Debian's 7.x headers (the -common tree the flavour's Makefile includes)
	# call checker-valid.sh for C= but lack it: ours decides as upstream's.
	if grep -qs 'scripts/checker-valid.sh' "$root${srctree:-$kdir}/Makefile"; then
		if [ ! -e "$root$valid" ]; then
			suite_script "$root$valid" <<-'EOF' || return 1
				#!/bin/sh
				# roulette-dkms: 1 when "$@" exists and parses __typeof_unqual__.
				command -v "$1" >/dev/null 2>&1 || { echo 0; exit 0; }
				tmp=$(mktemp) || exit 1
				trap 'rm -f "$tmp"' EXIT
				echo 'static int u(const int *q) { __typeof_unqual__(*q) v = *q; return v; }' >"$tmp"
				if "$@" "$tmp" 2>&1 | grep -q error; then echo 0; else echo 1; fi
			EOF
		fi
		# A C= build whose kernel rejects the chroot's sparse uses SUITE_SPARSE.
		if [[ " $* " == *" C="[12]" "* && " $* " != *" CHECK="* ]] &&
			[ "$(root_run "$root" "$valid" sparse 2>/dev/null)" != 1 ]; then
			suite_sparse "$suite" "$root" || return 1
			check=CHECK=$SUITE_SPARSE
		fi
	fi
	if [[ " $* " == *" C="[12]" "* ]] &&
		[ "$(arch_field "${SUITE_ARCH:-$(dpkg --print-architecture)}" sparse)" = cut-march ]; then
		suite_sparse_march "$root" || return 1
		sparse=${check#CHECK=}
		check="CHECK=$SPARSE_MARCH ${sparse:-sparse}"
	fi
	rm -rf "$out" && mkdir -p "$out" || return 1
	build=$(mktemp -d "$root/tmp/roulette-build.XXXXXX") || return 1
	cp "${ROULETTE_SRC:-$ROULETTE_TOP/src}"/{*.c,*.h,Kbuild} "$build/" &&
		root_run "$root" make -s -C "$kdir" M="/tmp/${build##*/}" KERNELRELEASE="$krel" \
			${check:+"$check"} "$@" modules &&
		cp "$build"/*.ko "$out/" || rc=$?
	rm -rf "$build"
	return "$rc"
}

# suite_sparse_march ROOT: SPARSE_MARCH in the chroot, which runs the sparse
# it is given with -march cut to its base ISA (riscv64's rv64imac), for an
# architecture whose sparse column in tests/arches.conf is cut-march:
# sparse knows few ISA extensions and rejects the others the kernel names
# (trixie's 0.6.4: _zicsr_zifencei, an error; sid's: _zacas_zabha, a
# warning). It only sets __riscv_* macros from -march, and the kernel's
# code decides on CONFIG_ options, so the check sees the same code.
SPARSE_MARCH=/usr/local/bin/roulette-sparse-march
suite_sparse_march() {
	[ -x "$1$SPARSE_MARCH" ] && return 0
	suite_script "$1$SPARSE_MARCH" <<-'EOF'
		#!/bin/sh
		# roulette-dkms (scripts/lib-suite.sh): SPARSE ARGS... with -march=rvNN*_ext cut to rvNN*.
		sparse=$1
		shift
		for a; do
			shift
			case $a in -march=rv*_*) a=${a%%_*} ;; esac
			set -- "$@" "$a"
		done
		exec "$sparse" "$@"
	EOF
}

# suite_script PATH: stdin as the executable PATH in a chroot, written under
# a temporary name and renamed whole: builds side by side never run half.
suite_script() {
	local tmp
	mkdir -p "${1%/*}" && tmp=$(mktemp "$1.XXXXXX") || return 1
	if ! { cat >"$tmp" && chmod 755 "$tmp" && mv "$tmp" "$1"; }; then
		rm -f "$tmp"
		return 1
	fi
}

# suite_cross_headers SUITE ROOT KREL: SUITE_ARCH's linux-headers-KREL
# unpacked into the chroot, not installed (trixie's 6.12 arm64 headers
# depend on gcc-14, not Multi-Arch: foreign: apt would install gcc-14:arm64
# and remove the chroot's gcc), and what they need installed natively: their
# linux-kbuild and -common packages (Multi-Arch: foreign, all) and the cross
# compiler their .kernelvariables name (CROSS_COMPILE, gcc-N), which set
# ARCH and CROSS_COMPILE for the build themselves. Under suite_lock.
suite_cross_headers() {
	local suite=$1 root=$2 krel=$3 kv=$2/usr/src/linux-headers-$3/.kernelvariables
	(
		dl=$(mktemp -d "$root/tmp/roulette-headers.XXXXXX") || exit 1
		trap 'rm -rf "$dl"' EXIT
		suite_apt_get "$suite" "$root" "linux-headers-$krel" "/tmp/${dl##*/}" \
			download "linux-headers-$krel" -o APT::Sandbox::User=root || exit
		deb=$(echo "$dl/linux-headers-${krel}_"*.deb)
		mapfile -t deps < <(dpkg-deb -f "$deb" Depends | tr ',' '\n' |
			sed -n 's/^ *\(linux-\(kbuild\|headers\)-[^ ]*\).*/\1/p')
		# shellcheck disable=SC2030 # native apt for the rest of this subshell
		SUITE_APT=()
		suite_apt_get "$suite" "$root" "${deps[0]}" / install -y --no-install-recommends "${deps[@]}" &&
			dpkg-deb -x "$deb" "$root" || exit
		cross=$(sed -n 's/^override CROSS_COMPILE = \(.*\)-$/\1/p' "$kv")
		gcc=$(sed -n 's/^CC = .*\(gcc-[0-9]*\)$/\1/p' "$kv")
		if [ -z "$cross" ] || [ -z "$gcc" ]; then
			echo "no cross compiler named in $kv" >&2
			exit 1
		fi
		suite_apt_get "$suite" "$root" "$gcc-$cross" / install -y --no-install-recommends "$gcc-$cross"
	)
}

# suite_image SUITE KREL [IMAGE]: KREL's kernel image (IMAGE: vmlinuz, or
# riscv64's vmlinux; tests/arches.conf), downloaded (not installed) into
# $ROULETTE_CACHE/kernels/KREL/vmlinuz as kernel_image's: boot/IMAGE-KREL in
# linux-image-KREL, or from 7.x usr/lib/modules/KREL/IMAGE in linux-binary-KREL.
suite_image() {
	local suite=$1 krel=$2 image=${3:-vmlinuz} dir=$ROULETTE_CACHE/kernels/$2 root pkg
	if [ ! -s "$dir/vmlinuz" ]; then
		root=$(suite_root "$suite") && suite_foreign "$suite" "$root" || return
		pkg=linux-binary-$krel
		# shellcheck disable=SC2031 # suite_foreign set it, in this shell
		root_run "$root" apt-cache "${SUITE_APT[@]}" show "$pkg" >/dev/null 2>&1 || pkg=linux-image-$krel
		suite_file "$suite" "$root" "$pkg" \
			"\./\(boot/$image-$krel\|\(usr/\)\{0,1\}lib/modules/$krel/$image\)" "$dir/vmlinuz" || return
	fi
	echo "$dir/vmlinuz"
}

# suite_file SUITE ROOT PKG REGEX OUT: the first file of PKG (downloaded,
# not installed; SUITE_APT as suite_foreign set it) whose path in the
# package matches REGEX (grep -x), copied to OUT.
suite_file() {
	local suite=$1 root=$2 pkg=$3 re=$4 out=$5
	(
		dl=$(mktemp -d "$root/tmp/roulette-download.XXXXXX") || exit 1
		trap 'rm -rf "$dl" "$out.tmp"' EXIT
		# As root: the chroot's _apt cannot write to the mktemp directory.
		suite_apt_get "$suite" "$root" "$pkg" "/tmp/${dl##*/}" \
			download "$pkg" -o APT::Sandbox::User=root || exit
		deb=$(echo "$dl/${pkg}_"*.deb)
		# 2>/dev/null: grep -m 1 breaks the pipe (an empty path says enough).
		path=$(dpkg-deb --fsys-tarfile "$deb" 2>/dev/null | tar -t | grep -x -m 1 -e "$re")
		if [ -z "$path" ]; then
			echo "suite_file: nothing matches $re in $pkg" >&2
			exit 1
		fi
		mkdir -p "${out%/*}" &&
			dpkg-deb --fsys-tarfile "$deb" | tar -xO "$path" >"$out.tmp" &&
			[ -s "$out.tmp" ] && mv "$out.tmp" "$out"
	)
}

# suite_sparse SUITE ROOT: SUITE_SPARSE built once (stamp: its version), from
# the sparse suite's source (tests/suites.conf: role sparse) through a
# throwaway deb-src list (the chroot's apt state stays). Silent when it
# works (build output is findings): log in $ROULETTE_CACHE/suites/.BASE.sparse.log.
suite_sparse() {
	local suite=$1 root=$2 base=${1%-backports} stamp=$2/var/lib/roulette-sparse from
	local logf=$ROULETTE_CACHE/suites/.${1%-backports}.sparse.log
	[ -x "$root$SUITE_SPARSE" ] && [ -s "$stamp" ] && return 0
	from=$(table_rows suites role sparse)
	(
		suite_lock "$suite" || exit 1
		[ -x "$root$SUITE_SPARSE" ] && [ -s "$stamp" ] && exit 0
		tmp=$(mktemp -d "$root/tmp/roulette-sparse.XXXXXX") || exit 1
		trap 'rm -rf "$tmp"' EXIT
		dir=/tmp/${tmp##*/}
		echo "deb-src $SUITE_MIRROR $from main" >"$tmp/sources.list" &&
			mkdir -p "$tmp/sources.list.d" "$tmp/lists/partial" "$tmp/cache" || exit 1
		set -- apt-get -q -o Dir::Etc::SourceList="$dir/sources.list" \
			-o Dir::Etc::SourceParts="$dir/sources.list.d" \
			-o Dir::State::Lists="$dir/lists" -o Dir::Cache="$dir/cache" \
			-o Acquire::Check-Valid-Until=false -o APT::Sandbox::User=root
		root_run "$root" apt-get -q install -y --no-install-recommends dpkg-dev &&
			root_run "$root" "$@" update &&
			root_run "$root" env -C "$dir" "$@" source sparse || exit 1
		dsc=$(echo "$tmp"/sparse_*.dsc) && src=$(echo "$tmp"/sparse-*/) &&
			[ -f "$dsc" ] && [ -d "$src" ] || exit 1
		version=${dsc##*/sparse_} version=${version%.dsc} src=$dir/${src#"$tmp"/}
		# CC=gcc: Debian's patch pins sid's gcc-N.
		root_run "$root" make -C "$src" -j"$(nproc)" CC=gcc HAVE_LLVM=no \
			SPARSE_VERSION="$version ($from source, built in $base)" sparse &&
			root_run "$root" install -D -m 755 "${src}sparse" "$SUITE_SPARSE" &&
			root_run "$root" "$SUITE_SPARSE" --version &&
			echo "$version" >"$stamp.tmp" && mv "$stamp.tmp" "$stamp" || exit 1
	) >"$logf" 2>&1 && return 0
	tail -n 20 "$logf" >&2 2>/dev/null
	echo "suite $suite: cannot build sparse from $from's source (log: $logf)" >&2
	return 1
}
