/* Reaching the app; starting it once when it is down (R30-R40);
 * restarting it on a deploy, stopping it (R41-R47).
 * Over lock.c, config.c, addr.c, str.c, sys.c. */
#include "cgi2scgi.h"
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* only a refused connect means the app is down (R30); ENOENT comes
 * from a unix socket's path alone */
static int
is_down(long err)
{
	return err == -ECONNREFUSED || err == -ENOENT;
}

/* the environment of start (R36): kept names, then the env lines, so
 * that /bin/sh, where the last of a name wins, lets a line override a
 * kept name; then the socket */
size_t
start_env(const char **out, size_t max, char **env, const struct config *c,
    const char *sock)
{
	static const char keep[] TEXT =
	    "PATH\0HOME\0USER\0LOGNAME\0LANG\0LC_ALL\0TZ\0TMPDIR\0";
	const char *k, *v;
	size_t n = 0;
	int i;

	for (k = keep; *k != '\0'; k += len(k) + 1) {
		v = lookup(env, k);
		if (v == NULL && k == keep)
			v = "PATH=/usr/local/bin:/usr/bin:/bin";
		if (v != NULL)
			out[n++] = v;
	}
	for (i = 0; i < c->nenv && n + 1 < max; i++)
		out[n++] = c->env[i];
	out[n++] = sock;
	return n;
}

/* in the child: fds, signals, session, directory, then exec (R34-R37);
 * from here on errors go to the log */
static void
child(const struct config *c, const char *cmd, const char **envp, int log)
{
	const char *argv[] = { "sh", "-c", cmd, NULL };
	const char *what = "cannot chdir";
	long e;
	int i;

	if (sys_dup2(log, 1) < 0 || sys_dup2(log, 2) < 0 || sys_close(0) < 0 ||
	    sys_open("/dev/null", O_RDONLY, 0) != 0 ||
	    sys3(SYS_setsid, 0, 0, 0) < 0)	/* the mask: main's, empty */
		sys_exit(126);
	if (sys3(SYS_close_range, 3, ~0U, 0) < 0)
		for (i = 3; i < 1024; i++)
			sys_close(i);	/* EBADF expected for most */
	for (i = 1; i < 65; i++)
		sig_set(i, SIG_DFL);	/* fails for KILL, STOP: harmless */
	if (c->directory == NULL ||
	    (e = sys3(SYS_chdir, (long)c->directory, 0, 0)) == 0) {
		what = "cannot exec";
		e = sys3(SYS_execve, (long)"/bin/sh", (long)argv, (long)envp);
	}
	logerr(what, e);
	sys_exit(127);
}

/* CGI2SCGI_SOCKET=<absolute unix path or HOST:PORT> (R36), or NULL when
 * the store is full */
static const char *
socket_var(const struct config *c)
{
	const char *p = c->path;
	char cwd[4096];
	long n;

	cwd[0] = '\0';	/* not the whole array */
	if (p == NULL)
		p = c->socket + (same(c->socket, "tcp:", 4) ? 4 : 0);
	else if (*p != '/' && (n = sys3(SYS_getcwd, (long)cwd, sizeof cwd - 1, 0)) > 0)
		cwd[n - 1] = '/';	/* the kernel's getcwd counts the NUL */
	return concat("CGI2SCGI_SOCKET=", cwd, p);
}

/*
 * Run cmd, start or stop, detached (R34-R38, R42): its PID, or 0 when
 * it could not run (logged).
 * fork, not vfork: a vfork child shares the stack, which only code
 * written in assembly may do; the copy of a 12 KB process costs
 * microseconds, once per start.
 */
