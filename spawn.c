/* Reaching the app, and starting it once when it is down (R30-R40). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgi2scgi.h"

extern char **environ;

/* connect retries: 1 ms, growing by 1 ms to at most 5 ms (R39) */
long
backoff_us(int attempt)
{
	return attempt < 4 ? 1000 + 1000L * attempt : 5000;
}

/* sleep with poll: nanosleep brings 200 bytes for no better timing */
void
pause_us(long us)
{
	sys_poll(NULL, 0, 0, us * 1000);
}

/* the kernel call: libc's clock_gettime drags in the vDSO lookup */
long long
now_ms(int clock)
{
	long long t[2];		/* the kernel's 64-bit timespec */

	if (syscall(SYS_CLOCK_GETTIME, (long)clock, t) < 0)
		return 0;
	return t[0] * 1000 + t[1] / 1000000;
}

/* SIG_DFL or SIG_IGN for sig: the kernel call, as no handler is ever
 * installed (libc's sigaction costs 700 bytes for handler support) */
int
sig_set(int sig, int ignore)
{
	struct {
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(void);
		unsigned mask[2];
	} sa = { ignore ? SIG_IGN : SIG_DFL, 0, 0, { 0, 0 } };

	return syscall(SYS_rt_sigaction, sig, &sa, NULL, sizeof sa.mask);
}

/* a connected socket, or -1 with errno; connect blocks at most seconds */
int
dial(const struct addr *a, long seconds)
{
	long tv[2] = { seconds, 0 };	/* the kernel's old timeval */
	int s;

	s = syscall(SYS_socket, a->u.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	if (syscall(SYS_setsockopt, s, SOL_SOCKET, SNDTIMEO, &tv,
	    (long)sizeof tv) == 0 &&
	    syscall(SYS_connect, s, &a->u.sa, (long)a->len) == 0)
		return s;
	sys_close(s);	/* success leaves errno as it is */
	return -1;
}

/* only a refused connect means the app is down (R30); ENOENT comes
 * from a unix socket's path alone */
static int
is_down(int e)
{
	return e == ECONNREFUSED || e == ENOENT;
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
child(const struct config *c, const char *dir, const char **envp, int log)
{
	const char *argv[] = { "sh", "-c", c->start, NULL };
	unsigned long long none = 0;	/* the kernel's sigset: 64 bits */
	int i;

	if (sys_dup2(log, 1) < 0 || sys_dup2(log, 2) < 0 || sys_close(0) < 0 ||
	    sys_open("/dev/null", O_RDONLY, 0) != 0)
		_exit(126);
	if (syscall(SYS_close_range, 3, ~0U, 0) < 0)
		for (i = 3; i < 1024; i++)
			sys_close(i);	/* EBADF expected for most */
	for (i = 1; i < NSIG; i++)
		sig_set(i, 0);		/* fails for KILL, STOP: harmless */
	if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL,
	    sizeof none) < 0 ||
	    syscall(SYS_setsid) < 0)
		_exit(126);
	if (dir != NULL && *dir != '\0' && syscall(SYS_chdir, dir) < 0) {
		logerr("cannot chdir");
		_exit(126);
	}
	syscall(SYS_execve, "/bin/sh", argv, envp);
	logerr("cannot exec");
	_exit(127);
}

/* vfork: the parent waits only until the child execs; kept out of line
 * so that no local of the caller lives across it */
static pid_t __attribute__((noinline))
launch(const struct config *c, const char *dir, const char **envp, int log)
{
	pid_t pid = vfork();

	if (pid == 0)
		child(c, dir, envp, log);
	return pid;
}

/* CGI2SCGI_SOCKET=<absolute unix path or HOST:PORT> (R36) */
static const char *
socket_var(const struct config *c)
{
	const char *p = unix_path(c->socket);
	char cwd[4096] = "";
	long n;

	if (p == NULL)
		p = c->socket + (same(c->socket, "tcp:", 4) ? 4 : 0);
	else if (*p != '/' && (n = syscall(SYS_getcwd, cwd, sizeof cwd - 1)) > 0)
		cwd[n - 1] = '/';	/* the kernel call: libc's brings malloc */
	return concat("CGI2SCGI_SOCKET=", cwd, p);
}

