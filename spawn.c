/* Reaching the app, and starting it once when it is down (R30-R40). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
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
	poll(NULL, 0, us / 1000);
}

/* the kernel call: libc's clock_gettime drags in the vDSO lookup */
long long
now_ms(int clock)
{
	struct timespec t;

	if (syscall(SYS_clock_gettime, clock, &t) < 0)
		return 0;
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
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
	struct timeval tv = { seconds, 0 };
	int s, e;

	s = socket(a->u.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	if (setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == 0 &&
	    connect(s, &a->u.sa, a->len) == 0)
		return s;
	e = errno;
	close(s);
	errno = e;
	return -1;
}

/* only a refused connect means the app is down (R30) */
static int
is_down(int e, const struct addr *a)
{
	return e == ECONNREFUSED || (e == ENOENT && a->u.sa.sa_family == AF_UNIX);
}

/* the environment of start (R36): env lines, kept names, the socket */
size_t
start_env(const char **out, size_t max, char **env, const struct config *c,
    const char *sock)
{
	static const char *const keep[] = { "PATH=", "HOME=", "USER=",
		"LOGNAME=", "LANG=", "LC_ALL=", "TZ=", "TMPDIR=", 0 };
	size_t n = 0, i, j, k;
	char **e;

	for (i = 0; i < (size_t)c->nenv && n + 1 < max; i++)
		out[n++] = c->env[i];
	for (i = 0; keep[i] != NULL && n + 1 < max; i++) {
		k = strlen(keep[i]);
		for (j = 0; j < n && strncmp(out[j], keep[i], k) != 0; j++)
			;
		for (e = env; j == n && *e && strncmp(*e, keep[i], k); e++)
			;
		if (j == n && *e != NULL)	/* an env line wins */
			out[n++] = *e;
		else if (j == n && i == 0)
			out[n++] = "PATH=/usr/local/bin:/usr/bin:/bin";
	}
	out[n++] = sock;
	return n;
}

/* in the child: fds, signals, session, directory, then exec (R34-R37) */
static void
child(const struct config *c, const char *dir, const char **envp)
{
	const char *argv[] = { "sh", "-c", c->start, NULL };
	sigset_t none;
	int fd, i;

	fd = open(c->log ? c->log : "/dev/null",
	    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		logline("cannot open log", errtext(errno));
		_exit(126);
	}
	if (dup2(fd, 1) < 0 || dup2(fd, 2) < 0 || close(0) < 0 ||
	    open("/dev/null", O_RDONLY) != 0)
		_exit(126);
	if (syscall(SYS_close_range, 3, ~0U, 0) < 0)
		for (i = 3; i < 1024; i++)
			close(i);	/* EBADF expected for most */
	for (i = 1; i < NSIG; i++)
		sig_set(i, 0);		/* fails for KILL, STOP: harmless */
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0 || setsid() < 0)
		_exit(126);
	if (dir != NULL && *dir != '\0' && chdir(dir) < 0) {
		logline("cannot change to directory", errtext(errno));
		_exit(126);
	}
	execve("/bin/sh", (char **)argv, (char **)envp);
	logline("cannot run /bin/sh", errtext(errno));
	_exit(127);
}

/* vfork: the parent waits only until the child execs; kept out of line
 * so that no local of the caller lives across it */
static pid_t __attribute__((noinline))
launch(const struct config *c, const char *dir, const char **envp)
{
	pid_t pid = vfork();

	if (pid == 0)
		child(c, dir, envp);
	return pid;
}

/* CGI2SCGI_SOCKET=<absolute unix path or HOST:PORT> (R36) */
static const char *
socket_var(const struct config *c)
{
	const char *p = unix_path(c->socket);
	char cwd[4096];

	if (p == NULL)
		return concat("CGI2SCGI_SOCKET=", c->socket +
		    (strncmp(c->socket, "tcp:", 4) == 0 ? 4 : 0), "");
	/* the kernel call: libc's getcwd brings malloc */
	if (p[0] == '/' || syscall(SYS_getcwd, cwd, sizeof cwd) < 0)
		return concat("CGI2SCGI_SOCKET=", p, "");
	return concat("CGI2SCGI_SOCKET=", cwd, concat("/", p, ""));
}

