#!/bin/sh
# make demo: what a user sees, narrated on the console.
# shellcheck source=../lib.sh
. /tests/lib.sh

say() {
	printf '\n### %s\n' "$*"
}

show_log() {
	log_since "$1" | grep -v '^roulette-test:'
}

say "kernel $(uname -r)"
say "insmod hello.ko; rmmod hello"
m=$(mark hello)
load hello >/dev/null
unload hello >/dev/null
show_log "$m"

say "insmod mymod.ko sec=1, wait 3.5 s, rmmod mymod"
m=$(mark mymod)
load mymod sec=1 >/dev/null
echo "/sys/module/mymod/parameters/sec = $(param mymod sec)"
sleep 3.5
unload mymod >/dev/null
show_log "$m"

say "insmod roulette.ko (chance drawn at random), one spin: cat /dev/kernel-roulette"
m=$(mark roulette)
load roulette boom=signal >/dev/null
ls -l "$DEV"
if cat "$DEV"; then echo "(survived)"; else echo "(boom: the reader got SIGSEGV, status $?)"; fi
unload roulette >/dev/null
show_log "$m"
finish
