/* cgi2scgi: run as a CGI program, forward the request to an SCGI app.
 * The top floor: the process entry, the request and its relay, the
 * command line. Calls every file below; nothing calls it. */
#include "cgi2scgi.h"
#include <errno.h>
#include <elf.h>
#include <poll.h>

#ifndef VERSION
#define VERSION "0"
#endif

/*
 * The process entry: the kernel leaves argc, argv, the environment and
 * the auxiliary vector on the stack (System V ABI); begin() gets a
 * pointer to them. 16-byte stack alignment for the calls that follow.
 */
__asm__(".text\n.global _start\n.type _start,%function\n_start:\n"
#if defined(__x86_64__)
    "xor %ebp,%ebp\nmov %rsp,%rdi\nand $-16,%rsp\ncall begin\n"
#elif defined(__i386__)
    "xor %ebp,%ebp\nmov %esp,%eax\nand $-16,%esp\nsub $12,%esp\n"
    "push %eax\ncall begin\n"
#elif defined(__aarch64__)
    "mov x29,#0\nmov x30,#0\nmov x0,sp\nbl begin\n"
#elif defined(__arm__)
    ".arm\nmov r0,sp\nbic r1,r0,#15\nmov sp,r1\nbl begin\n"
#endif
);

static char up[1 << 20];	/* the header, then body chunks, to the app */
static char down[CHUNK];	/* response chunks from the app */
static unsigned long long left;	/* bytes of the body not read yet */
static long retry;		/* Retry-After of a 503 (R20) */

/* the status lines of R20, the last one for any other code; an empty
 * string ends the list */
static const char reasons[] TEXT = "400 Bad Request\0" "502 Bad Gateway\0"
    "503 Service Unavailable\0" "504 Gateway Timeout\0"
    "500 Internal Server Error\0";

/* a complete CGI error response on stdout (R20) */
static void
respond(int code)
{
	const char *reason = reasons, *n = num(code);

	while (!same(reason, n, 3) && reason[len(reason) + 1] != '\0')
		reason += len(reason) + 1;
	say(1, "Status: ", reason,
	    code == 503 ? "\r\nRetry-After: " : "",
	    code == 503 ? num(retry > 0 ? retry : 1) : "",
	    "\r\nContent-Type: text/plain\r\n\r\n", reason, "\n", NULL);
}

/* one read of stdin, at most n bytes, waiting at most tmo seconds for
 * it: -ETIMEDOUT then */
static long
take(void *buf, unsigned long long n, long tmo)
{
	struct pollfd p = { 0, POLLIN, 0 };
	long r = sys_poll(&p, 1, tmo, 0);

	if (r == 0)
		return -ETIMEDOUT;
	return r < 0 ? r : sys_read(0, buf, n < CHUNK ? n : CHUNK);
}

/*
 * The rest of the declared body, read and dropped, each read waiting at
 * most tmo seconds (R12, R20): Apache's mod_cgid (stdin and stdout are
 * one socket) and fcgiwrap reset the client, or put their own 502 in
 * place of the answer, when a CGI exits with its body unread.
 */
static void
drain(long tmo)
{
	long r;

	while (left > 0 && (r = take(down, left, tmo)) > 0)
		left -= r;
}

/* stdin to EOF into an unlinked file that becomes stdin (R17), each
 * read waiting at most tmo seconds: a client that stops sending gets
 * the relay's 504, and the app is never contacted; 0, or -STATUS */