/* start runs in directory, else the config file's, else ours */
static pid_t
spawn(const struct config *c)
{
	const char *envp[MAX_ENV + 10], *sock = socket_var(c);
	const char *dir = c->directory ? c->directory :
	    c->file ? dir_of(c->file) : NULL;
	pid_t pid;

	if (sock == NULL) {
		logline("config too large", NULL);
		return -1;
	}
	envp[start_env(envp, MAX_ENV + 9, environ, c, sock)] = NULL;
	sig_set(SIGCHLD, 0);	/* R38: see the child's exit */
	pid = launch(c, dir, envp);
	if (pid < 0)
		logline("cannot fork", errtext(errno));
	return pid;
}

/* wait until the app accepts; watch the start command meanwhile (R38) */
static int
wait_up(const struct config *c, const struct addr *a, pid_t pid)
{
	long long end = now_ms(CLOCK_MONOTONIC) + c->start_timeout * 1000;
	int i, s, st;

	for (i = 0;; i++) {
		s = dial(a, 1);
		if (s >= 0)
			return s;
		if (pid > 0 && waitpid(pid, &st, WNOHANG) == pid) {
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
				logline("start failed", WIFEXITED(st) ?
				    "exit status not 0" : "killed by a signal");
				return -1;
			}
			pid = 0;	/* it daemonized: keep waiting */
		}
		if (now_ms(CLOCK_MONOTONIC) >= end) {
			logline("app not accepting after start_timeout",
			    errtext(errno));
			return -1;
		}
		pause_us(backoff_us(i));
	}
}

/* 1 if path is a socket, not following a link: statx, as libc's lstat
 * costs 500 bytes; a kernel without statx (before 4.11) never says 1 */
static int
is_socket(const char *path)
{
	struct {
		unsigned mask, blksize;
		unsigned long long attributes;
		unsigned nlink, uid, gid;
		unsigned short mode;
		char rest[256 - 30];
	} st;

	return syscall(SYS_statx, AT_FDCWD, path, AT_SYMLINK_NOFOLLOW,
	    1 /* STATX_TYPE */, &st) == 0 && S_ISSOCK(st.mode);
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

	if (record_read(lk, &r) == 0 && r.failed && (*retry = r.epoch +
	    c->retry_after - now_ms(CLOCK_REALTIME) / 1000) > 0) {
		logline("start failed recently: waiting for retry_after", NULL);
		return -503;
	}
	if (p != NULL && is_socket(p) && unlink(p) < 0) {
		logline("cannot remove stale socket", errtext(errno));
		return -500;
	}
	r.pid = spawn(c);
	s = r.pid > 0 ? wait_up(c, a, r.pid) : -1;
	r.epoch = now_ms(CLOCK_REALTIME) / 1000;
	r.failed = s < 0;
	if (record_write(lk, &r) < 0)
		logline("cannot write lock file", errtext(errno));
	*retry = c->retry_after;
	return s >= 0 ? s : -503;
}

/* the app is down: take the lock, and with it held, connect again and
 * start the app only if it is still down (R31) */
static int
app_start(const struct config *c, const struct addr *a, long *retry)
{
	const char *path = c->lock;
	int lk, s;

	if (path == NULL)
		path = concat(unix_path(c->socket), ".lock", "");
	lk = lock_take(path, c->start_timeout);
	if (lk == -2)
		logline("start lock held past start_timeout", NULL);
	if (lk < 0)
		return lk == -2 ? -503 : -500;
	s = dial(a, 1);
	if (s < 0 && is_down(errno, a))
		s = start_locked(c, a, lk, retry);
	else if (s < 0)
		s = wait_up(c, a, 0);	/* up but busy: never a second copy */
	close(lk);
	return s == -1 ? -503 : s;
}

/* a socket to the app, or -(HTTP status) when logged (R30) */
int
app_connect(const struct config *c, const struct addr *a, long *retry)
{
	int s = dial(a, 1);

	if (s >= 0)
		return s;
	if (is_down(errno, a) && c->start != NULL)
		return app_start(c, a, retry);
	if (is_down(errno, a)) {
		logline("app unreachable", errtext(errno));
		return -502;
	}
	s = wait_up(c, a, 0);	/* busy: retry with back-off (R30) */
	return s >= 0 ? s : -503;
}
