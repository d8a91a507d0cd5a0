// SPDX-License-Identifier: GPL-2.0
/*
 * boomio - every read path of a device, run by a child process that may
 * die of it, watched from outside: guest/28-roulette-paths.sh.
 *
 *   boomio PATH CASE [GID]
 *
 * CASE: read pread readv1 readv16 readv1024 preadv2 splice-pipe
 * splice-file sendfile-pipe sendfile-file thread fork uring uring-async
 * aio (one read each), drop (root opens, drops to uid 65534 keeping the
 * descriptor, reads), passfd, passfd-ignore (uid 65534 with group GID
 * opens and passes the descriptor to root over a Unix socket; root reads,
 * ignoring SIGSEGV for passfd-ignore).
 *
 * Prints, each on its own line:
 *   result=N | result=error:ENAME   what the read returned, if it returned
 *   status=exit:N | status=signal:N | status=hung   the player's end
 *   pipe=eof | pipe=data | pipe=error:ENAME | pipe=hung   for *-pipe:
 *                                   what the pipe's other end read
 *   status=unsupported:ENAME        the case cannot run on this kernel
 * "hung": no end within 60 s (a task stuck in D state, a lock held).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/aio_abi.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errname.h"

#define WAIT_SECS 60
#define UNSUPPORTED 42

static const char *path;
static char buf[4096];

static void result(ssize_t n)
{
	if (n < 0)
		printf("result=error:%s\n", errname(errno));
	else
		printf("result=%zd\n", n);
}

static int open_dev(void)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		printf("open=error:%s\n", errname(errno));
		exit(3);
	}
	return fd;
}

static ssize_t do_readv(int fd, int n)
{
	static struct iovec iov[1024];
	int i;

	for (i = 0; i < n; i++) {
		iov[i].iov_base = buf + i % 64;
		iov[i].iov_len = 1;
	}
	return readv(fd, iov, n);
}

static ssize_t do_uring(int fd, int async)
{
	struct io_uring_params p = { 0 };
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	unsigned int *tail, *array, idx;
	char *sq, *cq;
	int ring = syscall(__NR_io_uring_setup, 4, &p);

	if (ring < 0) {
		printf("status=unsupported:%s\n", errname(errno));
		exit(UNSUPPORTED);
	}
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(unsigned int),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQ_RING);
	cq = mmap(NULL, p.cq_off.cqes + p.cq_entries * sizeof(*cqe),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_CQ_RING);
	sqe = mmap(NULL, p.sq_entries * sizeof(*sqe), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || sqe == MAP_FAILED)
		return -1;
	tail = (unsigned int *)(sq + p.sq_off.tail);
	array = (unsigned int *)(sq + p.sq_off.array);
	idx = *tail & *(unsigned int *)(sq + p.sq_off.ring_mask);
	memset(&sqe[idx], 0, sizeof(*sqe));
	sqe[idx].opcode = IORING_OP_READ;
	sqe[idx].fd = fd;
	sqe[idx].addr = (uintptr_t)buf;
	sqe[idx].len = sizeof(buf);
	sqe[idx].flags = async ? IOSQE_ASYNC : 0;
	array[idx] = idx;
	__atomic_store_n(tail, *tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, ring, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return -1;
	cqe = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	idx = *(unsigned int *)(cq + p.cq_off.head) & *(unsigned int *)(cq + p.cq_off.ring_mask);
	if (cqe[idx].res < 0) {
		errno = -cqe[idx].res;
		return -1;
	}
	return cqe[idx].res;
}

static ssize_t do_aio(int fd)
{
	aio_context_t ctx = 0;
	struct iocb cb = { 0 }, *cbs[1] = { &cb };
	struct io_event ev;

	if (syscall(__NR_io_setup, 1, &ctx) < 0) {
		printf("status=unsupported:%s\n", errname(errno));
		exit(UNSUPPORTED);
	}
	cb.aio_fildes = fd;
	cb.aio_lio_opcode = IOCB_CMD_PREAD;
	cb.aio_buf = (uintptr_t)buf;
	cb.aio_nbytes = sizeof(buf);
	if (syscall(__NR_io_submit, ctx, 1, cbs) != 1 ||
	    syscall(__NR_io_getevents, ctx, 1, 1, &ev, NULL) != 1)
		return -1;
	if ((long long)ev.res < 0) {
		errno = -(long long)ev.res;
		return -1;
	}
	return ev.res;
}

static void *thread_read(void *arg)
{
	result(read(*(int *)arg, buf, sizeof(buf)));
	return NULL;
}

/* Root drops everything but the open descriptor. */
static void drop(gid_t group)
{
	gid_t groups[1] = { group };

	if (setgroups(group ? 1 : 0, groups) || setgid(65534) || setuid(65534)) {
		perror("boomio: drop");
		exit(4);
	}
}

