#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# intree.sh KERNEL_TREE: drop src/ into a kernel source tree as
# drivers/misc/roulette/ so the drivers can be built in (=y) or as in-tree
# modules (=m) through Kconfig symbols ROULETTE_HELLO, ROULETTE_MYMOD and
# ROULETTE. Idempotent: run it again to refresh the copy.
#
# The sources are copied, not linked: kbuild resolves a symlinked directory
# to its target for out-of-tree object paths, and a copy also keeps a
# kernel tree usable after the work tree moves or changes branch.
# Only files whose content changed are rewritten, so an incremental kernel
# build recompiles nothing when src/ did not change.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tree=${1:?usage: intree.sh KERNEL_TREE}
if [ ! -f "$tree/drivers/misc/Kconfig" ] || [ ! -f "$tree/drivers/misc/Makefile" ]; then
	echo "intree.sh: $tree is not a kernel source tree" >&2
	exit 1
fi

dst=$tree/drivers/misc/roulette
mkdir -p "$dst"
# Kbuild is read as the directory's Makefile by kbuild (Kbuild wins).
for f in "$top"/src/*.c "$top"/src/*.h "$top"/src/Kbuild "$top"/src/Kconfig; do
	cmp -s "$f" "$dst/${f##*/}" || cp "$f" "$dst/${f##*/}"
done
# Files removed from src/ must not linger in the tree.
for f in "$dst"/*.c "$dst"/*.h; do
	[ -e "$f" ] || continue
	[ -e "$top/src/${f##*/}" ] || rm -f "$f"
done

kconfig_line='source "drivers/misc/roulette/Kconfig"'
grep -qxF "$kconfig_line" "$tree/drivers/misc/Kconfig" ||
	sed -i "/^endmenu/i $kconfig_line" "$tree/drivers/misc/Kconfig"
grep -qxF "$kconfig_line" "$tree/drivers/misc/Kconfig" ||
	{ echo "intree.sh: could not patch drivers/misc/Kconfig" >&2; exit 1; }

# obj-y: always descend; src/Kbuild picks objects by CONFIG_ROULETTE*.
make_line='obj-y				+= roulette/'
grep -qxF "$make_line" "$tree/drivers/misc/Makefile" ||
	echo "$make_line" >>"$tree/drivers/misc/Makefile"
echo "intree.sh: drivers in $dst"
