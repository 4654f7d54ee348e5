/* The start lock: an flock'd file holding "EPOCH STATE PID" (R31, R32). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgi2scgi.h"

/* the fd holding the lock; -1 can't open or lock (logged, a 500),
 * -2 still held by another after seconds (a 503) */
int
lock_take(const char *path, long seconds)
{
	long long end;
	int fd, i;

	fd = sys_open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		logerr("cannot lock");
		return -1;
	}
	end = now_ms(CLOCK_MONOTONIC) + seconds * 1000;
	for (i = 0; syscall(SYS_flock, fd, LOCK_EX | LOCK_NB) < 0; i++) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			logerr("cannot lock");
			sys_close(fd);
			return -1;
		}
		if (now_ms(CLOCK_MONOTONIC) >= end) {
			logline("start_timeout passed", NULL);
			sys_close(fd);
			return -2;
		}
		pause_us(backoff_us(i));	/* no signal handler needed */
	}
	return fd;
}

/* "EPOCH STATE PID" with STATE started or failed; 0, or -1 */
int
record_parse(const char *s, size_t n, struct record *r)
{
	const char *end = s + n, *p = s;

	if (n > 0 && end[-1] == '\n')
		end--;
	while (p < end && *p != ' ')
		p++;
	r->epoch = decimal(s, p, LLONG_MAX);
	r->failed = end - p > 8 && same(p, " failed ", 8);
	if (!r->failed && !(end - p > 9 && same(p, " started ", 9)))
		return -1;
	r->pid = decimal(p + 9 - r->failed, end, INT_MAX);
	return r->epoch < 0 || r->pid < 0 ? -1 : 0;
}

/* the record line into buf (at least 64 bytes); its length */
size_t
record_format(char *buf, const struct record *r)
{
	char line[64], *p = line + sizeof line;

	*--p = '\n';
	p = utoa(p, r->pid);
	p -= r->failed ? 8 : 9;
	memcpy(p, r->failed ? " failed " : " started ", r->failed ? 8 : 9);
	p = utoa(p, r->epoch);
	memcpy(buf, p, line + sizeof line - p);
	return line + sizeof line - p;
}

int
record_read(int fd, struct record *r)
{
	char buf[64];
	ssize_t n;

	if (syscall(SYS_lseek, fd, 0L, SEEK_SET) != 0 ||
	    (n = readfd(fd, buf, sizeof buf)) <= 0)
		return -1;
	return record_parse(buf, n, r);
}

int
record_write(int fd, const struct record *r)
{
	char buf[64];
	size_t n = record_format(buf, r);

	if (syscall(SYS_lseek, fd, 0L, SEEK_SET) != 0 ||
	    writeall(fd, buf, n) < 0 || syscall(SYS_ftruncate, fd, (long)n) < 0)
		return -1;
	return 0;
}
