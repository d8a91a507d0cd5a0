#!/bin/sh
# /init of the stress initramfs (scripts/stress.sh), busybox sh, as root.
# Kernel command line: stress_secs=S (each reader phase), fuzz_secs=F
# (stress-ng and trinity each). Results on the serial console:
#   PASS: stress: ... / FAIL: stress: ...: detail, STAT: counters, GUEST-DONE.
# shellcheck source=../guest-boot.sh
. /etc/guest-boot.sh
TEST=stress
# shellcheck source=../guest/lib.sh
. /tests/lib.sh
MODS=/modules

cmdline_value() { # cmdline_value NAME DEFAULT
	_v=$(sed -n "s/.*[[:space:]]$1=\([0-9]*\).*/\1/p" /proc/cmdline)
	echo "${_v:-$2}"
}
secs=$(cmdline_value stress_secs 10)
fuzz=$(cmdline_value fuzz_secs 30)
FUZZ_UID=1000
ROULETTE_GID=900
KLOG=/tmp/kernel.log
: >"$KLOG"

# The kernel log is drained into KLOG after every phase, so a flood of
# parameter messages cannot push a report out of the ring buffer.
drain() {
	dmesg -c >>"$KLOG"
}

# The packaged udev rule's access: group roulette, 0660.
dev_access() {
	chgrp "$ROULETTE_GID" "$DEV" && chmod 0660 "$DEV"
}

# stat_field FILE KEY: a counter from the STAT line in FILE.
stat_field() {
	sed -n "s/^STAT: .* $2=\([0-9]*\).*/\1/p" "$1" | head -n 1
}

# verdict NAME STATUS FILE: PASS/FAIL from a tool's exit status + its STAT line.
verdict() {
	_line=$(grep '^STAT: ' "$3" | head -n 1)
	echo "$_line"
	if [ "$2" = 0 ] && [ -n "$_line" ]; then
		pass "$1"
	else
		fail "$1" "status $2: ${_line:-no STAT line} $(grep -v '^STAT: ' "$3" | head -n 3 | tr '\n' ' ')"
	fi
}

echo "GUEST-START: $(uname -r) stress_secs=$secs fuzz_secs=$fuzz"
kmemleak=/sys/kernel/debug/kmemleak
# Objects leaked before our modules ever ran are not ours: forget them.
[ -w "$kmemleak" ] && echo clear >"$kmemleak"
taint0=$(tainted)
cycles=0
opens=0
flips=0

expect_eq "load roulette" ok "$(load roulette chance=0 boom=signal)"
taint1=$(tainted)

# --- 1. parallel readers + sysfs flips + mymod load/unload loop ------------
for n in 1 2 8; do
	for mode in signal calm; do
		if [ "$mode" = signal ]; then
			put /sys/module/roulette/parameters/boom signal >/dev/null
			put /sys/module/roulette/parameters/chance 50 >/dev/null
		else
			put /sys/module/roulette/parameters/chance 0 >/dev/null
		fi
		/bin/rstress loadloop "$MODS/mymod.ko" "$secs" sec=1 >/tmp/load.out 2>&1 &
		lpid=$!
		/bin/rstress flip "$secs" "$mode" >/tmp/flip.out 2>&1 &
		fpid=$!
		/bin/rstress readers "$DEV" "$n" "$secs" >/tmp/read.out 2>&1
		rst=$?
		wait "$fpid"
		fst=$?
		wait "$lpid"
		lst=$?
		verdict "readers n=$n boom=$mode: every read survives exactly or gets SIGSEGV+EIO" "$rst" /tmp/read.out
		verdict "flips n=$n $mode: valid values accepted, invalid ones EINVAL" "$fst" /tmp/flip.out
		verdict "mymod sec=1 load/unload loop beside readers n=$n $mode" "$lst" /tmp/load.out
		boomed=$(stat_field /tmp/read.out boomed)
		if [ "$mode" = signal ]; then
			expect_range "n=$n signal: some spins lost (SIGSEGV)" 1 999999999 "${boomed:-0}"
		else
			expect_eq "n=$n calm: no spin lost with chance=0" 0 "${boomed:-x}"
		fi
		cycles=$((cycles + $(stat_field /tmp/load.out cycles)))
		opens=$((opens + $(stat_field /tmp/read.out opens)))
		flips=$((flips + $(stat_field /tmp/flip.out writes)))
		drain
	done
done
expect_eq "chance=0 after the flips" ok "$(put /sys/module/roulette/parameters/chance 0)"

# --- 2. roulette itself unloaded and reloaded under 8 readers ---------------
expect_eq "unload roulette before the reload loop" ok "$(unload roulette)"
/bin/rstress reloadloop "$MODS/roulette.ko" "$secs" chance=0 boom=signal >/tmp/reload.out 2>&1 &
lpid=$!
/bin/rstress readers "$DEV" 8 "$secs" gone-ok >/tmp/read.out 2>&1
rst=$?
wait "$lpid"
lst=$?
verdict "8 readers while roulette is reloaded: only ENOENT/ENODEV when gone" "$rst" /tmp/read.out
verdict "roulette load/unload loop under readers" "$lst" /tmp/reload.out
rcycles=$(stat_field /tmp/reload.out cycles)
opens=$((opens + $(stat_field /tmp/read.out opens)))
drain

