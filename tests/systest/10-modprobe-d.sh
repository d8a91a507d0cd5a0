#!/bin/sh
# mymod's options from /etc/modprobe.d/roulette.conf (a conffile): the
# packaged default, an edited default, and the command line over it.
# shellcheck source=../lib.sh
. /tests/lib.sh
CONF=/etc/modprobe.d/roulette.conf

sec() {
	cat /sys/module/mymod/parameters/sec 2>/dev/null || echo none
}

expect_eq "modprobe -c sees the packaged options" "options mymod sec=5" \
	"$(modprobe -c 2>&1 | grep '^options mymod ')"
modprobe mymod
expect_eq "modprobe mymod takes sec=5 from modprobe.d" 5 "$(sec)"
rmmod mymod
cp "$CONF" /run/roulette.conf.orig
sed -i 's/^options mymod sec=5$/options mymod sec=7/' "$CONF"
modprobe mymod
expect_eq "an edited modprobe.d default is used (sec=7)" 7 "$(sec)"
cp /run/roulette.conf.orig "$CONF"
rmmod mymod
modprobe mymod sec=10
expect_eq "modprobe mymod sec=10 overrides modprobe.d" 10 "$(sec)"
rmmod mymod
finish
