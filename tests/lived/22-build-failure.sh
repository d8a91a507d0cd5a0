#!/bin/sh
# A genuine build failure, planted: the test-only release N~fail, whose
# Kbuild stops on any 6.12 kernel, replaces N (the running kernel's headers
# are still missing: nothing is built); then the next kernel (6.12), the
# image first and its headers later, as a minimal system's admin does.
# What the user gets is recorded and checked: DKMS's build error in apt's
# output, and what apt and dpkg are left with. The recovery README's
# troubleshooting gives (upgrade the package to a release that builds, N,
# then dpkg --configure -a) is taken by 30-headers.sh.
# shellcheck source=../lib.sh
. /tests/lib.sh
# shellcheck source=lib-lived.sh
. /tests/lived/lib-lived.sh

P=$(cmdline_arg lived.planted)	# N~fail
K2=$(cmdline_arg lived.next)	# the next kernel's release
image=$(cmdline_arg lived.image | tr , ' ')	# apt's words: [-t SUITE] IMAGE
headers=$(cmdline_arg lived.headers | tr , ' ')	# [-t SUITE] HEADERS
planted_repository
expect_eq "N~fail (its Kbuild stops on 6.12) replaces N: apt exits 0" 0 \
	"$(at_shell fail-install apt-get install -y --allow-downgrades "roulette-dkms=$P")"
expect_eq "N~fail is the version dkms holds" "$P" \
	"$(dkms_versions)"
# shellcheck disable=SC2086 # apt's words
expect_eq "the next kernel's image, no headers yet: apt exits 0" 0 "$(at_shell fail-image apt-get install -y $image)"
note "the next kernel: $K2"
# shellcheck disable=SC2086 # apt's words
st=$(at_shell fail-headers apt-get install -y $headers)
note "dpkg --audit: $(dpkg --audit 2>&1 | tr '\n' ' ')"
# Debian 12's dkms (3.0.10) fails the headers' postinst: apt's error, the
# headers half-configured until the user upgrades or purges roulette-dkms
expect_eq "a build that fails: apt install of its headers exits 100 (dpkg's error)" 100 "$st"
expect_eq "a build that fails: dpkg --audit names the kernel's headers, half-configured" 1 \
	"$(dpkg --audit 2>&1 | awk -v p="linux-headers-$K2" '$1 == p' | wc -l)"
expect_eq "a build that fails: the user sees DKMS's build error for the kernel" 1 \
	"$(said fail-headers | grep -c "Bad return status for module build on kernel: $K2")"
expect_eq "a build that fails: no module of ours for that kernel" "" \
	"$(find "/lib/modules/$K2/updates" -name '*.ko*' 2>/dev/null)"
rm -f /etc/apt/sources.list.d/roulette-planted.sources
finish
