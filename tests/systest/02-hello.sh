#!/bin/sh
# hello through modprobe: its messages at load and unload.
# shellcheck source=../lib.sh
. /tests/lib.sh

m=$(mark load)
modprobe hello
expect_log "hello: load logged" "$m" "hello: Hello, world"
m=$(mark unload)
rmmod hello
expect_log "hello: unload logged" "$m" "hello: Goodbye, world"
finish
