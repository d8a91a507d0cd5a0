#!/bin/bash
# shellcheck shell=bash
# make systest: Debian's own test of the package (sourced by scripts/systest.sh).

# run_autopkgtest SUITE ROW: Debian's own test (autopkgtest-pkg-dkms) with
# the unshare backend, in a testbed with the row's headers (lib-qa.sh).
run_autopkgtest() {
	qa_autopkgtest "$TARGET" "$1" "$(krel "$2")" "$VERSION" "$WORK"
}
