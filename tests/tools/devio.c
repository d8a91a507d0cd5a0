// SPDX-License-Identifier: GPL-2.0
/*
 * devio - exact device I/O for the guest tests; every failure is printed
 * as "error ENAME" so a test can compare the errno.
 *
 *   devio read PATH [CHUNK]        read to EOF in CHUNK-byte reads (default 4096)
 *   devio pread PATH OFFSET LEN    one pread(2)
 *   devio seek PATH WHENCE OFFSET  lseek (set|cur|end|NUMBER), print "offset=N",
 *                                  read the rest
 *   devio readnull PATH            read(2) into a NULL buffer
 *   devio mmap PATH                mmap(2) one page
 *   devio ioctl PATH CMD           ioctl(2) with a numeric command
 *   devio open PATH r|w|rw         open only
 *   devio write PATH [ro]          open O_RDWR (O_RDONLY: ro) and write one byte
 *   devio put PATH STRING          write STRING (no newline) in one write(2),
 *                                  as a sysfs store sees it
 *   devio spin PATH N              N forked open+read; "read: MESSAGE" per survivor,
 *                                  then "survived=A boomed=B other=C"
 *   devio readv PATH CHUNK         read to EOF with readv(2) of three CHUNK-byte iovecs
 *   devio preadv PATH OFFSET LEN   one preadv(2) of two iovecs (LEN/2 and the rest)
 *   devio splice PATH              splice(2) to a pipe until EOF, print what the pipe got
 *   devio sendfile PATH            sendfile(2) to a memfd until EOF, print what it got
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errname.h"

static int fail(void)
{
	printf("error %s\n", errname(errno));
	return 1;
}

static int open_dev(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0)
		exit(fail());
	return fd;
}

static int read_to_eof(int fd, size_t chunk)
{
	char buf[4096];
	ssize_t n;

	if (chunk == 0 || chunk > sizeof(buf))
		chunk = sizeof(buf);
	while ((n = read(fd, buf, chunk)) > 0)
		fwrite(buf, 1, n, stdout);
	return n < 0 ? fail() : 0;
}

/* Three CHUNK-byte iovecs per readv(2) until EOF. */
static int readv_to_eof(int fd, size_t chunk)
{
	char buf[3][4096];
	struct iovec iov[3];
	ssize_t n;
	int i;

	if (chunk == 0 || chunk > sizeof(buf[0]))
		chunk = sizeof(buf[0]);
	for (i = 0; i < 3; i++) {
		iov[i].iov_base = buf[i];
		iov[i].iov_len = chunk;
	}
	while ((n = readv(fd, iov, 3)) > 0)
		for (i = 0; i < 3 && n > 0; n -= chunk, i++)
			fwrite(buf[i], 1, (size_t)n < chunk ? (size_t)n : chunk, stdout);
	return n < 0 ? fail() : 0;
}

/* splice(2) into a pipe until EOF; print what the pipe got. */
static int splice_to_pipe(int fd)
{
	char buf[4096];
	int p[2];
	ssize_t n;

	if (pipe(p))
		return fail();
	while ((n = splice(fd, NULL, p[1], NULL, sizeof(buf), 0)) > 0)
		if (read(p[0], buf, n) == n)
			fwrite(buf, 1, n, stdout);
	return n < 0 ? fail() : 0;
}

/* sendfile(2) into a memfd until EOF; print what the file got. */
static int sendfile_to_memfd(int fd)
{
	int out = memfd_create("devio", MFD_CLOEXEC);
	ssize_t n;

	if (out < 0)
		return fail();
	while ((n = sendfile(out, fd, NULL, 4096)) > 0)
		;
	if (n < 0)
		return fail();
	lseek(out, 0, SEEK_SET);
	return read_to_eof(out, 4096);
}

static int spin(const char *path, long n)
{
	long survived = 0, boomed = 0, other = 0, i;

	for (i = 0; i < n; i++) {
		pid_t pid = fork();
		int status;

		if (pid < 0)
			return fail();
		if (pid == 0) {
			char buf[128];
			int fd = open(path, O_RDONLY);
			ssize_t len = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;

			/* One line per survivor: what it read. */
			_exit(len > 0 && printf("read: %.*s", (int)len, buf) > 0 ? 0 : 3);
		}
		if (waitpid(pid, &status, 0) < 0)
			return fail();
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			survived++;
		else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV)
			boomed++;
		else
			other++;
	}
	printf("survived=%ld boomed=%ld other=%ld\n", survived, boomed, other);
	return 0;
}

