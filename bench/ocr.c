// SPDX-License-Identifier: GPL-2.0
/*
 * ocr - open+read+close loop on a device, for the guest benchmarks.
 *
 *   ocr [-p PROCS] [-t SECONDS] [-b BYTES] [-m MODE] DEVICE
 *
 * Forks PROCS readers (default 1), reader i pinned to CPU i modulo the
 * online CPUs. They start together, each repeats one cycle until the
 * parent raises the stop flag after SECONDS (default 2), and the parent
 * prints one line:
 *
 *   procs=P ops=N secs=S rate=R
 *
 * MODE picks the cycle: "ocr" (default) open(O_RDONLY) + one read(BYTES) +
 * close; "oc" open + close only; "pread" one pread(BYTES) at offset 0 on a
 * descriptor opened once (the read path alone).
 * where R = N / S is the total cycles per second of all readers. The loop
 * itself reads no clock: start and stop are flags in shared memory. Any
 * failed open or an empty read is an error (exit 1).
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

#define MAX_PROCS 64
#define MAX_BYTES 4096

enum mode { MODE_OCR, MODE_OC, MODE_PREAD };

struct shared {
	int ready;			/* readers waiting at the start line */
	int go;
	int stop;
	int failed;
	unsigned long long ops[MAX_PROCS];
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
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
		perror("ocr: sched_setaffinity");
}

static int fail(struct shared *sh, const char *what, const char *dev, ssize_t r)
{
	fprintf(stderr, "ocr: %s %s: %s\n", what, dev, r ? strerror(errno) : "empty read");
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

static void reader(struct shared *sh, int id, const char *dev, size_t bytes,
		   enum mode mode)
{
	char buf[MAX_BYTES];
	unsigned long long n = 0;
	int fd = -1;

	pin(id);
	if (mode == MODE_PREAD) {
		fd = open(dev, O_RDONLY);
		if (fd < 0)
			fail(sh, "open", dev, -1);
	}
	__atomic_add_fetch(&sh->ready, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&sh->go, __ATOMIC_ACQUIRE))
		;
	while (!__atomic_load_n(&sh->stop, __ATOMIC_RELAXED) &&
	       !__atomic_load_n(&sh->failed, __ATOMIC_RELAXED)) {
		if (cycle(sh, mode, dev, fd, buf, bytes))
			break;
		n++;
	}
	sh->ops[id] = n;
	_exit(0);
}

static void usage(void)
{
	fprintf(stderr, "usage: ocr [-p PROCS] [-t SECONDS] [-b BYTES] [-m ocr|oc|pread] DEVICE\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int procs = 1, opt, i, status, bad = 0;
	double secs = 2.0, t0, t1;
	unsigned long long total = 0;
	size_t bytes = 64;
	enum mode mode = MODE_OCR;
	struct timespec nap;
	struct shared *sh;
	pid_t pid;

	while ((opt = getopt(argc, argv, "p:t:b:m:")) != -1) {
		switch (opt) {
		case 'p':
			procs = atoi(optarg);
			break;
		case 't':
			secs = atof(optarg);
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
	if (optind != argc - 1 || procs < 1 || procs > MAX_PROCS ||
	    secs <= 0 || bytes < 1 || bytes > MAX_BYTES)
		usage();

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("ocr: mmap");
		return 1;
	}
	memset(sh, 0, sizeof(*sh));
	for (i = 0; i < procs; i++) {
		pid = fork();
		if (pid < 0) {
			perror("ocr: fork");
			return 1;
		}
		if (pid == 0)
			reader(sh, i, argv[optind], bytes, mode);
	}
	nap.tv_sec = 0;
	nap.tv_nsec = 1000000;
	while (__atomic_load_n(&sh->ready, __ATOMIC_SEQ_CST) < procs)
		nanosleep(&nap, NULL);

	t0 = now();
	__atomic_store_n(&sh->go, 1, __ATOMIC_RELEASE);
	nap.tv_sec = (time_t)secs;
	nap.tv_nsec = (long)((secs - (double)nap.tv_sec) * 1e9);
	while (nanosleep(&nap, &nap) && errno == EINTR)
		;
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELAXED);
	t1 = now();

	for (i = 0; i < procs; i++) {
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			bad = 1;
	}
	for (i = 0; i < procs; i++)
		total += sh->ops[i];
	if (bad || sh->failed) {
		fprintf(stderr, "ocr: a reader failed\n");
		return 1;
	}
	printf("procs=%d ops=%llu secs=%.3f rate=%.1f\n", procs, total, t1 - t0,
	       total / (t1 - t0));
	return 0;
}
