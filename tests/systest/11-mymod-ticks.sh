#!/bin/sh
# mymod's timer ticks in the kernel log, loaded by modprobe.
# shellcheck source=../lib.sh
. /tests/lib.sh

m=$(mark ticks)
modprobe mymod sec=1
sleep 4
rmmod mymod
e=$(mark end)
# 4 s at sec=1: 4 ticks on time, at least 2 on a slow TCG host
expect_range "mymod timer ticks in dmesg (2 to 5 in 4 s at sec=1)" 2 5 \
	"$(log_between "$m" "$e" | grep -c 'mymod: timer')"
expect_log "mymod init logged" "$m" "mymod: init"
expect_log "mymod exit logged" "$m" "mymod: exit"
finish