static int
spool(char **env, long tmo)
{
	const char *dir = getvar(env, "TMPDIR");
	unsigned long long n = 0;
	long r, fd;

	r = fd = sys_open(dir && *dir ? dir : "/tmp", O_TMPFILE | O_RDWR |
	    O_CLOEXEC, 0600);
	while (fd >= 0 && (r = take(up, CHUNK, tmo)) > 0) {
		n += r;
		if ((r = writeall(fd, up, r)) < 0)
			break;
	}
	if (r == 0 && (r = sys3(SYS_lseek, fd, 0, 0)) == 0)
		r = sys_dup2(fd, 0);
	sys_close(fd);
	left = n;
	if (r >= 0)
		return 0;
	if (r == -ETIMEDOUT) {	/* no drain: the client stopped */
		left = 0;
		logline("timeout", "the client stopped sending");
		return -504;
	}
	left = ~0ULL;	/* the rest, to EOF */
	logerr("cannot spool", r);
	return -500;
}

/* SIGALRM, armed while a write to stdout lasts: the server stopped
 * reading us (fcgiwrap does while it writes the body), for timeout */
static void
stalled(int sig)
{
	(void)sig;
	/* the log line may block too (mini_httpd: stderr is stdout's
	 * pipe): SIGALRM's default action then ends it a second later */
	sig_set(SIGALRM, SIG_DFL);
	alarm_in(1);
	logline("timeout", "the server stopped reading");
	sys_exit(1);
}

/*
 * Full duplex: header and body out, response in, until the app closes
 * (R11, R12, R14, R15); the status line rewritten once (R16). 0 when
 * the answer was relayed whole, -STATUS before its first byte, 1 after.
 * sendto and recvfrom take six arguments, sys() passes five: the sixth,
 * the address length, is not read when the address is NULL.
 */
static int
relay(int s, size_t hlen, long tmo, int nph)
{
	struct pollfd p[2] = { { s, 0, 0 }, { 0, POLLIN, 0 } };
	const char *out = up;
	size_t outlen = hlen, have = 0, skip = 0;
	int sent = 0;	/* a flag, not a count: a count wraps on 32-bit */
	int decided = nph, st;
	long r;

	sig_set(SIGALRM, stalled);
	for (;;) {
		p[0].events = POLLIN | (outlen ? POLLOUT : 0);
		p[1].revents = 0;
		r = sys_poll(p, !outlen && left ? 2 : 1, tmo, 0);
		if (r == -EINTR)
			continue;
		if (r <= 0) {	/* a 504 if nothing was relayed yet */
			if (!outlen)
				left = 0;	/* the client stalled: no drain */
			logline("timeout", NULL);
			return sent ? 1 : -504;
		}
		if (p[1].revents) {
			r = sys_read(0, up, left < CHUNK ? left : CHUNK);
			if (r <= 0) {	/* never a padded body: close (R14) */
				logline("client gone", r ? errname(r) : NULL);
				return 1;
			}
			out = up;
			outlen = r;
			left -= r;
		}
		if ((p[0].revents & ~POLLIN) && outlen) {
			r = sys(SYS_sendto, s, (long)out, outlen,
			    MSG_DONTWAIT | MSG_NOSIGNAL, 0);
			if (r >= 0) {
				out += r;
				outlen -= r;
			} else if (r == -EPIPE || r == -ECONNRESET)
				outlen = 0;	/* it answers early: the rest of
						 * the body is read and dropped;
						 * other errors pass: send again */
		}
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		r = sys(SYS_recvfrom, s, (long)(down + have), CHUNK - have,
		    MSG_DONTWAIT, 0);
		if (r == -EAGAIN || r == -EINTR)
			continue;
		if (r <= 0)
			break;
		have += r;
		if (!decided) {
			st = status_line(down, have);
			if (st < 0)
				continue;	/* a split first line: read on */
			if (st == 1)
				__builtin_memcpy(down + (skip = 1), "Status: ", 8);
			decided = 1;
		}
		alarm_in(tmo);	/* only while the write lasts */
		r = writeall(1, down + skip, have - skip);
		alarm_in(0);
		if (r < 0) {
			logerr("client gone", r);
			return 1;
		}
		sent = 1;
		have = skip = 0;
	}
	if (r == -ECONNRESET)
		r = 0;	/* it answered and closed with the body unread */
	if (!sent && have == 0) {
		logline("no answer", r ? errname(r) : NULL);
		return -502;
	}
	if (r == 0)
		r = writeall(1, down, have);	/* a short first line */
	if (r < 0) {
		logerr("relay failed", r);
		return sent ? 1 : -502;
	}
	return 0;
}

