#!/bin/sh
# mymod: init/exit messages, default period, parameter file mode.
# shellcheck source=../lib.sh
. /tests/lib.sh

m=$(mark load)
expect_eq "load with defaults" ok "$(load mymod)"
expect_log "init message" "$m" "mymod: init"
expect_eq "default sec" 5 "$(param mymod sec)"
expect_eq "sec file mode" 644 "$(stat -c %a /sys/module/mymod/parameters/sec)"
expect_eq "sec file owner" root:root "$(stat -c %U:%G /sys/module/mymod/parameters/sec)"
u=$(mark unload)
expect_eq "unload" ok "$(unload mymod)"
expect_log "exit message" "$u" "mymod: exit"
# Loaded for well under the 5 s period: no tick between load and unload.
expect_no_log "no tick before the first period" "mymod: timer" "$m" "$u"
finish
