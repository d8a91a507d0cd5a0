#!/bin/bash
# shellcheck shell=bash
# The one guest runner: the architectures (tests/arches.conf), the
# initramfs, the QEMU boot, boots side by side and their verdict. lib.sh
# sources it; it defines functions and a few variables and runs nothing.

# GUEST_ARCH: the architecture of the boots to come (guest_arch sets it
# from a row); qemu_boot, guest_cmdline and guest_initramfs read it.
GUEST_ARCH=${GUEST_ARCH:-amd64}
# GUEST_KIND: the kind of the boots to come, a row of tests/boots.conf
# (memory, CPUs, timeout: boot_kind); a stage sets it for its boots or
# for one (GUEST_KIND=system guest_start ...).
GUEST_KIND=guest

# arch_field ARCH COLUMN...: those columns of ARCH's row of tests/arches.conf.
arch_field() {
	table_field arches "$@"
}

# boot_kind: "MEM CPUS TIMEOUT" of the boots to come: GUEST_KIND's row of
# tests/boots.conf, its timeout plus GUEST_EXTRA_SECS (make bench's
# loops); the user's ROULETTE_GUEST_MEM, ROULETTE_GUEST_CPUS and
# ROULETTE_BOOT_TIMEOUT, when set, win.
boot_kind() {
	local mem cpus secs
	read -r mem cpus secs < <(table_field boots "$GUEST_KIND" mem cpus timeout) || return 1
	echo "${ROULETTE_GUEST_MEM:-$mem} ${ROULETTE_GUEST_CPUS:-$cpus}" \
		"${ROULETTE_BOOT_TIMEOUT:-$((secs + ${GUEST_EXTRA_SECS:-0}))}"
}