int main(int argc, char **argv)
{
	const char *op = argc > 1 ? argv[1] : "", *path = argc > 2 ? argv[2] : "";
	int fd;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(op, "read") && argc >= 3) {
		fd = open_dev(path, O_RDONLY);
		return read_to_eof(fd, argc > 3 ? strtoul(argv[3], NULL, 0) : 4096);
	}
	if (!strcmp(op, "pread") && argc == 5) {
		size_t len = strtoul(argv[4], NULL, 0);
		char *buf = malloc(len + 1);
		ssize_t n;

		fd = open_dev(path, O_RDONLY);
		n = pread(fd, buf, len, strtoll(argv[3], NULL, 0));
		if (n < 0)
			return fail();
		fwrite(buf, 1, n, stdout);
		return 0;
	}
	if (!strcmp(op, "seek") && argc == 5) {
		int whence = !strcmp(argv[3], "set") ? SEEK_SET :
			     !strcmp(argv[3], "cur") ? SEEK_CUR :
			     !strcmp(argv[3], "end") ? SEEK_END : atoi(argv[3]);
		off_t off;

		fd = open_dev(path, O_RDONLY);
		off = lseek(fd, strtoll(argv[4], NULL, 0), whence);
		if (off < 0)
			return fail();
		printf("offset=%lld\n", (long long)off);
		return read_to_eof(fd, 4096);
	}
	if (!strcmp(op, "open") && argc == 4) {
		int flags = !strcmp(argv[3], "w") ? O_WRONLY :
			    !strcmp(argv[3], "rw") ? O_RDWR : O_RDONLY;

		open_dev(path, flags);
		puts("ok");
		return 0;
	}
	if (!strcmp(op, "write") && (argc == 3 || (argc == 4 && !strcmp(argv[3], "ro")))) {
		fd = open_dev(path, argc == 4 ? O_RDONLY : O_RDWR);
		if (write(fd, "x", 1) < 0)
			return fail();
		puts("ok");
		return 0;
	}
	if (!strcmp(op, "put") && argc == 4) {
		fd = open_dev(path, O_WRONLY);
		if (write(fd, argv[3], strlen(argv[3])) < 0)
			return fail();
		puts("ok");
		return 0;
	}
	if (!strcmp(op, "readnull") && argc == 3) {
		fd = open_dev(path, O_RDONLY);
		/* The raw syscall: the C library's read() is declared nonnull. */
		if (syscall(SYS_read, fd, NULL, 64) < 0)
			return fail();
		puts("ok");
		return 0;
	}
	if (!strcmp(op, "mmap") && argc == 3) {
		fd = open_dev(path, O_RDONLY);
		if (mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED)
			return fail();
		puts("ok");
		return 0;
	}
	if (!strcmp(op, "ioctl") && argc == 4) {
		fd = open_dev(path, O_RDONLY);
		if (ioctl(fd, strtoul(argv[3], NULL, 0), 0) < 0)
			return fail();
		puts("ok");
		return 0;
	}
	if (!strcmp(op, "readv") && argc == 4) {
		fd = open_dev(path, O_RDONLY);
		return readv_to_eof(fd, strtoul(argv[3], NULL, 0));
	}
	if (!strcmp(op, "preadv") && argc == 5) {
		size_t len = strtoul(argv[4], NULL, 0);
		char *buf = malloc(len + 1);
		struct iovec iov[2] = {
			{ .iov_base = buf, .iov_len = len / 2 },
			{ .iov_base = buf + len / 2, .iov_len = len - len / 2 },
		};
		ssize_t n;

		fd = open_dev(path, O_RDONLY);
		n = preadv(fd, iov, 2, strtoll(argv[3], NULL, 0));
		if (n < 0)
			return fail();
		fwrite(buf, 1, n, stdout);
		return 0;
	}
	if (!strcmp(op, "splice") && argc == 3)
		return splice_to_pipe(open_dev(path, O_RDONLY));
	if (!strcmp(op, "sendfile") && argc == 3)
		return sendfile_to_memfd(open_dev(path, O_RDONLY));
	if (!strcmp(op, "spin") && argc == 4)
		return spin(path, strtol(argv[3], NULL, 0));
	fprintf(stderr, "usage: devio read|pread|seek|open|write|put|readnull|mmap|ioctl|spin|readv|preadv|splice|sendfile PATH ...\n");
	return 2;
}
