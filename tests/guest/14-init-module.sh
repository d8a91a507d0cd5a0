#!/bin/sh
# init_module(2) semantics as insmod sees them.
# shellcheck source=../lib.sh
. /tests/lib.sh

load hello >/dev/null
expect_eq "loading twice is EEXIST" "error EEXIST" "$(load hello)"
unload hello >/dev/null
expect_eq "bad parameter value is EINVAL" "error EINVAL" "$(load mymod sec=abc)"
expect_eq "module for the other kernel series is ENOEXEC" "error ENOEXEC" \
	"$(/bin/modload "$OTHER_MODS/hello.ko")"
check "ENOEXEC leaves no module" test ! -d /sys/module/hello
# Unknown parameters: today's kernels load the module and log the parameter
# as ignored (older man pages say ENOENT).
m=$(mark unknown)
expect_eq "unknown parameter loads" ok "$(load hello bogus=1)"
expect_log "unknown parameter is logged" "$m" "hello: unknown parameter 'bogus' ignored"
expect_eq "removing a module that is not loaded is ENOENT" "error ENOENT" "$(unload mymod)"
unload hello >/dev/null
finish
