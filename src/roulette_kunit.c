// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of roulette's logic: what the guest tests can only sample at
 * random. Compiled into roulette.ko only when it is built with
 * ROULETTE_KUNIT=1 against a kernel with CONFIG_KUNIT (make test-debug);
 * the packages never build it. It runs when the module goes live and
 * reports KTAP in the kernel log. Included at the end of roulette.c: it
 * tests that file's static functions.
 *
 * Every case works on local copies: a spin of its own making, a
 * configuration word of its own behind a kernel_param of its own. None
 * reads or writes the loaded module's live parameters.
 */
#include <kunit/test.h>

static unsigned long spin_of(u32 v, u32 c, int mode)
{
	return spin_pack(v, FIELD_PREP(CONF_CHANCE, c) | FIELD_PREP(CONF_BOOM, mode));
}

/*
 * Every (V, C) the fields can hold, beyond what a draw can give: a survivor
 * reads snprintf()'s text byte for byte, within the buffer; a loser none.
 */
static void roulette_test_message(struct kunit *test)
{
	char got[ROULETTE_MSG_MAX], want[ROULETTE_MSG_MAX];
	u32 v, c;
	int len;

	for (c = 0; c <= FIELD_MAX(CONF_CHANCE); c++) {
		for (v = 0; v <= FIELD_MAX(SPIN_VALUE); v++) {
			len = spin_message(spin_of(v, c, BOOM_OOPS), got);
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
	unsigned int i;
	u32 v, c;

	for (i = 0; i < ARRAY_SIZE(chances); i++) {
		c = chances[i];
		KUNIT_EXPECT_TRUE_MSG(test, spin_lost(spin_of(c - 1, c, BOOM_OOPS)), "C=%u", c);
		if (c < ROULETTE_SLOTS)
			KUNIT_EXPECT_FALSE_MSG(test, spin_lost(spin_of(c, c, BOOM_OOPS)),
					       "C=%u", c);
	}
	for (v = 0; v < ROULETTE_SLOTS; v++) {
		KUNIT_EXPECT_FALSE(test, spin_lost(spin_of(v, 0, BOOM_PANIC)));
		KUNIT_EXPECT_TRUE(test, spin_lost(spin_of(v, ROULETTE_SLOTS, BOOM_PANIC)));
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
	u32 want;
};

/*
 * Each bad string fails with EINVAL and leaves the local word alone; each
 * good one sets @field to its value and leaves the rest of the word alone.
 */
static void setter_cases(struct kunit *test,
			 int (*set)(const char *val, const struct kernel_param *kp),
			 u32 field, const char * const *bad, size_t nbad,
			 const struct setter_case *good, size_t ngood)
{
	u32 word = CONF_DEFAULT, before;
	const struct kernel_param kp = { .arg = &word };
	size_t i;

	for (i = 0; i < nbad; i++) {
		before = word;
		KUNIT_EXPECT_EQ_MSG(test, set(bad[i], &kp), -EINVAL, "'%s'", bad[i]);
		KUNIT_EXPECT_EQ_MSG(test, word, before, "'%s'", bad[i]);
	}
	KUNIT_EXPECT_EQ(test, set(NULL, &kp), -EINVAL);
	for (i = 0; i < ngood; i++) {
		before = word;
		KUNIT_EXPECT_EQ_MSG(test, set(good[i].val, &kp), 0, "'%s'", good[i].val);
		KUNIT_EXPECT_EQ_MSG(test, (word & field) >> __ffs(field), good[i].want,
				    "'%s'", good[i].val);
		KUNIT_EXPECT_EQ_MSG(test, word & ~field, before & ~field, "'%s'", good[i].val);
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
	u32 word = CONF_DEFAULT;
	const struct kernel_param kp = { .arg = &word };

	setter_cases(test, chance_set, CONF_CHANCE, bad, ARRAY_SIZE(bad), good, ARRAY_SIZE(good));
	/* The module is live: -1 draws a new chance in [0, 100). */
	KUNIT_EXPECT_EQ(test, chance_set("-1", &kp), 0);
	KUNIT_EXPECT_LT(test, conf_chance(word), ROULETTE_SLOTS);
	KUNIT_EXPECT_EQ(test, conf_boom(word), BOOM_OOPS);
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

	setter_cases(test, boom_set, CONF_BOOM, bad, ARRAY_SIZE(bad), good, ARRAY_SIZE(good));
}

/*
 * The configuration word: each setter publishes its field with the other
 * kept, the getters show the word, a spin packs the word whole, and the
 * live word of the loaded module is never touched.
 */
static void roulette_test_conf_word(struct kunit *test)
{
	u32 live = READ_ONCE(roulette_conf), word = CONF_DEFAULT;
	const struct kernel_param kp = { .arg = &word };
	char *page;
	u32 c;
	int mode;

	/* boom_get() and chance_get() fill a sysfs page: sysfs_emit() wants one. */
	page = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_EXPECT_EQ(test, chance_get(page, &kp), 3);
	KUNIT_EXPECT_STREQ(test, page, "-1\n");
	KUNIT_EXPECT_EQ(test, boom_get(page, &kp), 5);
	KUNIT_EXPECT_STREQ(test, page, "oops\n");

	KUNIT_EXPECT_EQ(test, chance_set("100", &kp), 0);
	KUNIT_EXPECT_EQ(test, boom_set("signal", &kp), 0);
	KUNIT_EXPECT_EQ(test, word,
			FIELD_PREP(CONF_CHANCE, 100) | FIELD_PREP(CONF_BOOM, BOOM_SIGNAL));
	KUNIT_EXPECT_EQ(test, chance_set("0", &kp), 0);
	KUNIT_EXPECT_EQ(test, word, FIELD_PREP(CONF_BOOM, BOOM_SIGNAL));
	KUNIT_EXPECT_EQ(test, boom_set("panic", &kp), 0);
	KUNIT_EXPECT_EQ(test, word, FIELD_PREP(CONF_BOOM, BOOM_PANIC));
	KUNIT_EXPECT_EQ(test, chance_get(page, &kp), 2);
	KUNIT_EXPECT_STREQ(test, page, "0\n");
	KUNIT_EXPECT_EQ(test, boom_get(page, &kp), 6);
	KUNIT_EXPECT_STREQ(test, page, "panic\n");

	/* Every word a setter can publish comes back whole from a spin. */
	for (c = 0; c <= ROULETTE_SLOTS; c++) {
		for (mode = 0; mode < (int)ARRAY_SIZE(boom_names); mode++) {
			word = FIELD_PREP(CONF_CHANCE, c) | FIELD_PREP(CONF_BOOM, mode);
			KUNIT_ASSERT_EQ(test, spin_chance(spin_pack(ROULETTE_SLOTS - 1, word)), c);
			KUNIT_ASSERT_EQ(test, spin_boom(spin_pack(0, word)), mode);
			KUNIT_ASSERT_EQ(test, spin_value(spin_pack(ROULETTE_SLOTS - 1, word)),
					ROULETTE_SLOTS - 1);
		}
	}
	KUNIT_EXPECT_EQ(test, READ_ONCE(roulette_conf), live);
}

static struct kunit_case roulette_test_cases[] = {
	KUNIT_CASE(roulette_test_message),
	KUNIT_CASE(roulette_test_boundary),
	KUNIT_CASE(roulette_test_draw),
	KUNIT_CASE(roulette_test_chance_set),
	KUNIT_CASE(roulette_test_boom_set),
	KUNIT_CASE(roulette_test_conf_word),
	{}
};

static struct kunit_suite roulette_test_suite = {
	.name = "roulette",
	.test_cases = roulette_test_cases,
};

kunit_test_suite(roulette_test_suite);
