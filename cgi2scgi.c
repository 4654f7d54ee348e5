/* cgi2scgi: run as a CGI program, forward the request to an SCGI app. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgi2scgi.h"

#ifndef VERSION
#define VERSION "0"
#endif

extern char **environ;

const char *tag = "cgi2scgi";	/* config file or socket, for log lines */
static int nph;			/* relay byte for byte, errors as HTTP */
static char up[65536];		/* header, then body chunks, to the app */
static char down[65536];	/* response chunks from the app */

int
writeall(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	ssize_t r;

	while (n > 0) {
		r = write(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		p += r;
		n -= r;
	}
	return 0;
}

static size_t
add(char *buf, size_t n, size_t cap, const char *s)
{
	size_t k = strlen(s);

	if (k > cap - n)
		k = cap - n;
	memcpy(buf + n, s, k);
	return n + k;
}

/* one line on stderr: "cgi2scgi: TAG: WHAT[: DETAIL]" */
void
logline(const char *what, const char *detail)
{
	char buf[512];
	size_t n;

	n = add(buf, 0, sizeof buf - 1, "cgi2scgi: ");
	n = add(buf, n, sizeof buf - 1, tag);
	n = add(buf, n, sizeof buf - 1, ": ");
	n = add(buf, n, sizeof buf - 1, what);
	if (detail != NULL) {
		n = add(buf, n, sizeof buf - 1, ": ");
		n = add(buf, n, sizeof buf - 1, detail);
	}
	buf[n++] = '\n';
	writeall(2, buf, n);
}

/* a short text for the errors an operator meets; strerror is 2 KB */
const char *
errtext(int e)
{
	static const struct { int e; const char *s; } t[] = {
		{ ECONNREFUSED, "connection refused" },
		{ ENOENT, "no such file or directory" },
		{ EACCES, "permission denied" },
		{ EAGAIN, "resource busy (full listen backlog?)" },
		{ EINPROGRESS, "timed out" },
		{ ETIMEDOUT, "timed out" },
		{ ECONNRESET, "connection reset" },
		{ EPIPE, "broken pipe" },
		{ ENOTDIR, "not a directory" },
		{ ELOOP, "symbolic link" },
		{ EPERM, "not permitted" },
		{ EMFILE, "too many open files" },
		{ ENOSPC, "no space left on device" },
		{ EROFS, "read-only file system" },
		{ EOPNOTSUPP, "not supported" },
	};
	static char num[24] = "errno ";
	size_t i, n;
	char *p;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		if (t[i].e == e)
			return t[i].s;
	p = utoa(num + 23, e);
	n = num + 23 - p;
	memmove(num + 6, p, n);
	num[6 + n] = '\0';
	return num;
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

/* a complete CGI error response on stdout (R20) */
static void
respond(int code, long retry)
{
	const char *reason;
	char buf[256], num[24];
	size_t n;

	switch (code) {
	case 400: reason = "400 Bad Request"; break;
	case 502: reason = "502 Bad Gateway"; break;
	case 503: reason = "503 Service Unavailable"; break;
	case 504: reason = "504 Gateway Timeout"; break;
	default: reason = "500 Internal Server Error"; break;
	}
	n = add(buf, 0, sizeof buf, nph ? "HTTP/1.1 " : "Status: ");
	n = add(buf, n, sizeof buf, reason);
	if (code == 503) {
		num[sizeof num - 1] = '\0';
		n = add(buf, n, sizeof buf, "\r\nRetry-After: ");
		n = add(buf, n, sizeof buf,
		    utoa(num + sizeof num - 1, retry > 0 ? retry : 1));
	}
	n = add(buf, n, sizeof buf, "\r\nContent-Type: text/plain\r\n\r\n");
	n = add(buf, n, sizeof buf, reason);
	n = add(buf, n, sizeof buf, "\n");
	writeall(1, buf, n);
}

static int
fail(int code, const char *what, const char *detail)
{
	logline(what, detail);
	respond(code, 0);
	return 1;
}

/* CONTENT_LENGTH: unset or empty is 0, else plain decimal (R13) */
int
parse_length(const char *s, unsigned long long *n)
{
	unsigned long long v = 0;

	*n = 0;
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (unsigned long long)(LLONG_MAX - (*s - '0')) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (*s != '\0')
		return -1;
	*n = v;
	return 0;
}

/* name length of env entry *e if it is to be sent, else 0 (R10) */
static size_t
sendable(char **env, char **e, int skip_te)
{
	const char *s = *e, *eq = strchr(s, '=');
	size_t k;
	char **p;

	if (eq == NULL || eq == s)
		return 0;
	k = eq - s;
	if ((k == 14 && memcmp(s, "CONTENT_LENGTH", 14) == 0) ||
	    (k == 4 && memcmp(s, "SCGI", 4) == 0) ||
	    (k >= 9 && memcmp(s, "CGI2SCGI_", 9) == 0) ||
	    (skip_te && k == 22 && memcmp(s, "HTTP_TRANSFER_ENCODING", 22) == 0))
		return 0;
	for (p = env; p < e; p++)
		if (strncmp(*p, s, k + 1) == 0)
			return 0;
	return k;
}

/* the SCGI header pairs into b (or only their size when b is NULL) */
static size_t
pairs(char *b, char **env, const char *length, int skip_te)
{
	size_t n, k, len;
	char **e;

	len = strlen(length) + 1;
	if (b != NULL) {
		memcpy(b, "CONTENT_LENGTH", 15);
		memcpy(b + 15, length, len);
		memcpy(b + 15 + len, "SCGI\0" "1", 7);
	}
	n = 15 + len + 7;
	for (e = env; *e != NULL; e++) {
		k = sendable(env, e, skip_te);
		if (k == 0)
			continue;
		len = strlen(*e) + 1;
		if (b != NULL) {
			memcpy(b + n, *e, len);
			b[n + k] = '\0';
		}
		n += len;
	}
	return n;
}

/* the whole netstring into buf, or its size when buf is NULL */
size_t
scgi_header(char *buf, char **env, const char *length, int skip_te)
{
	char num[24], *p;
	size_t n = pairs(NULL, env, length, skip_te), k;

	num[sizeof num - 1] = ':';
	p = utoa(num + sizeof num - 1, n);
	k = num + sizeof num - p;
	if (buf != NULL) {
		memcpy(buf, p, k);
		pairs(buf + k, env, length, skip_te);
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

/* HTTP_TRANSFER_ENCODING names chunked (R17) */
static int
chunked(const char *te)
{
	for (; *te != '\0'; te++)
		if (strncmp(te, "chunked", 7) == 0)
			return 1;
	return 0;
}

static int
is_nph(const char *script)
{
	const char *slash;

	if (script == NULL)
		return 0;
	slash = strrchr(script, '/');
	return strncmp(slash ? slash + 1 : script, "nph-", 4) == 0;
}

/* stdin to EOF into an unlinked file that becomes stdin (R17) */
static int
spool(unsigned long long *len)
{
	const char *dir = getenv("TMPDIR");
	ssize_t r;
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	for (*len = 0;; *len += r) {
		r = read(0, up, sizeof up);
		if (r < 0 && errno == EINTR) {
			r = 0;
			continue;
		}
		if (r <= 0)
			break;
		if (writeall(fd, up, r) < 0)
			break;
	}
	if (r != 0 || lseek(fd, 0, SEEK_SET) != 0 || dup2(fd, 0) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* read what is left of the declared body and drop it (R12) */
static void
drain(unsigned long long left, int ms)
{
	struct pollfd p = { 0, POLLIN, 0 };
	ssize_t r;

	while (left > 0) {
		if (poll(&p, 1, ms) <= 0 && errno != EINTR)
			return;
		r = read(0, down, left < sizeof down ? left : sizeof down);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		left -= r;
	}
}

/* pass on a response chunk, with the status line rewritten once (R16) */
static int
relay_out(size_t *have, size_t n, int *decided)
{
	int st;

	*have += n;
	if (!*decided) {
		st = status_line(down, *have);
		if (st < 0 && *have < 64)
			return 0;
		*decided = 1;
		if (st == 1) {
			memcpy(down + 1, "Status: ", 8);
			return writeall(1, down + 1, *have - 1);
		}
	}
	return writeall(1, down, *have);
}

struct flow {
	const char *out;		/* bytes on their way to the app */
	size_t outlen;
	unsigned long long left;	/* body bytes not yet read */
	int sending;			/* 0 once the app stopped reading */
};

/* move body bytes stdin -> app; -1 when the client went away (R14) */
static int
upstream(int s, struct flow *f, short in, short sock)
{
	ssize_t r;

	if (in) {
		r = read(0, up, f->left < sizeof up ? f->left : sizeof up);
		if (r < 0 && errno == EINTR)
			return 0;
		if (r <= 0)
			return -1;
		f->out = up;
		f->outlen = r;
		f->left -= r;
	}
	if (sock && f->outlen > 0) {
		r = send(s, f->out, f->outlen, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (r < 0) {		/* the app stopped reading: its answer */
			f->sending = 0;	/* still comes (R12) */
			f->outlen = 0;
			return 0;
		}
		f->out += r;
		f->outlen -= r;
	}
	return 0;
}

/* full duplex: request out, response in, until the app closes (R11-R15) */
static int
relay(int s, const char *hdr, size_t hlen, unsigned long long len, long tmo)
{
	struct flow f = { hdr, hlen, len, 1 };
	struct pollfd p[2];
	size_t have = 0, sent = 0;
	int decided = nph, ms = tmo * 1000, r;
	ssize_t n;

	for (;;) {
		p[0].fd = s;
		p[0].events = POLLIN | (f.sending && f.outlen ? POLLOUT : 0);
		p[1].fd = 0;
		p[1].events = POLLIN;
		p[0].revents = p[1].revents = 0;
		r = poll(p, f.sending && !f.outlen && f.left ? 2 : 1, ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (sent == 0 && have == 0)
				return fail(504, "no answer within timeout", NULL);
			logline("app silent past timeout", NULL);
			return 1;
		}
		if (upstream(s, &f, p[1].revents, p[0].revents & ~POLLIN) < 0) {
			logline("client closed before sending the whole body",
			    NULL);
			return 1;
		}
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = recv(s, down + have, sizeof down - have, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			break;
		if (relay_out(&have, n, &decided) < 0) {
			logline("client went away", errtext(errno));
			return 1;
		}
		if (decided) {
			sent += have;
			have = 0;
		}
	}
	if (n < 0 && sent + have == 0)
		return fail(502, "app failed without answering",
		    errtext(errno));
	if (sent + have == 0)
		return fail(502, "app closed without answering", NULL);
	if (have > 0 && writeall(1, down, have) < 0)
		return 1;
	if (n < 0) {
		logline("app connection failed", errtext(errno));
		return 1;
	}
	drain(f.left, ms);
	return 0;
}

static int
serve(const struct config *c)
{
	const char *cl = getenv("CONTENT_LENGTH"), *te, *err;
	unsigned long long len;
	struct addr a;
	char num[24], *length, *hdr = up;
	size_t n;
	int s, skip_te = 0;
	long retry = 0;

	nph = is_nph(getenv("SCRIPT_NAME"));
	if (parse_length(cl, &len) < 0)
		return fail(400, "bad CONTENT_LENGTH", NULL);
	err = config_check(c);
	if (err != NULL)
		return fail(500, err, NULL);
	te = getenv("HTTP_TRANSFER_ENCODING");
	if ((cl == NULL || *cl == '\0') && te != NULL &&
	    chunked(te)) {
		if (spool(&len) < 0)
			return fail(500, "cannot spool chunked body",
			    errtext(errno));
		skip_te = 1;
	}
	parse_addr(c->socket, &a);
	s = app_connect(c, &a, &retry);
	if (s < 0) {
		respond(-s, retry);
		return 1;
	}
	num[sizeof num - 1] = '\0';
	length = utoa(num + sizeof num - 1, len);
	n = scgi_header(NULL, environ, length, skip_te);
	if (n > sizeof up) {
		hdr = mmap(NULL, n, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (hdr == MAP_FAILED)
			return fail(500, "out of memory", NULL);
	}
	scgi_header(hdr, environ, length, skip_te);
	return relay(s, hdr, n, len, c->timeout);
}

static void
say(const char *a, const char *b, const char *c)
{
	char buf[1024];
	size_t n;

	n = add(buf, 0, sizeof buf, a);
	n = add(buf, n, sizeof buf, b ? b : "(unset)");
	n = add(buf, n, sizeof buf, c);
	writeall(1, buf, n);
}

static void
say_num(const char *key, long v)
{
	char num[24];

	num[sizeof num - 1] = '\0';
	say(key, utoa(num + sizeof num - 1, v), "\n");
}

/* --check: the effective configuration and whether the app accepts */
static int
check(const struct config *c)
{
	const char *err = config_check(c);
	struct addr a;
	int i, s;

	say("config = ", c->file, "\n");
	say("socket = ", c->socket, "\n");
	say("start = ", c->start, "\n");
	say("directory = ", c->directory, "\n");
	say("log = ", c->log, "\n");
	say("lock = ", c->lock, "\n");
	for (i = 0; i < c->nenv; i++)
		say("env = ", c->env[i], "\n");
	say_num("start_timeout = ", c->start_timeout);
	say_num("retry_after = ", c->retry_after);
	say_num("timeout = ", c->timeout);
	if (err != NULL) {
		say("config error: ", err, "\n");
		return 1;
	}
	parse_addr(c->socket, &a);
	s = dial(&a, 5);
	say("app: ", s >= 0 ? "accepting" : errtext(errno), "\n");
	if (s >= 0)
		close(s);
	return 0;
}

static int
usage(int fd)
{
	static const char text[] =
	    "usage: cgi2scgi --check|--start [CONFIG]\n"
	    "       cgi2scgi --help|--version\n"
	    "Run as a CGI program, cgi2scgi forwards the request to the SCGI\n"
	    "app named by the config (see cgi2scgi(1)).\n";

	writeall(fd, text, sizeof text - 1);
	return fd == 1 ? 0 : 2;
}

/* --start: bring the app up through the same lock (R6) */
static int
app_up(const struct config *c)
{
	const char *err = config_check(c);
	struct addr a;
	long retry;
	int s;

	if (err != NULL) {
		logline(err, NULL);
		return 1;
	}
	parse_addr(c->socket, &a);
	s = app_connect(c, &a, &retry);
	if (s < 0)
		return 1;
	close(s);
	say("app: ", "accepting", "\n");
	return 0;
}

/* a person at a shell (R6) */
static int
command(struct config *c, int ok, char **arg)
{
	if (strcmp(arg[0], "--help") == 0)
		return usage(1);
	if (strcmp(arg[0], "--version") == 0) {
		say("cgi2scgi ", VERSION, "\n");
		return 0;
	}
	if (strcmp(arg[0], "--check") != 0 && strcmp(arg[0], "--start") != 0)
		return usage(2);
	if (arg[1] != NULL && (arg[2] != NULL || config_file(c, arg[1], 0) < 0))
		return arg[2] != NULL ? usage(2) : 1;
	if (ok < 0)
		return 1;
	if (arg[0][2] == 'c')
		return check(c);
	return app_up(c);
}

/* argv[1] is the config only when it is the file the kernel ran (R3) */
static const char *
shebang(int argc, char **argv)
{
	const char *fn;

	if (argc < 2)
		return NULL;
	fn = (const char *)getauxval(AT_EXECFN);
	if (fn == NULL || strcmp(fn, argv[1]) != 0)
		return NULL;
	return argv[1];
}

/* the four sources of R2, later overriding earlier; -1 when logged */
static int
load(struct config *c, const char **self)
{
	const char *bad, *file = getenv("CGI2SCGI_CONFIG");
	int r;

	config_defaults(c);
	bad = config_environ(c, environ);
	if (bad != NULL) {
		tag = "environment";
		logline("bad variable", bad);
		return -1;
	}
	if (file != NULL && *file != '\0' && config_file(c, file, 0) < 0)
		return -1;
	if (*self != NULL) {
		r = config_file(c, *self, 1);
		if (r < 0)
			return -1;
		if (r > 0)
			*self = NULL;
	}
	tag = c->file ? c->file : c->socket ? c->socket : "cgi2scgi";
	return 0;
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
	if (getenv("GATEWAY_INTERFACE") == NULL && argc > first)
		return command(&c, ok, argv + first);
	if (ok < 0) {
		respond(500, 0);
		return 1;
	}
	return serve(&c);
}
