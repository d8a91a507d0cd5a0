#!/bin/sh
# A user's install, lived at a root shell of the running system (make
# systest: scripts/systest/lived.sh boots it; the host's story goes on
# from this disk afterwards). The repository is served over HTTP on
# 127.0.0.1 (busybox httpd, the test's own, from /srv/roulette) and added
# with README's commands, run verbatim (/srv/roulette/readme/repo.sh, taken
# from README's fenced block by the host). Then the user who forgot the
# headers: apt install roulette-dkms succeeds, builds nothing, and says
# which packages to install (30-headers.sh installs them as README says).
# Debian's own mirror is unreachable (no network): apt update warns and
# keeps the lists the base came with; the packages apt needs are in
# /var/cache/apt/archives already.
# shellcheck source=../lib.sh
. /tests/lib.sh

# shellcheck source=lib-lived.sh
. /tests/lived/lib-lived.sh

modules_dir() { find "/lib/modules/$K/updates/dkms" -name "*.ko*" 2>/dev/null | tr "\n" " "; }

mkdir -p /srv/http && cp -r "$SRV/repo" /srv/http/roulette-dkms
serve	# it stays up for the other files (30-headers.sh stops it)
expect_eq "the repository is served over HTTP on 127.0.0.1" 0 \
	"$(at_shell probe "$SRV/busybox" wget -q -O /dev/null http://127.0.0.1/roulette-dkms/roulette-dkms.sources)"

# README: "Add the repository", verbatim
expect_eq "README's commands that add the repository exit 0" 0 "$(at_shell readme-repo sh -e "$SRV/readme/repo.sh")"
expect_eq "apt reads the repository: no warning of ours (roulette, 127.0.0.1)" "" \
	"$(said readme-repo | grep -E '^(W|E|Warning|Error):' | grep -E 'roulette|127\.0\.0\.1')"
expect_eq "apt's candidate roulette-dkms is version N" "$V" \
	"$(apt-cache policy roulette-dkms 2>&1 | sed -n 's/^ *Candidate: //p')"
expect_eq "apt knows roulette-dkms from the repository over HTTP only" "http://127.0.0.1/roulette-dkms/deb" \
	"$(apt-cache policy roulette-dkms 2>&1 | awk '$1 ~ /^[0-9]+$/ && $2 ~ /^[a-z]+:/ { print $2 }' | sort -u | tr '\n' ' ' | sed 's/ $//')"
check "the key is at a standard place: /etc/apt/keyrings/roulette-dkms.gpg" test -s /etc/apt/keyrings/roulette-dkms.gpg
check "the source is deb822: /etc/apt/sources.list.d/roulette-dkms.sources, URIs http://127.0.0.1/" \
	grep -q '^URIs: http://127\.0\.0\.1/' /etc/apt/sources.list.d/roulette-dkms.sources

# The user who forgot the headers
check "no headers for the running kernel before the install" test ! -e "/lib/modules/$K/build"
expect_eq "no headers: apt install roulette-dkms exits 0" 0 \
	"$(at_shell no-headers apt-get install -y roulette-dkms)"
expect_eq "no headers: the user is told once to install linux-headers-KREL" 1 \
	"$(said no-headers | grep -c "install.*linux-headers-$K")"
note "$(said no-headers | grep -i -e headers -e 'roulette-dkms:')"
expect_eq "no headers: ... and the meta-package, for the kernels to come" "linux-headers-$FLAVOUR" \
	"$(said no-headers | grep '^roulette-dkms: .*apt install ' | grep -o ' linux-headers-[a-z][^ ]*$' | tr -d ' ')"
expect_eq "no headers: dpkg --audit finds nothing half-installed" "" "$(dpkg --audit 2>&1)"
expect_eq "no headers: nothing built, nothing in updates/dkms" "" "$(modules_dir)"
finish
