#!/bin/bash
# shellcheck shell=bash
# Helpers shared by the benchmark scripts (bench.sh, bench-pkg.sh): how busy
# the host is besides our own work. Source it after lib.sh.

# cpu_jiffies: "busy nice" CPU time of the whole host so far, in clock ticks.
cpu_jiffies() {
	awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9, $3 }' /proc/stat
}

# child_jiffies: CPU time of this shell's waited-for children (QEMU,
# chroot commands), ticks.
child_jiffies() {
	awk '{ print $16 + $17 }' "/proc/$$/stat"
}

# host_load TAG WALL BUSY0 NICE0 CHILD0 [KEY=VALUE]: one line on how busy
# the host was besides our own work (QEMU, chroot) during the last WALL
# seconds; KEY=VALUE (e.g. boot=2) goes in front of the figures.
host_load() {
	local tag=$1 wall=$2 b0=$3 n0=$4 c0=$5 note=${6:+$6 } b1 n1 c1 hz
	read -r b1 n1 < <(cpu_jiffies)
	c1=$(child_jiffies)
	hz=$(getconf CLK_TCK)
	awk -v t="$tag" -v note="$note" -v w="$wall" -v b="$((b1 - b0))" -v n="$((n1 - n0))" \
		-v c="$((c1 - c0))" -v hz="$hz" -v cpus="$(nproc)" 'BEGIN {
		if (w < 1) w = 1
		other = (b - c) / hz / w; if (other < 0) other = 0
		printf "%s host %swall=%d own_cores=%.2f other_cores=%.2f other_niced_cores=%.2f free_cores=%.2f\n",
			t, note, w, c / hz / w, other, n / hz / w, cpus - other
	}'
}

# wait_quiet: wait (at most BENCH_QUIET_WAIT seconds, default 300) until
# the rest of the host uses less than half a core at nice 0, so the loops
# do not share the CPU with another QEMU. Prints what it saw.
wait_quiet() {
	local max=${BENCH_QUIET_WAIT:-300} waited=0 b0 n0 b1 n1 busy
	while :; do
		read -r b0 n0 < <(cpu_jiffies)
		sleep 3
		read -r b1 n1 < <(cpu_jiffies)
		busy=$(awk -v b="$((b1 - b0 - n1 + n0))" -v hz="$(getconf CLK_TCK)" \
			'BEGIN { printf "%.2f", b / hz / 3 }')
		if awk -v b="$busy" 'BEGIN { exit !(b < 0.5) }' || [ "$waited" -ge "$max" ]; then
			echo "waited=$waited busy_at_start=$busy"
			return 0
		fi
		[ "$waited" = 0 ] && log "host busy ($busy cores at nice 0): waiting up to ${max}s"
		waited=$((waited + 3))
	done
}
