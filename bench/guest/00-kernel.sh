#!/bin/sh
# make bench: the guest's kernel, CPUs and clock source, for the report.
# shellcheck source=../../tests/lib.sh
. /tests/lib.sh

emit "DATA: start kernel=$(uname -r) cpus=$(grep -c '^processor' /proc/cpuinfo)" \
	"clocksource=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)" \
	"hz_preempt=$(uname -v | tr ' ' '_')"
finish
