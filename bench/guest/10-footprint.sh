#!/bin/sh
# make bench, figure 3: the footprint of the three modules loaded side by
# side, as /proc/modules counts it (page-rounded sections).
# shellcheck source=../../tests/lib.sh
. /tests/lib.sh

case $(cmdline_arg bench.figs) in
*3*)
	expect_eq "load hello" ok "$(load hello)"
	expect_eq "load mymod sec=3600" ok "$(load mymod sec=3600)"
	expect_eq "load roulette chance=0" ok "$(load roulette chance=0)"
	for m in hello mymod roulette; do
		emit "DATA: fig3 module=$m size=$(awk -v m="$m" '$1 == m { print $2 }' /proc/modules)"
	done
	;;
esac
finish
