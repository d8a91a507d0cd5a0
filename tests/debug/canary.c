// SPDX-License-Identifier: GPL-2.0
/*
 * canary - a known bug of each kind the debug kernel's detectors must
 * report, so `make test-debug` proves its scans would catch a real one in
 * our drivers. Test-only: never packaged, only loaded into the debug kernel
 * (tests/debug/detectors.sh), one bug per load:
 *
 *   insmod canary.ko bug=kasan|ubsan|odebug|sleep|leak|lockdep|kobject|kcsan
 *
 * bug=kcsan needs the KCSAN kernel and two CPUs: two threads increment one
 * plain int, a data race by the memory model's definition.
 * bug=kobject: memory that holds a kobject freed right after its last put.
 * DEBUG_KOBJECT_RELEASE runs the release 1-4 s later, from a delayed work
 * inside the kobject, so the free hits a pending timer (ODEBUG). A static
 * kobject freed with its module's memory at rmmod is the same bug, but
 * there it races the module's own kobject, whose release rmmod waits for.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compiler.h>
#include <linux/init.h>
#include <linux/kobject.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timer.h>

static char *bug = "";
module_param(bug, charp, 0444);
MODULE_PARM_DESC(bug, "kasan, ubsan, odebug, sleep, leak, lockdep, kobject or kcsan");

static void *leaked;

static noinline void canary_kasan(void)
{
	char *p = kmalloc(16, GFP_KERNEL);
	size_t i = 16;

	if (!p)
		return;
	OPTIMIZER_HIDE_VAR(i);
	pr_info("kasan: read one byte past a 16-byte object: %d\n", READ_ONCE(p[i]));
	kfree(p);
}

static noinline void canary_ubsan(void)
{
	int one = 1, shift = 40;

	OPTIMIZER_HIDE_VAR(shift);
	pr_info("ubsan: 1 << 40 in an int: %d\n", one << shift);
}

struct canary_timer {
	struct timer_list timer;
};

static void canary_timer_fn(struct timer_list *t)
{
}

static noinline void canary_odebug(void)
{
	struct canary_timer *ct = kmalloc(sizeof(*ct), GFP_KERNEL);

	if (!ct)
		return;
	timer_setup(&ct->timer, canary_timer_fn, 0);
	mod_timer(&ct->timer, jiffies + 3600 * HZ);
	/* Freed while armed: debugobjects reports it and deactivates the timer. */
	kfree(ct);
}

static DEFINE_SPINLOCK(canary_a);
static DEFINE_SPINLOCK(canary_b);

static noinline void canary_sleep(void)
{
	spin_lock(&canary_a);
	might_sleep();
	spin_unlock(&canary_a);
}

static noinline void canary_leak(void)
{
	void *p = kmalloc(128, GFP_KERNEL);

	/* Keep a pointer only long enough to print it, then forget it. */
	pr_info("leak: 128 bytes at %p\n", p);
	p = NULL;
	WRITE_ONCE(leaked, p);
}

static noinline void canary_lockdep(void)
{
	/* A then B, later B then A: lockdep sees the inversion. */
	spin_lock(&canary_a);
	spin_lock(&canary_b);
	spin_unlock(&canary_b);
	spin_unlock(&canary_a);
	spin_lock(&canary_b);
	spin_lock(&canary_a);
	spin_unlock(&canary_a);
	spin_unlock(&canary_b);
}

static void canary_kobj_release(struct kobject *kobj)
{
}

static const struct kobj_type canary_ktype = {
	.release = canary_kobj_release,
};

static noinline void canary_kobject(void)
{
	struct kobject *kobj = kzalloc(sizeof(*kobj), GFP_KERNEL);

	if (!kobj)
		return;
	/* No name: ODEBUG's fixup cancels the release, which would free it. */
	kobject_init(kobj, &canary_ktype);
	kobject_put(kobj);	/* the last put: the release is now pending */
	kfree(kobj);		/* the bug: freed before its release ran */
}

static int canary_racy;

static int canary_race_fn(void *unused)
{
	int i;

	for (i = 0; i < 100000; i++) {
		canary_racy++;	/* plain, unlocked, from two threads: the race */
		if (!(i % 1000))
			cond_resched();
	}
	return 0;
}

static noinline void canary_kcsan(void)
{
	struct task_struct *t[2];
	int i;

	for (i = 0; i < 2; i++) {
		t[i] = kthread_create(canary_race_fn, NULL, "canary-race/%d", i);
		if (IS_ERR(t[i])) {
			t[i] = NULL;
			continue;
		}
		get_task_struct(t[i]);
		kthread_bind(t[i], i % num_online_cpus());
		wake_up_process(t[i]);
	}
	for (i = 0; i < 2; i++) {
		if (!t[i])
			continue;
		kthread_stop(t[i]);	/* waits for the loop to end */
		put_task_struct(t[i]);
	}
	pr_info("kcsan: %d increments seen\n", READ_ONCE(canary_racy));
}

static int __init canary_init(void)
{
	if (!strcmp(bug, "kasan"))
		canary_kasan();
	else if (!strcmp(bug, "ubsan"))
		canary_ubsan();
	else if (!strcmp(bug, "odebug"))
		canary_odebug();
	else if (!strcmp(bug, "sleep"))
		canary_sleep();
	else if (!strcmp(bug, "leak"))
		canary_leak();
	else if (!strcmp(bug, "lockdep"))
		canary_lockdep();
	else if (!strcmp(bug, "kobject"))
		canary_kobject();
	else if (!strcmp(bug, "kcsan"))
		canary_kcsan();
	else
		return -EINVAL;
	pr_info("bug=%s done\n", bug);
	return 0;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Deliberate bugs to prove the debug kernel's detectors fire");
