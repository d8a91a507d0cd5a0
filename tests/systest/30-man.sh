#!/bin/sh
# The packages' manual pages as a user reads them: man 4 kernel-roulette
# and man 4 mymod (man-db in the system), each found where the package put
# it and rendered without a groff warning.
# shellcheck source=../lib.sh
. /tests/lib.sh

# page NAME: the rendered page, plain text, one line per line of output
page() { MANPAGER=cat MANWIDTH=80 LC_ALL=C.UTF-8 man 4 "$1" 2>&1; }

for p in kernel-roulette mymod; do
	expect_eq "man -w 4 $p: the packaged page" "/usr/share/man/man4/$p.4.gz" "$(man -w 4 "$p" 2>&1)"
	expect_eq "man --warnings 4 $p: no groff warning" "" \
		"$(MANPAGER=cat MANWIDTH=80 man --warnings 4 "$p" 2>&1 >/dev/null)"
done
out=$(page kernel-roulette)
expect_match "man 4 kernel-roulette: NAME" ' *kernel-roulette - a character device where every open spins a wheel' \
	"$(printf '%s\n' "$out" | grep -A1 '^NAME' | tail -n 1)"
expect_match "man 4 kernel-roulette: the privilege rule of the boom modes" '.*CAP_SYS_BOOT.*' \
	"$(printf '%s\n' "$out" | grep -m 1 CAP_SYS_BOOT)"
# the ERRORS section's entry, not a line of the text that starts with EINVAL
errors=$(printf '%s\n' "$out" | sed -n '/^ERRORS/,/^[A-Z]/p')
expect_match "man 4 kernel-roulette: ERRORS lists EINVAL" ' *EINVAL .*O_WRONLY.*' \
	"$(printf '%s\n' "$errors" | grep -m 1 '^ *EINVAL ')"
out=$(page mymod)
expect_match "man 4 mymod: NAME" ' *mymod - a kernel module that logs a line every sec seconds' \
	"$(printf '%s\n' "$out" | grep -A1 '^NAME' | tail -n 1)"
expect_match "man 4 mymod: the bounds of sec" '.*integer from 1 to 3600.*' \
	"$(printf '%s\n' "$out" | grep -m 1 'from 1 to 3600')"
finish
