/* Reaching the app, and starting it once when it is down (R30-R40).
 * Over lock.c, config.c, addr.c, str.c, sys.c. */
#include "cgi2scgi.h"
#include <errno.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

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
	static const char keep[] =
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
child(const struct config *c, const char **envp, int log)
{
	const char *argv[] = { "sh", "-c", c->start, NULL };
	long e;
	int i;

	if (sys_dup2(log, 1) < 0 || sys_dup2(log, 2) < 0 || sys_close(0) < 0 ||
	    sys_open("/dev/null", O_RDONLY, 0) != 0)
		sys_exit(126);
	if (sys(SYS_close_range, 3, ~0U, 0, 0, 0) < 0)
		for (i = 3; i < 1024; i++)
			sys_close(i);	/* EBADF expected for most */
	for (i = 1; i < 65; i++)
		sig_set(i, SIG_DFL);	/* fails for KILL, STOP: harmless */
	/* the signal mask is main's, empty (R37) */
	if (sys(SYS_setsid, 0, 0, 0, 0, 0) < 0)
		sys_exit(126);
	if (c->directory != NULL &&
	    (e = sys(SYS_chdir, (long)c->directory, 0, 0, 0, 0)) < 0) {
		logerr("cannot chdir", e);
		sys_exit(126);
	}
	e = sys(SYS_execve, (long)"/bin/sh", (long)argv, (long)envp, 0, 0);
	logerr("cannot exec", e);
	sys_exit(127);
}

/* CGI2SCGI_SOCKET=<absolute unix path or HOST:PORT> (R36), or NULL when
 * the store is full */
static const char *
socket_var(const struct config *c)
{
	const char *p = c->path;
	char cwd[4096] = "";
	long n;

	if (p == NULL)
		p = c->socket + (same(c->socket, "tcp:", 4) ? 4 : 0);
	else if (*p != '/' && (n = sys(SYS_getcwd, (long)cwd, sizeof cwd - 1,
	    0, 0, 0)) > 0)
		cwd[n - 1] = '/';	/* the kernel's getcwd counts the NUL */
	return concat("CGI2SCGI_SOCKET=", cwd, p);
}

/*
 * Run start (R34-R38): its PID, or 0 when it could not run (logged).
 * fork, not vfork: a vfork child shares the stack, which only code
 * written in assembly may do; the copy of a 12 KB process costs
 * microseconds, once per start.
 */
