// SPDX-License-Identifier: GPL-2.0
/*
 * runas - run a command as UID:GID with exactly the listed supplementary
 * groups (busybox has no setpriv --reuid).
 *
 *   runas UID GID[,GROUP...] CMD [ARG...]
 */
#define _GNU_SOURCE
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	gid_t groups[16];
	size_t ngroups = 0;
	char *list, *tok;
	uid_t uid;
	gid_t gid;

	if (argc < 4) {
		fprintf(stderr, "usage: runas UID GID[,GROUP...] CMD [ARG...]\n");
		return 2;
	}
	uid = strtoul(argv[1], NULL, 10);
	list = strdup(argv[2]);
	gid = strtoul(strtok(list, ","), NULL, 10);
	while ((tok = strtok(NULL, ",")) && ngroups < 16)
		groups[ngroups++] = strtoul(tok, NULL, 10);
	if (setgroups(ngroups, groups) || setgid(gid) || setuid(uid)) {
		perror("runas");
		return 2;
	}
	execv(argv[3], argv + 3);
	perror(argv[3]);
	return 127;
}
