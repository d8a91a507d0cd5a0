// SPDX-License-Identifier: GPL-2.0
/*
 * rstress - load generators for the guest stress run (the files of tests/stress/).
 * Built static on the host; every sub-command runs for a fixed time and
 * prints one "STAT: ..." line of counters, then exits 1 if any operation
 * had an outcome the driver must never produce.
 *
 *   rstress readers DEV N SECS [gone-ok]
 *	N processes open/read-to-EOF/close DEV in a loop. A read must give
 *	exactly "Survived... sampled value is V, which is >= C\n" (V < 100,
 *	V >= C) or, in boom=signal mode, fail with EIO together with one
 *	SIGSEGV. With gone-ok, ENOENT/ENODEV (device being removed) count as
 *	"gone" instead of bad, and each reader pauses 1 ms between spins.
 *
 *   rstress flip SECS signal|calm
 *	Writes valid and invalid values to roulette's chance and boom and
 *	mymod's sec through sysfs. A valid value must be accepted, an invalid
 *	one must fail with EINVAL. mymod may be absent (a load loop runs
 *	beside it): ENOENT/ENODEV count as "gone".
 *	  signal: chance in {0, 50, 100, -1}, boom only "signal" (a lost spin
 *	          sends SIGSEGV, never an oops);
 *	  calm:   chance stays 0, boom in {oops, signal, panic}.
 *
 *   rstress loadloop MODULE.ko SECS [param=value ...]
 *	finit_module + delete_module(O_NONBLOCK) as fast as possible; every
 *	64th cycle keeps the module for 1.1 s so a 1 s timer fires before the
 *	unload.
 *
 *   rstress reloadloop MODULE.ko SECS [param=value ...]
 *	The same for a module with users: each load stays 100 ms, so that
 *	the readers meet the device even when a cycle takes seconds (a debug
 *	kernel's unload waits out DEBUG_KOBJECT_RELEASE's delayed releases:
 *	one cycle in a 10 s phase under failslab); EAGAIN from delete_module
 *	(a reader holds the device) is retried and counted as "busy".
 *
 * With RSTRESS_NOMEM=1 in the environment every worker (each reader after
 * its fork) writes 1 to /proc/self/make-it-fail, so that fault injection's
 * task filter fails its allocations (tests/faults/), and ENOMEM becomes an
 * allowed outcome of any call, counted as "nomem". A load loop does so for
 * every other load only: a load makes hundreds of allocations, and few
 * would succeed under a failure rate of a few per cent.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_READERS 64

struct reader_stats {
	unsigned long opens;
	unsigned long survived;
	unsigned long boomed;
	unsigned long gone;
	unsigned long nomem;
	unsigned long bad;
	char last_bad[96];
};

static volatile sig_atomic_t segv_count;
static int nomem_ok;

/*
 * Under RSTRESS_NOMEM=1: whether this process's allocations may be failed.
 * Opened once, unmarked: while marked, the open itself could fail.
 */
static void make_it_fail(int on)
{
	static int fd = -1;

	if (!nomem_ok)
		return;
	if (fd < 0)
		fd = open("/proc/self/make-it-fail", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || pwrite(fd, on ? "1" : "0", 1, 0) != 1) {
		perror("rstress: /proc/self/make-it-fail");
		exit(2);
	}
}

