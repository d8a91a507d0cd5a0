#!/bin/sh
# The maintainer publishes N+1 (the repository's deb/ replaced by version
# N+1's, signed with the same key: out/systest/next/repo) and the user
# upgrades as on any day: apt update, apt upgrade (the only package with
# a newer version: the guest has no route to Debian's mirror). DKMS replaces N by N+1
# for the running kernel while apt runs; N's sources are gone.
# shellcheck source=../lib.sh
. /tests/lib.sh
# shellcheck source=lib-lived.sh
. /tests/lived/lib-lived.sh

NEXT=$(cmdline_arg lived.upgrade)	# the package's version N+1
mkdir -p /srv/http/roulette-dkms && cp "$SRV"/repo/roulette-dkms.* /srv/http/roulette-dkms/ &&
	cp -r "$SRV/next/repo" /srv/http/roulette-dkms/deb
serve
expect_eq "apt update sees N+1 on the repository: exit 0" 0 "$(at_shell upgrade-update apt-get update)"
expect_eq "apt's candidate roulette-dkms is version N+1" "$NEXT" \
	"$(apt-cache policy roulette-dkms 2>&1 | sed -n 's/^ *Candidate: //p')"
expect_eq "apt upgrade: N -> N+1, exit 0" 0 \
	"$(at_shell upgrade apt-get upgrade -y)"
note "$(said upgrade | grep -E "^[0-9]+ upgraded|^Unpacking")"
kill "$(cat /run/roulette-httpd.pid)" 2>/dev/null
# shellcheck disable=SC2016 # a dpkg-query format
expect_eq "the package's version is now N+1" "$NEXT" "$(dpkg-query -W -f='${Version}' roulette-dkms 2>&1)"
expect_eq "dkms holds only N+1" "$NEXT" \
	"$(dkms_versions)"
check "roulette N+1 installed for the running kernel (dkms status)" dkms_has "$NEXT" "$K"
expect_eq "modprobe's mymod is N+1's (modinfo -F version)" "$NEXT" "$(modinfo -F version mymod 2>&1)"
expect_eq "modprobe's roulette is N+1's (modinfo -F version)" "$NEXT" "$(modinfo -F version roulette 2>&1)"
expect_eq "N's sources gone: /usr/src/roulette-N, /var/lib/dkms/roulette/N" "" \
	"$(ls -d "/usr/src/roulette-$V" "/var/lib/dkms/roulette/$V" 2>/dev/null)"
m=$(mark upgraded)
expect_eq "N+1 loads: modprobe hello" 0 "$(at_shell upgraded-hello modprobe hello)"
expect_log "N+1 loads: hello's load logged" "$m" "hello: Hello, world"
rmmod hello
finish