static long
spawn(const struct config *c, char **env)
{
	const char *envp[MAX_ENV + 10], *sock = socket_var(c);
	long pid, log;

	/* opened here, so that its failure is one line in the server's
	 * log; never through a neighbour's symlink (R31) */
	log = sys_open(c->log ? c->log : "/dev/null", O_WRONLY | O_APPEND |
	    O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (log < 0) {
		logerr("cannot open log", log);
		return 0;
	}
	if (sock == NULL) {
		logline("config too big (16 KiB in all)", NULL);
		sys_close(log);
		return 0;
	}
	envp[start_env(envp, MAX_ENV + 9, env, c, sock)] = NULL;
	sig_set(SIGCHLD, SIG_DFL);	/* R38: see the child's exit */
	pid = sys(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		child(c, envp, log);
	if (pid < 0)
		logerr("cannot fork", pid);
	sys_close(log);
	return pid < 0 ? 0 : pid;
}

/* a socket once the app accepts; once the monotonic clock passes end
 * (ms), the last connect's -errno, unlogged; -503 (logged) when pid, the
 * start command, fails first (R38) */
static int
wait_up(const struct config *c, long pid, long long end)
{
	int i = 0, st;
	long s;

	for (;;) {
		s = dial(&c->addr, 1);
		if (s >= 0 || !later(end, &i))
			return s;
		if (pid > 0 && sys(SYS_wait4, pid, (long)&st, WNOHANG, 0, 0) ==
		    pid) {
			if (st != 0) {	/* not "exited with 0" */
				logline("start failed", NULL);
				return -503;
			}
			pid = 0;	/* it daemonized: keep waiting */
		}
	}
}

/* wait_up's result as app_connect's: a timeout is a 503 (logged) */
static int
up_or_503(int s)
{
	if (s < 0 && s != -503) {
		logerr("start_timeout passed", s);
		s = -503;
	}
	return s;
}

/* end (ms of the monotonic clock) of a wait of sec seconds from now */
static long long
after(long sec)
{
	return now_ms(CLOCK_MONOTONIC) + sec * 1000;
}

/* the outcome of a start into the lock file (R32) */
static void
note(int lk, struct record *r, int failed)
{
	long e;

	r->epoch = now_ms(CLOCK_REALTIME) / 1000;
	r->failed = failed;
	e = record_write(lk, r);
	if (e < 0)
		logerr("cannot write the lock record", e);
}

/* with the lock held: throttle (R32), clear a stale socket (R33),
 * start (R34-R37), wait (R38), record the outcome */
static int
start_locked(const struct config *c, int lk, char **env, long *retry)
{
	long long now = now_ms(CLOCK_REALTIME) / 1000;
	struct kstat st;
	struct record r;
	int s;

	/* a record from the future (the clock was set back) is void */
	if (record_read(lk, &r) == 0 && r.epoch <= now) {
		if (r.failed && (*retry = r.epoch + c->retry_after - now) > 0) {
			logline("recent failure", NULL);
			return -503;
		}
		/* a PID is there only while a start is under way, so its
		 * launcher was killed: wait for that start, whether its
		 * command still runs or daemonized the app, but only until
		 * the record's own start_timeout ends (R40): a stale or
		 * forged record never costs each request a wait of its own */
		if (r.pid > 0 && r.epoch + c->start_timeout > now &&
		    ((s = wait_up(c, 0, after(r.epoch + c->start_timeout -
		    now))) >= 0 || !is_down(s))) {
			if (s >= 0) {	/* that start has settled */
				r.pid = 0;
				note(lk, &r, 0);
			}	/* (busy: never a second copy, R30) */
			return up_or_503(s);
		}
		/* else that start timed out, the app down: ours */
	}
	/* a stale socket (R33); if removing it fails, so does the start */
	if (c->path != NULL && sys_stat(AT_FDCWD, c->path, AT_SYMLINK_NOFOLLOW,
	    &st) == 0 && S_ISSOCK(st.mode))
		sys(SYS_unlinkat, AT_FDCWD, (long)c->path, 0, 0, 0);
	s = -503;
	r.pid = spawn(c, env);
	if (r.pid > 0) {
		note(lk, &r, 0);	/* "started PID": under way (R40) */
		s = up_or_503(wait_up(c, r.pid, after(c->start_timeout)));
		r.pid = 0;	/* settled: no start to wait for */
	}
	note(lk, &r, s < 0);
	*retry = c->retry_after;
	return s;
}

/* a socket to the app, or -STATUS (logged): only a refused app is
 * started (R30), under the lock and only if it is still down once the
 * lock is held (R31) */
int
app_connect(const struct config *c, char **env, long *retry)
{
	long s = dial(&c->addr, 1);
	int lk;

	if (s >= 0)
		return s;
	if (!is_down(s))	/* busy: back-off, never a start */
		return up_or_503(wait_up(c, 0, after(c->start_timeout)));
	if (c->start == NULL) {
		logerr("app down", s);
		return -502;
	}
	lk = lock_take(c->lock, c->start_timeout);
	if (lk < 0)
		return lk;
	s = dial(&c->addr, 1);
	if (s < 0)
		s = is_down(s) ? start_locked(c, lk, env, retry) :
		    up_or_503(wait_up(c, 0, after(c->start_timeout)));
	sys_close(lk);
	return s;
}
