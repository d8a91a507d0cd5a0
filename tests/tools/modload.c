// SPDX-License-Identifier: GPL-2.0
/*
 * modload - insmod/rmmod that report the exact errno of the init_module(2)
 * family (busybox insmod rewrites EINVAL into a guess).
 *
 *   modload [-m] [-f FLAGS] [-o r|w|path] [-F] [-n N] FILE [param=value ...]
 *       finit_module(2) on FILE opened as -o says (default r: O_RDONLY;
 *       w: O_WRONLY; path: O_PATH) with FLAGS (default 0); -m instead
 *       init_module(2) with the image in memory: FILE @fault passes an
 *       invalid image address, FILE @huge a length of 1 TiB; -F passes an
 *       invalid address as the parameter string. -n N writes N to
 *       /proc/self/fail-nth just before the call (fault injection: the
 *       Nth allocation that passes the injection filters fails) and adds
 *       " fail-nth=R" to the verdict, R read back after the call: 0 when
 *       the failure was injected, else N minus the allocations counted.
 *   modload -r NAME [FLAGS]   delete_module(2), FLAGS default O_NONBLOCK
 *
 * Prints "ok" or "error ENAME" and exits 0 or 1 (2: usage, setup failed).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errname.h"

/* Never a mapped user address: the kernel's copy must fault. */
#define BAD_ADDR ((void *)8)

static int setup_failed(const char *what)
{
	perror(what);
	return 2;
}

static int nth_fd = -1;

static int report(long ret)
{
	int err = errno;
	char nth[32] = "";

	/* Then disarm: a count not reached must not fail this process's exit. */
	if (nth_fd >= 0) {
		strcpy(nth, " fail-nth=");
		if (pread(nth_fd, nth + 10, sizeof(nth) - 11, 0) <= 0 ||
		    pwrite(nth_fd, "0", 1, 0) != 1)
			return setup_failed("/proc/self/fail-nth");
		nth[strcspn(nth, "\n")] = '\0';
	}
	if (ret == 0) {
		printf("ok%s\n", nth);
		return 0;
	}
	printf("error %s%s\n", errname(err), nth);
	return 1;
}

/* Just before the call: the count starts with the kernel's allocations for it. */
static int arm_fail_nth(const char *nth)
{
	if (!nth)
		return 0;
	nth_fd = open("/proc/self/fail-nth", O_RDWR | O_CLOEXEC);
	if (nth_fd < 0 || write(nth_fd, nth, strlen(nth)) != (ssize_t)strlen(nth))
		return setup_failed("/proc/self/fail-nth");
	return 0;
}

int main(int argc, char **argv)
{
	char params[4096] = "";
	const char *mode = "r", *file;
	unsigned long flags = 0;
	int mem = 0, badparams = 0, fd, i, opt;
	const char *nth = NULL;
	size_t used = 0;

	if (argc >= 3 && strcmp(argv[1], "-r") == 0)
		return report(syscall(SYS_delete_module, argv[2],
				      argc > 3 ? strtoul(argv[3], NULL, 0) : O_NONBLOCK));
	while ((opt = getopt(argc, argv, "+mf:o:Fn:")) != -1) {
		switch (opt) {
		case 'm': mem = 1; break;
		case 'f': flags = strtoul(optarg, NULL, 0); break;
		case 'o': mode = optarg; break;
		case 'F': badparams = 1; break;
		case 'n': nth = optarg; break;
		default: optind = argc + 1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: modload [-m] [-f FLAGS] [-o r|w|path] [-F] [-n N] FILE [param=value ...]\n"
			"       modload -r NAME [FLAGS]\n");
		return 2;
	}
	file = argv[optind];
	for (i = optind + 1; i < argc; i++) {
		int n = snprintf(params + used, sizeof(params) - used, "%s%s",
				 i > optind + 1 ? " " : "", argv[i]);

		if (n < 0 || (size_t)n >= sizeof(params) - used) {
			fprintf(stderr, "modload: parameters too long\n");
			return 2;
		}
		used += n;
	}
	if (mem && strcmp(file, "@fault") == 0)
		return report(syscall(SYS_init_module, BAD_ADDR, 4096UL, params));
	if (mem && strcmp(file, "@huge") == 0)
		return report(syscall(SYS_init_module, params, 1UL << 40, params));
	fd = open(file, (!strcmp(mode, "w") ? O_WRONLY : !strcmp(mode, "path") ? O_PATH : O_RDONLY) |
		  O_CLOEXEC);
	if (fd < 0)
		return setup_failed(file);
	if (mem) {
		struct stat st;
		void *image;

		if (fstat(fd, &st) < 0)
			return setup_failed(file);
		image = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (image == MAP_FAILED)
			return setup_failed(file);
		if (arm_fail_nth(nth))
			return 2;
		return report(syscall(SYS_init_module, image, (unsigned long)st.st_size,
				      badparams ? BAD_ADDR : params));
	}
	if (arm_fail_nth(nth))
		return 2;
	return report(syscall(SYS_finit_module, fd, badparams ? BAD_ADDR : params, flags));
}
