#!/bin/bash
# shellcheck shell=bash
# The host side of every stage: the kernel table, module builds, the one
# guest runner (initramfs, QEMU boot, verdict) and the one result format.
# Source it; it defines functions and a few variables and runs nothing.

ROULETTE_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Downloads and caches live outside the work tree (override for CI or tests).
ROULETTE_CACHE=${ROULETTE_CACHE:-/var/cache/roulette-dkms}
ROULETTE_OUT=${ROULETTE_OUT:-$ROULETTE_TOP/out}
export ROULETTE_TOP ROULETTE_CACHE ROULETTE_OUT
KERNEL_TABLE=$ROULETTE_TOP/tests/kernels.conf
HOST_SUITE=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")

die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

log() {
	echo "==> $*" >&2
}

# apt_install PKG...: install what is missing, with no Recommends.
apt_install() {
	local missing=() p out
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing ${missing[*]}"
	apt_fresh || return 1
	# apt's chatter (debconf's "apt-utils is not installed" on a fresh
	# machine) must not land in a build log as a finding: shown on failure.
	out=$(DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install \
		-y -qq --no-install-recommends "${missing[@]}" 2>&1) || { echo "$out" >&2; return 1; }
}

# apt_fresh: the host's apt lists at most an hour old, so a kernel uploaded
# since is resolved (as lib-suite.sh does for the other suites' chroots).
apt_fresh() {
	if [ ! -e "$ROULETTE_CACHE/.apt-updated" ] ||
		[ -n "$(find "$ROULETTE_CACHE/.apt-updated" -mmin +60)" ]; then
		apt-get -o DPkg::Lock::Timeout=600 update -qq || return 1
		mkdir -p "$ROULETTE_CACHE" && touch "$ROULETTE_CACHE/.apt-updated"
	fi
}

# --- results: one format for every stage ------------------------------------
# Each stage writes out/results/STAGE.txt, one line a check:
#   PASS: [TARGET] CHECK | FAIL: [TARGET] CHECK: DETAIL | SKIP: [TARGET] CHECK: REASON
# (diagnostics as "# TEXT" lines under a check), STAGE.jsonl beside it, and
# on closing STAGE.ktap (KTAP version 1) and the line "N passed, N failed"
# (", N skipped" when anything was). scripts/verdict.py writes them all.
VERDICT=(/usr/bin/python3 "$ROULETTE_TOP/scripts/verdict.py")

# results_open STAGE
results_open() {
	RESULTS_FILE=$ROULETTE_OUT/results/$1.txt
	mkdir -p "${RESULTS_FILE%/*}"
	: >"$RESULTS_FILE"
	: >"${RESULTS_FILE%.txt}.jsonl"
	rm -f "${RESULTS_FILE%.txt}.ktap"
}

# record PASS|FAIL|SKIP NAME [DETAIL...]: one check. NAME is stable (no
# release, version or figure: those go in DETAIL, the diagnostics); given
# no DETAIL, a FAIL or SKIP NAME is split at its first ': ' after the target.
record() {
	"${VERDICT[@]}" record "$RESULTS_FILE" "$@"
}

# results_close: the closing line; success when something passed and
# nothing failed.
results_close() {
	"${VERDICT[@]}" close "$RESULTS_FILE"
}

# linux_source NAME PATTERN...: the files of Debian's linux-source-6.12
# that match the tar wildcards, unpacked once into $ROULETTE_CACHE/NAME
# (checkpatch.pl, the kunit tool); prints the directory.
linux_source() {
	local dir=$ROULETTE_CACHE/$1
	shift
	if [ ! -e "$dir/.unpacked" ]; then
		apt_install linux-source-6.12 xz-utils || return 1
		mkdir -p "$dir" &&
			flock "$dir" tar -xaf /usr/src/linux-source-6.12.tar.xz -C "$dir" \
				--strip-components=1 --wildcards "$@" &&
			touch "$dir/.unpacked" || return 1
	fi
	echo "$dir"
}

# --- the kernel table (tests/kernels.conf) -----------------------------------

# kernel_row NAME: "suite package flavour arch stages" of that row.
kernel_row() {
	awk -v n="$1" '!/^#/ && $1 == n { print $2, $3, $4, $5, $6; f = 1 } END { exit !f }' \
		"$KERNEL_TABLE"
}