static void on_segv(int sig)
{
	(void)sig;
	segv_count++;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void note_bad(struct reader_stats *st, const char *what, int err)
{
	st->bad++;
	snprintf(st->last_bad, sizeof(st->last_bad), "%s: %s", what,
		 err ? strerror(err) : "unexpected");
}

/* A survivor's message, exactly. */
static int valid_message(const char *msg)
{
	unsigned int v, c;
	char expect[96];

	if (sscanf(msg, "Survived... sampled value is %u, which is >= %u", &v, &c) != 2)
		return 0;
	snprintf(expect, sizeof(expect),
		 "Survived... sampled value is %u, which is >= %u\n", v, c);
	return strcmp(msg, expect) == 0 && v < 100 && c <= 100 && v >= c;
}

static void reader(const char *dev, double end, int gone_ok, struct reader_stats *st)
{
	struct sigaction sa;
	char buf[128];

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_segv;
	sigaction(SIGSEGV, &sa, NULL);
	make_it_fail(1);

	while (now() < end) {
		sig_atomic_t before = segv_count;
		size_t len = 0;
		ssize_t n;
		int fd = open(dev, O_RDONLY);

		if (fd < 0) {
			if (gone_ok && (errno == ENOENT || errno == ENODEV || errno == ENXIO)) {
				st->gone++;
				usleep(1000);
			} else if (nomem_ok && errno == ENOMEM) {
				st->nomem++;
			} else {
				note_bad(st, "open", errno);
			}
			continue;
		}
		st->opens++;
		/* Small reads: the message must come back whole in pieces too. */
		while (len < sizeof(buf) - 1) {
			n = read(fd, buf + len, 16);
			if (n <= 0)
				break;
			len += n;
		}
		buf[len] = '\0';
		if (n < 0 && errno == EIO && len == 0) {
			if (segv_count == before + 1)
				st->boomed++;
			else
				note_bad(st, "EIO without exactly one SIGSEGV", 0);
		} else if (n < 0) {
			note_bad(st, "read", errno);
		} else if (segv_count != before) {
			note_bad(st, "SIGSEGV on a survived spin", 0);
		} else if (valid_message(buf)) {
			st->survived++;
		} else {
			note_bad(st, "malformed message", 0);
		}
		if (close(fd))
			note_bad(st, "close", errno);
		/* Idle gaps, so the reload loop sees the module unused at times. */
		if (gone_ok)
			usleep(1000);
	}
}

static int cmd_readers(int argc, char **argv)
{
	struct reader_stats *st, sum;
	int n, i, status, gone_ok;
	double end;
	pid_t pid;

	if (argc < 3)
		return 2;
	n = atoi(argv[1]);
	if (n < 1 || n > MAX_READERS)
		return 2;
	end = now() + atof(argv[2]);
	gone_ok = argc > 3 && strcmp(argv[3], "gone-ok") == 0;
	st = mmap(NULL, sizeof(*st) * n, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st == MAP_FAILED)
		return 2;
	memset(st, 0, sizeof(*st) * n);
	for (i = 0; i < n; i++) {
		pid = fork();
		if (pid < 0)
			return 2;
		if (pid == 0) {
			reader(argv[0], end, gone_ok, &st[i]);
			_exit(0);
		}
	}
	memset(&sum, 0, sizeof(sum));
	for (i = 0; i < n; i++) {
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
			sum.bad++;
			snprintf(sum.last_bad, sizeof(sum.last_bad), "reader died (status %#x)",
				 status);
		}
	}
	for (i = 0; i < n; i++) {
		sum.opens += st[i].opens;
		sum.survived += st[i].survived;
		sum.boomed += st[i].boomed;
		sum.gone += st[i].gone;
		sum.nomem += st[i].nomem;
		sum.bad += st[i].bad;
		if (st[i].last_bad[0])
			memcpy(sum.last_bad, st[i].last_bad, sizeof(sum.last_bad));
	}
	printf("STAT: readers n=%d opens=%lu survived=%lu boomed=%lu gone=%lu nomem=%lu bad=%lu%s%s\n",
	       n, sum.opens, sum.survived, sum.boomed, sum.gone, sum.nomem, sum.bad,
	       sum.bad ? " last=" : "", sum.bad ? sum.last_bad : "");
	return sum.bad ? 1 : 0;
}

struct flip {
	const char *file;	/* under /sys/module/ */
	const char *value;
	int valid;
	int may_vanish;		/* mymod comes and goes */
};

#define R_CHANCE "roulette/parameters/chance"
#define R_BOOM "roulette/parameters/boom"
#define M_SEC "mymod/parameters/sec"

static const struct flip common_flips[] = {
	{ R_CHANCE, "101", 0, 0 }, { R_CHANCE, "-2", 0, 0 },
	{ R_CHANCE, "abc", 0, 0 }, { R_CHANCE, "50x", 0, 0 },
	{ R_CHANCE, " 5", 0, 0 }, { R_CHANCE, "2147483648", 0, 0 },
	{ R_CHANCE, "0x10", 0, 0 }, { R_CHANCE, "\n", 0, 0 },
	{ R_BOOM, "bang", 0, 0 }, { R_BOOM, "SIGNAL", 0, 0 },
	{ R_BOOM, "oops panic", 0, 0 }, { R_BOOM, "\n", 0, 0 },
	{ R_BOOM, "signal\n", 1, 0 },
	{ M_SEC, "1", 1, 1 }, { M_SEC, "2\n", 1, 1 }, { M_SEC, "3600", 1, 1 },
	{ M_SEC, "0", 0, 1 }, { M_SEC, "3601", 0, 1 }, { M_SEC, "-1", 0, 1 },
	{ M_SEC, "x", 0, 1 }, { M_SEC, "99999999999", 0, 1 },
};

static const struct flip signal_flips[] = {
	{ R_CHANCE, "0", 1, 0 }, { R_CHANCE, "50", 1, 0 },
	{ R_CHANCE, "100\n", 1, 0 }, { R_CHANCE, "-1", 1, 0 },
	{ R_BOOM, "signal", 1, 0 },
};

