#!/bin/sh
# Guest side of scripts/systest.sh: runs in a booted Debian 12 system where
# roulette-dkms was installed from the apt repository (DKMS built the
# modules for this kernel). One line per check, "PASS: name" or
# "FAIL: name: detail", then "SYSTEST-GUEST-DONE". The kernel command line
# carries systest.kernel=RELEASE (the kernel the host meant to boot).
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH LC_ALL=C.UTF-8
DEV=/dev/kernel-roulette
CONF=/etc/modprobe.d/roulette.conf

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; }
# expect NAME WANT GOT
expect() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected '$2', got '$3'"; fi
}
# expect_match NAME ERE TEXT
expect_match() {
	# grep reads all its input: systemd ignores SIGPIPE, printf would see EPIPE
	if printf '%s\n' "$3" | grep -E -- "$2" >/dev/null; then
		pass "$1"
	else
		fail "$1" "'$(printf '%s' "$3" | head -c 200)' does not match /$2/"
	fi
}
sec() { cat /sys/module/mymod/parameters/sec 2>/dev/null || echo none; }
unload() { for m in "$@"; do rmmod "$m" 2>/dev/null; done; }
# mark; ...; since_mark: the kernel log lines written after the mark.
mark() { MARK=$(dmesg | wc -l); }
since_mark() { dmesg | tail -n "+$((MARK + 1))"; }

echo "SYSTEST-GUEST-START"
want=$(sed -n 's/.*systest\.kernel=\([^ ]*\).*/\1/p' /proc/cmdline)
expect "booted the intended kernel" "$want" "$(uname -r)"
expect "systemd-udevd is running" active "$(systemctl is-active systemd-udevd.service)"

# The modules are the ones DKMS installed for this kernel.
for m in hello mymod roulette; do
	path=$(modinfo -n "$m" 2>&1)
	case $path in
	"/lib/modules/$(uname -r)/updates/dkms/$m.ko"*) pass "modprobe finds $m in updates/dkms" ;;
	*) fail "modprobe finds $m in updates/dkms" "modinfo -n: $path" ;;
	esac
done
expect "module version is the package version" "$(cat /usr/local/lib/roulette-systest/version)" \
	"$(modinfo -F version mymod 2>&1)"

mark
modprobe hello && rmmod hello
log=$(since_mark)
expect_match "hello: load logged" 'hello: Hello, world' "$log"
expect_match "hello: unload logged" 'hello: Goodbye, world' "$log"

# modprobe.d: the packaged default, then an edited default, then the
# command line over it.
expect_match "modprobe -c sees the packaged options" '^options mymod sec=5$' "$(modprobe -c 2>&1)"
unload mymod
if modprobe mymod; then
	expect "modprobe mymod takes sec=5 from modprobe.d" 5 "$(sec)"
else
	fail "modprobe mymod takes sec=5 from modprobe.d" "modprobe failed"
fi
unload mymod
cp "$CONF" /run/roulette.conf.orig
sed -i 's/^options mymod sec=5$/options mymod sec=7/' "$CONF"
modprobe mymod
expect "an edited modprobe.d default is used (sec=7)" 7 "$(sec)"
cp /run/roulette.conf.orig "$CONF"
unload mymod
modprobe mymod sec=10
expect "modprobe mymod sec=10 overrides modprobe.d" 10 "$(sec)"
unload mymod

# The timer ticks in the kernel log.
mark
modprobe mymod sec=1
sleep 4
unload mymod
log=$(since_mark)
ticks=$(printf '%s\n' "$log" | grep -c 'mymod: timer')
if [ "$ticks" -ge 2 ]; then pass "mymod timer ticks in dmesg ($ticks in 4 s at sec=1)"; else
	fail "mymod timer ticks in dmesg" "$ticks ticks in 4 s at sec=1"; fi
expect_match "mymod init logged" 'mymod: init' "$log"
expect_match "mymod exit logged" 'mymod: exit' "$log"

# udev: the packaged rule gives the node to group roulette, mode 0660.
modprobe roulette chance=0
udevadm settle --timeout=30
expect "udev: $DEV is 0660 root:roulette" "660 root roulette" "$(stat -c '%a %U %G' "$DEV" 2>&1)"

useradd --no-create-home --no-user-group --gid users --groups roulette spinner
useradd --no-create-home --no-user-group --gid users outsider
out=$(setpriv --reuid=spinner --regid=users --init-groups cat "$DEV" 2>&1)
expect_match "a member of group roulette reads $DEV" \
	'^Survived\.\.\. sampled value is [0-9]+, which is >= 0$' "$out"
rc=0
out=$(setpriv --reuid=outsider --regid=users --init-groups cat "$DEV" 2>&1) || rc=$?
if [ "$rc" -ne 0 ] && printf '%s' "$out" | grep -q 'Permission denied'; then
	pass "a user outside group roulette gets EACCES"
else
	fail "a user outside group roulette gets EACCES" "rc=$rc: $out"
fi
unload roulette
if [ -e "$DEV" ]; then fail "rmmod roulette removes $DEV" "still there"; else
	pass "rmmod roulette removes $DEV"; fi

if dmesg | grep -Eq 'Call Trace|BUG:|WARNING:'; then
	fail "no kernel warnings" "$(dmesg | grep -E -m3 'Call Trace|BUG:|WARNING:' | tr '\n' ' ')"
else
	pass "no kernel warnings"
fi
echo "SYSTEST-GUEST-DONE"
