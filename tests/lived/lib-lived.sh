# shellcheck shell=sh
# What the files of tests/lived/ share (sourced after /tests/lib.sh): the
# system's facts from the kernel command line (scripts/systest/lived.sh)
# and a root shell's commands with their output kept.
# shellcheck disable=SC2034 # used by the files that source this one
{
	K=$(uname -r)	# the running kernel
	V=$(cmdline_arg lived.version)	# the package's version N
	FLAVOUR=$(cmdline_arg lived.flavour)	# the kernel meta-package's flavour
	SRV=/srv/roulette	# the repositories, busybox, README's blocks
	OUT=/var/log/roulette-lived	# each command's output, for the host's log
}
export DEBIAN_FRONTEND=noninteractive	# a root shell answers no debconf question
mkdir -p "$OUT"

# at_shell NAME CMD...: CMD as a root shell runs it, its output in
# $OUT/NAME.out (shown on the console with its time); prints its exit status.
at_shell() {
	_n=$1 _t0=$(date +%s)
	shift
	"$@" >"$OUT/$_n.out" 2>&1
	_rc=$?
	sed "s/^/$_n| /" "$OUT/$_n.out" >/dev/console
	echo "$_n| exit status $_rc after $(($(date +%s) - _t0)) s" >/dev/console
	echo "$_rc"
}
# said NAME: what the command NAME printed (apt runs dpkg on a terminal:
# its lines end in CR LF)
said() { tr -d '\r' <"$OUT/$1.out"; }

# serve: the repositories under /srv/http (what the maintainer publishes;
# 10-install.sh fills it) served over HTTP on 127.0.0.1 by busybox httpd
# (the test's own web server, its pid in /run/roulette-httpd.pid), once it
# answers.
serve() {
	"$SRV/busybox" httpd -f -p 127.0.0.1:80 -h /srv/http &
	echo $! >/run/roulette-httpd.pid
	for _i in 1 2 3 4 5 6 7 8 9 10; do
		"$SRV/busybox" wget -q -O /dev/null http://127.0.0.1/roulette-dkms/roulette-dkms.sources && return
		sleep 1
	done
}

# dkms_versions: the versions of roulette dkms holds, one a line.
dkms_versions() { dkms status -m roulette 2>&1 | sed -n 's#^roulette/\([^,:]*\)[,:].*#\1#p' | sort -u; }

# dkms_has VERSION KREL: roulette VERSION is installed for KREL.
dkms_has() { dkms status -m roulette -v "$1" -k "$2" 2>/dev/null | grep -q ': installed'; }

# planted_repository: the test-only releases (scripts/systest/repositories.sh:
# build_planted_versions), signed with the same key, as one more source.
planted_repository() {
	cat >/etc/apt/sources.list.d/roulette-planted.sources <<EOT
Types: deb
URIs: file:$SRV/planted/
Suites: ./
Signed-By: /etc/apt/keyrings/roulette-dkms.gpg
EOT
	apt-get update >"$OUT/planted-update.out" 2>&1
}
