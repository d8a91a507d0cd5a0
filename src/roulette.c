// SPDX-License-Identifier: GPL-2.0
/*
 * roulette - /dev/kernel-roulette, a C take on the Rust "kernel-roulette"
 * driver, made safe to unload.
 *
 * A panic chance C in [0, 100] is fixed at load (drawn when chance=-1).
 * Every open spins: it draws V in [0, 100). A survivor (V >= C) reads one
 * line; a loser (V < C) goes "Boom!" in read(), never in open(): a file that
 * dies in open() is not yet in the task's file table, so its module
 * reference would never be dropped and the module could never be unloaded.
 *
 * A plain cdev rather than a misc device: misc_open() takes the global
 * misc_mtx on every open of every misc device, which stopped concurrent
 * openers from scaling (bench/results.md, figure 2). chrdev_open() calls
 * roulette_open() directly, as it calls /dev/zero's open.
 *
 * The whole outcome (V, C and the boom mode) is decided at open and packed
 * into file->private_data, so the hot path allocates nothing and takes no
 * lock, and a later sysfs write cannot turn an open file into a panic.
 *
 * Only an opener with CAP_SYS_BOOT (the privilege of reboot(2)) may take
 * the kernel down: for any other opener a lost spin is a SIGSEGV whatever
 * the boom mode. An oops is no safer than a panic: panic_on_oops=1 (set by
 * kdump-tools) or oops_limit turns it into one. The check reads the opener's credentials
 * (file->f_cred), and only when a spin is lost: survivors pay nothing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitfield.h>
#include <linux/bug.h>
#include <linux/capability.h>
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/ratelimit.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "compat.h"
#include "version.h"

#define ROULETTE_NAME "kernel-roulette"
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

static int chance = -1;		/* -1 until drawn at load */
static int boom = BOOM_OOPS;
static bool roulette_live;	/* set once chance is drawn; a -1 then draws again */

/* One spin, packed into file->private_data. */
#define SPIN_VALUE	GENMASK(7, 0)
#define SPIN_CHANCE	GENMASK(15, 8)
#define SPIN_BOOM	GENMASK(17, 16)

static u32 roulette_draw(void)
{
	return compat_random_below(ROULETTE_SLOTS);
}

static int chance_set(const char *val, const struct kernel_param *kp)
{
	int v;

	/* "chance" with no "=value" passes NULL */
	if (!val || kstrtoint(val, 10, &v) || v < -1 || v > ROULETTE_SLOTS) {
		pr_err("invalid chance: must be -1 (draw at random) or 0 to %d\n",
		       ROULETTE_SLOTS);
		return -EINVAL;
	}
	/* Before init the draw happens in roulette_init(), not at boot-time parsing. */
	if (v < 0 && READ_ONCE(roulette_live))
		v = roulette_draw();
	WRITE_ONCE(chance, v);
	if (READ_ONCE(roulette_live))
		pr_info("Panic probability: %d/100\n", v);
	return 0;
}

static const struct kernel_param_ops chance_ops = {
	.set = chance_set,
	.get = param_get_int,
};

module_param_cb(chance, &chance_ops, &chance, 0644);
MODULE_PARM_DESC(chance,
		 "Panic probability in percent, 0-100; -1 draws it at random (default -1)");

static int boom_set(const char *val, const struct kernel_param *kp)
{
	int mode = val ? sysfs_match_string(boom_names, val) : -EINVAL;

	if (mode < 0) {
		pr_err("invalid boom: must be oops, signal or panic\n");
		return -EINVAL;
	}
	WRITE_ONCE(boom, mode);
	return 0;
}

static int boom_get(char *buffer, const struct kernel_param *kp)
{
	return sysfs_emit(buffer, "%s\n", boom_names[READ_ONCE(boom)]);
}

static const struct kernel_param_ops boom_ops = {
	.set = boom_set,
	.get = boom_get,
};

module_param_cb(boom, &boom_ops, &boom, 0644);
MODULE_PARM_DESC(boom,
		 "What a lost spin does to an opener with CAP_SYS_BOOT: oops (BUG, default), signal (SIGSEGV to the reader) or panic; any other opener gets signal");

static u32 spin_value(const struct file *file)
{
	return FIELD_GET(SPIN_VALUE, (unsigned long)file->private_data);
}

static u32 spin_chance(const struct file *file)
{
	return FIELD_GET(SPIN_CHANCE, (unsigned long)file->private_data);
}