# kernel_rows STAGE: the rows a stage runs, in table order; ROULETTE_KERNELS
# (names separated by commas or spaces) overrides the stages column.
kernel_rows() {
	local n
	if [ -n "${ROULETTE_KERNELS:-}" ]; then
		for n in ${ROULETTE_KERNELS//,/ }; do
			kernel_row "$n" >/dev/null || die "no kernel '$n' in tests/kernels.conf"
			echo "$n"
		done
	else
		awk -v s="$1" '!/^#/ && NF >= 6 && index("," $6 ",", "," s ",") { print $1 }' \
			"$KERNEL_TABLE"
	fi
}

declare -gA KREL_OF SUITE_OF META_OF FLAVOUR_OF ARCH_OF DEBUG_KERNEL_OF

# debug_kernel [FLAVOUR]: DEBUG_KERNEL_OF[FLAVOUR] (debug, the default, or
# kcsan), the cache directory of scripts/build-debug-kernel.sh (tree/,
# bzImage-modules, bzImage-builtin, kernelrelease); built on first use.
debug_kernel() {
	local f=${1:-debug}
	[ -n "${DEBUG_KERNEL_OF[$f]:-}" ] ||
		DEBUG_KERNEL_OF[$f]=$("$ROULETTE_TOP/scripts/build-debug-kernel.sh" "$f") || {
		echo "cannot build the $f kernel" >&2
		return 1
	}
}

# kernel_resolve NAME: sets KREL_OF[NAME] (the release), and the row's
# SUITE_OF, META_OF (its package column), FLAVOUR_OF and ARCH_OF.
# Status 2, with the reason on stderr, when the suite's archive no longer
# serves the kernel: the caller reports the row as skipped.
kernel_resolve() {
	local name=$1 suite meta flavour arch rel
	[ -n "${KREL_OF[$name]:-}" ] && return 0
	read -r suite meta flavour arch _ < <(kernel_row "$name") || die "no kernel '$name' in tests/kernels.conf"
	# shellcheck disable=SC2034 # FLAVOUR_OF and ARCH_OF are read by the stages
	SUITE_OF[$name]=$suite META_OF[$name]=$meta FLAVOUR_OF[$name]=$flavour ARCH_OF[$name]=$arch
	if [ "$meta" = source ]; then
		debug_kernel "$flavour" || return 1
		rel=$(cat "${DEBUG_KERNEL_OF[$flavour]}/kernelrelease")
	elif [ "$suite" = "$HOST_SUITE" ]; then
		apt_fresh || return 1
		rel=$(apt-cache depends "$meta" 2>/dev/null |
			sed -n 's/^ *Depends: linux-image-\([0-9][^ ]*\)$/\1/p' |
			sed 's/-unsigned$//' | head -n 1)
		[ -n "$rel" ] || { echo "cannot resolve $meta (apt-get update?)" >&2; return 1; }
	else
		suite_lib
		rel=$(suite_kernel_release "$suite" "$meta") || return
	fi
	KREL_OF[$name]=$rel
}

# row_ready NAME LOG: resolve the row for a stage; a kernel its archive no
# longer serves is recorded as skipped, any other failure as failed, with
# the reason from LOG. Status as kernel_resolve's.
row_ready() {
	local t=$1 logf=$2 rc=0
	kernel_resolve "$t" 2>"$logf" || rc=$?
	case $rc in
	0) return 0 ;;
	2) record SKIP "[$t] kernel unavailable" "$(tail -n 1 "$logf")" ;;
	*) record FAIL "[$t] cannot resolve the kernel" "$(tail -n 3 "$logf" | tr '\n' ' ')" ;;
	esac
	return "$rc"
}

# suite_lib: the chroot builder for other Debian suites (scripts/lib-suite.sh).
suite_lib() {
	# shellcheck source=lib-suite.sh
	declare -F suite_build >/dev/null || . "$ROULETTE_TOP/scripts/lib-suite.sh"
}

# kernel_series KREL: 6.1, 6.12, 7.2 ...
kernel_series() {
	echo "$1" | awk -F'[.-]' '{ print $1 "." $2 }'
}

# kernel_build NAME OUTDIR [make args...]: our modules for that row, built
# as its own system would: the host's headers for the host's suite, the
# suite's chroot (compiler, headers, sparse) for another, the debug tree.
kernel_build() {
	local name=$1 out=$2 krel
	shift 2
	kernel_resolve "$name" || return
	krel=${KREL_OF[$name]}
	if [ "${META_OF[$name]}" = source ]; then
		build_modules "$krel" "${DEBUG_KERNEL_OF[${FLAVOUR_OF[$name]}]}/tree" "$out" "$@"
	elif [ "${SUITE_OF[$name]}" = "$HOST_SUITE" ]; then
		apt_install "linux-headers-$krel" || die "cannot install linux-headers-$krel"
		build_modules "$krel" "/usr/src/linux-headers-$krel" "$out" "$@"
	else
		suite_build "${SUITE_OF[$name]}" "$krel" "$out" "$@"
	fi
}

