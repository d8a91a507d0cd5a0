// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of roulette's logic: what the guest tests can only sample at
 * random. Compiled into roulette.ko only when it is built with
 * ROULETTE_KUNIT=1 against a kernel with CONFIG_KUNIT (make test-debug);
 * the packages never build it. It runs when the module goes live and
 * reports KTAP in the kernel log. Included at the end of roulette.c: it
 * tests that file's static functions.
 *
 * The setter cases write chance and boom for real and restore them.
 */
#include <kunit/test.h>

static void spin_set(struct file *file, u32 v, u32 c, int mode)
{
	file->private_data = (void *)(FIELD_PREP(SPIN_VALUE, v) |
				      FIELD_PREP(SPIN_CHANCE, c) |
				      FIELD_PREP(SPIN_BOOM, mode));
}

/*
 * Every (V, C) the fields can hold, beyond what a draw can give: a survivor
 * reads snprintf()'s text byte for byte, within the buffer; a loser none.
 */
static void roulette_test_message(struct kunit *test)
{
	char got[ROULETTE_MSG_MAX], want[ROULETTE_MSG_MAX];
	struct file *file;
	u32 v, c;
	int len;

	file = kunit_kzalloc(test, sizeof(*file), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, file);
	for (c = 0; c <= FIELD_MAX(SPIN_CHANCE); c++) {
		for (v = 0; v <= FIELD_MAX(SPIN_VALUE); v++) {
			spin_set(file, v, c, BOOM_OOPS);
			len = spin_message(file, got);
			if (v < c) {
				KUNIT_ASSERT_EQ_MSG(test, len, 0, "V=%u C=%u", v, c);
				continue;
			}
			KUNIT_ASSERT_EQ_MSG(test, len,
					    snprintf(want, sizeof(want),
						     "Survived... sampled value is %u, which is >= %u\n",
						     v, c), "V=%u C=%u", v, c);
			KUNIT_ASSERT_LT(test, len, ROULETTE_MSG_MAX);
			KUNIT_ASSERT_MEMEQ_MSG(test, got, want, len, "V=%u C=%u", v, c);
		}
	}
}

/* V == C survives (">= C"), V == C - 1 loses; C = 0 never loses, C = 100 always. */
static void roulette_test_boundary(struct kunit *test)
{
	static const u32 chances[] = { 1, 2, 50, 99, 100 };
	struct file *file;
	unsigned int i;
	u32 v;

	file = kunit_kzalloc(test, sizeof(*file), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, file);
	for (i = 0; i < ARRAY_SIZE(chances); i++) {
		spin_set(file, chances[i] - 1, chances[i], BOOM_OOPS);
		KUNIT_EXPECT_TRUE_MSG(test, spin_lost(file), "C=%u", chances[i]);
		if (chances[i] < ROULETTE_SLOTS) {
			spin_set(file, chances[i], chances[i], BOOM_OOPS);
			KUNIT_EXPECT_FALSE_MSG(test, spin_lost(file), "C=%u", chances[i]);
		}
	}
	for (v = 0; v < ROULETTE_SLOTS; v++) {
		spin_set(file, v, 0, BOOM_PANIC);
		KUNIT_EXPECT_FALSE(test, spin_lost(file));
		spin_set(file, v, ROULETTE_SLOTS, BOOM_PANIC);
		KUNIT_EXPECT_TRUE(test, spin_lost(file));
	}
}

/* The draw stays in [0, ROULETTE_SLOTS). */
static void roulette_test_draw(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < 10000; i++)
		KUNIT_ASSERT_LT(test, roulette_draw(), ROULETTE_SLOTS);
}

struct setter_case {
	const char *val;
	int want;
};

/* Each bad string fails with EINVAL and leaves *var alone; each good one sets it. */
static void setter_cases(struct kunit *test,
			 int (*set)(const char *val, const struct kernel_param *kp),
			 const int *var, const char * const *bad, size_t nbad,
			 const struct setter_case *good, size_t ngood)
{
	size_t i;
	int before;

	for (i = 0; i < nbad; i++) {
		before = READ_ONCE(*var);
		KUNIT_EXPECT_EQ_MSG(test, set(bad[i], NULL), -EINVAL, "'%s'", bad[i]);
		KUNIT_EXPECT_EQ_MSG(test, READ_ONCE(*var), before, "'%s'", bad[i]);
	}
	KUNIT_EXPECT_EQ(test, set(NULL, NULL), -EINVAL);
	for (i = 0; i < ngood; i++) {
		KUNIT_EXPECT_EQ_MSG(test, set(good[i].val, NULL), 0, "'%s'", good[i].val);
		KUNIT_EXPECT_EQ_MSG(test, READ_ONCE(*var), good[i].want, "'%s'", good[i].val);
	}
}

static void roulette_test_chance_set(struct kunit *test)
{
	static const char * const bad[] = {
		"", " ", "\n", "abc", "101", "-2", "1.5", "0x10", "1e2", "+", "-",
		" 50", "50 ", "5 0", "50\n\n", "2147483648", "-2147483649",
		"99999999999999999999",
	};
	static const struct setter_case good[] = {
		{ "0", 0 }, { "100", 100 }, { "+7", 7 }, { "42\n", 42 }, { "0099", 99 },
	};
	int saved = READ_ONCE(chance);

	setter_cases(test, chance_set, &chance, bad, ARRAY_SIZE(bad), good, ARRAY_SIZE(good));
	/* The module is live: -1 draws a new chance in [0, 100). */
	KUNIT_EXPECT_EQ(test, chance_set("-1", NULL), 0);
	KUNIT_EXPECT_GE(test, READ_ONCE(chance), 0);
	KUNIT_EXPECT_LT(test, READ_ONCE(chance), ROULETTE_SLOTS);
	WRITE_ONCE(chance, saved);
}

static void roulette_test_boom_set(struct kunit *test)
{
	static const char * const bad[] = {
		"", "\n", "OOPS", "Oops", " oops", "oops ", "oopsx", "oop", "sig",
		"signal\n\n", "0", "1", "2", "panic!", "oops,panic",
	};
	static const struct setter_case good[] = {
		{ "signal", BOOM_SIGNAL }, { "panic\n", BOOM_PANIC }, { "oops", BOOM_OOPS },
	};
	int saved = READ_ONCE(boom);
	char buf[16], *page;

	setter_cases(test, boom_set, &boom, bad, ARRAY_SIZE(bad), good, ARRAY_SIZE(good));
	WRITE_ONCE(boom, saved);

	/* boom_get() fills a sysfs page: sysfs_emit() wants one, page-aligned. */
	page = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_EXPECT_EQ(test, boom_get(page, NULL), (int)strlen(boom_names[saved]) + 1);
	snprintf(buf, sizeof(buf), "%s\n", boom_names[saved]);
	KUNIT_EXPECT_STREQ(test, page, buf);
}

static struct kunit_case roulette_test_cases[] = {
	KUNIT_CASE(roulette_test_message),
	KUNIT_CASE(roulette_test_boundary),
	KUNIT_CASE(roulette_test_draw),
	KUNIT_CASE(roulette_test_chance_set),
	KUNIT_CASE(roulette_test_boom_set),
	{}
};

static struct kunit_suite roulette_test_suite = {
	.name = "roulette",
	.test_cases = roulette_test_cases,
};

kunit_test_suite(roulette_test_suite);
