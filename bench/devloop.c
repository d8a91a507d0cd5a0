// SPDX-License-Identifier: GPL-2.0
/*
 * devloop - open+read+close loops on devices, interleaved, for the guest
 * benchmarks.
 *
 *   devloop [-p PROCS] [-S] [-t SECONDS] [-s SLICE_MS] [-b BYTES] [-m MODE] DEV...
 *
 * Time is cut into slices (default 100 ms) and the slices cycle through
 * phases: one phase per DEV (A B A B ...), and with -S one per DEV and
 * reader count 1..PROCS (A1 B1 A2 B2 ...); without -S all PROCS readers run
 * in every phase. So a burst of load on the host hits every configuration
 * alike. Reader i is pinned to CPU i modulo the online CPUs; a reader with
 * no part in a phase sleeps through it. The run lasts SECONDS (default 2)
 * rounded up to whole cycles, and prints one line per configuration:
 *
 *   dev=NAME procs=P ops=N secs=S rate=R
 *
 * where S is the time spent in that configuration's slices and R = N / S
 * the total cycles per second of its readers.
 *
 * MODE picks the cycle: "ocr" (default) open(O_RDONLY) + one read(BYTES) +
 * close; "oc" open + close only; "pread" one pread(BYTES) at offset 0 on a
 * descriptor opened once per device (the read path alone). A failed open
 * or an empty read is an error (exit 1).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PROCS 8
#define MAX_DEVS 4
#define MAX_PHASES (MAX_DEVS * MAX_PROCS)
#define MAX_BYTES 4096
#define CLOCK_EVERY 8		/* cycles between two looks at the clock */

enum mode { MODE_OCR, MODE_OC, MODE_PREAD };

struct phase {
	int dev;
	int procs;
};

struct shared {
	int ready;
	int failed;
	unsigned long long ops[MAX_PROCS][MAX_PHASES];
};

