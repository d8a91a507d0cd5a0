// SPDX-License-Identifier: GPL-2.0
/*
 * modload - insmod/rmmod that report the exact errno of init_module(2)
 * family calls (busybox insmod rewrites EINVAL into a guess).
 *
 *   modload FILE.ko [param=value ...]   finit_module(2)
 *   modload -r NAME                     delete_module(2), O_NONBLOCK
 *
 * Prints "ok" or "error ENAME" and exits 0 or 1.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errname.h"

static int report(long ret)
{
	if (ret == 0) {
		puts("ok");
		return 0;
	}
	printf("error %s\n", errname(errno));
	return 1;
}

int main(int argc, char **argv)
{
	char params[4096] = "";
	size_t used = 0;
	int fd, i;

	if (argc == 3 && strcmp(argv[1], "-r") == 0)
		return report(syscall(SYS_delete_module, argv[2], O_NONBLOCK));
	if (argc < 2) {
		fprintf(stderr, "usage: modload FILE.ko [param=value ...] | modload -r NAME\n");
		return 2;
	}
	for (i = 2; i < argc; i++) {
		int n = snprintf(params + used, sizeof(params) - used, "%s%s",
				 i > 2 ? " " : "", argv[i]);

		if (n < 0 || (size_t)n >= sizeof(params) - used) {
			fprintf(stderr, "modload: parameters too long\n");
			return 2;
		}
		used += n;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	return report(syscall(SYS_finit_module, fd, params, 0));
}
