/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What an open of /dev/kernel-roulette decides: the configuration (chance
 * and boom, published together as one word) and the spin. Included once,
 * by roulette.c (one compilation unit: the oops names roulette.c, and the
 * KUnit suite reaches these static functions).
 *
 * Both parameters point at the same word. Their setters run under the
 * module's kernel_param_lock (sysfs writes; at load, parse_args() runs
 * before the files exist), read the word, change their field and publish
 * the whole word with one WRITE_ONCE(); roulette_open() reads it once with
 * READ_ONCE(). An open therefore sees a pair that was configured, never
 * the chance of one configuration with the boom mode of another, and the
 * file keeps it.
 */
#ifndef ROULETTE_SPIN_H
#define ROULETTE_SPIN_H

#define ROULETTE_SLOTS 100	/* V is drawn from [0, ROULETTE_SLOTS) */
#define ROULETTE_MSG_MAX 64

enum boom_mode {
	BOOM_OOPS,
	BOOM_SIGNAL,
	BOOM_PANIC,
};

static const char * const boom_names[] = {
	[BOOM_OOPS] = "oops",
	[BOOM_SIGNAL] = "signal",
	[BOOM_PANIC] = "panic",
};

#define CONF_CHANCE	GENMASK(7, 0)
#define CONF_BOOM	GENMASK(9, 8)
/* A chance of all ones: not drawn yet (-1 given before init). */
#define CONF_UNDRAWN	FIELD_MAX(CONF_CHANCE)
/* The load-time default: chance -1 (drawn in init), boom oops (0). */
#define CONF_DEFAULT	CONF_CHANCE

static u32 roulette_conf = CONF_DEFAULT;
static bool roulette_live;	/* set in init once chance is drawn, under the lock */

static u32 roulette_draw(void)
{
	return compat_random_below(ROULETTE_SLOTS);
}

static u32 conf_chance(u32 conf)
{
	return FIELD_GET(CONF_CHANCE, conf);
}

static int conf_boom(u32 conf)
{
	return FIELD_GET(CONF_BOOM, conf);
}

static int chance_set(const char *val, const struct kernel_param *kp)
{
	u32 *conf = kp->arg, word = READ_ONCE(*conf);
	int v;

	/* "chance" with no "=value" passes NULL */
	if (!val || kstrtoint(val, 10, &v) || v < -1 || v > ROULETTE_SLOTS) {
		pr_err("invalid chance: must be -1 (draw at random) or 0 to %d\n",
		       ROULETTE_SLOTS);
		return -EINVAL;
	}
	/* Before init, -1 waits for roulette_init() to draw it. */
	if (v < 0)
		v = READ_ONCE(roulette_live) ? roulette_draw() : CONF_UNDRAWN;
	word = (word & ~CONF_CHANCE) | FIELD_PREP(CONF_CHANCE, v);
	WRITE_ONCE(*conf, word);
	if (READ_ONCE(roulette_live))
		pr_info("Panic probability: %d/100\n", v);
	return 0;
}

static int chance_get(char *buffer, const struct kernel_param *kp)
{
	u32 c = conf_chance(READ_ONCE(*(u32 *)kp->arg));

	return sysfs_emit(buffer, "%d\n", c == CONF_UNDRAWN ? -1 : (int)c);
}

static const struct kernel_param_ops chance_ops = {
	.set = chance_set,
	.get = chance_get,
};

module_param_cb(chance, &chance_ops, &roulette_conf, 0644);
MODULE_PARM_DESC(chance,
		 "Probability of losing a spin in percent, 0-100; -1 draws it at random (default -1)");

static int boom_set(const char *val, const struct kernel_param *kp)
{
	int mode = val ? sysfs_match_string(boom_names, val) : -EINVAL;
	u32 *conf = kp->arg, word = READ_ONCE(*conf);

	if (mode < 0) {
		pr_err("invalid boom: must be oops, signal or panic\n");
		return -EINVAL;
	}
	word = (word & ~CONF_BOOM) | FIELD_PREP(CONF_BOOM, mode);
	WRITE_ONCE(*conf, word);
	return 0;
}

static int boom_get(char *buffer, const struct kernel_param *kp)
{
	return sysfs_emit(buffer, "%s\n",
			  boom_names[conf_boom(READ_ONCE(*(u32 *)kp->arg))]);
}

static const struct kernel_param_ops boom_ops = {
	.set = boom_set,
	.get = boom_get,
};

module_param_cb(boom, &boom_ops, &roulette_conf, 0644);
MODULE_PARM_DESC(boom,
		 "What a lost spin does when opener and reader have CAP_SYS_BOOT: oops (default), signal (SIGSEGV to the reader) or panic; anyone else gets signal");

/*
 * Draws a chance given as -1 before init and goes live, under the lock the
 * setters run under: no write of -1 can slip in between.
 */
static void __init roulette_conf_live(void)
{
	u32 word;

	kernel_param_lock(THIS_MODULE);
	word = roulette_conf;
	if (conf_chance(word) == CONF_UNDRAWN)
		WRITE_ONCE(roulette_conf, (word & ~CONF_CHANCE) |
			   FIELD_PREP(CONF_CHANCE, roulette_draw()));
	WRITE_ONCE(roulette_live, true);
	kernel_param_unlock(THIS_MODULE);
}

/* One spin, packed into file->private_data: V and the configuration word. */
#define SPIN_VALUE	GENMASK(7, 0)
#define SPIN_CONF	GENMASK(17, 8)

static unsigned long spin_pack(u32 v, u32 conf)
{
	return FIELD_PREP(SPIN_VALUE, v) | FIELD_PREP(SPIN_CONF, conf);
}

static u32 spin_value(unsigned long spin)
{
	return FIELD_GET(SPIN_VALUE, spin);
}

static u32 spin_chance(unsigned long spin)
{
	return conf_chance(FIELD_GET(SPIN_CONF, spin));
}

static int spin_boom(unsigned long spin)
{
	return conf_boom(FIELD_GET(SPIN_CONF, spin));
}

static bool spin_lost(unsigned long spin)
{
	return spin_value(spin) < spin_chance(spin);
}

static unsigned long file_spin(const struct file *file)
{
	return (unsigned long)file->private_data;
}

/* Appends @n (0 to 255: both fields are 8 bits) in decimal; returns the end. */
static char *put_small(char *p, u32 n)
{
	if (n >= 100)
		*p++ = '0' + n / 100;
	if (n >= 10)
		*p++ = '0' + n / 10 % 10;
	*p++ = '0' + n % 10;
	return p;
}

/*
 * The survivor's message; a lost spin has none. Returns its length.
 * Built by hand: every read formats it, and vsnprintf() doubled the cost
 * of a read (bench/results.md, figure 1).
 */
static int spin_message(unsigned long spin, char *buf)
{
	static const char head[] = "Survived... sampled value is ";
	static const char mid[] = ", which is >= ";
	char *p = buf;

	if (spin_lost(spin))
		return 0;
	memcpy(p, head, sizeof(head) - 1);
	p = put_small(p + sizeof(head) - 1, spin_value(spin));
	memcpy(p, mid, sizeof(mid) - 1);
	p = put_small(p + sizeof(mid) - 1, spin_chance(spin));
	*p++ = '\n';
	return p - buf;
}

#endif /* ROULETTE_SPIN_H */
