// SPDX-License-Identifier: GPL-2.0
/*
 * roulette - /dev/kernel-roulette, a C take on the Rust "kernel-roulette"
 * driver, made safe to unload.
 *
 * A chance C in [0, 100] of losing is configured at load (drawn when
 * chance=-1). Every open spins: it draws V in [0, 100). A survivor
 * (V >= C) reads one line; a loser (V < C) goes "Boom!" in every read,
 * never in open(): a file that dies in open() is not yet in the task's
 * file table, so its module reference would never be dropped.
 *
 * A plain cdev, not a misc device: misc_open()'s global mutex stopped
 * concurrent openers from scaling (bench/results.md, figure 2). The whole
 * outcome (V, C and the boom mode: roulette_spin.h) is decided at open and
 * packed into file->private_data: the hot path allocates nothing and takes
 * no lock, and a later sysfs write cannot turn an open file into a panic.
 *
 * Who may crash: only a reader with CAP_SYS_BOOT (the privilege of
 * reboot(2)) of a file opened with CAP_SYS_BOOT (file->f_cred). Anyone
 * else loses with a catchable SIGSEGV (send_sig()) and -EIO, whatever the
 * mode: a privilege cannot travel with a descriptor, in either direction.
 * An oops is no safer than a panic: panic_on_oops=1 (set by kdump-tools)
 * or oops_limit turns it into one.
 *
 * The boom happens with nothing held. A read path holds what the VFS took
 * for it (fdget_pos()'s reference and f_pos_lock, the pipe's mutex in
 * splice, the kernel's copy of an iovec array, an io-wq worker's request),
 * and a task killed by an oops there never gives it back. So a read only
 * settles the loss: a SIGSEGV is queued and fires on the way back to user
 * space, after the read path has let everything go. An oops happens in a
 * kernel thread of its own, which holds nothing, while the reader waits
 * for it; the reader then dies of SIGSEGV on its way out. A panic needs
 * nothing released (roulette_crash()).
 * Not task_work_add(TWA_RESUME) (exported on 5.10 to 7.3): an oops in
 * task_work_run() loses the rest of its batch (another file's final fput,
 * an io_uring completion) and io-wq runs task work with its state held.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bitfield.h>
#include <linux/bug.h>
#include <linux/capability.h>
#include <linux/cdev.h>
#include <linux/completion.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "compat.h"
#include "version.h"
#include "roulette_spin.h"

#define ROULETTE_NAME "kernel-roulette"

/*
 * Queues SIGSEGV for the reader: it fires on the way back to user space.
 * send_sig() is catchable: a reader that ignores or handles SIGSEGV sees
 * -EIO. An io_uring worker blocks every signal: its process gets it. A
 * kernel thread gets -EIO alone.
 * @force: the reader of an oops dies as the oops would have killed it.
 */
static void roulette_sigsegv(bool force)
{
	if (current->flags & PF_KTHREAD)
		return;
	if (current->flags & PF_IO_WORKER)
		kill_pid(task_tgid(current), SIGSEGV, 1);
	else if (force)
		force_sig(SIGSEGV);
	else
		send_sig(SIGSEGV, current, 0);
}

/* Kept out of line so the oops trace names it. Returns only to a second panic. */
static noinline void roulette_crash_now(unsigned long spin)
{
	static atomic_t panicking = ATOMIC_INIT(0);
	u32 v = spin_value(spin), c = spin_chance(spin);

	if (spin_boom(spin) == BOOM_PANIC) {
		/* One Boom! line before the panic, whoever else loses now. */
		if (atomic_xchg(&panicking, 1))
			return;
		pr_emerg("Boom! sampled value is %u, which is < %u\n", v, c);
		panic("kernel-roulette: sampled value is %u, which is < %u\n", v, c);
	}
	pr_emerg("Boom! sampled value is %u, which is < %u\n", v, c);
	compat_oops();
}

struct crash_start {
	struct completion started;
	unsigned long spin;
};

/* The boom thread: it holds nothing, and the oops kills it alone. */
static int roulette_crash_fn(void *data)
{
	struct crash_start *crash = data;
	unsigned long spin = crash->spin;

	complete(&crash->started);	/* on the reader's stack: not touched again */
	roulette_crash_now(spin);
	return 0;
}

/*
 * A panic happens here: it ends everything, so nothing held can matter,
 * and the crash dump's trace names the reader and its read path. An oops
 * happens in a thread of its own while the reader waits: when the read
 * returns, the oops is in the log and the thread has left the module's
 * code (kthread_stop() waits for its exit, which an oops's
 * make_task_dead() reaches as any exit does).
 */
static void roulette_crash(unsigned long spin)
{
	struct crash_start crash = { .spin = spin };
	struct task_struct *t;

	if (spin_boom(spin) == BOOM_PANIC) {
		roulette_crash_now(spin);
		return;
	}
	init_completion(&crash.started);
	t = kthread_create(roulette_crash_fn, &crash, "roulette-boom");
	if (IS_ERR(t)) {
		pr_warn("no boom thread (%ld): SIGSEGV instead\n", PTR_ERR(t));
	} else {
		get_task_struct(t);
		wake_up_process(t);
		wait_for_completion(&crash.started);
		kthread_stop(t);
		put_task_struct(t);
	}
	roulette_sigsegv(true);
}

/* NULL when the opener and the reader have CAP_SYS_BOOT, else who lacks it. */
static const char *roulette_unprivileged(const struct file *file)
{
	if (!file_ns_capable(file, &init_user_ns, CAP_SYS_BOOT))
		return "opened";
	if (!capable(CAP_SYS_BOOT))
		return "read";
	return NULL;
}