/* one request, once the configuration is checked, cl its
 * CONTENT_LENGTH: 0 relayed, -STATUS to answer (logged), 1 ended without
 * an answer (logged) */
static int
serve(const struct config *c, char **env, const char *cl)
{
	int s;
	char *length;
	size_t n;

	if (unframed(env, cl) && (s = spool(env, c->timeout)) != 0)
		return s;
	length = num(left);
	n = scgi_header(up, sizeof up, env, length);
	if (n == 0) {
		logline("header too big (1 MiB, 4096 variables)", NULL);
		return -500;
	}
	s = app_connect(c, env, SERVE, &retry);
	if (s < 0)
		return s;
	n = relay(s, n, c->timeout, is_nph(getvar(env, "SCRIPT_NAME")));
	sys_close(s);	/* before the drain: the app need not wait for it */
	return n;
}

/* --check: a warning when group or others may write to the directory
 * of the socket, the lock or the log (R6): another user could bind the
 * socket path first and receive every request, or plant the lock or a
 * link where the log goes */
static void
warn_shared(const char *what, const char *path)
{
	const char *dir = path ? dir_of(path) : NULL;
	struct kstat st;

	if (dir && *dir == '\0')
		dir = "./";	/* a bare name */
	if (dir && sys_stat(AT_FDCWD, dir, 0, &st) == 0 && (st.mode & 022))
		say(1, "warning: the ", what, " is in ", dir,
		    ",", " writable by group or others" /* lock.c's tail */,
		    "\n", NULL);
}

/* --status (R44): the record in words; the app's answer is printed */
static void
status(const struct config *c)
{
	long long now = now_s();
	struct record r;
	long fd = sys_open(c->lock, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);

	if (record_read(fd, &r) < 0)	/* fd -1 too: its lseek fails */
		say(1, "last start: ", "none recorded\n", NULL);
	else
		say(1, "last start: ", nth(states, r.state), ", ",
		    num(now - r.epoch), " s ago\nfailures in a row: ",
		    num(r.failures), "\nquiet window: ",
		    num(quiet_left(c, &r, now)), " s left\n", NULL);
}

/* the options; --start, --stop and --restart in the order of START,
 * STOP and RESTART; then the two that print the usage line on stdout */
static const char opts[] TEXT = "--check\0--start\0--stop\0--restart\0"
    "--status\0--help\0--version\0";

/* a person at a shell (R6, R44): --check, --start, --stop, --restart,
 * --status, --help, --version */
static int
command(struct config *c, int r, char **arg, char **env)
{
	int i = which(opts, arg[0], len(arg[0])), s, look;

	if (i < 0 || i > 4 || (arg[1] && arg[2])) {
		s = i > 4;	/* --help, --version */
		say(s ? 1 : 2, "cgi2scgi " VERSION ": --check|--start|--stop|"
		    "--restart|--status [CONFIG]\n", NULL);
		return s ? 0 : 2;
	}
	if (r == 0 && arg[1])
		r = config_file(c, arg[1], 0);
	if (r == 0)
		r = config_check(c);
	if (r == 0 && i >= STOP && i <= RESTART &&
	    (!(c->stop || c->pidfile) || (i == RESTART && !c->start))) {
		logline(arg[0], i == STOP ? "needs stop or pidfile" :
		    "needs start, and stop or pidfile");
		r = -1;
	}
	if (r < 0)
		return 1;
	if (i == 0) {
		config_print(c);
		warn_shared("socket", c->path);
		warn_shared("lock", c->lock);
		warn_shared("log", c->log);
	}
	look = i == 0 || i == 4;	/* --check, --status: look only */
	s = look ? dial(&c->addr, 5) : app_connect(c, env, i, &retry);
	say(1, "app: ", i == STOP && s == 0 ? "stopped" : s >= 0 ||
	    i == STOP ? "accepting" : "not accepting",
	    s < 0 && look ? ": " : "", s < 0 && look ? errname(s) : "", "\n",
	    NULL);
	if (i == 4 && c->lock)
		status(c);
	/* --status: 3 when the app does not accept, as an init script's */
	return s < 0 && i != 0 ? 1 + 2 * (i == 4) : 0;
}

