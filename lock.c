/* The start lock: an flock'd file holding one record line (R31, R32,
 * R40, R41). Over str.c, sys.c. */
#include "cgi2scgi.h"
#include <errno.h>
#include <limits.h>
#include <sys/file.h>
#include <time.h>

/*
 * The fd holding the lock, or -500 (cannot open or lock it, or it is not
 * ours: logged), or -503 (another holds it for longer than seconds:
 * logged). On a shared host the lock may sit where others can write:
 * a file that another user owns, or that group or others may write,
 * could carry a forged record (a failure that throttles us for ever, a
 * start under way that makes every request wait), so it is refused (R31).
 */
int
lock_take(const char *path, long seconds)
{
	long long end = now_ms(CLOCK_MONOTONIC) + seconds * 1000;
	const char *why = "cannot lock";
	struct kstat st;
	int fd, r, i = 0;

	fd = r = sys_open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	/* statx needs Linux 4.11: before, no owner check (-ENOSYS) */
	if (fd >= 0 && (r = sys_stat(fd, "", AT_EMPTY_PATH, &st)) == -ENOSYS)
		r = 0;
	else if (r == 0) {
		if (st.uid != (unsigned)sys3(SYS_GETEUID, 0, 0, 0))
			why = "lock file not ours", r = 1;
		else if (st.mode & 022)
			why = "lock file writable by group or others", r = 1;
	}
	while (r == 0 && (r = sys3(SYS_flock, fd, LOCK_EX | LOCK_NB, 0)) ==
	    -EWOULDBLOCK) {
		if (!later(end, &i)) {
			logline("start_timeout passed", "lock held");
			sys_close(fd);
			return -503;
		}
		r = 0;
	}
	if (r == 0)
		return fd;
	logline(why, r < 0 ? errname(r) : NULL);
	sys_close(fd);
	return -500;
}

static const char states[] = "started\0failed\0stopped";

/* the number that *p..end starts with, up to a space (after which *p
 * then points), at most max; -1 if there is none */
static long long
field(const char **p, const char *end, long long max)
{
	const char *s = *p, *e = s;

	while (e < end && *e != ' ')
		e++;
	*p = e + (e < end);
	return decimal(s, e, max);
}

/*
 * "EPOCH STATE PID FAILURES MTIME" (R32), STATE started, failed or
 * stopped; 0, or -1. The line of an older version, "EPOCH STATE PID",
 * reads as FAILURES 1 if failed, else 0, and MTIME 0.
 */
int
record_parse(const char *s, size_t n, struct record *r)
{
	const char *end = s + n, *p = s, *k = states;
	size_t w = 0;

	if (n > 0 && end[-1] == '\n')
		end--;
	r->epoch = field(&p, end, LLONG_MAX);
	for (r->state = 0; r->state < 3; r->state++, k += w + 1) {
		w = len(k);
		if (end - p > (long)w && same(p, k, w) && p[w] == ' ')
			break;
	}
	if (r->state == 3)
		return -1;
	p += w + 1;
	r->pid = field(&p, end, INT_MAX);
	r->failures = r->state == FAILED;
	r->mtime = 0;
	if (p < end) {
		r->failures = field(&p, end, INT_MAX);
		r->mtime = field(&p, end, LLONG_MAX);
	}
	return (r->epoch | r->pid | r->failures | r->mtime) < 0 || p < end ?
	    -1 : 0;
}

/* the record line into buf (at least 96 bytes); its length */
size_t
record_format(char *buf, const struct record *r)
{
	char line[96], *p = line + sizeof line;
	const char *k = states;
	int i;

	for (i = 0; i < r->state; i++)
		k += len(k) + 1;
	*--p = '\n';
	p = utoa(p, r->mtime);
	*--p = ' ';
	p = utoa(p, r->failures);
	*--p = ' ';
	p = utoa(p, r->pid);
	*--p = ' ';
	p -= len(k);
	__builtin_memcpy(p, k, len(k));
	*--p = ' ';
	p = utoa(p, r->epoch);
	__builtin_memcpy(buf, p, line + sizeof line - p);
	return line + sizeof line - p;
}

/* 0, or -1: no record (a new lock file) or not one we wrote */
int
record_read(int fd, struct record *r)
{
	char buf[96];
	long n;

	if (sys3(SYS_lseek, fd, 0, 0 /* SEEK_SET */) != 0 ||
	    (n = sys_read(fd, buf, sizeof buf)) <= 0)
		return -1;
	return record_parse(buf, n, r);
}

/*
 * 0, or -errno. The lock file's own mtime is then set to MTIME: a
 * request compares restart_file with it, two statx calls, without
 * opening the lock (R41: the restart check costs at most two
 * stat-family calls per request).
 */
int
record_write(int fd, const struct record *r)
{
	char buf[96];
	size_t n = record_format(buf, r);
	long long t[4] = { 0, (1 << 30) - 2 /* UTIME_OMIT */,
		r->mtime / 1000000000, r->mtime % 1000000000 };
	long e = sys3(SYS_lseek, fd, 0, 0 /* SEEK_SET */);

	if (e == 0)
		e = writeall(fd, buf, n);
	if (e == 0)
		e = sys3(SYS_ftruncate, fd, n, 0);
	if (e == 0 && r->mtime > 0)
		e = sys(SYS_UTIMENSAT, fd, 0, (long)t, 0, 0);
	return e;
}
