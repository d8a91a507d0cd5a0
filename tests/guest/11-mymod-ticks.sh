#!/bin/sh
# mymod: over 21 ticks at sec=1, tick N lands at N*sec after load and its
# lateness does not grow (no drift). A timer re-armed from "now" instead of
# from its previous expiry is late by its own latency on every tick: its
# lateness grows linearly, which the slope check catches (README).
# shellcheck source=../lib.sh
. /tests/lib.sh

m=$(mark sec1)
load mymod sec=1 >/dev/null
sleep 21.5
unload mymod >/dev/null
t0=$(log_times_since "$m" 'mymod: init')
t1=$(log_times_since "$m" 'mymod: exit')
# Lateness of tick N, in microseconds: its time after init minus N seconds.
late=$(log_times_since "$m" 'mymod: timer' | awk -v t0="$t0" '{ printf "%d\n", ($1 - t0 - NR) * 1000000 }')
# The ticks due between load and unload by the kernel's clock (the sleep
# can overrun on a loaded host): one a second, at least 21; one due in the
# last 100 ms before the unload may not have fired yet.
read -r lo hi <<EOT
$(awk -v a="${t0:-x}" -v b="${t1:-x}" 'BEGIN {
	if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b - a < 21) print "-1 -2"
	else printf "%d %d\n", b - a - 0.1, b - a }')
EOT
n=$(echo "$late" | grep -c .)
expect_range "sec=1: a tick a second from load to unload" "$lo" "$hi" "$n"
note "$n ticks, $lo to $hi due"
worst=$(echo "$late" | awk '{ e = $1 < 0 ? -$1 : $1; if (e > m) m = e } END { printf "%d", m / 1000 }')
expect_range "sec=1: every tick within 100 ms of N*sec" 0 100 "$worst"
# Robust slope (Theil-Sen: the median of all pairwise slopes, so a few
# ticks delayed by a loaded host do not count), in microseconds per tick.
slope=$(echo "$late" | awk '{ l[NR] = $1 }
	END {
		for (i = 1; i <= NR; i++) for (j = i + 1; j <= NR; j++) s[++n] = (l[j] - l[i]) / (j - i)
		for (i = 2; i <= n; i++) { v = s[i]; for (k = i - 1; k >= 1 && s[k] > v; k--) s[k + 1] = s[k]; s[k + 1] = v }
		printf "%d", n % 2 ? s[(n + 1) / 2] : (s[n / 2] + s[n / 2 + 1]) / 2
	}')
echo "INFO: lateness per tick (us): $(echo "$late" | tr '\n' ' '); slope ${slope} us/tick, worst ${worst} ms"
expect_range "sec=1: lateness does not grow (slope under 0.2 ms per tick)" -200 200 "$slope"
finish