static long
spawn(const struct config *c, const char *cmd, char **env)
{
	const char *envp[MAX_ENV + 10], *sock = socket_var(c);
	long pid, log;

	if (sock == NULL) {
		logline("config too big (16 KiB in all)", NULL);
		return 0;
	}
	/* opened here, so that its failure is one line in the server's
	 * log; never through a neighbour's symlink (R31) */
	log = sys_open(c->log ? c->log : "/dev/null", O_WRONLY | O_APPEND |
	    O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (log < 0) {
		logerr("cannot open log", log);
		return 0;
	}
	envp[start_env(envp, MAX_ENV + 9, env, c, sock)] = NULL;
	sig_set(SIGCHLD, SIG_DFL);	/* R38: see the child's exit */
	pid = sys3(SYS_clone, SIGCHLD, 0, 0);
	if (pid == 0)
		child(c, cmd, envp, log);
	if (pid < 0)
		logerr("cannot fork", pid);
	sys_close(log);
	return pid < 0 ? 0 : pid;
}

/*
 * A socket once the app accepts, within sec seconds (R38, R39). Else
 * -503, logged: "start failed" when pid, the start command, fails first,
 * "start_timeout passed" at the end; or, when quiet, the last connect's
 * -errno at the end, unlogged.
 */
static int
wait_up(const struct config *c, long pid, long sec, int quiet)
{
	long long end = after(sec);
	int i = 0, st;
	long s;

	while ((s = dial(&c->addr, 1)) < 0) {
		if (!later(end, &i)) {
			if (quiet)
				return s;
			logerr("start_timeout passed", s);
			return -503;
		}
		if (pid > 0 && sys(SYS_wait4, pid, (long)&st, WNOHANG, 0, 0) ==
		    pid) {
			if (st != 0) {	/* not "exited with 0" */
				logline("start failed", NULL);
				return -503;
			}
			pid = 0;	/* it daemonized: keep waiting */
		}
	}
	return s;
}

/* the outcome of a start or stop into the lock file (R32), dated now */
static void
note(int lk, struct record *r)
{
	long e;

	r->epoch = now_s();
	e = record_write(lk, r);
	if (e < 0)
		logerr("cannot write the lock record", e);
}

/* the modification time of path in ns; -1 when path is NULL or has
 * none to give */
static long long
mtime_of(const char *path, int flags)
{
	struct kstat st;

	return path && sys_stat(AT_FDCWD, path, flags, &st) == 0 ?
	    st.mtime.sec * 1000000000 + st.mtime.nsec : -1;
}

/* the hot path's restart check (R41): two statx calls, no open; the
 * lock file's mtime mirrors the record's MTIME (record_write), and a
 * missing lock file has none (-1) */
static int
restart_due(const struct config *c)
{
	long long m = mtime_of(c->restart_file, 0);

	return m >= 0 && mtime_of(c->lock, AT_SYMLINK_NOFOLLOW) != m;
}

/* the whole seconds left, rounded up, of a failed start's quiet window:
 * retry_after x 2^(n-1) after the n-th failure in a row, capped at the
 * larger of 600 and retry_after (R45); 0 when none. now is in whole
 * seconds, rounded down: what is left then comes out rounded up */
long
quiet_left(const struct config *c, const struct record *r, long long now)
{
	long w = c->retry_after, cap = w > 600 ? w : 600, n = r->failures;
	long long left;

	while (--n > 0 && w > 0 && w < cap)	/* retry_after 0 stays 0 */
		w *= 2;
	left = r->epoch + (w < cap ? w : cap) - now;
	return r->state == FAILED && left > 0 ? left : 0;
}

/* 0 once the app refuses (or its unix socket is gone) within sec
 * seconds, else -1 */
static int
wait_down(const struct config *c, long sec)
{
	long long end = after(sec);
	int i = 0;
	long s;

	while (!is_down(s = dial(&c->addr, 1))) {
		if (s >= 0)
			sys_close(s);
		if (!later(end, &i))
			return -1;
	}
	return 0;
}

/* the PID in the pidfile, a decimal number above 1, else 0 (R42) */
static long
pid_of(const char *file)
{
	char buf[24];
	long fd = sys_open(file, O_RDONLY | O_CLOEXEC, 0), pid;
	long n = sys_read(fd, buf, sizeof buf);	/* < 0 when fd is */

	sys_close(fd);
	while (n > 0 && (buf[n - 1] < '0' || buf[n - 1] > '9'))
		n--;	/* a newline, spaces */
	pid = n > 0 ? decimal(buf, buf + n, INT_MAX) : -1;
	return pid > 1 ? pid : 0;
}

/*
 * Stop the app (R42): run stop, or SIGTERM the pidfile's PID and, if it
 * still accepts after start_timeout, SIGKILL it; 0 once the socket
 * refuses, -1 (logged) if it still accepts. stop's exit status counts
 * for nothing: the socket refusing does.
 */
static int
stop_app(const struct config *c, char **env)
{
	long pid = c->stop ? 0 : pid_of(c->pidfile);
	int sig = SIGTERM;

	if (c->stop)
		spawn(c, c->stop, env);
	for (;;) {	/* with a PID: SIGTERM, a wait, SIGKILL, a wait */
		if (pid > 0)
			sys3(SYS_kill, pid, sig, 0);
		if (wait_down(c, c->start_timeout) == 0)
			return 0;
		if (pid == 0 || sig == SIGKILL)
			break;
		sig = SIGKILL;
	}
	logline("cannot stop", "the app still accepts");
	return -1;
}

/*
 * With the lock held, and the app checked again: what a request (SERVE)
 * or a person (START, STOP, RESTART) wants done. A socket to the app,
 * 0 for STOP, or -STATUS (logged). The quiet window holds for requests
 * only (R44); a new restart_file ends it (R45).
 */
static int
locked(const struct config *c, int lk, char **env, int want, long *retry)
{
	long long now = now_s(), m = mtime_of(c->restart_file, 0);
	struct kstat st;
	struct record r;
	long s = dial(&c->addr, 1), pid;

	/* none yet, or dated in the future (the clock was set back): void */
	if (record_read(lk, &r) < 0 || r.epoch > now)
		__builtin_memset(&r, 0, sizeof r);
	if (m < 0)
		m = r.mtime;	/* no restart_file: no change */
	if (s >= 0 && want <= START && m == r.mtime)
		return s;	/* up, and nothing changed (R31) */
	/* a PID is there only while a start is under way: with the app
	 * down, one whose launcher was killed (R40) */
	pid = r.state == STARTED ? r.pid : 0;
	r.pid = 0;	/* whatever happens next settles it */
	if (s >= 0)
		sys_close(s);
	if (!is_down(s)) {	/* up, or busy */
		if (s < 0 && want <= START)	/* busy: never a start (R30) */
			return wait_up(c, 0, c->start_timeout, 0);
		if (stop_app(c, env) < 0) {
			/* the old app keeps serving; this change is done
			 * with */
			r.mtime = m;
			note(lk, &r);
			return want <= START ? wait_up(c, 0, 1, 0) : -503;
		}
		pid = 0;	/* it was up: no start under way */
	}
	if (want == STOP) {	/* stopped is not broken (R46) */
		r.state = STOPPED;
		r.failures = 0;
		note(lk, &r);
		return 0;
	}
	if (want == SERVE && m == r.mtime &&
	    (*retry = quiet_left(c, &r, now)) > 0) {
		logline("recent failure", NULL);
		return -503;
	}
	/* wait for that start, whether its command still runs or
	 * daemonized the app, but only until the record's own
	 * start_timeout ends (R40): a stale or forged record never costs
	 * each request a wait of its own */
	if (pid > 0 && r.epoch + c->start_timeout > now &&
	    !is_down(s = wait_up(c, 0, r.epoch + c->start_timeout - now, 1))) {
		if (s >= 0) {	/* that start came up: say so (R45) */
			r.failures = 0;
			note(lk, &r);
		}
		else {		/* busy: never a second copy (R30) */
			logerr("start_timeout passed", s);
			s = -503;
		}
		return s;
	}	/* else that start timed out, the app down: ours */
	/* a stale socket (R33); if removing it fails, so does the start */
	if (c->path != NULL && sys_stat(AT_FDCWD, c->path, AT_SYMLINK_NOFOLLOW,
	    &st) == 0 && S_ISSOCK(st.mode))
		sys3(SYS_unlinkat, AT_FDCWD, (long)c->path, 0);
	s = -503;
	r.state = STARTED;
	/* the new MTIME goes with "started PID" already: a launcher killed
	 * during the start leaves no restart to do again (R41) */
	r.mtime = m;
	r.pid = spawn(c, c->start, env);
	if (r.pid > 0) {
		note(lk, &r);	/* "started PID": under way (R40) */
		s = wait_up(c, r.pid, c->start_timeout, 0);
		r.pid = 0;	/* settled: no start to wait for */
	}
	r.state = s < 0 ? FAILED : STARTED;
	r.failures = s < 0 ? r.failures + 1 : 0;	/* R45 */
	note(lk, &r);
	*retry = quiet_left(c, &r, r.epoch);	/* the whole window */
	return s;
}

/*
 * A socket to the app, or -STATUS (logged), or 0 once stopped (STOP).
 * A request (SERVE) or --start connects; only a refused app is started
 * (R30), and a changed restart_file restarts a running one (R41), under
 * the lock and after a look again once it is held (R31). A lock waited
 * for may be held by a restart: stop and start, three start_timeouts
 * at most.
 */
int
app_connect(const struct config *c, char **env, int want, long *retry)
{
	long s = dial(&c->addr, 1);
	int lk;

	if (want <= START) {
		if (s >= 0 && !restart_due(c))
			return s;
		if (s < 0 && !is_down(s))	/* busy: never a start */
			return wait_up(c, 0, c->start_timeout, 0);
		if (c->start == NULL) {
			logerr("app down", s);
			return -502;
		}
	}
	if (s >= 0)
		sys_close(s);
	lk = lock_take(c->lock, c->start_timeout *
	    (c->stop || c->pidfile ? 3 : 1));
	if (lk < 0)
		return lk;
	s = locked(c, lk, env, want, retry);
	sys_close(lk);
	return s;
}
