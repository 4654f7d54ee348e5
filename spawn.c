/* Reaching the app, and starting it once when it is down (R30-R40). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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

/* connect retries: 1 ms, growing by 0.5 ms to at most 5 ms (R39) */
long
backoff_us(int attempt)
{
	long us = 1000 + 500L * attempt;

	return us < 5000 ? us : 5000;
}

void
pause_us(long us)
{
	struct timespec t = { 0, us * 1000 };

	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
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

/* a connected socket, or -1 with errno; blocks at most seconds */
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
	size_t n = 0, i, k;
	const char *found;
	char **e;

	for (i = 0; i < (size_t)c->nenv && n < max - 1; i++)
		out[n++] = c->env[i];
	for (i = 0; keep[i] != NULL; i++) {
		k = strlen(keep[i]);
		found = i == 0 ? "PATH=/usr/local/bin:/usr/bin:/bin" : NULL;
		for (e = env; *e != NULL; e++)
			if (strncmp(*e, keep[i], k) == 0) {
				found = *e;
				break;
			}
		for (k = 0; found != NULL && k < n; k++)
			if (strncmp(out[k], keep[i], strlen(keep[i])) == 0)
				found = NULL;	/* an env line wins */
		if (found != NULL && n < max - 1)
			out[n++] = found;
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
	if (dir != NULL && chdir(dir) < 0) {
		logline("cannot change to directory", errtext(errno));
		_exit(126);
	}
	execve("/bin/sh", (char **)argv, (char **)envp);
	logline("cannot run /bin/sh", errtext(errno));
	_exit(127);
}

/* directory of start: the key, else the config file's, else ours */
static const char *
start_dir(const struct config *c)
{
	const char *slash;
	char *d;

	if (c->directory != NULL || c->file == NULL)
		return c->directory;
	slash = strrchr(c->file, '/');
	if (slash == NULL)
		return NULL;
	d = concat(c->file, "", "");
	if (d != NULL)
		d[slash - c->file + 1] = '\0';
	return d;
}

/* CGI2SCGI_SOCKET=<absolute unix path or HOST:PORT> */
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

static pid_t
spawn(const struct config *c)
{
	const char *envp[MAX_ENV + 12], *sock = socket_var(c);
	const char *dir = start_dir(c);
	size_t n;
	pid_t pid;

	if (sock == NULL) {
		logline("config too large", NULL);
		return -1;
	}
	n = start_env(envp, MAX_ENV + 11, environ, c, sock);
	envp[n] = NULL;
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
				    "exited non-zero" : "killed by a signal");
				return -1;
			}
			pid = 0;	/* it daemonized: keep waiting */
		}
		if (now_ms(CLOCK_MONOTONIC) >= end) {
			logline("app did not accept within start_timeout", NULL);
			return -1;
		}
		pause_us(backoff_us(i));
	}
}

/* with the lock held: throttle, clear a stale socket, start, wait */
static int
start_locked(const struct config *c, const struct addr *a, int lk,
    long *retry)
{
	struct record r;
	const char *p = unix_path(c->socket);
	struct stat st;
	int s;

	if (record_read(lk, &r) == 0 && r.failed &&
	    (*retry = r.epoch + c->retry_after - now_ms(CLOCK_REALTIME) / 1000) > 0) {
		logline("start failed recently: waiting for retry_after", NULL);
		return -503;
	}
	if (p != NULL && lstat(p, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    unlink(p) < 0) {
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

/* the app is down: take the lock and start it once (R31) */
static int
app_start(const struct config *c, const struct addr *a, long *retry)
{
	const char *path = c->lock;
	int lk, s;

	if (path == NULL)
		path = concat(unix_path(c->socket), ".lock", "");
	lk = path ? lock_take(path, c->start_timeout) : -1;
	if (lk == -2)
		logline("start lock still held after start_timeout", NULL);
	if (lk < 0)
		return lk == -2 ? -503 : -500;
	s = dial(a, c->start_timeout);
	if (s < 0 && is_down(errno, a))
		s = start_locked(c, a, lk, retry);
	else if (s < 0)
		s = wait_up(c, a, 0);	/* started by another, still busy */
	close(lk);
	return s == -1 ? -503 : s;
}

/* a socket to the app, or -(HTTP status) when logged (R30) */
int
app_connect(const struct config *c, const struct addr *a, long *retry)
{
	long long end;
	int s = dial(a, c->start_timeout), i;

	if (s >= 0)
		return s;
	end = now_ms(CLOCK_MONOTONIC) + c->start_timeout * 1000;
	for (i = 0;; i++) {
		if (is_down(errno, a) && c->start != NULL)
			return app_start(c, a, retry);
		if (is_down(errno, a)) {
			logline("app unreachable", errtext(errno));
			return -502;
		}
		if (now_ms(CLOCK_MONOTONIC) >= end) {
			logline("app busy past start_timeout", errtext(errno));
			return -503;
		}
		pause_us(backoff_us(i));
		s = dial(a, c->start_timeout);
		if (s >= 0)
			return s;
	}
}