# kernel_vmlinuz NAME: the path of the row's kernel image on the host.
kernel_vmlinuz() {
	local name=$1
	kernel_resolve "$name" || return
	if [ "${META_OF[$name]}" = source ]; then
		echo "${DEBUG_KERNEL_OF[${FLAVOUR_OF[$name]}]}/bzImage-modules"
	elif [ "${SUITE_OF[$name]}" = "$HOST_SUITE" ]; then
		kernel_image "${KREL_OF[$name]}"
	else
		suite_image "${SUITE_OF[$name]}" "${KREL_OF[$name]}"
	fi
}

# kernel_image KREL: download the host suite's image package into the cache
# (not installed on the host) and print the path of its vmlinuz.
kernel_image() {
	local krel=$1 dir=$ROULETTE_CACHE/kernels/$1 tmp
	if [ ! -s "$dir/vmlinuz" ]; then
		log "downloading linux-image-$krel"
		tmp=$(mktemp -d) || return 1
		chown _apt "$tmp" 2>/dev/null || true	# apt downloads as _apt
		(cd "$tmp" && apt-get download -qq "linux-image-$krel" >/dev/null) ||
			die "cannot download linux-image-$krel"
		mkdir -p "$dir/root"
		dpkg-deb -x "$tmp"/linux-image-*.deb "$dir/root"
		rm -rf "$tmp"
		cp "$dir/root/boot/vmlinuz-$krel" "$dir/vmlinuz.tmp" && mv "$dir/vmlinuz.tmp" "$dir/vmlinuz"
	fi
	echo "$dir/vmlinuz"
}

