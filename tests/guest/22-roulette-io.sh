#!/bin/sh
# roulette: the message reads like a regular file: chunks, offsets, pread,
# lseek, and the same bytes through readv, preadv, splice and sendfile.
# shellcheck source=../lib.sh
. /tests/lib.sh

load roulette chance=0 >/dev/null
re='Survived\.\.\. sampled value is [0-9]{1,2}, which is >= 0'
expect_match "1-byte reads give the whole message" "$re" "$(/bin/devio read "$DEV" 1)"
expect_match "7-byte reads give the whole message" "$re" "$(/bin/devio read "$DEV" 7)"
expect_eq "pread of 16 bytes at 12" "sampled value is" "$(/bin/devio pread "$DEV" 12 16)"
expect_match "pread at 12 to the end" 'sampled value is [0-9]{1,2}, which is >= 0' "$(/bin/devio pread "$DEV" 12 4096)"
expect_eq "pread of 8 bytes at 0" "Survived" "$(/bin/devio pread "$DEV" 0 8)"
expect_eq "pread past the end reads nothing" "" "$(/bin/devio pread "$DEV" 1000 10)"
expect_eq "pread at 2^40 reads nothing" "" "$(/bin/devio pread "$DEV" 1099511627776 10)"
expect_eq "pread of 0 bytes" "" "$(/bin/devio pread "$DEV" 0 0)"
expect_match "readv of three 5-byte iovecs gives the whole message" "$re" "$(/bin/devio readv "$DEV" 5)"
expect_match "readv of 1-byte iovecs gives the whole message" "$re" "$(/bin/devio readv "$DEV" 1)"
expect_eq "preadv of 16 bytes at 12" "sampled value is" "$(/bin/devio preadv "$DEV" 12 16)"
expect_eq "preadv past the end reads nothing" "" "$(/bin/devio preadv "$DEV" 1000 10)"
expect_match "splice to a pipe gives the whole message" "$re" "$(/bin/devio splice "$DEV")"
# sendfile(2) from a file that is not regular: 5.x (5.10, our floor) refuses
# any with EINVAL in splice_direct_to_actor(); 6.1 and later allow it.
case $(uname -r) in 5.*) re_sendfile='error EINVAL' ;; esac
expect_match "sendfile to a file gives the whole message (EINVAL on 5.x)" \
	"${re_sendfile:-$re}" "$(/bin/devio sendfile "$DEV")"
out=$(/bin/devio seek "$DEV" set 12)
expect_eq "SEEK_SET 12 reports 12" "offset=12" "$(echo "$out" | head -n 1)"
expect_match "SEEK_SET 12 then read" 'sampled value is [0-9]{1,2}, which is >= 0' "$(echo "$out" | tail -n 1)"
out=$(/bin/devio seek "$DEV" end -5)
expect_match "SEEK_END -5 lands 5 bytes before the end" 'offset=4[12]' "$(echo "$out" | head -n 1)"
expect_eq "SEEK_END -5 reads the tail" ">= 0" "$(echo "$out" | tail -n 1)"
expect_match "SEEK_END 0 is the message length" 'offset=4[67]' "$(/bin/devio seek "$DEV" end 0)"
expect_eq "SEEK_CUR 0 at start" "offset=0" "$(/bin/devio seek "$DEV" cur 0 | head -n 1)"
expect_eq "seek past the end is EINVAL" "error EINVAL" "$(/bin/devio seek "$DEV" set 100)"
expect_eq "seek before the start is EINVAL" "error EINVAL" "$(/bin/devio seek "$DEV" set -1)"
expect_eq "write is EINVAL" "error EINVAL" "$(/bin/devio write "$DEV")"
# No write method: the VFS answers, EBADF before EINVAL for a read-only descriptor.
expect_eq "write on an O_RDONLY descriptor is EBADF" "error EBADF" "$(/bin/devio write "$DEV" ro)"
expect_eq "O_WRONLY open is EINVAL" "error EINVAL" "$(/bin/devio open "$DEV" w)"
expect_eq "O_RDWR open is allowed" ok "$(/bin/devio open "$DEV" rw)"
expect_eq "the module is not held after all that" 0 "$(awk '$1 == "roulette" { print $3 }' /proc/modules)"
unload roulette >/dev/null
finish