/*
 * What any member of the group can cause is rate-limited at debug level (in
 * dmesg, not on the console); not pr_debug(): dynamic debug leaves it off.
 */
#define LOSS_LEVEL KERN_DEBUG

/* A lost spin: the crash, or a SIGSEGV for anyone without the privilege. */
static noinline void roulette_boom(const struct file *file)
{
	unsigned long spin = file_spin(file);
	int mode = spin_boom(spin);
	const char *who = NULL;

	if (mode != BOOM_SIGNAL) {
		who = roulette_unprivileged(file);
		if (!who) {
			roulette_crash(spin);
			return;
		}
	}
	printk_ratelimited(LOSS_LEVEL pr_fmt("Boom! sampled value is %u, which is < %u\n"),
			   spin_value(spin), spin_chance(spin));
	if (who)
		printk_ratelimited(LOSS_LEVEL KBUILD_MODNAME
				   ": %s (pid %d) %s without CAP_SYS_BOOT: SIGSEGV instead of boom mode %s\n",
				   current->comm, task_pid_nr(current), who, boom_names[mode]);
	roulette_sigsegv(false);
}

static int roulette_open(struct inode *inode, struct file *file)
{
	/* Read only. O_RDWR is allowed: write() is the VFS's EINVAL. */
	if ((file->f_flags & O_ACCMODE) == O_WRONLY)
		return -EINVAL;

	file->private_data = (void *)spin_pack(roulette_draw(),
					       READ_ONCE(roulette_conf));
	return 0;
}

/*
 * Settles a lost spin, for every read path, before anything is copied or
 * allocated: 0 for a survivor, -EIO once a loser's Boom! is dealt.
 */
static int roulette_settle(const struct file *file)
{
	if (!spin_lost(file_spin(file)))
		return 0;
	roulette_boom(file);
	return -EIO;
}

/*
 * The whole message from offset 0 (cat's and every first read) in one
 * user-access window: with simple_read_from_buffer() pread ran at 0.78-0.80x
 * /dev/zero against 0.90-0.97x so (bench/results-readpath.md and
 * results-devices.md), over the 2 % the safer copy may cost. BUILD_BUG_ON
 * in init bounds msg.
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
	int len, err = roulette_settle(file);

	if (err)
		return err;
	len = spin_message(file_spin(file), msg);
	if (*ppos == 0 && count >= (size_t)len)
		return roulette_read_whole(buf, msg, len, ppos);
	return simple_read_from_buffer(buf, count, ppos, msg, len);
}

/*
 * readv(2), preadv(2), io_uring, AIO and, through splice_read, splice(2)
 * and sendfile(2): the same bytes, offsets and outcomes as read(). read()
 * keeps its own path: it is the one every cat and the benchmark take.
 * copy_to_iter(), not _copy_to_iter(): on 7.x (not 6.12) the hardened
 * usercopy check it makes inlines a static key, whose jump entry costs the
 * module a ro_after_init page (20480 B in /proc/modules on 7.3, 16384 B
 * without it); the check on a stack buffer is worth a page.
 */
static ssize_t roulette_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	char msg[ROULETTE_MSG_MAX];
	int err = roulette_settle(iocb->ki_filp);
	loff_t pos = iocb->ki_pos;
	size_t copied;
	int len;

	if (err)
		return err;
	len = spin_message(file_spin(iocb->ki_filp), msg);
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
 * splice(2), sendfile(2) (busybox cat uses it): a lost spin is settled
 * here, before copy_splice_read() allocates the pages and the bio_vec
 * array it would hand to read_iter.
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

/* Seeks stay inside the message, like a regular file of that size. */
static loff_t roulette_llseek(struct file *file, loff_t offset, int whence)
{
	char msg[ROULETTE_MSG_MAX];

	return fixed_size_llseek(file, offset, whence,
				 spin_message(file_spin(file), msg));
}

static const struct file_operations roulette_fops = {
	.owner = THIS_MODULE,
	.open = roulette_open,
	.read = roulette_read,
	.read_iter = roulette_read_iter,
	.splice_read = roulette_splice_read,
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

	/* The spin and the word hold V, C, the mode and the message's digits. */
	BUILD_BUG_ON(FIELD_MAX(SPIN_VALUE) < ROULETTE_SLOTS - 1 ||
		     CONF_UNDRAWN <= ROULETTE_SLOTS);
	BUILD_BUG_ON(FIELD_MAX(CONF_BOOM) < ARRAY_SIZE(boom_names) - 1);
	BUILD_BUG_ON(FIELD_MAX(SPIN_CONF) < (CONF_CHANCE | CONF_BOOM));
	/* put_small() writes at most three digits */
	BUILD_BUG_ON(FIELD_MAX(SPIN_VALUE) > 999 || FIELD_MAX(CONF_CHANCE) > 999);
	BUILD_BUG_ON(sizeof("Survived... sampled value is 999, which is >= 999\n") >
		     ROULETTE_MSG_MAX);

	/* The parameter files exist before init runs (roulette_spin.h). */
	roulette_conf_live();

	ret = roulette_register();
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", ROULETTE_NAME, ret);
		return ret;
	}
	/* Under the lock again: the lines name what a reader of the files sees. */
	kernel_param_lock(THIS_MODULE);
	pr_info("/dev/%s ready (char %u:%u), boom mode %s\n", ROULETTE_NAME,
		MAJOR(roulette_devt), MINOR(roulette_devt),
		boom_names[conf_boom(roulette_conf)]);
	pr_info("Panic probability: %u/100\n", conf_chance(roulette_conf));
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
