#!/bin/sh
# Sourced first by every busybox /init (tests, stress, debug, bench):
# busybox_root (scripts/lib.sh) installs it as /etc/guest-boot.sh.
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
# A kernel with CONFIG_DEVTMPFS_MOUNT has mounted /dev already.
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
# Only KERN_EMERG reaches the console: it must not split our result lines.
dmesg -n 1
