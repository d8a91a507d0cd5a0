/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences across the supported range (4.19 to current).
 * The drivers call only the names defined here; every version check
 * lives in this file.
 */
#ifndef ROULETTE_COMPAT_H
#define ROULETTE_COMPAT_H

#include <linux/hrtimer.h>
#include <linux/random.h>
#include <linux/sched/signal.h>
#include <linux/version.h>

/* hrtimer_setup() replaced hrtimer_init() + ->function in 6.13. */
static inline void compat_hrtimer_setup(struct hrtimer *timer,
					enum hrtimer_restart (*fn)(struct hrtimer *),
					clockid_t clock, enum hrtimer_mode mode)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
	hrtimer_setup(timer, fn, clock, mode);
#else
	hrtimer_init(timer, clock, mode);
	timer->function = fn;
#endif
}

/* get_random_u32_below() arrived in 6.2 (6.1.4 stable); prandom_u32_max() left in 6.2. */
static inline u32 compat_random_below(u32 ceil)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 4)
	return get_random_u32_below(ceil);
#else
	return prandom_u32_max(ceil);
#endif
}

/* force_sig() lost its task argument in 5.3. */
static inline void compat_force_sig_current(int sig)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 3, 0)
	force_sig(sig);
#else
	force_sig(sig, current);
#endif
}

#endif /* ROULETTE_COMPAT_H */