/* A member (uid 65534, group @group) opens; root receives the descriptor. */
static int passed_fd(gid_t group)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, byte = 0;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	int sv[2], fd;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		exit(5);
	if (fork() == 0) {
		drop(group);
		fd = open_dev();
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
		_exit(sendmsg(sv[0], &msg, 0) == 1 ? 0 : 6);
	}
	if (recvmsg(sv[1], &msg, 0) != 1 || !(c = CMSG_FIRSTHDR(&msg)))
		exit(7);
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	wait(NULL);
	return fd;
}

/* The player: one read by @name's path; @fd is inherited (or -1), @out a pipe's end. */
static int play(const char *name, int fd, int out, gid_t group)
{
	int p[2], mfd;
	pthread_t t;
	ssize_t n;

	if (!strncmp(name, "passfd", 6)) {
		fd = passed_fd(group);
		if (!strcmp(name, "passfd-ignore"))
			signal(SIGSEGV, SIG_IGN);
	} else if (fd < 0) {
		fd = open_dev();
	}
	if (!strcmp(name, "drop"))
		drop(0);
	if (!strcmp(name, "read") || !strcmp(name, "fork") || !strcmp(name, "drop") ||
	    !strncmp(name, "passfd", 6)) {
		n = read(fd, buf, sizeof(buf));
	} else if (!strcmp(name, "pread")) {
		n = pread(fd, buf, sizeof(buf), 0);
	} else if (!strncmp(name, "readv", 5)) {
		n = do_readv(fd, atoi(name + 5));
	} else if (!strcmp(name, "preadv2")) {
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };

		n = preadv2(fd, &iov, 1, 0, 0);
	} else if (!strcmp(name, "splice-pipe")) {
		n = splice(fd, NULL, out, NULL, sizeof(buf), 0);
	} else if (!strcmp(name, "sendfile-pipe")) {
		n = sendfile(out, fd, NULL, sizeof(buf));
	} else if (!strcmp(name, "splice-file") || !strcmp(name, "sendfile-file")) {
		mfd = memfd_create("boomio", 0);
		if (mfd < 0 || pipe(p))
			return 8;
		if (!strncmp(name, "sendfile", 8)) {
			n = sendfile(mfd, fd, NULL, sizeof(buf));
		} else {
			n = splice(fd, NULL, p[1], NULL, sizeof(buf), 0);
			if (n > 0)
				n = splice(p[0], NULL, mfd, NULL, n, 0);
		}
	} else if (!strcmp(name, "thread")) {
		if (pthread_create(&t, NULL, thread_read, &fd) || pthread_join(t, NULL))
			return 9;
		return 0;
	} else if (!strncmp(name, "uring", 5)) {
		n = do_uring(fd, name[5] == '-');
	} else if (!strcmp(name, "aio")) {
		n = do_aio(fd);
	} else {
		fprintf(stderr, "boomio: unknown case %s\n", name);
		return 2;
	}
	result(n);
	return 0;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* Waits for @pid at most WAIT_SECS; its status, or -1 if it did not end. */
static int wait_for(pid_t pid)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	int status;

	sigaction(SIGALRM, &sa, NULL);
	alarm(WAIT_SECS);
	if (waitpid(pid, &status, 0) != pid)
		status = -1;
	alarm(0);
	return status;
}

/* The pipe's other end: reads to the end; exit 0 EOF, 1 data then EOF, 2 error. */
static int drain(int in)
{
	ssize_t n, total = 0;

	while ((n = read(in, buf, sizeof(buf))) > 0)
		total += n;
	if (n < 0) {
		printf("pipe=error:%s\n", errname(errno));
		return 2;
	}
	return total ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *name = argc > 2 ? argv[2] : "";
	gid_t group = argc > 3 ? strtoul(argv[3], NULL, 10) : 0;
	int piped = strstr(name, "-pipe") != NULL, p[2] = { -1, -1 }, fd = -1, st;
	pid_t player, drainer = -1;

	if (argc < 3) {
		fprintf(stderr, "usage: boomio PATH CASE [GID]\n");
		return 2;
	}
	path = argv[1];
	setvbuf(stdout, NULL, _IONBF, 0);
	if (piped && pipe(p))
		return 1;
	if (piped) {
		drainer = fork();
		if (drainer == 0) {
			close(p[1]);
			_exit(drain(p[0]));
		}
	}
	if (!strcmp(name, "fork"))
		fd = open_dev();
	player = fork();
	if (player == 0) {
		if (piped)
			close(p[0]);
		_exit(play(name, fd, p[1], group));
	}
	if (piped) {
		close(p[0]);
		close(p[1]);
	}
	st = wait_for(player);
	if (st == -1)
		puts("status=hung");
	else if (WIFSIGNALED(st))
		printf("status=signal:%d\n", WTERMSIG(st));
	else if (WEXITSTATUS(st) != UNSUPPORTED)
		printf("status=exit:%d\n", WEXITSTATUS(st));
	if (fd >= 0)
		close(fd);
	if (piped && st != -1) {
		st = wait_for(drainer);
		if (st == -1)
			puts("pipe=hung");
		else if (WIFEXITED(st) && WEXITSTATUS(st) < 2)
			puts(WEXITSTATUS(st) ? "pipe=data" : "pipe=eof");
	}
	return 0;
}