# build_modules KREL KDIR OUTDIR [make args...]: build src/ (or
# ROULETTE_SRC, e.g. a patched copy) out of tree in OUTDIR (a copy, so
# several kernels can be built side by side).
build_modules() {
	local krel=$1 kdir=$2 out=$3 src=${ROULETTE_SRC:-$ROULETTE_TOP/src}
	shift 3
	rm -rf "$out" && mkdir -p "$out" || return 1
	cp "$src"/*.c "$src"/*.h "$src"/Kbuild "$out"/
	make -s -C "$kdir" M="$out" KERNELRELEASE="$krel" "$@" modules
}

# --- the guest runner ---------------------------------------------------------

# guest_host_setup: what the host needs to build and boot guests.
guest_host_setup() {
	apt_install qemu-system-x86 busybox-static cpio gzip gcc libc6-dev make kmod
}

# static_tool SOURCE.c: a static helper for the guest, built once into
# out/tools; prints its path.
static_tool() {
	local src=$1 bin
	bin=$ROULETTE_OUT/tools/$(basename "$1" .c)
	mkdir -p "${bin%/*}"
	if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
		gcc -static -O2 -Wall -Wextra -Werror -o "$bin" "$src" || die "cannot build $src"
	fi
	echo "$bin"
}

# guest_initramfs OUT [--krel KREL --mods DIR] [--other DIR] [--bin FILE]
#                 [--dyn FILE] [--add FILE DEST]...
# The one initramfs: busybox, tests/init as /init, the suites (tests/*/ and
# bench/guest/ under /tests), tests/tools; --mods installs the modules for
# KREL as /lib/modules/KREL/extra (modinfo, modprobe) and /modules/this,
# --other a build for another series as /modules/other, --bin a static
# program and --dyn a dynamic one with its libraries, --add any file.
guest_initramfs() {
	local out=$1 root krel='' a d t
	shift
	root=$(mktemp -d) || return 1
	chmod 755 "$root"	# the guest's /: unprivileged test users must traverse it
	mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,etc,root,lib/modules,modules,tests}
	cp /bin/busybox "$root/bin/busybox"
	for a in $("$root/bin/busybox" --list); do
		[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
	done
	printf '%s\n' root:x:0:0:root:/root:/bin/sh fuzz:x:1000:1000:fuzz:/tmp:/bin/sh \
		nobody:x:65534:65534:nobody:/:/bin/sh >"$root/etc/passwd"
	printf '%s\n' root:x:0: roulette:x:900: fuzz:x:1000: nogroup:x:65534: >"$root/etc/group"
	install -m 755 "$ROULETTE_TOP/tests/init" "$root/init"
	cp "$ROULETTE_TOP/tests/lib.sh" "$ROULETTE_TOP/tests/kernel-reports.txt" "$root/tests/"
	for d in "$ROULETTE_TOP"/tests/*/ "$ROULETTE_TOP"/bench/guest/; do
		compgen -G "$d*.sh" >/dev/null || continue
		t=$root/tests/$(basename "$d")
		[ "$d" = "$ROULETTE_TOP/bench/guest/" ] && t=$root/tests/bench
		mkdir -p "$t" && cp "$d"*.sh "$t/"
	done
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

# guest_cmdline APPEND: the kernel command line of every guest.
guest_cmdline() {
	echo "console=ttyS0 panic=-1 quiet $1"
}

# qemu_boot VMLINUZ INITRD CONSOLE RESULTS TIMEOUT APPEND [qemu args...]:
# boot under TCG; the first serial port is the console, the second the
# result channel. QEMU exits 0 whatever the guest did; returns timeout's
# status (124 on a hang). ROULETTE_GUEST_MEM and _CPUS size the guest.
# VMLINUZ "firmware" boots as a PC does: the firmware and disks in the
# QEMU args, whose boot loader passes guest_cmdline (INITRD, APPEND unused).
qemu_boot() {
	local kernel=$1 initrd=$2 console=$3 results=$4 secs=$5 append=$6
	local -a direct=(-kernel "$kernel" -initrd "$initrd" -append "$(guest_cmdline "$append")")
	shift 6
	[ "$kernel" != firmware ] || direct=()
	: >"$console"
	: >"$results"
	timeout --foreground -k 5 "$secs" qemu-system-x86_64 \
		-accel tcg -cpu max -m "${ROULETTE_GUEST_MEM:-512}" \
		-smp "${ROULETTE_GUEST_CPUS:-1}" -nographic -no-reboot \
		-monitor none -serial "file:$console" -serial "file:$results" \
		-display none -nic none "${direct[@]}" \
		"$@" </dev/null >/dev/null 2>&1
}

# guest_start TAG DIR VMLINUZ INITRD APPEND [qemu args...]: one boot, in
# the background (boots side by side); the console and the result channel
# are kept as DIR/TAG.console and DIR/TAG.results; guest_wait judges it,
# against the plan of the suites= in APPEND (also for a firmware boot,
# whose boot loader has the command line).
GUEST_BOOTS=()	# "pid tag dir plan start" of each boot started
guest_start() {
	local tag=$1 dir=$2 vmlinuz=$3 initrd=$4 append=$5
	shift 5
	mkdir -p "$dir"
	log "$tag: booting $(basename "$vmlinuz") ($append)"
	qemu_boot "$vmlinuz" "$initrd" "$dir/$tag.console" "$dir/$tag.results" \
		"${ROULETTE_BOOT_TIMEOUT:-420}" "$append" "$@" &
	GUEST_BOOTS+=("$! $tag $dir $("${VERDICT[@]}" plan "$(sed -n 's/.*suites=\([^ ]*\).*/\1/p' <<<"$append")") $(date +%s)")
}

# guest_judge "PID TAG DIR PLAN START" STATUS: record the verdict of a
# finished boot and its time up to its console's last line.
guest_judge() {
	local pid tag dir plan t0
	read -r pid tag dir plan t0 <<<"$1"
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
	local n=$1 b pid rc
	local -a pids rest
	shift
	while [ ${#GUEST_BOOTS[@]} -ge "$n" ]; do
		pids=()
		for b in "${GUEST_BOOTS[@]}"; do pids+=("${b%% *}"); done
		rc=0
		wait -n -p pid "${pids[@]}" || rc=$?
		rest=()
		for b in "${GUEST_BOOTS[@]}"; do
			if [ "${b%% *}" = "$pid" ]; then
				guest_judge "$b" "$rc" || true
			else
				rest+=("$b")
			fi
		done
		GUEST_BOOTS=("${rest[@]}")
	done
	guest_start "$@"
}

# guest_kill: end the boots still running (an interrupted stage).
guest_kill() {
	local b
	for b in "${GUEST_BOOTS[@]}"; do pkill -P "${b%% *}" 2>/dev/null; done
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