static bool spin_lost(const struct file *file)
{
	return spin_value(file) < spin_chance(file);
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
static int spin_message(const struct file *file, char *buf)
{
	static const char head[] = "Survived... sampled value is ";
	static const char mid[] = ", which is >= ";
	char *p = buf;

	if (spin_lost(file))
		return 0;
	memcpy(p, head, sizeof(head) - 1);
	p = put_small(p + sizeof(head) - 1, spin_value(file));
	memcpy(p, mid, sizeof(mid) - 1);
	p = put_small(p + sizeof(mid) - 1, spin_chance(file));
	*p++ = '\n';
	return p - buf;
}

/* Without CAP_SYS_BOOT the loss is a SIGSEGV, and the log says why. */
static void roulette_boom_unprivileged(u32 v, u32 c, int mode)
{
	/* Any member of the device's group can repeat this at will. */
	static DEFINE_RATELIMIT_STATE(rs, DEFAULT_RATELIMIT_INTERVAL,
				      DEFAULT_RATELIMIT_BURST);

	if (__ratelimit(&rs)) {
		pr_crit("Boom! sampled value is %u, which is < %u\n", v, c);
		pr_notice("%s (pid %d) opened without CAP_SYS_BOOT: SIGSEGV instead of boom mode %s\n",
			  current->comm, task_pid_nr(current), boom_names[mode]);
	}
	force_sig(SIGSEGV);
}

/* Kept out of line so the oops trace names it. */
static noinline void roulette_boom(const struct file *file)
{
	u32 v = spin_value(file), c = spin_chance(file);
	int mode = FIELD_GET(SPIN_BOOM, (unsigned long)file->private_data);

	if (mode != BOOM_SIGNAL &&
	    !file_ns_capable(file, &init_user_ns, CAP_SYS_BOOT)) {
		roulette_boom_unprivileged(v, c, mode);
		return;
	}
	switch (mode) {
	case BOOM_SIGNAL:
		/* A reader with group access could repeat this at will. */
		pr_crit_ratelimited("Boom! sampled value is %u, which is < %u\n", v, c);
		force_sig(SIGSEGV);
		return;
	case BOOM_PANIC:
		pr_emerg("Boom! sampled value is %u, which is < %u\n", v, c);
		panic("kernel-roulette: sampled value is %u, which is < %u\n", v, c);
	default:
		pr_emerg("Boom! sampled value is %u, which is < %u\n", v, c);
		compat_oops();
	}
}

static int roulette_open(struct inode *inode, struct file *file)
{
	/* The device only reads; O_RDWR is allowed so write() can say so. */
	if ((file->f_flags & O_ACCMODE) == O_WRONLY)
		return -EINVAL;

	file->private_data = (void *)(FIELD_PREP(SPIN_VALUE, roulette_draw()) |
				      FIELD_PREP(SPIN_CHANCE, READ_ONCE(chance)) |
				      FIELD_PREP(SPIN_BOOM, READ_ONCE(boom)));
	return 0;
}

/*
 * Settles a lost spin, for every read path: -EIO once its Boom! is dealt
 * (only reached for a SIGSEGV), 0 for a survivor.
 */
static int roulette_settle(const struct file *file)
{
	if (!spin_lost(file))
		return 0;
	roulette_boom(file);
	return -EIO;
}

/* A survivor's message (its length), or -EIO once a loser's Boom! is dealt. */
static int roulette_outcome(const struct file *file, char *msg)
{
	int err = roulette_settle(file);

	return err ? err : spin_message(file, msg);
}

/*
 * The whole message from offset 0, as cat and every first read() ask: one
 * user access window and no hardened-usercopy walk over the stack buffer,
 * whose bounds are known (BUILD_BUG_ON in roulette_init). Any other read
 * takes simple_read_from_buffer().
 */
static ssize_t roulette_read_whole(char __user *buf, const char *msg, int len,
				   loff_t *ppos)
{
	if (!user_access_begin(buf, len))
		return -EFAULT;
	unsafe_copy_to_user(buf, msg, len, efault);
	user_access_end();
	*ppos = len;
	return len;
efault:
	user_access_end();
	return -EFAULT;
}

static ssize_t roulette_read(struct file *file, char __user *buf, size_t count,
			     loff_t *ppos)
{
	char msg[ROULETTE_MSG_MAX];
	int len = roulette_outcome(file, msg);

	if (len < 0)
		return len;
	if (*ppos == 0 && count >= (size_t)len)
		return roulette_read_whole(buf, msg, len, ppos);
	return simple_read_from_buffer(buf, count, ppos, msg, len);
}

/*
 * readv(2), preadv(2) and, through splice_read, splice(2) and sendfile(2):
 * the same bytes, offsets and outcomes as read(). read() keeps its own
 * path: it is the one every cat and the benchmark take, and it is faster.
 */
static ssize_t roulette_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	char msg[ROULETTE_MSG_MAX];
	int len = roulette_outcome(iocb->ki_filp, msg);
	loff_t pos = iocb->ki_pos;
	size_t copied;

	if (len < 0)
		return len;
	if (pos < 0)
		return -EINVAL;
	if (pos >= len || !iov_iter_count(to))
		return 0;
	copied = copy_to_iter(msg + pos, len - pos, to);
	if (!copied)
		return -EFAULT;
	iocb->ki_pos = pos + copied;
	return copied;
}

/*
 * splice(2), sendfile(2) (busybox cat uses it): a lost spin booms here,
 * before copy_splice_read() allocates the pages and the bio_vec array it
 * would hand to read_iter: an oops inside read_iter would leak them.
 */
static ssize_t roulette_splice_read(struct file *in, loff_t *ppos,
				    struct pipe_inode_info *pipe, size_t len,
				    unsigned int flags)
{
	int err = roulette_settle(in);

	if (err)
		return err;
	return compat_splice_read(in, ppos, pipe, len, flags);
}

