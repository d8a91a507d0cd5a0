#!/bin/sh
# stress: after the runs, the modules still load and unload cleanly and
# the kernel carries no taint beyond what our first load added. The
# runner's kernel-log file then scans the whole drained log and kmemleak.
# shellcheck source=../lib.sh
. /tests/lib.sh

expect_eq "hello loads" ok "$(load hello)"
expect_eq "hello unloads" ok "$(unload hello)"
expect_eq "no module of ours left" "" "$(grep -E '^(roulette|mymod|hello) ' /proc/modules)"
# Written by 10-readers.sh right after its first load.
expect_eq "taint unchanged since the first load" "$(cat /tmp/stress-taint)" "$(tainted)"
# A report the kernel-log scan will fail on: its context, for people.
drain
{ kernel_reports oops; kernel_reports detector; } >/tmp/reports
[ -s /tmp/reports ] && grep -F -A25 -f /tmp/reports "$KLOG" | head -n 150
finish
