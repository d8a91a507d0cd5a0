#!/bin/sh
# hello: greeting at load, goodbye at unload, version in sysfs.
# shellcheck source=../lib.sh
. /tests/lib.sh

m=$(mark load)
expect_eq "load succeeds" ok "$(load hello)"
expect_log "load message" "$m" "hello: Hello, world"
# The version is the one src/version.h defines (scripts/test.sh adds it).
v=$(sed -n 's/^#define ROULETTE_VERSION "\(.*\)"$/\1/p' /src/version.h)
expect_match "src/version.h defines a version" '[0-9]+\.[0-9]+\.[0-9]+' "$v"
expect_eq "sysfs version" "$v" "$(cat /sys/module/hello/version 2>&1)"
m=$(mark unload)
expect_eq "unload succeeds" ok "$(unload hello)"
expect_log "unload message" "$m" "hello: Goodbye, world"
check "sysfs entry gone after unload" test ! -e /sys/module/hello
finish
