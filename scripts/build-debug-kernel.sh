#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-debug-kernel.sh [FLAVOUR]: build a 6.12 kernel with the bug
# detectors on (KASAN, UBSAN, lockdep, DEBUG_ATOMIC_SLEEP, ODEBUG,
# DEBUG_KOBJECT_RELEASE, kmemleak, DEBUG_LIST, KUnit) for QEMU guests, from
# Debian's linux-source-6.12. FLAVOUR is the table's flavour column: debug
# (scripts/debug-kernel.config, the default) or kcsan (that fragment, then
# scripts/debug-kernel-kcsan.config: KCSAN instead of KASAN, which it
# excludes).
#
# Two kernels come out of ONE source tree and ONE object tree:
#   bzImage-modules  our drivers off: the out-of-tree modules are built
#                    against this tree (KDIR) and loaded into it;
#   bzImage-builtin  the same tree rebuilt with ROULETTE_HELLO, ROULETTE_MYMOD
#                    and ROULETTE =y (scripts/intree.sh): an incremental
#                    build that compiles drivers/misc/roulette and relinks.
# Both have the same release string and the same exported symbols (our
# drivers export none), so modules built against the tree in either state
# load into bzImage-modules; src/Kbuild forces =m under M=.
#
# Cached in $ROULETTE_CACHE/debug-kernel/KEY, KEY = linux-source version +
# hash of the fragments and scripts/intree.sh. The built-in image is refreshed whenever src/
# changes (its own stamp). Prints the cache directory on stdout; it holds
# tree/ (KDIR), bzImage-modules, bzImage-builtin, kernelrelease and
# build-times. Logs go to stderr. Runs nice -n 19, make -j2.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

jobs=${ROULETTE_KERNEL_JOBS:-2}
flavour=${1:-debug}
fragments=("$ROULETTE_TOP/scripts/debug-kernel.config")
case $flavour in
debug) ;;
kcsan) fragments+=("$ROULETTE_TOP/scripts/debug-kernel-kcsan.config") ;;
*) die "usage: build-debug-kernel.sh [debug|kcsan]" ;;
esac

host_install debug-kernel || die "cannot install the kernel build dependencies"

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
tarball=/usr/src/linux-source-6.12.tar.xz
[ -f "$tarball" ] || die "$tarball missing"
# What the modules variant depends on: the fragment and the glue script.
# src/ (Kconfig included) only feeds the built-in variant: its own stamp.
cfghash=$(cat "${fragments[@]}" "$ROULETTE_TOP/scripts/intree.sh" | sha256sum | cut -c1-12)
key=$srcver-$cfghash
dir=$ROULETTE_CACHE/debug-kernel/$key
tree=$dir/tree
mkdir -p "$dir"

# One builder at a time per key.
exec 9>"$dir/.lock"
flock 9

kmake() {
	nice -n 19 make -C "$tree" -j"$jobs" -s "$@"
}

# elapsed START: seconds since START (from date +%s).
elapsed() {
	echo $(($(date +%s) - $1))
}

if [ ! -s "$dir/bzImage-modules" ]; then
	t0=$(date +%s)
	if [ ! -f "$tree/.config" ]; then
		log "unpacking linux-source $srcver into $tree"
		rm -rf "$tree" "$tree.tmp"
		mkdir -p "$tree.tmp"
		tar -xJf "$tarball" -C "$tree.tmp" --strip-components=1
		mv "$tree.tmp" "$tree"
		"$ROULETTE_TOP/scripts/intree.sh" "$tree" >&2
		log "configuring: x86_64_defconfig + kvm_guest.config + ${fragments[*]#"$ROULETTE_TOP"/}"
		kmake x86_64_defconfig
		(cd "$tree" && scripts/kconfig/merge_config.sh -m .config \
			kernel/configs/kvm_guest.config "${fragments[@]}" >/dev/null)
		kmake olddefconfig
		# merge_config warns but does not fail on a dropped symbol: do.
		# A later fragment's line for a symbol replaces an earlier one's.
		bad=0
		while read -r line; do
			case $line in
			CONFIG_*=*)
				grep -qxF "$line" "$tree/.config" ||
					{ log "config: $line did not stick"; bad=1; } ;;
			"# CONFIG_"*" is not set")
				sym=${line#"# "}
				sym=${sym%% *}
				! grep -q "^$sym=" "$tree/.config" ||
					{ log "config: $sym is still set"; bad=1; } ;;
			esac
		done < <(sed -n -e 's/^\(CONFIG_[A-Z0-9_]*\)=.*/\1 &/p' \
			-e 's/^# \(CONFIG_[A-Z0-9_]*\) is not set$/\1 &/p' "${fragments[@]}" |
			awk '{ sym = $1; sub(/^[^ ]+ /, ""); last[sym] = $0; if (!(sym in seen)) { seen[sym] = 1; order[++n] = sym } }
				END { for (i = 1; i <= n; i++) print last[order[i]] }')
		[ $bad -eq 0 ] || die "the debug config is incomplete"
	fi
	log "building the debug kernel (modules variant), nice -n 19 make -j$jobs"
	kmake bzImage modules
	kmake modules_prepare
	cp "$tree/arch/x86/boot/bzImage" "$dir/bzImage-modules.tmp"
	mv "$dir/bzImage-modules.tmp" "$dir/bzImage-modules"
	kmake -s kernelrelease >"$dir/kernelrelease"
	echo "modules $(elapsed "$t0")" >>"$dir/build-times"
	log "modules variant built in $(elapsed "$t0") s"
fi

# The built-in variant: drivers =y, same tree, incremental (test-debug's
# builtin phase boots the debug flavour's only).
[ "$flavour" = debug ] || { echo "$dir"; exit 0; }
srchash=$(cat "$ROULETTE_TOP"/src/*.c "$ROULETTE_TOP"/src/*.h "$ROULETTE_TOP"/src/Kbuild \
	"$ROULETTE_TOP"/src/Kconfig |
	sha256sum | cut -c1-16)
if [ ! -s "$dir/bzImage-builtin" ] || [ "$(cat "$dir/builtin.stamp" 2>/dev/null)" != "$srchash" ]; then
	t0=$(date +%s)
	"$ROULETTE_TOP/scripts/intree.sh" "$tree" >&2
	(cd "$tree" && scripts/config --enable ROULETTE_HELLO --enable ROULETTE_MYMOD \
		--enable ROULETTE)
	kmake olddefconfig
	for s in ROULETTE_HELLO ROULETTE_MYMOD ROULETTE; do
		grep -qx "CONFIG_$s=y" "$tree/.config" || die "CONFIG_$s=y did not stick"
	done
	log "building the debug kernel (built-in variant, incremental)"
	kmake bzImage
	cp "$tree/arch/x86/boot/bzImage" "$dir/bzImage-builtin.tmp"
	mv "$dir/bzImage-builtin.tmp" "$dir/bzImage-builtin"
	echo "$srchash" >"$dir/builtin.stamp"
	echo "builtin $(elapsed "$t0")" >>"$dir/build-times"
	log "built-in variant built in $(elapsed "$t0") s"
fi

echo "$dir"
