#!/bin/bash
# shellcheck shell=bash
# make systest: crash dumps (sourced by scripts/systest.sh): kdump-tools
# set up as a sysadmin does, roulette's boom caught on every kernel, the
# dump read back on the host. Owns sizes (the dumps' files, crash_dump_sizes).

sizes=()

# set_up_kdump ROW...: kdump-tools as a sysadmin installs it, and for
# the kernel that crashes (kdump_boots: the newest) the capture initrd its
# kernel hook would build (the initrd of each row's kernel until
# 2026-12-07: the others' were never used). The
# hook's MODULES=dep finds no root device in a chroot ("failed to determine
# device for /"; trixie's hook skips a chroot altogether): the same
# mkinitramfs with MODULES=most; latest_sysctls marks it current, or
# kdump-config deletes it and rebuilds at boot (80 s, TCG). kdump-config
# load links /var/lib/kdump/vmlinuz to /boot/vmlinuz-KREL (the
# KDUMP_KERNEL of /etc/default/kdump-tools) and fails without that file:
# 7.x's image is /usr/lib/modules/KREL/vmlinuz, which trixie-backports'
# kernel hooks hard-link there.
set_up_kdump() {
	local r k d=/var/lib/kdump what
	expect_host "apt install kdump-tools makedumpfile procps" "apt-get failed" \
		apt_get install kdump-tools makedumpfile procps || return
	R sh -c "rm -rf $d/initramfs-tools && cp -pr /etc/initramfs-tools $d/ &&
		echo MODULES=most >$d/initramfs-tools/conf.d/zzz-kdump"
	for r in $(kdump_boots "$@" | cut -d ' ' -f 1); do
		k=$(krel "$r") what=
		[ ! -f "$ROOT/usr/lib/modules/$k/vmlinuz" ] ||
			what=", the image of /usr/lib/modules/$k/vmlinuz"
		note "$r: capture kernel /boot/vmlinuz-$k$what"
		expect_host "$r: kdump-config's capture kernel /boot/vmlinuz-KREL exists (from 7.x: the image of /usr/lib/modules/KREL/vmlinuz)" \
			"$(stat -c "%n: inode %i, %h links" "$ROOT/boot/vmlinuz-$k" "$ROOT/usr/lib/modules/$k/vmlinuz" 2>&1 | tr '\n' ' ')" \
			kdump_kernel_file "$k"
		expect_host "$r: kdump initrd $d/initrd.img-KREL (mkinitramfs, MODULES=most)" "mkinitramfs failed" \
			R sh -c "mkinitramfs -d $d/initramfs-tools -o $d/initrd.img-$k $k &&
				cp /etc/kdump/sysctl.conf $d/latest_sysctls-$k"
	done
}

# kdump_kernel_file KREL: /boot/vmlinuz-KREL is a file, and for 7.x the
# very image the kernel package installed.
kdump_kernel_file() {
	local b=$ROOT/boot/vmlinuz-$1 m=$ROOT/usr/lib/modules/$1/vmlinuz
	[ -f "$b" ] && { [ ! -f "$m" ] || [ "$b" -ef "$m" ] || cmp -s "$b" "$m"; }
}

# grep_all FILE REGEX...: every extended REGEX matches a line of FILE.
grep_all() {
	local f=$1 re
	shift
	for re in "$@"; do grep -qE -- "$re" "$f" || return; done
}

mtime() { stat -c %Y "$1"; }

