/* The start lock: an flock'd file holding "EPOCH STATE PID" (R31, R32). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "cgi2scgi.h"

/* the fd holding the lock; -1 can't open or lock (logged, a 500),
 * -2 still held by another after seconds (a 503) */
int
lock_take(const char *path, long seconds)
{
	long long end;
	int fd, i;

	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		logline("cannot open lock file", errtext(errno));
		return -1;
	}
	end = now_ms(CLOCK_MONOTONIC) + seconds * 1000;
	for (i = 0; flock(fd, LOCK_EX | LOCK_NB) < 0; i++) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			logline("cannot lock", errtext(errno));
			close(fd);
			return -1;
		}
		if (now_ms(CLOCK_MONOTONIC) >= end) {
			close(fd);
			return -2;
		}
		pause_us(backoff_us(i));	/* no signal handler needed */
	}
	return fd;
}

static const char *
number(const char *s, const char *end, long long *v)
{
	const char *p;

	for (*v = 0, p = s; p < end && *p >= '0' && *p <= '9' && p - s < 18; p++)
		*v = *v * 10 + (*p - '0');
	return p == s ? NULL : p;
}

/* "EPOCH STATE PID" with STATE started or failed; 0, or -1 */
int
record_parse(const char *s, size_t n, struct record *r)
{
	const char *end = s + n, *p;
	long long pid;

	if (n > 0 && end[-1] == '\n')
		end--;
	p = number(s, end, &r->epoch);
	if (p == NULL || end - p < 9 || *p != ' ')
		return -1;
	if (memcmp(p + 1, "started ", 8) == 0)
		r->failed = 0;
	else if (memcmp(p + 1, "failed ", 7) == 0)
		r->failed = 1;
	else
		return -1;
	p += r->failed ? 8 : 9;
	if (number(p, end, &pid) != end)
		return -1;
	r->pid = pid;
	return 0;
}

size_t
record_format(char *buf, const struct record *r)
{
	char num[24];
	char *p;
	size_t n;

	p = utoa(num + sizeof num, r->epoch);
	n = num + sizeof num - p;
	memcpy(buf, p, n);
	memcpy(buf + n, r->failed ? " failed " : " started ", r->failed ? 8 : 9);
	n += r->failed ? 8 : 9;
	p = utoa(num + sizeof num, r->pid);
	memcpy(buf + n, p, num + sizeof num - p);
	n += num + sizeof num - p;
	buf[n++] = '\n';
	return n;
}

int
record_read(int fd, struct record *r)
{
	char buf[64];
	ssize_t n;

	do
		n = pread(fd, buf, sizeof buf, 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	return record_parse(buf, n, r);
}

int
record_write(int fd, const struct record *r)
{
	char buf[64];
	size_t n = record_format(buf, r);
	ssize_t w;

	do
		w = pwrite(fd, buf, n, 0);
	while (w < 0 && errno == EINTR);
	if (w != (ssize_t)n || ftruncate(fd, n) < 0)
		return -1;
	return 0;
}