static struct phase phases[MAX_PHASES];
static int nphases;
static long long slice_ns = 100000000LL;
static long long start_ns;	/* shared start time, set before fork */
static long long nslices;

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_until(long long t)
{
	struct timespec ts = { .tv_sec = t / 1000000000LL, .tv_nsec = t % 1000000000LL };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void pin(int cpu)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	if (ncpu < 1)
		ncpu = 1;
	CPU_ZERO(&set);
	CPU_SET(cpu % ncpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("devloop: sched_setaffinity");
}

static int fail(struct shared *sh, const char *what, const char *dev, ssize_t r)
{
	fprintf(stderr, "devloop: %s %s: %s\n", what, dev, r ? strerror(errno) : "empty read");
	__atomic_store_n(&sh->failed, 1, __ATOMIC_RELAXED);
	return -1;
}

/* One cycle: 0 on success. @fd is the descriptor of the pread mode. */
static int cycle(struct shared *sh, enum mode mode, const char *dev, int fd,
		 char *buf, size_t bytes)
{
	ssize_t r;

	if (mode == MODE_PREAD) {
		r = pread(fd, buf, bytes, 0);
		return r > 0 ? 0 : fail(sh, "pread", dev, r);
	}
	fd = open(dev, O_RDONLY);
	if (fd < 0)
		return fail(sh, "open", dev, -1);
	if (mode == MODE_OC) {
		close(fd);
		return 0;
	}
	r = read(fd, buf, bytes);
	close(fd);
	return r > 0 ? 0 : fail(sh, "read", dev, r);
}

static void reader(struct shared *sh, int id, char **devs, int ndevs,
		   size_t bytes, enum mode mode)
{
	char buf[MAX_BYTES];
	int fds[MAX_DEVS], d, i;
	long long s, end;
	struct phase *ph;

	pin(id);
	for (d = 0; d < ndevs; d++) {
		fds[d] = -1;
		if (mode == MODE_PREAD) {
			fds[d] = open(devs[d], O_RDONLY);
			if (fds[d] < 0)
				fail(sh, "open", devs[d], -1);
		}
	}
	__atomic_add_fetch(&sh->ready, 1, __ATOMIC_SEQ_CST);
	for (s = 0; s < nslices && !__atomic_load_n(&sh->failed, __ATOMIC_RELAXED); s++) {
		end = start_ns + (s + 1) * slice_ns;
		ph = &phases[s % nphases];
		if (id >= ph->procs || now_ns() >= end) {
			sleep_until(end);
			continue;
		}
		/* Late into the slice (a host stall): the loop just ends sooner. */
		for (;;) {
			for (i = 0; i < CLOCK_EVERY; i++) {
				if (cycle(sh, mode, devs[ph->dev], fds[ph->dev], buf, bytes))
					_exit(1);
				sh->ops[id][s % nphases]++;
			}
			if (now_ns() >= end)
				break;
		}
	}
	_exit(0);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: devloop [-p PROCS] [-S] [-t SECONDS] [-s SLICE_MS] [-b BYTES] [-m ocr|oc|pread] DEV...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int procs = 1, scaling = 0, opt, i, p, d, status, bad = 0, ndevs;
	double secs = 2.0, cycles;
	size_t bytes = 64;
	enum mode mode = MODE_OCR;
	struct shared *sh;
	char **devs;
	pid_t pid;

	while ((opt = getopt(argc, argv, "p:St:s:b:m:")) != -1) {
		switch (opt) {
		case 'p':
			procs = atoi(optarg);
			break;
		case 'S':
			scaling = 1;
			break;
		case 't':
			secs = atof(optarg);
			break;
		case 's':
			slice_ns = atoll(optarg) * 1000000LL;
			break;
		case 'b':
			bytes = strtoul(optarg, NULL, 10);
			break;
		case 'm':
			if (!strcmp(optarg, "ocr"))
				mode = MODE_OCR;
			else if (!strcmp(optarg, "oc"))
				mode = MODE_OC;
			else if (!strcmp(optarg, "pread"))
				mode = MODE_PREAD;
			else
				usage();
			break;
		default:
			usage();
		}
	}
	devs = argv + optind;
	ndevs = argc - optind;
	if (ndevs < 1 || ndevs > MAX_DEVS || procs < 1 || procs > MAX_PROCS ||
	    secs <= 0 || slice_ns <= 0 || bytes < 1 || bytes > MAX_BYTES)
		usage();

	/* Phases: A B ... with all readers, or A1 B1 A2 B2 ... with -S. */
	for (p = scaling ? 1 : procs; p <= procs; p++) {
		for (d = 0; d < ndevs; d++) {
			phases[nphases].dev = d;
			phases[nphases].procs = p;
			nphases++;
		}
	}
	cycles = secs * 1e9 / (double)(slice_ns * nphases);
	nslices = (long long)(cycles + 0.999) * nphases;
	if (nslices < nphases)
		nslices = nphases;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("devloop: mmap");
		return 1;
	}
	memset(sh, 0, sizeof(*sh));
	/* Start on a slice grid a little ahead, so every reader is ready. */
	start_ns = now_ns() + 200000000LL;
	for (i = 0; i < procs; i++) {
		pid = fork();
		if (pid < 0) {
			perror("devloop: fork");
			return 1;
		}
		if (pid == 0) {
			sleep_until(start_ns);
			reader(sh, i, devs, ndevs, bytes, mode);
		}
	}
	for (i = 0; i < procs; i++) {
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			bad = 1;
	}
	if (bad || sh->failed) {
		fprintf(stderr, "devloop: a reader failed\n");
		return 1;
	}
	for (p = 0; p < nphases; p++) {
		unsigned long long total = 0;
		double t = (double)(nslices / nphases) * slice_ns / 1e9;
		const char *name = strrchr(devs[phases[p].dev], '/');

		for (i = 0; i < procs; i++)
			total += sh->ops[i][p];
		printf("dev=%s procs=%d ops=%llu secs=%.3f rate=%.1f\n",
		       name ? name + 1 : devs[phases[p].dev], phases[p].procs, total, t,
		       total / t);
	}
	return 0;
}
