#!/bin/sh
# A kernel newer than the release supports (Debian 13: dkms 3.2 honours
# BUILD_EXCLUSIVE_KERNEL_MAX). The test-only release N~range, proven up to
# 6.12 (its dkms.conf says 6.12.999), replaces N (the running kernel's
# headers are still missing: nothing is built); then the next kernel
# (trixie-backports' 7.3) with its headers. apt succeeds, nothing is left
# half-configured, DKMS builds nothing for it, and the package's kernel
# hook names the kernel and the way out. The way out, upgrading to N
# (which supports 7.3), is taken by 30-headers.sh: README's install command.
# shellcheck source=../lib.sh
. /tests/lib.sh
# shellcheck source=lib-lived.sh
. /tests/lived/lib-lived.sh

P=$(cmdline_arg lived.planted)	# N~range
K2=$(cmdline_arg lived.next)	# the next kernel's release
# shellcheck disable=SC2046 # apt's words: [-t SUITE] IMAGE [-t SUITE] HEADERS
set -- $(cmdline_arg lived.image | tr , ' ') $(cmdline_arg lived.headers | tr , ' ')

planted_repository
expect_eq "N~range (proven up to 6.12) replaces N: apt exits 0" 0 \
	"$(at_shell range-install apt-get install -y --allow-downgrades "roulette-dkms=$P")"
expect_eq "N~range is the version dkms holds" "$P" \
	"$(dkms_versions)"
expect_eq "a kernel newer than the range: apt install of its image and headers exits 0" 0 \
	"$(at_shell range-kernel apt-get install -y "$@")"
note "the next kernel: $K2"
expect_eq "a kernel newer than the range: dpkg --audit finds nothing half-configured" "" "$(dpkg --audit 2>&1)"
expect_eq "a kernel newer than the range: the kernel hook names it and the way out" \
	"roulette-dkms: kernel $K2 is newer than the newest series roulette $P is proven on (6.12): no modules built for it." \
	"$(said range-kernel | grep -m 1 "^roulette-dkms: kernel $K2 ")"
expect_eq "a kernel newer than the range: ... boot an older kernel, or upgrade roulette-dkms" 1 \
	"$(said range-kernel | grep -c '^roulette-dkms: boot an older kernel to use them (theirs are still installed), or upgrade roulette-dkms')"
expect_eq "a kernel newer than the range: no module of ours built for it" "" \
	"$(find "/lib/modules/$K2/updates" -name '*.ko*' 2>/dev/null)"
rm -f /etc/apt/sources.list.d/roulette-planted.sources
finish
