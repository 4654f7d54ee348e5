/* The start lock: an flock'd file holding one record line (R31, R32,
 * R40, R41). Over str.c, sys.c. */
#include "cgi2scgi.h"
#include <errno.h>
#include <limits.h>
#include <sys/file.h>

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
	long long end = after(seconds);
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

/* the words of STARTED, FAILED, STOPPED */
const char states[] TEXT = "started\0failed\0stopped\0";

/*
 * "EPOCH STATE PID FAILURES MTIME" (R32), single spaces, STATE started,
 * failed or stopped; 0, or -1. The line of an older version, "EPOCH
 * STATE PID", reads as FAILURES 1 if failed, else 0, and MTIME 0.
 */
int
record_parse(const char *s, size_t n, struct record *r)
{
	long long v[5] = { 0, 0, 0, 0, 0 };
	const char *end = s + n, *e = s;
	int i;

	if (n > 0 && end[-1] == '\n')
		end--;
	for (i = 0; i < 5 && e < end; i++, s = e + 1) {
		for (e = s; e < end && *e != ' '; e++)
			;
		v[i] = i == 1 ? which(states, s, e - s) :
		    decimal(s, e, i == 2 || i == 3 ? INT_MAX : LLONG_MAX);
		if (v[i] < 0)
			return -1;
	}
	r->epoch = v[0];
	r->state = v[1];
	r->pid = v[2];
	r->failures = i == 3 ? v[1] == FAILED : v[3];
	r->mtime = v[4];
	return e == end && (i == 3 || i == 5) ? 0 : -1;
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
	/* unsigned: on 32-bit targets, libgcc's __udivmoddi4, which num()
	 * has brought already, not __divdi3 and __divmoddi4 (R51) */
	unsigned long long m = r->mtime;
	long long t[4] = { 0, (1 << 30) - 2 /* UTIME_OMIT */, m / 1000000000,
		m % 1000000000 };
	long e = sys3(SYS_lseek, fd, 0, 0 /* SEEK_SET */);

	if (e == 0)
		e = say(fd, num(r->epoch), " ", nth(states, r->state), " ",
		    num(r->pid), " ", num(r->failures), " ", num(r->mtime), "\n",
		    NULL);
	if (e > 0)
		e = sys3(SYS_ftruncate, fd, e, 0);
	if (e == 0 && r->mtime > 0)
		e = sys(SYS_UTIMENSAT, fd, 0, (long)t, 0, 0);
	return e;
}
