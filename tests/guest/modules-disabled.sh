#!/bin/sh
# /proc/sys/kernel/modules_disabled: once 1, every load and unload is EPERM
# until reboot. Irreversible: the last file of its boot (scripts/test.sh),
# whose module.sig_enforce=1 lets nothing of ours load anyway.
# shellcheck source=../lib.sh
. /tests/lib.sh

expect_eq "write 1 to modules_disabled" ok "$(put /proc/sys/kernel/modules_disabled 1)"
expect_eq "finit_module is EPERM" "error EPERM" "$(load mymod)"
expect_eq "init_module is EPERM" "error EPERM" "$(/bin/modload -m "$MODS/mymod.ko")"
check "the refused loads leave nothing loaded" test ! -d /sys/module/mymod
# Checked before the name is looked up: EPERM where root would get ENOENT.
expect_eq "delete_module of a module that is not loaded is EPERM" "error EPERM" "$(unload hello)"
expect_eq "modules_disabled cannot be set back to 0 (EINVAL)" "error EINVAL" "$(put /proc/sys/kernel/modules_disabled 0)"
expect_eq "modules_disabled reads 1" 1 "$(cat /proc/sys/kernel/modules_disabled)"
finish
