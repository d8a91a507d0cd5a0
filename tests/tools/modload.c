// SPDX-License-Identifier: GPL-2.0
/*
 * modload - insmod/rmmod that report the exact errno of the init_module(2)
 * family (busybox insmod rewrites EINVAL into a guess).
 *
 *   modload [-m] [-f FLAGS] [-o r|w|path] [-F] FILE [param=value ...]
 *       finit_module(2) on FILE opened as -o says (default r: O_RDONLY;
 *       w: O_WRONLY; path: O_PATH) with FLAGS (default 0); -m instead
 *       init_module(2) with the image in memory: FILE @fault passes an
 *       invalid image address, FILE @huge a length of 1 TiB; -F passes an
 *       invalid address as the parameter string.
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

static int report(long ret)
{
	if (ret == 0) {
		puts("ok");
		return 0;
	}
	printf("error %s\n", errname(errno));
	return 1;
}

static int setup_failed(const char *what)
{
	perror(what);
	return 2;
}

int main(int argc, char **argv)
{
	char params[4096] = "";
	const char *mode = "r", *file;
	unsigned long flags = 0;
	int mem = 0, badparams = 0, fd, i, opt;
	size_t used = 0;

	if (argc >= 3 && strcmp(argv[1], "-r") == 0)
		return report(syscall(SYS_delete_module, argv[2],
				      argc > 3 ? strtoul(argv[3], NULL, 0) : O_NONBLOCK));
	while ((opt = getopt(argc, argv, "+mf:o:F")) != -1) {
		switch (opt) {
		case 'm': mem = 1; break;
		case 'f': flags = strtoul(optarg, NULL, 0); break;
		case 'o': mode = optarg; break;
		case 'F': badparams = 1; break;
		default: optind = argc + 1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: modload [-m] [-f FLAGS] [-o r|w|path] [-F] FILE [param=value ...]\n"
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
		return report(syscall(SYS_init_module, image, (unsigned long)st.st_size,
				      badparams ? BAD_ADDR : params));
	}
	return report(syscall(SYS_finit_module, fd, badparams ? BAD_ADDR : params, flags));
}
