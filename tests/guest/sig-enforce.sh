#!/bin/sh
# Signature enforcement: a boot of its own with module.sig_enforce=1
# (scripts/test.sh). Debian's kernels trust only Debian's keys: our
# unsigned build, a copy signed with a key of ours and a copy whose
# signature is corrupted are all refused, each with its own errno and log.
# shellcheck source=../lib.sh
. /tests/lib.sh

SIGNED=/modules/signed

# rejected NAME EXPECTED LOG MODLOAD-ARGS...: the errno, the kernel's
# reason in the log, and no module left.
rejected() {
	_n=$1 _want=$2 _why=$3
	shift 3
	_m=$(mark "$_n")
	expect_eq "$_n is $_want" "error $_want" "$(/bin/modload "$@")"
	check "$_n leaves nothing loaded" test ! -d /sys/module/hello
	[ -z "$_why" ] || expect_log "$_n logs '$_why'" "$_m" "$_why"
}

t=$(tainted)
expect_eq "module.sig_enforce=1 is in force" Y "$(cat /sys/module/module/parameters/sig_enforce 2>&1)"
# The kernel's reason (5.10 puts the module's name before it).
unsigned="Loading of unsigned module is rejected"
untrusted="Loading of module with unavailable key is rejected"
rejected "finit_module: our unsigned module" EKEYREJECTED "$unsigned" "$MODS/hello.ko"
rejected "init_module: our unsigned module" EKEYREJECTED "$unsigned" -m "$MODS/hello.ko"
rejected "finit_module: signed with a key the kernel does not trust" EKEYREJECTED "$untrusted" "$SIGNED/hello-untrusted.ko"
rejected "init_module: signed with a key the kernel does not trust" EKEYREJECTED "$untrusted" -m "$SIGNED/hello-untrusted.ko"
rejected "finit_module: a corrupted signature" EBADMSG "" "$SIGNED/hello-badsig.ko"
rejected "init_module: a corrupted signature" EBADMSG "" -m "$SIGNED/hello-badsig.ko"
# The IGNORE flags strip what was signed: the module counts as unsigned.
rejected "finit_module: MODULE_INIT_IGNORE_VERMAGIC on a signed module" EKEYREJECTED "$unsigned" -f 2 "$SIGNED/hello-untrusted.ko"
expect_eq "taint unchanged by the refused loads" "$t" "$(tainted)"
finish
