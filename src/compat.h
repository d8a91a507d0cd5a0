/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences across the supported range, 5.10 to 7.3: the
 * Debian kernels the drivers build against with no W=1 or sparse warning
 * (bullseye 5.10, bookworm 6.1 and 6.12, trixie 6.12, trixie-backports
 * 7.3, sid 7.2). dkms.conf's BUILD_EXCLUSIVE_KERNEL_MIN holds the floor.
 * The drivers call only the compat_* names defined here. The HAVE_* macros
 * come from compile-test probes in Kbuild, which build a tiny use of each
 * API against the headers being built against, so a distribution backport
 * is picked up like a new release. compat_oops() holds the one difference
 * between architectures.
 */
#ifndef ROULETTE_COMPAT_H
#define ROULETTE_COMPAT_H

#include <linux/device.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/module.h>
#include <linux/random.h>

/* hrtimer_setup() replaced hrtimer_init() + ->function in 6.13. */
static inline void compat_hrtimer_setup(struct hrtimer *timer,
					enum hrtimer_restart (*fn)(struct hrtimer *),
					clockid_t clock, enum hrtimer_mode mode)
{
#ifdef HAVE_HRTIMER_SETUP
	hrtimer_setup(timer, fn, clock, mode);
#else
	hrtimer_init(timer, clock, mode);
	timer->function = fn;
#endif
}

/* get_random_u32_below() arrived in 6.2 (6.1.4 stable); prandom_u32_max() left in 6.2. */
static inline u32 compat_random_below(u32 ceil)
{
#ifdef HAVE_GET_RANDOM_U32_BELOW
	return get_random_u32_below(ceil);
#else
	return prandom_u32_max(ceil);
#endif
}

/*
 * .splice_read for a device with ->read_iter (splice(2), sendfile(2)):
 * copy_splice_read() since 6.5, generic_file_splice_read() before; both
 * fill the pipe through ->read_iter. Without one splice fails with EINVAL.
 */
#ifdef HAVE_COPY_SPLICE_READ
#define compat_splice_read copy_splice_read
#else
#define compat_splice_read generic_file_splice_read
#endif

/*
 * boom=oops: an oops that kills the reader and leaves the kernel running
 * (unless panic_on_oops). arm64 and riscv64 take BUG()'s breakpoint as an
 * NMI-like debug exception (arm64_enter_el1_dbg(), irqentry_nmi_enter()):
 * a task killed inside it leaves arm64 with interrupts off and context
 * tracking in NMI state (a WARNING follows), and riscv64's die() panics
 * ("Fatal exception in interrupt"). There the oops is a write to NULL: a
 * page fault, which dies from an ordinary exception as BUG()'s ud2 does
 * on x86.
 */
#if defined(CONFIG_ARM64) || defined(CONFIG_RISCV)
#define compat_oops()	WRITE_ONCE(*(int *)NULL, 0)
#else
#define compat_oops()	BUG()
#endif

/*
 * An allocated class (its release frees it): a static one is read by the
 * class kobject's release, which may run after the module is gone.
 * class_create() lost its owner argument in 6.4.
 */
static inline struct class *compat_class_create(const char *name)
{
#ifdef HAVE_CLASS_CREATE_NAME_ONLY
	return class_create(name);
#else
	return class_create(THIS_MODULE, name);
#endif
}

#endif /* ROULETTE_COMPAT_H */