/* start runs in directory, else the config file's, else ours */
static pid_t
spawn(const struct config *c)
{
	const char *envp[MAX_ENV + 10], *sock = socket_var(c);
	const char *dir = c->directory ? c->directory :
	    c->file ? dir_of(c->file) : NULL;
	pid_t pid = 0;
	int log;

	/* opened here, so that its failure is one line in the server's log */
	log = sys_open(c->log ? c->log : "/dev/null",
	    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (log < 0 || sock == NULL)	/* no room left in the store */
		logerr("cannot open log");
	else {
		envp[start_env(envp, MAX_ENV + 9, environ, c, sock)] = NULL;
		sig_set(SIGCHLD, 0);	/* R38: see the child's exit */
		pid = launch(c, dir, envp, log);
		if (pid < 0)
			logerr("cannot fork");
		pid = pid < 0 ? 0 : pid;	/* the record of a failure says 0 */
		sys_close(log);
	}
	return pid;
}

/* wait until the app accepts, or -503; watch the start command (R38) */
static int
wait_up(const struct config *c, const struct addr *a, pid_t pid)
{
	long long end = now_ms(CLOCK_MONOTONIC) + c->start_timeout * 1000;
	int i, s, st;

	for (i = 0;; i++) {
		s = dial(a, 1);
		if (s >= 0)
			return s;
		if (pid > 0 &&
		    syscall(SYS_wait4, pid, &st, WNOHANG, NULL) == pid) {
			if (st != 0) {	/* not "exited with 0" */
				logline("start failed", NULL);
				return -503;
			}
			pid = 0;	/* it daemonized: keep waiting */
		}
		if (now_ms(CLOCK_MONOTONIC) >= end) {
			logerr("start_timeout passed");
			return -503;
		}
		pause_us(backoff_us(i));
	}
}

/* 1 if path is a socket, not following a link: statx, as libc's lstat
 * costs 500 bytes (so stale sockets are removed from Linux 4.11 on) */
static int
is_socket(const char *path)
{
	struct {
		unsigned mask, blksize;
		unsigned long long attributes;
		unsigned nlink, uid, gid;
		unsigned short mode;
		char rest[256 - 30];
	} stx;

	return syscall(SYS_statx, AT_FDCWD, path, AT_SYMLINK_NOFOLLOW,
	    1 /* STATX_TYPE */, &stx) == 0 && S_ISSOCK(stx.mode);
}

/* the outcome of a start into the lock file (R32) */
static void
note(int lk, struct record *r, int failed)
{
	r->epoch = now_ms(CLOCK_REALTIME) / 1000;
	r->failed = failed;
	if (record_write(lk, r) < 0)
		logerr("cannot lock");
}

/* with the lock held: throttle (R32), clear a stale socket (R33),
 * start (R34-R37), wait (R38), record the outcome */
static int
start_locked(const struct config *c, const struct addr *a, int lk,
    long *retry)
{
	const char *p = unix_path(c->socket);
	struct record r;
	int s;

	long long now = now_ms(CLOCK_REALTIME) / 1000;

	/* a record from the future (the clock was set back) is void */
	if (record_read(lk, &r) == 0 && r.epoch <= now) {
		if (r.failed && (*retry = r.epoch + c->retry_after - now) > 0) {
			logline("recent failure", NULL);
			return -503;
		}
		/* a PID is there only while a start is under way, so its
		 * launcher was killed: wait for that start, whether its
		 * command still runs or daemonized the app (R40) */
		if (r.pid > 0 && r.epoch + c->start_timeout > now)
			return wait_up(c, a, 0);
	}
	if (p != NULL && is_socket(p))	/* if this fails, so does start */
		syscall(SYS_unlinkat, AT_FDCWD, p, 0);
	s = -503;
	r.pid = spawn(c);
	if (r.pid > 0) {
		note(lk, &r, 0);	/* "started PID": under way (R40) */
		s = wait_up(c, a, r.pid);
		r.pid = 0;	/* settled: no start to wait for */
	}
	note(lk, &r, s < 0);
	*retry = c->retry_after;
	return s;
}

/* a socket to the app, or -(HTTP status) when logged: only a refused
 * app is started (R30), under the lock and only if it is still down
 * once the lock is held (R31) */
int
app_connect(const struct config *c, const struct addr *a, long *retry)
{
	int s = dial(a, 1), lk;

	if (s >= 0)
		return s;
	if (!is_down(errno))
		return wait_up(c, a, 0);	/* busy: back-off, no start */
	if (c->start == NULL) {
		logerr("app down");
		return -502;
	}
	lk = lock_take(c->lock ? c->lock : concat(unix_path(c->socket), ".lock",
	    ""), c->start_timeout);
	if (lk < 0)
		return lk == -2 ? -503 : -500;
	s = dial(a, 1);
	if (s < 0)
		s = is_down(errno) ? start_locked(c, a, lk, retry) :
		    wait_up(c, a, 0);
	sys_close(lk);
	return s;
}