# dump_names_culprit TAG IMG BOOM: the dump kdump-tools saved in the
# disk's /var/crash/STAMP/ (read with debugfs) names roulette: the Boom!
# line, then the panic (boom=panic) or the oops, and a trace through
# roulette_boom and roulette_read (a panic, in the reader: cat) or through
# roulette_crash_now and roulette_crash_fn (an oops, in the driver's own
# thread, roulette-boom: it holds nothing); the vmcore reads back with the
# system's makedumpfile; the task that died ran KREL.
dump_names_culprit() {
	local tag=$1 img=$2 boom=$3 k=$4 out=${2%.img}-crash dm core v
	local comm=cat fn1=roulette_boom fn2=roulette_read
	[ "$boom" = panic ] || { comm=roulette-boom fn1=roulette_crash_now fn2=roulette_crash_fn; }
	rm -rf "$out" && mkdir -p "$out"
	# The capture kernel syncs and reboots without unmounting: the dump's
	# inode may still be in the journal only (a 0-byte file at its home,
	# seen under load). Replay it first, as the system's next mount would;
	# debugfs does not.
	e2fsck -p -E journal_only "$img" >>"$ROOT_LOG" 2>&1
	debugfs -R "rdump /var/crash $out" "$img" >>"$ROOT_LOG" 2>&1
	dm=$(compgen -G "$out/crash/2*/dmesg.2*" | head -n 1)
	core=$(compgen -G "${dm%/*}/dump.2*" | head -n 1)
	expect_as "$tag" "kdump saved a dmesg and a vmcore in /var/crash/STAMP/" \
		"found: $(cd "$out" && find . -type f | tr '\n' ' ')" test -s "$core" || return
	log "$tag: $(cd "$out" && du -h crash/*/* | tr '\n\t' '  ')"
	sizes+=("$(printf '%-60s %s' "$tag" "$(cd "${core%/*}" && du -h dump.* dmesg.* | tr '\n\t' '  ')")")
	v=$(sed -n 's/.*roulette: Boom! sampled value is \([0-9]*\), which is < 100$/\1/p' "$dm" | head -n 1)
	note "$tag: sampled value V is ${v:-absent}"
	expect_as "$tag" "dump's dmesg: roulette: Boom! sampled value is V, which is < 100" "not in $dm" \
		test -n "$v"
	if [ "$boom" = panic ]; then
		expect_as "$tag" "dump's dmesg: Kernel panic - not syncing: kernel-roulette: sampled value is V, which is < 100" \
			"not in $dm" grep -qx ".*Kernel panic - not syncing: kernel-roulette: sampled value is $v, which is < 100" "$dm"
	else
		expect_as "$tag" "dump's dmesg: the oops: kernel BUG at .../roulette.c:N!, invalid opcode" "not in $dm" \
			grep_all "$dm" 'kernel BUG at .*roulette\.c:[0-9]+!' 'invalid opcode'
		# panic_on_oops: oops_end() kexecs into the capture kernel itself, before panic()
		expect_as "$tag" "dump's dmesg ends with the oops (panic_on_oops: captured from oops_end, no 'Kernel panic' line)" \
			"last line: $(tail -n 1 "$dm")" grep -q 'Modules linked in: roulette' <(tail -n 1 "$dm")
	fi
	expect_as "$tag" "dump's dmesg: the task that died ran the booted kernel (CPU: ... Comm: cat ... KREL #N)" \
		"$(grep -a -m 1 "Comm: $comm" "$dm")" grep -qF " $k #" <(grep -a "Comm: $comm" "$dm")
	# an oops names the function that died on its RIP line, a panic in its call trace
	expect_as "$tag" "dump's dmesg: the trace names roulette_boom and roulette_read" "not in $dm" \
		grep_all "$dm" "[ :]${fn1}[.a-z0-9]*\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[roulette\\]" \
		" ${fn2}[.a-z0-9]*\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[roulette\\]"
	cp "$core" "$ROOT/tmp/dump"
	expect_as "$tag" "the vmcore reads back: makedumpfile -R, then --dump-dmesg has the Boom! line" "see $ROOT_LOG" \
		R sh -c "makedumpfile -R /tmp/vmcore </tmp/dump && makedumpfile --dump-dmesg /tmp/vmcore /tmp/vmcore.dmesg &&
			grep -q 'roulette: Boom! sampled value is $v,' /tmp/vmcore.dmesg"
	rm -f "$ROOT"/tmp/dump "$ROOT"/tmp/vmcore*
}