static ssize_t roulette_write(struct file *file, const char __user *buf,
			      size_t count, loff_t *ppos)
{
	return -EINVAL;
}

/* Seeks stay inside the message, like a regular file of that size. */
static loff_t roulette_llseek(struct file *file, loff_t offset, int whence)
{
	char msg[ROULETTE_MSG_MAX];

	return fixed_size_llseek(file, offset, whence, spin_message(file, msg));
}

static const struct file_operations roulette_fops = {
	.owner = THIS_MODULE,
	.open = roulette_open,
	.read = roulette_read,
	.read_iter = roulette_read_iter,
	.splice_read = roulette_splice_read,
	.write = roulette_write,
	.llseek = roulette_llseek,
};

/*
 * The class gives udev a subsystem to match ("roulette") and devtmpfs a
 * node. Class and cdev are allocated: a kobject's release may run after
 * the module's memory is gone (DEBUG_KOBJECT_RELEASE delays it 1-4 s).
 */
static struct class *roulette_class;
static struct cdev *roulette_cdev;
static dev_t roulette_devt;

/* The node starts 0600 root:root (devtmpfs' default) until udev applies the packaged rule. */
static int __init roulette_register(void)
{
	struct device *dev;
	int ret;

	ret = alloc_chrdev_region(&roulette_devt, 0, 1, ROULETTE_NAME);
	if (ret)
		return ret;
	roulette_class = compat_class_create("roulette");
	if (IS_ERR(roulette_class)) {
		ret = PTR_ERR(roulette_class);
		goto free_region;
	}
	roulette_cdev = cdev_alloc();
	if (!roulette_cdev) {
		ret = -ENOMEM;
		goto free_class;
	}
	roulette_cdev->ops = &roulette_fops;
	roulette_cdev->owner = THIS_MODULE;
	ret = cdev_add(roulette_cdev, roulette_devt, 1);
	if (ret)
		goto put_cdev;
	/* Last: the node appears only once opening it works. */
	dev = device_create(roulette_class, NULL, roulette_devt, NULL, ROULETTE_NAME);
	if (IS_ERR(dev)) {
		ret = PTR_ERR(dev);
		goto free_cdev;
	}
	return 0;

free_cdev:
	cdev_del(roulette_cdev);
	goto free_class;
put_cdev:
	/* Never added: drop the reference cdev_alloc() gave. */
	kobject_put(&roulette_cdev->kobj);
free_class:
	class_destroy(roulette_class);
free_region:
	unregister_chrdev_region(roulette_devt, 1);
	return ret;
}

static int __init roulette_init(void)
{
	int ret;

	/* The spin packs V, C, the mode and the message's digits in these widths. */
	BUILD_BUG_ON(FIELD_MAX(SPIN_VALUE) < ROULETTE_SLOTS - 1 ||
		     FIELD_MAX(SPIN_CHANCE) < ROULETTE_SLOTS);
	BUILD_BUG_ON(FIELD_MAX(SPIN_BOOM) < ARRAY_SIZE(boom_names) - 1);
	/* put_small() writes at most three digits */
	BUILD_BUG_ON(FIELD_MAX(SPIN_VALUE) > 999 || FIELD_MAX(SPIN_CHANCE) > 999);
	BUILD_BUG_ON(sizeof("Survived... sampled value is 999, which is >= 999\n") >
		     ROULETTE_MSG_MAX);

	/*
	 * The parameter files exist before init runs: draw and go live under
	 * the lock their writes take, so no write of -1 can slip in between.
	 */
	kernel_param_lock(THIS_MODULE);
	if (chance < 0)
		WRITE_ONCE(chance, roulette_draw());
	WRITE_ONCE(roulette_live, true);
	kernel_param_unlock(THIS_MODULE);

	ret = roulette_register();
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", ROULETTE_NAME, ret);
		return ret;
	}
	/* Under the lock again: the lines name what a reader of the files sees. */
	kernel_param_lock(THIS_MODULE);
	pr_info("/dev/%s ready (char %u:%u), boom mode %s\n", ROULETTE_NAME,
		MAJOR(roulette_devt), MINOR(roulette_devt), boom_names[boom]);
	pr_info("Panic probability: %d/100\n", chance);
	kernel_param_unlock(THIS_MODULE);
	pr_info("openers without CAP_SYS_BOOT lose with SIGSEGV whatever the boom mode\n");
	return 0;
}

static void __exit roulette_exit(void)
{
	device_destroy(roulette_class, roulette_devt);
	cdev_del(roulette_cdev);
	class_destroy(roulette_class);
	unregister_chrdev_region(roulette_devt, 1);
	pr_info("/dev/%s removed\n", ROULETTE_NAME);
}

module_init(roulette_init);
module_exit(roulette_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR(ROULETTE_AUTHOR);
MODULE_DESCRIPTION("/dev/kernel-roulette: every open spins, a loser goes Boom!");
MODULE_VERSION(ROULETTE_VERSION);

#ifdef ROULETTE_KUNIT
#include "roulette_kunit.c"
#endif