static const struct flip calm_flips[] = {
	{ R_CHANCE, "0", 1, 0 }, { R_CHANCE, "0\n", 1, 0 },
	{ R_BOOM, "oops", 1, 0 }, { R_BOOM, "panic\n", 1, 0 },
	{ R_BOOM, "signal", 1, 0 },
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static int cmd_flip(int argc, char **argv)
{
	unsigned long writes = 0, accepted = 0, rejected = 0, gone = 0, nomem = 0, bad = 0;
	const struct flip *mode_flips;
	size_t nmode, ncommon = ARRAY_LEN(common_flips);
	char last_bad[160] = "", path[128];
	double end;

	if (argc < 2)
		return 2;
	end = now() + atof(argv[0]);
	if (strcmp(argv[1], "signal") == 0) {
		mode_flips = signal_flips;
		nmode = ARRAY_LEN(signal_flips);
	} else if (strcmp(argv[1], "calm") == 0) {
		mode_flips = calm_flips;
		nmode = ARRAY_LEN(calm_flips);
	} else {
		return 2;
	}
	srand(getpid());
	make_it_fail(1);
	while (now() < end) {
		size_t k = rand() % (ncommon + nmode);
		const struct flip *f = k < ncommon ? &common_flips[k] : &mode_flips[k - ncommon];
		size_t len = strlen(f->value);
		int fd, err = 0;
		ssize_t n;

		snprintf(path, sizeof(path), "/sys/module/%s", f->file);
		fd = open(path, O_WRONLY);
		if (fd < 0) {
			err = errno;
		} else {
			n = write(fd, f->value, len);
			if (n < 0)
				err = errno;
			else if ((size_t)n != len)
				err = -1;
			close(fd);
		}
		writes++;
		if (f->may_vanish && (err == ENOENT || err == ENODEV)) {
			gone++;
		} else if (nomem_ok && err == ENOMEM) {
			nomem++;
		} else if (f->valid && err == 0) {
			accepted++;
		} else if (!f->valid && err == EINVAL) {
			rejected++;
		} else {
			bad++;
			snprintf(last_bad, sizeof(last_bad), "%s '%s': %s", f->file, f->value,
				 err == 0 ? "accepted" : err < 0 ? "short write" : strerror(err));
		}
		usleep(3000);
	}
	printf("STAT: flip mode=%s writes=%lu accepted=%lu rejected=%lu gone=%lu nomem=%lu bad=%lu%s%s\n",
	       argv[1], writes, accepted, rejected, gone, nomem, bad, bad ? " last=" : "", last_bad);
	return bad ? 1 : 0;
}

/* The module's name: the .ko file name without directory and suffix. */
static void module_name(const char *ko, char *name, size_t size)
{
	const char *base = strrchr(ko, '/');

	snprintf(name, size, "%s", base ? base + 1 : ko);
	name[strcspn(name, ".")] = '\0';
}

static int cmd_loadloop(int argc, char **argv, int busy_ok)
{
	unsigned long cycles = 0, busy = 0, nomem = 0, bad = 0, attempts = 0;
	char params[256] = "", name[64], last_bad[96] = "";
	double end;
	int i;

	if (argc < 2)
		return 2;
	end = now() + atof(argv[1]);
	for (i = 2; i < argc; i++) {
		strncat(params, argv[i], sizeof(params) - strlen(params) - 2);
		strcat(params, " ");
	}
	module_name(argv[0], name, sizeof(name));
	while (now() < end) {
		int fd;

		make_it_fail(attempts++ % 2 == 0);
		fd = open(argv[0], O_RDONLY | O_CLOEXEC);

		if (fd < 0 || syscall(SYS_finit_module, fd, params, 0)) {
			if (nomem_ok && errno == ENOMEM) {
				nomem++;
				if (fd >= 0)
					close(fd);
				continue;
			}
			bad++;
			snprintf(last_bad, sizeof(last_bad), "load: %s", strerror(errno));
			if (fd >= 0)
				close(fd);
			break;
		}
		close(fd);
		if (busy_ok)
			usleep(100000);
		else if (cycles % 64 == 63)
			usleep(1100000);
		while (syscall(SYS_delete_module, name, O_NONBLOCK)) {
			if (nomem_ok && errno == ENOMEM) {
				nomem++;
				continue;
			}
			if (busy_ok && (errno == EAGAIN || errno == EBUSY)) {
				busy++;
				usleep(500);
				continue;
			}
			bad++;
			snprintf(last_bad, sizeof(last_bad), "unload: %s", strerror(errno));
			goto out;
		}
		cycles++;
	}
out:
	printf("STAT: loadloop module=%s cycles=%lu busy=%lu nomem=%lu bad=%lu%s%s\n", name,
	       cycles, busy, nomem, bad, bad ? " last=" : "", last_bad);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	nomem_ok = getenv("RSTRESS_NOMEM") && strcmp(getenv("RSTRESS_NOMEM"), "1") == 0;
	if (argc >= 2 && strcmp(argv[1], "readers") == 0)
		return cmd_readers(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "flip") == 0)
		return cmd_flip(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "loadloop") == 0)
		return cmd_loadloop(argc - 2, argv + 2, 0);
	if (argc >= 2 && strcmp(argv[1], "reloadloop") == 0)
		return cmd_loadloop(argc - 2, argv + 2, 1);
	fprintf(stderr, "usage: rstress readers|flip|loadloop|reloadloop ...\n");
	return 2;
}