# kdump_boots ROW...: the crash-dump boots, "ROW MODE" a line: one, on
# the system's newest kernel (the last ROW), in the mode of its suite
# (tests/suites.conf: kdump; Debian 12 panic, Debian 13 oops), so that
# the run captures each mode once. (Every kernel once, modes in turn,
# until 2026-12-07: the lived installs made the run too long; each mode
# on each kernel, until 2026-12-04. The mode is the driver's one call,
# panic() or the oops, and make test boots both modes on every kernel.)
kdump_boots() {
	local mode
	mode=$(suite_field "${SUITE_OF[$1]%-backports}" kdump) || return
	[ "$mode" = - ] || echo "${*: -1} $mode"
}

# crash_dump_start ROW...: a server's crash-dump pipeline (set_up_kdump)
# catches roulette on the system's newest kernel (kdump_boots): its boot
# on a copy of the disk (crashkernel=, 1536 MiB), boom=panic, or the
# default boom=oops with kernel.panic_on_oops=1 in /etc/sysctl.d, started
# beside the system's next boots (secure_boot, boot_each_kernel: their
# guest_wait judges it, or crash_dump's); crash_dump reads the dump. The
# guest (tests/systest/kdump.sh) checks the capture kernel is loaded and
# reads the device; the capture kernel saves the dump and reboots (QEMU
# exits). Sets KDUMP_T0.
crash_dump_start() {
	local dir=$WORK/kdump r b k rb
	local -a boots
	rm -rf "$dir" && mkdir -p "$dir"
	system_disk "$dir/system.img" || return 1
	echo "kernel.panic_on_oops = 1" >"$dir/panic-on-oops.conf"
	mapfile -t boots < <(kdump_boots "$@")
	for rb in "${boots[@]}"; do
		read -r r b <<<"$rb"
		cp --sparse=always "$dir/system.img" "$dir/$r-$b.img" || return 1
		[ "$b" = panic ] || debugfs -w -R "write $dir/panic-on-oops.conf /etc/sysctl.d/90-panic-on-oops.conf" \
			"$dir/$r-$b.img" >>"$ROOT_LOG" 2>&1
	done
	rm -f "$dir/system.img"
	KDUMP_T0=$(date +%s)
	for rb in "${boots[@]}"; do
		read -r r b <<<"$rb"
		k=$(krel "$r")
		GUEST_KIND=kdump guest_start "$r-kdump-$b" "$dir" \
			"$(vmlinuz "$k")" "$ROOT/boot/initrd.img-$k" \
			"root=/dev/vda rw crashkernel=256M systemd.unit=roulette-systest.service suites=systest/kdump.sh systest.kernel=$k systest.boom=$b" \
			-drive "file=$dir/$r-$b.img,format=raw,if=virtio"
	done
}

# crash_dump ROW...: the crash-dump boots crash_dump_start started, ended
# (guest_wait, unless a step's did), their times, and the dumps read on the
# host.
crash_dump() {
	local dir=$WORK/kdump r b rb tag
	guest_wait
	while read -r r b; do
		tag=$r-kdump-$b
		# the results' last line came just before the panic, the console's at QEMU's exit
		timing "$TARGET: kdump $r boom=$b: boot to panic" $(($(mtime "$dir/$tag.results") - KDUMP_T0))
		timing "$TARGET: kdump $r boom=$b: capture, reboot" \
			$(($(mtime "$dir/$tag.console") - $(mtime "$dir/$tag.results")))
		dump_names_culprit "$tag" "$dir/$r-$b.img" "$b" "$(krel "$r")"
	done < <(kdump_boots "$@")
}

# crash_dump_sizes: the dumps' files, for the end of the run.
crash_dump_sizes() {
	[ ${#sizes[@]} -eq 0 ] || { echo "crash dumps:"; printf '  %s\n' "${sizes[@]}"; }
}
