/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences across the supported range (4.19 to current).
 * The drivers call only the compat_* names defined here. The HAVE_* macros
 * come from feature probes in Kbuild, which look at the headers being built
 * against, so a distribution backport is picked up like a new release.
 */
#ifndef ROULETTE_COMPAT_H
#define ROULETTE_COMPAT_H

#include <linux/hrtimer.h>
#include <linux/random.h>
#include <linux/sched/signal.h>

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

/* force_sig() lost its task argument in 5.3. */
static inline void compat_force_sig_current(int sig)
{
#ifdef HAVE_FORCE_SIG_CURRENT
	force_sig(sig);
#else
	force_sig(sig, current);
#endif
}

#endif /* ROULETTE_COMPAT_H */
