/* cgi2scgi: run as a CGI program, forward the request to an SCGI app. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <elf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgi2scgi.h"

#ifndef VERSION
#define VERSION "0"
#endif

#define CHUNK 65536

extern char **environ;

const char *tag = "cgi2scgi";	/* config file or socket, for log lines */
static int nph;			/* relay byte for byte, errors as HTTP */
static char up[1 << 20];	/* the header, then body chunks, to the app */
static char down[CHUNK];	/* response chunks from the app */

int
writeall(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	ssize_t r;

	while (n > 0) {
		r = syscall(SYS_write, fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		p += r;
		n -= r;
	}
	return 0;
}

/* one read, again after EINTR */
ssize_t
readfd(int fd, void *buf, size_t n)
{
	ssize_t r;

	while ((r = syscall(SYS_read, fd, buf, n)) < 0 && errno == EINTR)
		;
	return r;
}

static ssize_t
readin(void *buf, unsigned long long n)
{
	return readfd(0, buf, n < CHUNK ? n : CHUNK);
}

/* the entry "NAME=..." of env, the first as in the header (R10) */
const char *
lookup(char **env, const char *name)
{
	size_t n = len(name);

	for (; *env != NULL; env++)
		if (same(*env, name, n) && (*env)[n] == '=')
			return *env;
	return NULL;
}

/* getenv (libc's costs 350 bytes) */
static const char *
env(const char *name)
{
	const char *e = lookup(environ, name);

	return e ? e + len(name) + 1 : NULL;
}

/* the strings up to a NULL, in one write */
void
say(int fd, ...)
{
	char buf[1024];
	const char *s;
	size_t n = 0, k;
	va_list ap;

	va_start(ap, fd);
	while ((s = va_arg(ap, const char *)) != NULL) {
		k = len(s);
		if (k > sizeof buf - n)
			k = sizeof buf - n;
		memcpy(buf + n, s, k);
		n += k;
	}
	va_end(ap);
	writeall(fd, buf, n);
}

/* strlen, in a few bytes: libc's is tuned for long strings */
size_t
len(const char *s)
{
	const char *p = s;

	while (*p != '\0')
		p++;
	return p - s;
}

/* 1 when a and b agree in their first n bytes or up to a common NUL */
int
same(const char *a, const char *b, size_t n)
{
	for (; n > 0; n--, a++, b++)
		if (*a != *b)
			return 0;
		else if (*a == '\0')
			return 1;
	return 1;
}

/* open(2) itself: libc's wrapper adds 200 bytes of fallbacks for
 * kernels before 2.6.23; O_LARGEFILE as libc's adds it, or on 32-bit
 * targets the log (which the app inherits) and the spool stop at 2 GiB */
int
sys_open(const char *path, int flags, int mode)
{
	return syscall(SYS_openat, AT_FDCWD, path, flags | O_LARGEFILE, mode);
}

int
sys_close(int fd)
{
	return syscall(SYS_close, fd);
}

/* dup2 through dup3, which refuses from == to: never so here, as a
 * CGI's fds 0, 1 and 2 are open, and a new fd is above them */
int
sys_dup2(int from, int to)
{
	return syscall(SYS_dup3, from, to, 0L);
}

/* SIGALRM after sec seconds (0: never), whose default action ends the
 * launcher: the bound on a write to stdout that the server stopped
 * reading, as fcgiwrap does while it writes the body to us (R1 timeout);
 * no server we know runs its CGIs with SIGALRM ignored */
static void
alarm_in(long sec)
{
	static long t[4];	/* struct itimerval: no interval, sec */

	t[2] = sec;
	syscall(SYS_setitimer, 0L /* ITIMER_REAL */, t, NULL);
}

/* poll through ppoll, with a timeout of sec seconds and nsec; the
 * kernel's timespec is two 64-bit numbers (the time64 call on 32-bit) */
int
sys_poll(void *fds, int n, long sec, long nsec)
{
	long long t[2] = { sec, nsec };

	return syscall(SYS_PPOLL, fds, (long)n, t, NULL, 0L);
}

/* one line on stderr: "cgi2scgi: TAG: WHAT[: DETAIL]" (R21) */
void
logline(const char *what, const char *detail)
{
	say(2, "cgi2scgi: ", tag, ": ", what, detail ? ": " : "",
	    detail ? detail : "", "\n", NULL);
}

/* the same with the text of errno as the detail */
void
logerr(const char *what)
{
	logline(what, errtext(errno));
}

/* decimal digits of v ending just before end; returns the first */
char *
utoa(char *end, unsigned long long v)
{
	do
		*--end = '0' + v % 10;
	while ((v /= 10) != 0);
	return end;
}

/* v in decimal, in a buffer that the next call reuses */
char *
num(unsigned long long v)
{
	static char buf[24];

	return utoa(buf + sizeof buf - 1, v);
}

/* the errno number: strerror's texts cost 2 KB (README lists the
 * usual ones) */
const char *
errtext(int e)
{
	return num(e);
}

/* a complete CGI error response on stdout (R20) */
static void
respond(int code, long retry)
{
	const char *reason = code == 400 ? "400 Bad Request" :
	    code == 502 ? "502 Bad Gateway" :
	    code == 503 ? "503 Service Unavailable" :
	    code == 504 ? "504 Gateway Timeout" : "500 Internal Server Error";

	say(1, "Status: ", reason,
	    code == 503 ? "\r\nRetry-After: " : "",
	    code == 503 ? num(retry > 0 ? retry : 1) : "",
	    "\r\nContent-Type: text/plain\r\n\r\n", reason, "\n", NULL);
}

/* log, and answer with code unless it is 0 (a response has begun) */
static int
fail(int code, const char *what, const char *detail)
{
	logline(what, detail);
	if (code != 0)
		respond(code, 0);
	return 1;
}

/* CONTENT_LENGTH: unset or empty is 0, else plain decimal (R13) */
int
parse_length(const char *s, unsigned long long *n)
{
	long long v = s && *s ? decimal(s, find(s, '\0'), LLONG_MAX) : 0;

	*n = v < 0 ? 0 : v;
	return v < 0 ? -1 : 0;
}

/* name length of env entry *e if it is to be sent, else 0 (R10) */
static size_t
sendable(char **env, char **e, int skip_te)
{
	static const char never[] = "CONTENT_LENGTH\0SCGI\0HTTP_TRANSFER_ENCODING";
	const char *s = *e, *k;
	size_t n = find(s, '=') - s;
	char **p;

	if (s[n] == '\0' || n == 0 || same(s, "CGI2SCGI_", 9))
		return 0;
	for (k = never; k < never + sizeof never -
	    (skip_te ? 0 : sizeof "HTTP_TRANSFER_ENCODING"); k += len(k) + 1)
		if (len(k) == n && same(s, k, n))
			return 0;
	for (p = env; p < e; p++)	/* first wins */
		if (**p == *s && same(*p, s, n + 1))
			return 0;
	return n;
}

/* len bytes of s at b + n, unless b is NULL (counting); n + len */
static size_t
put(char *b, size_t n, const char *s, size_t len)
{
	if (b != NULL)
		memcpy(b + n, s, len);
	return n + len;
}

/* the SCGI netstring into buf, or only its size when buf is NULL:
 * the pairs go after room for the length, then move up behind it */
size_t
scgi_header(char *buf, char **env, const char *length, int skip_te)
{
	char num[24], *b = buf ? buf + sizeof num : NULL, *p;
	size_t n, k, at;
	char **e;

	n = put(b, 0, "CONTENT_LENGTH", 15);
	n = put(b, n, length, len(length) + 1);
	n = put(b, n, "SCGI\0" "1", 7);
	for (e = env; *e != NULL; e++) {
		k = sendable(env, e, skip_te);
		if (k == 0)
			continue;
		at = n;
		n = put(b, n, *e, len(*e) + 1);
		if (b != NULL)
			b[at + k] = '\0';	/* NAME=VALUE -> NAME\0VALUE */
	}
	num[sizeof num - 1] = ':';
	p = utoa(num + sizeof num - 1, n);
	k = num + sizeof num - p;
	if (buf != NULL) {
		memmove(buf + k, b, n);
		memcpy(buf, p, k);
		buf[k + n] = ',';
	}
	return k + n + 1;
}

/* 1 if b starts with "HTTP/1.x NNN", 0 if not, -1 if too short to say */
int
status_line(const char *b, size_t n)
{
	static const char pat[] = "HTTP/1.# ###";
	size_t i;

	for (i = 0; i < 12; i++) {
		if (i == n)
			return -1;
		if (pat[i] == '#' ? b[i] < '0' || b[i] > '9' : b[i] != pat[i])
			return 0;
	}
	if (n == 12)
		return -1;
	return b[12] == ' ' || b[12] == '\r' || b[12] == '\n';
}

/* stdin to EOF into an unlinked file that becomes stdin (R17) */
static int
spool(unsigned long long *len)
{
	const char *dir = env("TMPDIR");
	ssize_t r;
	int fd;

	fd = sys_open(dir && *dir ? dir : "/tmp", O_TMPFILE | O_RDWR |
	    O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	for (*len = 0; (r = readin(up, CHUNK)) > 0; *len += r)
		if (writeall(fd, up, r) < 0)
			break;
	if (r != 0 || syscall(SYS_lseek, fd, 0L, SEEK_SET) != 0 ||
	    sys_dup2(fd, 0) < 0)
		r = -1;
	sys_close(fd);
	return r;
}

/* the last segment of SCRIPT_NAME begins with nph- (R16) */
static int
is_nph(const char *s)
{
	const char *name = s;

	for (; s && *s; s++)
		if (*s == '/')
			name = s + 1;
	return name && same(name, "nph-", 4);
}

/* full duplex: header and body out, response in, until the app closes
 * (R11, R12, R14, R15); the status line rewritten once (R16) */
static int
relay(int s, size_t hlen, unsigned long long left, long tmo)
{
	struct pollfd p[2] = { { s, 0, 0 }, { 0, POLLIN, 0 } };
	const char *out = up;
	size_t outlen = hlen, have = 0, sent = 0, skip = 0;
	int decided = nph, st;
	ssize_t r;

	for (;;) {
		p[0].events = POLLIN | (outlen ? POLLOUT : 0);
		p[1].revents = 0;
		r = sys_poll(p, !outlen && left ? 2 : 1, tmo, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)	/* a 504 if nothing was relayed yet */
			return fail(sent ? 0 : 504, "timeout", NULL);
		if (p[1].revents) {
			r = readin(up, left);
			if (r <= 0) {	/* never a padded body: close (R14) */
				logline("client gone", 0);
				return 1;
			}
			out = up;
			outlen = r;
			left -= r;
		}
		if ((p[0].revents & ~POLLIN) && outlen) {
			r = syscall(SYS_sendto, s, out, outlen,
			    MSG_DONTWAIT | MSG_NOSIGNAL, NULL, 0);
			if (r >= 0) {
				out += r;
				outlen -= r;
			} else if (errno == EPIPE || errno == ECONNRESET)
				outlen = 0;	/* it answers early: the rest of
						 * the body is read and dropped;
						 * other errors pass: send again */
		}
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		r = syscall(SYS_recvfrom, s, down + have, CHUNK - have,
		    MSG_DONTWAIT, NULL, NULL);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0)
			break;
		have += r;
		if (!decided) {
			st = status_line(down, have);
			if (st < 0)
				continue;	/* a split first line: read on */
			if (st == 1)
				memcpy(down + (skip = 1), "Status: ", 8);
			decided = 1;
		}
		alarm_in(tmo);	/* only while the write lasts */
		r = writeall(1, down + skip, have - skip);
		alarm_in(0);
		if (r < 0) {
			logerr("client gone");
			return 1;
		}
		sent += have;
		have = skip = 0;
	}
	if (r < 0 && errno == ECONNRESET)
		r = 0;	/* it answered and closed with the body unread */
	if (sent + have == 0)
		return fail(502, "no answer", NULL);
	if (r < 0 || writeall(1, down, have) < 0) {
		logerr("relay failed");
		return 1;
	}
	sys_close(1);	/* the answer is whole: the server may send it on */
	while (left > 0 && sys_poll(p + 1, 1, tmo, 0) > 0 &&
	    (r = readin(down, left)) > 0)
		left -= r;	/* the rest of an unread body (R12) */
	return 0;
}

static int
serve(const struct config *c)
{
	const char *cl = env("CONTENT_LENGTH"), *err;
	const char *te = env("HTTP_TRANSFER_ENCODING");
	unsigned long long len;
	struct addr a;
	char *length;
	size_t n;
	int s, spooled = 0;
	long retry = 0;

	nph = is_nph(env("SCRIPT_NAME"));
	if (parse_length(cl, &len) < 0)
		return fail(400, "bad CONTENT_LENGTH", NULL);
	err = config_check(c);
	if (err != NULL)
		return fail(500, err, NULL);
	if ((cl == NULL || *cl == '\0') && te && same(te, "chunked", 8)) {
		if (spool(&len) < 0)
			return fail(500, "cannot spool",
			    errtext(errno));
		spooled = 1;
	}
	length = num(len);
	n = scgi_header(NULL, environ, length, spooled);
	if (n + 24 > sizeof up)	/* beyond what servers pass */
		return fail(500, "header too big", NULL);
	scgi_header(up, environ, length, spooled);
	parse_addr(c->socket, &a);
	s = app_connect(c, &a, &retry);
	if (s < 0) {
		respond(-s, retry);
		return 1;
	}
	return relay(s, n, len, c->timeout);
}

/* a person at a shell (R6): --check, --start, --help, --version */
static int
command(struct config *c, int ok, char **arg)
{
	const char *err;
	struct addr a;
	long retry;
	int s, help = same(arg[0], "--help", 7) || same(arg[0], "--version", 10);

	if ((!same(arg[0], "--check", 8) && !same(arg[0], "--start", 8)) ||
	    (arg[1] && arg[2])) {
		say(help ? 1 : 2, "cgi2scgi " VERSION
		    ": --check|--start [CONFIG]\n", NULL);
		return help ? 0 : 2;
	}
	if (ok < 0 || (arg[1] && config_file(c, arg[1], 0) < 0))
		return 1;
	err = config_check(c);
	if (arg[0][2] == 'c')
		config_print(c);
	if (err != NULL) {
		logline(err, NULL);
		return 1;
	}
	parse_addr(c->socket, &a);
	s = arg[0][2] == 'c' ? dial(&a, 5) : app_connect(c, &a, &retry);
	say(1, "app: ", s >= 0 ? "accepting" : errtext(errno), "\n", NULL);
	return s < 0 && arg[0][2] == 's';
}

/* argv[1] is the config only when it is the file the kernel ran (R3) */
static const char *
shebang(int argc, char **argv)
{
	const char *fn = NULL;
	unsigned long *aux;
	char **e = environ;

	/* AT_EXECFN, from the auxiliary vector that the kernel puts after
	 * the environment (System V ABI); getauxval costs 100 bytes */
	while (*e != NULL)
		e++;
	for (aux = (unsigned long *)(e + 1); aux[0] != AT_NULL; aux += 2)
		if (aux[0] == AT_EXECFN)
			fn = (const char *)aux[1];

	return argc > 1 && fn && same(fn, argv[1], len(fn) + 1) ?
	    argv[1] : NULL;
}

/* the four sources of R2, later overriding earlier; -1 when logged */
static int
load(struct config *c, const char **self)
{
	const char *bad, *file = env("CGI2SCGI_CONFIG");
	int r = 0;

	config_defaults(c);
	bad = config_environ(c, environ);
	if (bad != NULL) {
		tag = bad;
		logline("bad variable", NULL);
		return -1;
	}
	if (file != NULL && *file != '\0' && config_file(c, file, 0) < 0)
		return -1;
	if (*self != NULL && (r = config_file(c, *self, 1)) > 0)
		*self = NULL;	/* not a #! file: not a config */
	tag = c->file ? c->file : c->socket ? c->socket : tag;
	return r;
}

int
main(int argc, char **argv)
{
	struct config c;
	const char *self = shebang(argc, argv);
	int ok, first;

	sig_set(SIGPIPE, 1);	/* R14: EPIPE, never death */
	ok = load(&c, &self);
	first = self != NULL ? 2 : 1;
	if (env("GATEWAY_INTERFACE") == NULL && argc > first)
		return command(&c, ok, argv + first);
	if (ok < 0) {
		respond(500, 0);
		return 1;
	}
	return serve(&c);
}
