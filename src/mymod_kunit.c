// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of mymod's logic: the sec setter and the tick arithmetic.
 * Compiled into mymod.ko only when it is built with ROULETTE_KUNIT=1
 * against a kernel with CONFIG_KUNIT (make test-debug); the packages never
 * build it. Included at the end of mymod.c: it tests that file's static
 * functions. The cases that need a period write sec and restore it.
 */
#include <kunit/test.h>

static void mymod_test_sec_set(struct kunit *test)
{
	static const char * const bad[] = {
		"", " ", "\n", "0", "-1", "3601", "4000", "abc", "1.5", " 5", "5 ",
		"0x5", "5s", "10\n\n", "2147483648", "99999999999999999999",
	};
	static const struct { const char *val; int want; } good[] = {
		{ "1", 1 }, { "3600", 3600 }, { "+5", 5 }, { "10\n", 10 }, { "007", 7 },
	};
	struct kernel_param kp = {};
	unsigned int i;
	int v = 5;

	kp.arg = &v;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ_MSG(test, sec_set(bad[i], &kp), -EINVAL, "'%s'", bad[i]);
		KUNIT_EXPECT_EQ_MSG(test, v, 5, "'%s'", bad[i]);
	}
	KUNIT_EXPECT_EQ(test, sec_set(NULL, &kp), -EINVAL);
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		KUNIT_EXPECT_EQ_MSG(test, sec_set(good[i].val, &kp), 0, "'%s'", good[i].val);
		KUNIT_EXPECT_EQ_MSG(test, v, good[i].want, "'%s'", good[i].val);
	}
}

/* The period is sec seconds exactly, for every accepted sec (no overflow). */
static void mymod_test_period(struct kunit *test)
{
	int saved = READ_ONCE(sec), s;

	for (s = MYMOD_SEC_MIN; s <= MYMOD_SEC_MAX; s++) {
		WRITE_ONCE(sec, s);
		KUNIT_ASSERT_EQ(test, ktime_to_ns(sec_period()), (s64)s * NSEC_PER_SEC);
	}
	WRITE_ONCE(sec, saved);
}

/*
 * A tick re-arms on the grid of the expiry it served (due + k * period),
 * at its first point after the tick ran, however late the tick ran: tick N
 * stays at N * sec after load, and a tick that missed whole periods skips
 * them. "After the tick ran" is bounded by reading the clock before and
 * after it: printk to a slow console can delay the tick's own clock read.
 */
static void mymod_test_tick_grid(struct kunit *test)
{
	static const int secs[] = { MYMOD_SEC_MIN, 2, 5, MYMOD_SEC_MAX };
	int saved = READ_ONCE(sec);
	struct hrtimer *t;
	unsigned int i, j;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	compat_hrtimer_setup(t, mymod_tick, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	for (i = 0; i < ARRAY_SIZE(secs); i++) {
		s64 period = (s64)secs[i] * NSEC_PER_SEC;
		/* How late the callback runs: not, 1 ms, half a period, 2.5 periods. */
		s64 late[] = { 0, NSEC_PER_MSEC, period / 2, 2 * period + period / 2 };

		WRITE_ONCE(sec, secs[i]);
		for (j = 0; j < ARRAY_SIZE(late); j++) {
			s64 before = ktime_to_ns(ktime_get());
			s64 due = before - late[j], next, after;

			/* No timer expires before boot (ktime_add_safe() clamps). */
			if (due < 0)
				continue;
			hrtimer_set_expires(t, ns_to_ktime(due));
			KUNIT_EXPECT_EQ(test, mymod_tick(t), HRTIMER_RESTART);
			after = ktime_to_ns(ktime_get());
			next = ktime_to_ns(hrtimer_get_expires(t));
			KUNIT_EXPECT_EQ_MSG(test, (next - due) % period, 0,
					    "sec=%d late=%lld: off the grid", secs[i], late[j]);
			KUNIT_EXPECT_GT_MSG(test, next, before,
					    "sec=%d late=%lld: in the past", secs[i], late[j]);
			KUNIT_EXPECT_LE_MSG(test, next, after + period,
					    "sec=%d late=%lld: a period lost", secs[i], late[j]);
		}
	}
	WRITE_ONCE(sec, saved);
}

static struct kunit_case mymod_test_cases[] = {
	KUNIT_CASE(mymod_test_sec_set),
	KUNIT_CASE(mymod_test_period),
	KUNIT_CASE(mymod_test_tick_grid),
	{}
};

static struct kunit_suite mymod_test_suite = {
	.name = "mymod",
	.test_cases = mymod_test_cases,
};

kunit_test_suite(mymod_test_suite);
