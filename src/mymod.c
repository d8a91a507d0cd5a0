// SPDX-License-Identifier: GPL-2.0
/*
 * mymod - a periodic timer that logs "mymod: timer" every @sec seconds.
 *
 * An hrtimer is forwarded from its previous expiry, so tick N fires at
 * N * sec after load with no accumulated lateness. @sec can be changed
 * through sysfs; the set op only stores the value and the callback reads
 * it when it re-arms, so the new period applies from the next tick and no
 * sysfs write can ever arm the timer (no race with module unload).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hrtimer.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "compat.h"
#include "version.h"

#define MYMOD_SEC_MIN 1
#define MYMOD_SEC_MAX 3600	/* one hour: longer periods are a config error */

static int sec = 5;
static struct hrtimer mymod_timer;

static int sec_set(const char *val, const struct kernel_param *kp)
{
	int v;

	/* "sec" with no "=value" passes NULL */
	if (!val || kstrtoint(val, 10, &v) || v < MYMOD_SEC_MIN || v > MYMOD_SEC_MAX) {
		pr_err("invalid sec: must be an integer from %d to %d\n",
		       MYMOD_SEC_MIN, MYMOD_SEC_MAX);
		return -EINVAL;
	}
	WRITE_ONCE(*(int *)kp->arg, v);
	return 0;
}

static const struct kernel_param_ops sec_ops = {
	.set = sec_set,
	.get = param_get_int,
};

module_param_cb(sec, &sec_ops, &sec, 0644);
MODULE_PARM_DESC(sec, "Timer period in seconds, 1-3600 (default 5)");

static ktime_t sec_period(void)
{
	return ktime_set(READ_ONCE(sec), 0);
}

static enum hrtimer_restart mymod_tick(struct hrtimer *timer)
{
	pr_info("timer\n");
	/* From the previous expiry: aligned to the N * sec grid, no drift. */
	hrtimer_forward_now(timer, sec_period());
	return HRTIMER_RESTART;
}

static int __init mymod_init(void)
{
	/* Soft mode: the callback runs in softirq context on every kernel, RT too. */
	compat_hrtimer_setup(&mymod_timer, mymod_tick, CLOCK_MONOTONIC,
			     HRTIMER_MODE_REL_SOFT);
	pr_info("init\n");
	hrtimer_start(&mymod_timer, sec_period(), HRTIMER_MODE_REL_SOFT);
	return 0;
}

static void __exit mymod_exit(void)
{
	/* Waits for a running callback; nothing else can re-arm the timer. */
	hrtimer_cancel(&mymod_timer);
	pr_info("exit\n");
}

module_init(mymod_init);
module_exit(mymod_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR(ROULETTE_AUTHOR);
MODULE_DESCRIPTION("Periodic kernel timer that logs every sec seconds");
MODULE_VERSION(ROULETTE_VERSION);

#ifdef ROULETTE_KUNIT
#include "mymod_kunit.c"
#endif
