#!/bin/bash
# Fails unless every place that carries the project's version agrees with
# the single source, src/version.h (ROULETTE_VERSION):
#   debian/changelog           the newest entry (upstream part)
#   rpm/roulette-dkms.spec     Version:
#   dkms.conf                  PACKAGE_VERSION, unless it is the
#                              #MODULE_VERSION# placeholder (filled at build)
# Usage: scripts/check-version.sh [TREE]   (default: this checkout)
# Prints the version on success.
set -euo pipefail

top=${1:-$(cd "$(dirname "$0")/.." && pwd)}
fail=0

version=$(sed -n 's/^#define[[:space:]]\{1,\}ROULETTE_VERSION[[:space:]]\{1,\}"\([^"]*\)".*/\1/p' \
	"$top/src/version.h")
if [ -z "$version" ]; then
	echo "check-version: no ROULETTE_VERSION in src/version.h" >&2
	exit 1
fi

mismatch() { # mismatch FILE FOUND
	echo "check-version: $1 says '$2', src/version.h says '$version'" >&2
	fail=1
}

# debian/changelog: "roulette (VERSION[-REVISION]) ..." on the first line.
deb=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$top/debian/changelog")
deb_upstream=${deb%-*}
deb_upstream=${deb_upstream#*:}
[ "$deb_upstream" = "$version" ] || mismatch debian/changelog "$deb"

spec=$(sed -n 's/^Version:[[:space:]]*\([^[:space:]]*\).*/\1/p' "$top/rpm/roulette-dkms.spec")
[ "$spec" = "$version" ] || mismatch rpm/roulette-dkms.spec "$spec"

dkms=$(sed -n 's/^PACKAGE_VERSION=["'\'']\{0,1\}\([^"'\'']*\).*/\1/p' "$top/dkms.conf")
case $dkms in
'#MODULE_VERSION#') ;;
*) [ "$dkms" = "$version" ] || mismatch dkms.conf "$dkms" ;;
esac

[ "$fail" -eq 0 ] || exit 1
echo "$version"
