/* The start lock: an flock'd file holding "EPOCH STATE PID" (R31, R32,
 * R40). Over str.c, sys.c. */
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
		if (st.uid != (unsigned)sys(SYS_GETEUID, 0, 0, 0, 0, 0))
			why = "lock file not ours", r = 1;
		else if (st.mode & 022)
			why = "lock file writable by group or others", r = 1;
	}
	while (r == 0 && (r = sys(SYS_flock, fd, LOCK_EX | LOCK_NB, 0, 0, 0)) ==
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
	__builtin_memcpy(p, r->failed ? " failed " : " started ",
	    r->failed ? 8 : 9);
	p = utoa(p, r->epoch);
	__builtin_memcpy(buf, p, line + sizeof line - p);
	return line + sizeof line - p;
}

/* 0, or -1: no record (a new lock file) or not one we wrote */
int
record_read(int fd, struct record *r)
{
	char buf[64];
	long n;

	if (sys(SYS_lseek, fd, 0, 0 /* SEEK_SET */, 0, 0) != 0 ||
	    (n = sys_read(fd, buf, sizeof buf)) <= 0)
		return -1;
	return record_parse(buf, n, r);
}

/* 0, or -errno */
int
record_write(int fd, const struct record *r)
{
	char buf[64];
	size_t n = record_format(buf, r);
	long e = sys(SYS_lseek, fd, 0, 0 /* SEEK_SET */, 0, 0);

	if (e == 0)
		e = writeall(fd, buf, n);
	if (e == 0)
		e = sys(SYS_ftruncate, fd, n, 0, 0, 0);
	return e;
}