# --- 3. stress-ng device stressor, unprivileged ------------------------------
loaded roulette && unload roulette >/dev/null
expect_eq "load roulette chance=0 for stress-ng" ok "$(load roulette chance=0 boom=oops)"
dev_access
cd /tmp || exit 1
/bin/runas "$FUZZ_UID" "$FUZZ_UID,$ROULETTE_GID" /usr/bin/stress-ng --dev 2 \
	--dev-file "$DEV" --timeout "${fuzz}s" --metrics-brief >/tmp/sng.out 2>&1
st=$?
ops=$(sed -n 's/.*metrc:.* dev  *\([0-9][0-9]*\) .*/\1/p' /tmp/sng.out | head -n 1)
echo "STAT: stress-ng dev ops=${ops:-0} status=$st"
if [ "$st" = 0 ] && [ "${ops:-0}" -gt 0 ]; then
	pass "stress-ng --dev on $DEV as uid $FUZZ_UID: $ops bogo ops, clean exit"
else
	fail "stress-ng --dev on $DEV" "status $st, ops '${ops}': $(tail -n 3 /tmp/sng.out | tr '\n' ' ')"
fi
drain

# --- 4. trinity on the device, unprivileged, boom=signal chance=50 ----------
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
i=0
while [ $i -lt 16 ]; do
	mknod "/tmp/victims/roulette$i" c "$major" "$minor"
	i=$((i + 1))
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
calls=$(sed -n 's/.*Ran \([0-9]*\) syscalls.*/\1/p' /tmp/trinity.out | tail -n 1)
echo "STAT: trinity status=$st syscalls=${calls:-?}"
grep -E 'Added|Couldn|went wrong|Ran ' /tmp/trinity.out | head -n 5
# timeout's 124 (or trinity's own exit on SIGINT) is the normal end.
if [ "$st" = 0 ] || [ "$st" = 124 ] || [ "$st" = 130 ]; then
	pass "trinity on $DEV as uid $FUZZ_UID for ${fuzz}s (boom=signal chance=50)"
else
	fail "trinity on $DEV" "status $st: $(tail -n 3 /tmp/trinity.out | tr '\n' ' ')"
fi
expect_eq "trinity left the device alone: chance still 50" 50 "$(param roulette chance)"
# Losers are logged rate-limited: Boom! lines plus "N callbacks suppressed".
booms=$(dmesg | awk '/roulette: Boom!/ { n++ } /roulette_boom: [0-9]+ callbacks suppressed/ { for (i = 1; i < NF; i++) if ($(i + 1) == "callbacks") n += $i } END { print n + 0 }')
echo "STAT: trinity lost_spins=$booms"
expect_range "trinity's reads reached the device (lost spins logged)" 1 999999999 "$booms"
drain

# --- 5. clean unload, kernel health -----------------------------------------
expect_eq "roulette unloads at the end" ok "$(unload roulette)"
loaded mymod && expect_eq "mymod unloads at the end" ok "$(unload mymod)"
expect_eq "hello loads" ok "$(load hello)"
expect_eq "hello unloads" ok "$(unload hello)"
expect_eq "no module of ours left" "" "$(grep -E '^(roulette|mymod|hello) ' /proc/modules)"
# Taint: what loading our unsigned out-of-tree modules adds, nothing more.
expect_eq "taint unchanged since the first load" "$taint1" "$(tainted)"
echo "INFO: taint before any load $taint0, after $taint1"
drain

if [ -w "$kmemleak" ]; then
	echo scan >"$kmemleak"
	sleep 6
	echo scan >"$kmemleak"
	ours=$(grep -E -c 'roulette|mymod|hello' "$kmemleak")
	expect_eq "kmemleak: no leak in a roulette, mymod or hello frame" 0 "$ours"
	echo "INFO: kmemleak lists $(grep -c '^unreferenced object' "$kmemleak") unreferenced objects in all"
	grep -E -B4 -A12 'roulette|mymod|hello' "$kmemleak" | head -n 60
	drain
fi

bad=$(grep -E 'WARNING:|BUG:|kernel BUG|Oops:|Call Trace|general protection|soft lockup|hard LOCKUP|INFO: task|UBSAN:|ODEBUG:|KASAN|possible recursive locking|circular locking|inconsistent lock state|suspicious RCU|sleeping function called|kmemleak:.*new suspected|list_add corruption|list_del corruption' "$KLOG")
expect_eq "kernel log of the whole run: no warning, BUG, oops, lockup or debug report" "" "$(echo "$bad" | head -n 5)"
if [ -n "$bad" ]; then
	echo "---- kernel reports ----"
	grep -E -A25 'WARNING:|BUG:|Oops:|UBSAN:|ODEBUG:|KASAN|lockup|locking|suspicious RCU|sleeping function' "$KLOG" | head -n 120
	echo "---- end ----"
fi
echo "STAT: total load_cycles=$cycles reload_cycles=${rcycles:-0} opens=$opens flips=$flips"
echo "GUEST-DONE"
poweroff -f