/* argv[1] is the config only when it is the file the kernel ran (R3) */
static const char *
shebang(int argc, char **argv, char **env)
{
	const char *fn = NULL;
	unsigned long *aux;

	/* AT_EXECFN, from the auxiliary vector after the environment */
	while (*env != NULL)
		env++;
	for (aux = (unsigned long *)(env + 1); aux[0] != AT_NULL; aux += 2)
		if (aux[0] == AT_EXECFN)
			fn = (const char *)aux[1];
	return argc > 1 && fn && same(fn, argv[1], len(fn) + 1) ?
	    argv[1] : NULL;
}

/* the four sources of R2, later overriding earlier; 0, or -500 */
static int
load(struct config *c, const char **self, char **env)
{
	const char *file = NULL;
	int r;

	config_defaults(c);
	r = config_environ(c, env, &file);
	if (r == 0 && file != NULL && *file != '\0')
		r = config_file(c, file, 0);
	if (r == 0 && *self != NULL && (r = config_file(c, *self, 1)) > 0) {
		*self = NULL;	/* not a #! file: not a config */
		r = 0;
	}
	return r;
}

int
main(int argc, char **argv, char **env)
{
	struct config c;
	const char *self = shebang(argc, argv, env), *cl;
	unsigned long long none = 0;	/* the kernel's sigset: 64 bits */
	long fd;
	int r, opt;

	/* R35a: /dev/null on any of fds 0-2 that is closed, so that no
	 * socket, lock or log takes their numbers */
	while ((unsigned long)(fd = sys_open("/dev/null", O_RDWR, 0)) <= 2)
		;
	sys_close(fd);
	sig_set(SIGPIPE, SIG_IGN);	/* R14: EPIPE, never death */
	/* no signal blocked: SIGALRM bounds stdout writes, and the app
	 * inherits this mask (R37) */
	sys(SYS_rt_sigprocmask, SIG_SETMASK, (long)&none, 0, sizeof none, 0);
	r = load(&c, &self, env);
	opt = self != NULL ? 2 : 1;	/* the first option, after any config */
	if (getvar(env, "GATEWAY_INTERFACE") == NULL && argc > opt)
		return command(&c, r, argv + opt, env);
	if (r == 0)
		r = config_check(&c);
	if (parse_length(cl = getvar(env, "CONTENT_LENGTH"), &left) < 0) {
		/* the server frames the body, so its EOF ends it (mod_cgid
		 * shuts its side down, fcgiwrap and lighttpd close the
		 * pipe): drain to there, for the 400 to be delivered */
		left = ~0ULL;
		if (r == 0) {
			logline("bad CONTENT_LENGTH", NULL);
			r = -400;
		}
	}
	if (r < 0 && left == 0 && coding(env))
		left = ~0ULL;	/* a body without a length: drain to EOF */
	if (r == 0)
		r = serve(&c, env, cl);
	if (r < 0)
		respond(-r);
	if (r <= 0) {	/* answered whole: the server may send it on */
		sys_close(1);
		drain(c.timeout);
	}
	return r != 0;
}

/* the C side of _start: argc, then argv and the environment */
__attribute__((used, noreturn)) void
begin(long *sp)
{
	char **argv = (char **)(sp + 1);

	sys_exit(main(sp[0], argv, argv + sp[0] + 1));
}