# guest_arch NAME: the boots and initramfs to come are the row's
# (GUEST_ARCH, and GUEST_SUITE: the chroot that builds for it), with its
# QEMU installed and its busybox (GUEST_BUSYBOX):
# the host's, or for another architecture the row's suite's, downloaded
# once into $ROULETTE_CACHE/busybox/SUITE-ARCH.
guest_arch() {
	local t=$1 pkg bb suite root
	: "${KREL_OF[$t]:?guest_arch: $t is not resolved}"
	GUEST_ARCH=${ARCH_OF[$t]}
	read -r pkg bb < <(arch_field "$GUEST_ARCH" package busybox) || return 1
	apt_install "$pkg" || return 1
	GUEST_BUSYBOX=/bin/busybox GUEST_SUITE=${SUITE_OF[$t]%-backports}
	[ "${bb#*:}" != "$(dpkg --print-architecture)" ] || return 0
	suite=$GUEST_SUITE
	GUEST_BUSYBOX=$ROULETTE_CACHE/busybox/$suite-${bb#*:}/busybox
	[ ! -s "$GUEST_BUSYBOX" ] || return 0
	root=$(suite_root "$suite") && SUITE_ARCH=${bb#*:} suite_foreign "$suite" "$root" &&
		SUITE_ARCH=${bb#*:} suite_file "$suite" "$root" "${bb%:*}" '\./\(usr/\)\{0,1\}bin/busybox' "$GUEST_BUSYBOX"
}


# guest_host_setup: what the host needs to build and boot guests (the
# QEMU of the host's architecture; guest_arch installs another's).
guest_host_setup() {
	host_install guest
}

# static_tool SOURCE.c: a static helper for the guest, built once into
# out/tools (another GUEST_ARCH's: out/tools/ARCH, cross_tool); prints its path.
static_tool() {
	local src=$1 bin
	bin=$ROULETTE_OUT/tools/$(basename "$1" .c)
	[ "$GUEST_ARCH" = "$(dpkg --print-architecture)" ] || bin=$ROULETTE_OUT/tools/$GUEST_ARCH/${bin##*/}
	mkdir -p "${bin%/*}"
	if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
		if [ "$GUEST_ARCH" = "$(dpkg --print-architecture)" ]; then
			gcc -static -O2 -Wall -Wextra -Werror -o "$bin" "$src"
		else
			cross_tool "$src" "$bin"
		fi || die "cannot build $src for $GUEST_ARCH"
	fi
	echo "$bin"
}

# cross_tool SOURCE.c BIN: SOURCE.c built static for GUEST_ARCH in the
# chroot of GUEST_SUITE (guest_arch sets both) with Debian's cross
# compiler and libc (gcc-TRIPLET, libc6-dev-ARCH-cross: Architecture all
# and amd64, installed as any package).
cross_tool() {
	local src=$1 bin=$2 triplet root tmp rc=0
	triplet=$(arch_field "$GUEST_ARCH" triplet) &&
		root=$(suite_root "$GUEST_SUITE") || return 1
	[ -x "$root/usr/bin/$triplet-gcc" ] && [ -d "$root/usr/$triplet/lib" ] || (
		suite_lock "$GUEST_SUITE" || exit 1
		# shellcheck disable=SC2034 # read by suite_apt_get: the chroot's own apt
		SUITE_APT=()
		suite_apt_get "$GUEST_SUITE" "$root" "gcc-$triplet" / install -y --no-install-recommends \
			"gcc-$triplet" "libc6-dev-$GUEST_ARCH-cross"
	) || return 1
	tmp=$(mktemp -d "$root/tmp/roulette-tool.XXXXXX") || return 1
	cp "${src%/*}"/*.[ch] "$tmp/" &&
		root_run "$root" "$triplet-gcc" -static -O2 -Wall -Wextra -Werror \
			-o "/tmp/${tmp##*/}/tool" "/tmp/${tmp##*/}/${src##*/}" &&
		cp "$tmp/tool" "$bin" || rc=1
	rm -rf "$tmp"
	return "$rc"
}

# guest_tests DIR: what a guest runs its suites with, into DIR (its
# /tests): the assertion library (tests/lib*.sh), the report patterns, and
# every suite directory (tests/*/ with .sh files; bench/guest/ as bench).
guest_tests() {
	local dest=$1 d t
	mkdir -p "$dest" &&
		cp "$ROULETTE_TOP"/tests/lib*.sh "$ROULETTE_TOP/tests/kernel-reports.txt" "$dest/" || return
	for d in "$ROULETTE_TOP"/tests/*/ "$ROULETTE_TOP"/bench/guest/; do
		compgen -G "$d*.sh" >/dev/null || continue
		t=$dest/$(basename "$d")
		[ "$d" = "$ROULETTE_TOP/bench/guest/" ] && t=$dest/bench
		mkdir -p "$t" && cp "$d"*.sh "$t/" || return
	done
}

# guest_initramfs OUT [--krel KREL --mods DIR] [--other DIR] [--bin FILE]
#                 [--dyn FILE] [--add FILE DEST]...
# The one initramfs: busybox (GUEST_BUSYBOX, GUEST_ARCH's), tests/init as
# /init, the suites (tests/*/ and bench/guest/ under /tests), tests/tools
# (built for the host's architecture); --mods installs the modules for
# KREL as /lib/modules/KREL/extra (modinfo, modprobe) and /modules/this,
# --other a build for another series as /modules/other, --bin a static
# program and --dyn a dynamic one with its libraries, --add any file.
guest_initramfs() {
	local out=$1 root krel='' a
	shift
	root=$(mktemp -d) || return 1
	chmod 755 "$root"	# the guest's /: unprivileged test users must traverse it
	mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,etc,root,lib/modules,modules,tests}
	# install, not cp: a busybox unpacked from another architecture's .deb is 0644
	install -m 755 "${GUEST_BUSYBOX:-/bin/busybox}" "$root/bin/busybox"
	# The host's busybox lists the applets (another architecture's cannot run).
	for a in $(/bin/busybox --list); do
		[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
	done
	printf '%s\n' root:x:0:0:root:/root:/bin/sh fuzz:x:1000:1000:fuzz:/tmp:/bin/sh \
		nobody:x:65534:65534:nobody:/:/bin/sh >"$root/etc/passwd"
	printf '%s\n' root:x:0: roulette:x:900: fuzz:x:1000: nogroup:x:65534: >"$root/etc/group"
	install -m 755 "$ROULETTE_TOP/tests/init" "$root/init"
	guest_tests "$root/tests"
	for a in "$ROULETTE_TOP"/tests/tools/*.c; do
		cp "$(static_tool "$a")" "$root/bin/"
	done
	while [ $# -gt 0 ]; do
		case $1 in
		--krel) krel=$2 ;;
		--mods)
			mkdir -p "$root/lib/modules/$krel/extra"
			cp "$2"/*.ko "$root/lib/modules/$krel/extra/"
			touch "$root/lib/modules/$krel/"{modules.order,modules.builtin,modules.builtin.modinfo}
			depmod -b "$root" "$krel" || return 1
			ln -s "/lib/modules/$krel/extra" "$root/modules/this"
			;;
		--other) mkdir -p "$root/modules/other" && cp "$2"/*.ko "$root/modules/other/" ;;
		--bin) cp "$2" "$root/bin/" ;;
		--dyn) copy_dynamic "$root" "$2" ;;
		--add) install -D -m 644 "$2" "$root/$3" && shift ;;
		*) die "guest_initramfs: unknown option $1" ;;
		esac
		shift 2
	done
	(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$out"
	rm -rf "$root"
}

# copy_dynamic ROOT BINARY: BINARY and the shared libraries it needs.
copy_dynamic() {
	local root=$1 bin=$2 lib
	install -D -m 755 "$bin" "$root$bin"
	for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
		[ -e "$root$lib" ] || install -D -m 755 "$(readlink -f "$lib")" "$root$lib"
	done
}

# guest_cmdline APPEND: the kernel command line of every guest of
# GUEST_ARCH: its console, and its result channel as results=/dev/DEVICE
# (tests/lib.sh writes there).
guest_cmdline() {
	local console chan
	read -r console chan < <(arch_field "$GUEST_ARCH" console results) || return 1
	echo "console=$console panic=-1 quiet results=/dev/${chan#*:} $1"
}

# qemu_boot VMLINUZ INITRD CONSOLE RESULTS APPEND [qemu args...]:
# boot a GUEST_ARCH guest under TCG (QEMU, machine, CPU, firmware from
# tests/arches.conf) with GUEST_KIND's memory, CPUs and timeout
# (boot_kind) and ring buffer (tests/boots.conf's logbuf: log_buf_len=
# after APPEND on the kernel command line); the first serial port is the
# console, the result channel a second one or a virtio console. QEMU exits 0 whatever the guest did;
# returns timeout's status (124 on a hang). VMLINUZ "firmware" boots as a
# PC does: the firmware and disks in the QEMU args, whose boot loader
# passes guest_cmdline (INITRD, APPEND unused).
qemu_boot() {
	local kernel=$1 initrd=$2 console=$3 results=$4 append=$5
	local qemu machine cpu bios chan cmdline mem cpus secs logbuf
	local -a direct chanargs=() machargs=()
	read -r qemu machine cpu bios chan < <(arch_field "$GUEST_ARCH" qemu machine cpu bios results) &&
		read -r mem cpus secs < <(boot_kind) && logbuf=$(table_field boots "$GUEST_KIND" logbuf) &&
		cmdline=$(guest_cmdline "$append") || return 1
	[ "$logbuf" = - ] || cmdline+=" log_buf_len=$logbuf"
	direct=(-kernel "$kernel" -initrd "$initrd" -append "$cmdline")
	shift 5
	[ "$kernel" != firmware ] || direct=()
	[ "$machine" = - ] || machargs+=(-machine "$machine")
	[ "$bios" = - ] || machargs+=(-bios "$bios")
	case ${chan%%:*} in
	serial) chanargs=(-serial "file:$results") ;;
	virtio) # shellcheck disable=SC2054 # QEMU's own commas
		chanargs=(-device virtio-serial-pci -chardev "file,id=results,path=$results"
			-device virtconsole,chardev=results) ;;
	*) echo "qemu_boot: unknown result channel '$chan' in tests/arches.conf" >&2 && return 1 ;;
	esac
	: >"$console"
	: >"$results"
	timeout --foreground -k 5 "$secs" "$qemu" \
		-accel tcg -cpu "$cpu" -m "$mem" -smp "$cpus" -nographic -no-reboot \
		-monitor none -serial "file:$console" "${chanargs[@]}" \
		-display none -nic none "${machargs[@]}" "${direct[@]}" \
		"$@" </dev/null >/dev/null 2>&1
}

# guest_start TAG DIR VMLINUZ INITRD APPEND [qemu args...]: one boot, in
# the background (boots side by side); the console and the result channel
# are kept as DIR/TAG.console and DIR/TAG.results; guest_wait judges it,
# against the plan of the suites= in APPEND (also for a firmware boot,
# whose boot loader has the command line).
GUEST_BOOTS=()	# "pid tag dir plan start" of each boot started
guest_start() {
	local tag=$1 dir=$2 vmlinuz=$3 initrd=$4 append=$5 mem cpus secs
	shift 5
	mkdir -p "$dir"
	read -r mem cpus secs < <(boot_kind) || die "$tag: no boot kind '$GUEST_KIND'"
	log "$tag: booting $(basename "$vmlinuz") ($append) as a $GUEST_KIND boot: -m $mem -smp $cpus, $secs s"
	{ guest_slot && qemu_boot "$vmlinuz" "$initrd" "$dir/$tag.console" "$dir/$tag.results" "$append" "$@"; } &
	GUEST_BOOTS+=("$! $tag $dir $("${VERDICT[@]}" plan "$(sed -n 's/.*suites=\([^ ]*\).*/\1/p' <<<"$append")") $(date +%s)")
}

# guest_slot: with GUEST_SLOTS set (a directory; GUEST_SLOTS_MAX, default
# 4), wait for one of its slots and hold it (a lock on fd 9, inherited by
# QEMU) until the boot's process ends: the boots of several processes
# (systest's lives) share one limit, and a boot's timeout starts once it
# has its slot. A boot's time counts from guest_start, its wait included.
guest_slot() {
	local i
	[ -n "${GUEST_SLOTS:-}" ] || return 0
	mkdir -p "$GUEST_SLOTS" || return
	while :; do
		for ((i = 1; i <= ${GUEST_SLOTS_MAX:-4}; i++)); do
			exec 9>"$GUEST_SLOTS/$i" && flock -n 9 && return 0
		done
		sleep 1
	done
}

# guest_judge "PID TAG DIR PLAN START" STATUS: record the verdict of a
# finished boot and its time up to its console's last line.
guest_judge() {
	local tag dir plan t0
	read -r _ tag dir plan t0 <<<"$1"
	guest_verdict "$tag" "$dir/$tag.results" "$dir/$tag.console" "$2" \
		$(($(date -r "$dir/$tag.console" +%s) - t0)) "$plan"
}

# guest_wait: wait for every boot guest_start started, in order, and judge
# each; status 1 if one failed.
guest_wait() {
	local b rc ok=0
	for b in "${GUEST_BOOTS[@]}"; do
		rc=0
		wait "${b%% *}" || rc=$?
		guest_judge "$b" "$rc" || ok=1
	done
	GUEST_BOOTS=()
	return "$ok"
}

# guest_queue N ARGS...: guest_start's boot once fewer than N boots run:
# while N run, the first to end is judged. guest_wait ends the queue.
guest_queue() {
	local n=$1 b rc
	shift
	while [ ${#GUEST_BOOTS[@]} -ge "$n" ]; do
		wait_first GUEST_BOOTS b rc || continue
		guest_judge "$b" "$rc" || true
	done
	guest_start "$@"
}

# guest_kill: end the boots still running (an interrupted stage).
guest_kill() {
	local b
	# the boot's QEMU (by its timeout), then the boot's shell (waiting for a slot)
	for b in "${GUEST_BOOTS[@]}"; do pkill -P "${b%% *}" 2>/dev/null; kill "${b%% *}" 2>/dev/null; done
}

# guest_run ARGS...: guest_start's boot, waited for and judged.
guest_run() {
	guest_start "$@" && guest_wait
}

# guest_verdict TAG RESULTS CONSOLE QEMU-STATUS SECONDS [PLAN]: record the
# checks of one boot, then judge it (scripts/verdict.py: judge; see
# docs/harness.md); ROULETTE_CONSOLE_FROM=TEXT scans the console from the
# line holding TEXT on. A failure shows the console's tail.
guest_verdict() {
	"${VERDICT[@]}" boot "$RESULTS_FILE" "$@"
}
