#!/bin/sh
# stress: stress-ng's device stressor and trinity on the device as an
# unprivileged user in group roulette (the packaged udev rule's access).
# fuzz_secs=F on the kernel command line: each fuzzer's run.
# shellcheck source=../lib.sh
. /tests/lib.sh

fuzz=$(cmdline_arg fuzz_secs)
fuzz=${fuzz:-30}
FUZZ_UID=1000
ROULETTE_GID=900

expect_eq "load roulette chance=0 for stress-ng" ok "$(load roulette chance=0 boom=oops)"
chgrp "$ROULETTE_GID" "$DEV" && chmod 0660 "$DEV"
cd /tmp || exit 1
/bin/runas "$FUZZ_UID" "$FUZZ_UID,$ROULETTE_GID" /usr/bin/stress-ng --dev 2 \
	--dev-file "$DEV" --timeout "${fuzz}s" --metrics-brief >/tmp/sng.out 2>&1
st=$?
ops=$(sed -n 's/.*metrc:.* dev  *\([0-9][0-9]*\) .*/\1/p' /tmp/sng.out | head -n 1)
emit "DATA: stress-ng dev_ops=${ops:-0} status=$st"
if [ "$st" = 0 ] && [ "${ops:-0}" -gt 0 ]; then
	pass "stress-ng --dev on $DEV as uid $FUZZ_UID: clean exit"
	note "$ops bogo ops"
else
	fail "stress-ng --dev on $DEV as uid $FUZZ_UID: clean exit" "status $st, ops '${ops}': $(tail -n 3 /tmp/sng.out | tr '\n' ' ')"
fi
drain

# Primary group roulette: trinity opens a file only if its owner or group
# matches the uid or primary gid. Its file fds come from the "pseudo" provider.
put /sys/module/roulette/parameters/boom signal >/dev/null
put /sys/module/roulette/parameters/chance 50 >/dev/null
drain
mkdir -p /tmp/trinity /tmp/victims && chown "$FUZZ_UID" /tmp/trinity
# Trinity opens each victim file once at start and reuses the fd; every
# open spins, so 16 nodes of the same device give it survivors and losers.
major=$(printf '%d' "0x$(stat -c '%t' "$DEV")")
minor=$(printf '%d' "0x$(stat -c '%T' "$DEV")")
for i in $(seq 0 15); do
	mknod "/tmp/victims/roulette$i" c "$major" "$minor"
done
chgrp -R "$ROULETTE_GID" /tmp/victims && chmod 0660 /tmp/victims/*
cd /tmp/trinity || exit 1
timeout -s INT "$fuzz" /bin/runas "$FUZZ_UID" "$ROULETTE_GID" /usr/bin/trinity \
	-q -l off -C 2 -V /tmp/victims --disable-fds=sockets,perf,epoll,eventfd,timerfd,memfd,drm \
	-c open -c openat -c read -c readv -c pread64 -c preadv -c lseek -c ioctl \
	-c mmap -c write -c pwrite64 -c newfstat -c fcntl -c dup -c dup3 -c close -c poll \
	-c splice -c sendfile -c copy_file_range -c flock -c fsync -c fadvise64 -c preadv2 \
	>/tmp/trinity.out 2>&1
st=$?
cd / || exit 1
# Give trinity's children a moment to leave, then make sure they did.
sleep 2
pkill -KILL -u "$FUZZ_UID" 2>/dev/null
sleep 1
grep -E 'Added|Couldn|went wrong|Ran ' /tmp/trinity.out | head -n 5
# timeout's 124 (or trinity's own exit on SIGINT) is the normal end.
if [ "$st" = 0 ] || [ "$st" = 124 ] || [ "$st" = 130 ]; then
	pass "trinity on $DEV as uid $FUZZ_UID (boom=signal chance=50)"
	note "${fuzz} s, status $st"
else
	fail "trinity on $DEV as uid $FUZZ_UID (boom=signal chance=50)" \
		"status $st after ${fuzz} s: $(tail -n 3 /tmp/trinity.out | tr '\n' ' ')"
fi
expect_eq "trinity left the device alone: chance still 50" 50 "$(param roulette chance)"
# Losers are logged rate-limited: Boom! lines plus "N callbacks suppressed".
booms=$(dmesg | awk '/roulette: Boom!/ { n++ } /roulette_boom: [0-9]+ callbacks suppressed/ { for (i = 1; i < NF; i++) if ($(i + 1) == "callbacks") n += $i } END { print n + 0 }')
emit "DATA: trinity status=$st syscalls=$(sed -n 's/.*Ran \([0-9]*\) syscalls.*/\1/p' /tmp/trinity.out | tail -n 1) lost_spins=$booms"
expect_range "trinity's reads reached the device (lost spins logged)" 1 999999999 "$booms"
expect_eq "roulette unloads at the end" ok "$(unload roulette)"
drain
finish
