/* Configuration: built-in defaults, CGI2SCGI_* variables, config files. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cgi2scgi.h"

#ifndef SOCKET
#define SOCKET 0
#endif
#ifndef START
#define START 0
#endif

static char store[16384];	/* config file texts and joined paths */
static size_t used;

/* a+b+c in the store; NULL when the store is full */
char *
concat(const char *a, const char *b, const char *c)
{
	size_t x = strlen(a), y = strlen(b), z = strlen(c);
	char *p = store + used;

	if (x + y + z >= sizeof store - used)
		return NULL;
	memcpy(p, a, x);
	memcpy(p + x, b, y);
	memcpy(p + x + y, c, z + 1);
	used += x + y + z + 1;
	return p;
}

/* the first ch in s, or its end */
char *
find(const char *s, int ch)
{
	while (*s != '\0' && *s != ch)
		s++;
	return (char *)s;
}

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof *c);
	c->socket = SOCKET;
	c->start = START;
	c->start_timeout = 30;
	c->retry_after = 10;
	c->timeout = 300;
}

/* a decimal number of at most max, ending at end; -1 if not */
long long
decimal(const char *s, const char *end, long long max)
{
	long long n = 0;

	if (s == end)
		return -1;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9' || n > (max - (*s - '0')) / 10)
			return -1;
		n = n * 10 + (*s - '0');
	}
	return n;
}

/* whole seconds, at most 999999 */
int
parse_seconds(const char *s, long *v)
{
	long n = decimal(s, find(s, '\0'), 999999);	/* ms fit an int */

	if (n < 0)
		return -1;
	*v = n;
	return 0;
}

static int
ipv4(const char *s, const char *end, unsigned char *out)
{
	const char *dot;
	long long n;
	int i;

	for (i = 0; i < 4; i++, s = dot + 1) {
		dot = find(s, '.');
		if (dot > end)
			dot = end;
		n = decimal(s, dot, 255);
		if (n < 0 || (i < 3) != (dot < end))
			return 0;
		out[i] = n;
	}
	return 1;
}

static int
hex(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch |= 0x20;
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* s..end is an IPv6 address without brackets, "::" allowed */
static int
ipv6(const char *s, const char *end, unsigned char *out)
{
	unsigned w[9];
	int n = 0, gap = -1, d, i;

	if (end - s >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		s += 2;
	}
	while (s < end) {
		for (w[n] = 0, d = 0; s < end && hex(*s) >= 0 && d < 4; s++, d++)
			w[n] = w[n] * 16 + hex(*s);
		if (d == 0 || ++n > 7 + (gap < 0))
			return 0;
		if (s < end && *s++ != ':')
			return 0;
		if (s < end && *s == ':' && gap < 0) {
			gap = n;
			s++;
		} else if (s == end && s[-1] == ':')
			return 0;
	}
	if (gap < 0 ? n != 8 : n > 7)
		return 0;
	memset(out, 0, 16);
	for (i = 0; i < n; i++) {
		d = i < gap || gap < 0 ? i : 8 - n + i;
		out[2 * d] = w[i] >> 8;
		out[2 * d + 1] = w[i];
	}
	return 1;
}

/* HOST:PORT with a numeric IPv4 host, [IPv6] or localhost; 0 if not */
static int
tcp_addr(const char *s, struct addr *a)
{
	const char *colon = s + strlen(s);
	long long port;

	while (colon > s && *colon != ':')
		colon--;
	port = decimal(colon + 1, find(colon, '\0'), 65535);
	if (colon == s || port < 1)
		return 0;
	memset(a, 0, sizeof *a);
	if (s[0] == '[' && colon[-1] == ']') {
		a->u.in6.sin6_family = AF_INET6;
		a->u.in6.sin6_port = htons(port);
		a->len = sizeof a->u.in6;
		return ipv6(s + 1, colon - 1, a->u.in6.sin6_addr.s6_addr);
	}
	a->u.in.sin_family = AF_INET;
	a->u.in.sin_port = htons(port);
	a->len = sizeof a->u.in;
	if (colon - s == 9 && memcmp(s, "localhost", 9) == 0)
		s = "127.0.0.1:";
	return ipv4(s, find(s, ':'), (unsigned char *)&a->u.in.sin_addr);
}

/* the path of a unix socket address, NULL for a TCP one */
const char *
unix_path(const char *s)
{
	struct addr a;

	if (strncmp(s, "unix:", 5) == 0)
		return s + 5;
	if (strncmp(s, "tcp:", 4) == 0 || tcp_addr(s, &a))
		return NULL;
	return s;
}

int
parse_addr(const char *s, struct addr *a)
{
	const char *p = unix_path(s);
	size_t n;

	if (p == NULL)
		return tcp_addr(s + (strncmp(s, "tcp:", 4) ? 0 : 4), a) ? 0 : -1;
	n = strlen(p);
	if (n == 0 || n >= sizeof a->u.un.sun_path)
		return -1;
	memset(a, 0, sizeof *a);
	a->u.un.sun_family = AF_UNIX;
	memcpy(a->u.un.sun_path, p, n);
	a->len = offsetof(struct sockaddr_un, sun_path) + n + 1;
	return 0;
}

/* the keys of R1: where each goes, and how it is read */
enum { TEXT, PATH, SOCK, NUM, ENV };
static const struct key {
	char name[14];
	unsigned char kind;
	unsigned char off;
} keys[] = {
	{ "socket", SOCK, offsetof(struct config, socket) },
	{ "start", TEXT, offsetof(struct config, start) },
	{ "directory", PATH, offsetof(struct config, directory) },
	{ "log", PATH, offsetof(struct config, log) },
	{ "lock", PATH, offsetof(struct config, lock) },
	{ "start_timeout", NUM, offsetof(struct config, start_timeout) },
	{ "retry_after", NUM, offsetof(struct config, retry_after) },
	{ "timeout", NUM, offsetof(struct config, timeout) },
	{ "env", ENV, 0 },
};

/* key name..end = v; dir is the config file's ("dir/"), NULL for the
 * environment, whose names are upper case; NULL when fine */
static const char *
set(struct config *c, const char *name, const char *end, const char *v,
    const char *dir)
{
	const struct key *k;
	const char *p, **str;
	size_t i, n = end - name;

	for (k = keys; k < keys + sizeof keys / sizeof *keys; k++) {
		for (i = 0; i < n; i++)		/* upper case in the environment */
			if (name[i] != k->name[i] - (!dir && k->name[i] >= 'a') * 32)
				break;
		if (i == n && k->name[i] == '\0')
			break;
	}
	if (k == keys + sizeof keys / sizeof *keys || (!dir && k->kind == ENV))
		return "unknown key";
	str = (const char **)((char *)c + k->off);
	if (k->kind == NUM)
		return parse_seconds(v, (long *)str) < 0 ? "bad number" : NULL;
	if (k->kind == ENV) {
		if (*v == '=' || *find(v, '=') == '\0')
			return "env needs NAME=value";
		if (c->nenv == MAX_ENV)
			return "too many env lines";
		c->env[c->nenv++] = v;
		return NULL;
	}
	p = k->kind == SOCK ? unix_path(v) : v;
	if (k->kind != TEXT && p != NULL && *p != '/' && *p && dir && *dir)
		v = concat(p == v ? "" : "unix:", dir, p);
	*str = v && *v ? v : NULL;	/* empty: unset */
	return v ? NULL : "config too large";
}

static int
blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* one line, NUL-terminated; NULL when fine */
static const char *
config_line(struct config *c, char *s, const char *dir)
{
	char *eq, *end, *v;

	while (blank(*s))
		s++;
	if (*s == '\0' || *s == '#')
		return NULL;
	eq = find(s, '=');
	for (end = eq; end > s && blank(end[-1]); end--)
		;
	if (*eq == '\0' || end == s)
		return "malformed line";
	for (v = eq + 1; blank(*v); v++)
		;
	for (eq = find(v, '\0'); eq > v && blank(eq[-1]); eq--)
		;
	*eq = '\0';
	return set(c, s, end, v, dir);
}

/* "dir/" of a file in the store, "" for a bare name, NULL if full */
char *
dir_of(const char *file)
{
	const char *p, *slash = file - 1;
	char *d = concat(file, "", "");

	for (p = file; *p; p++)
		if (*p == '/')
			slash = p;
	if (d != NULL)
		d[slash - file + 1] = '\0';
	return d;
}

/* parse a config text in place; NULL when fine, else what and *line */
const char *
config_text(struct config *c, char *text, const char *file, int *line)
{
	char *dir = dir_of(file), *end, *next;
	const char *err;

	if (dir == NULL)
		return "config too large";
	for (*line = 1; *text != '\0'; ++*line, text = next) {
		end = find(text, '\n');
		next = *end ? end + 1 : end;
		*end = '\0';
		err = config_line(c, text, dir);
		if (err != NULL)
			return err;
	}
	return NULL;
}

/* read a config file: 0 read, 1 not a config (no #!), -1 error (logged) */
int
config_file(struct config *c, const char *file, int need_shebang)
{
	char *text = store + used, num[24];
	size_t room = sizeof store - used - 1, n = 0;
	const char *err;
	ssize_t r = -1;
	int fd, line = 0;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	while (fd >= 0 && (r = readfd(fd, text + n, room - n)) > 0)
		n += r;
	err = r < 0 ? errtext(errno) : NULL;
	if (fd >= 0)
		close(fd);
	if (!err && need_shebang && (n < 2 || text[0] != '#' || text[1] != '!'))
		return 1;
	text[n] = '\0';
	if (!err && n == room)
		err = "config too large";
	if (!err && strlen(text) != n)
		err = "not a text file";
	if (!err) {
		used += n + 1;
		err = config_text(c, text, file, &line);
	}
	if (err == NULL) {
		c->file = file;
		return 0;
	}
	num[sizeof num - 1] = '\0';
	tag = line ? concat(file, ":", utoa(num + sizeof num - 1, line)) : 0;
	if (tag == NULL)
		tag = file;
	logline(line ? err : "cannot read config", line ? NULL : err);
	return -1;
}

/* CGI2SCGI_* variables; NULL when fine, else the bad entry */
const char *
config_environ(struct config *c, char **env)
{
	const char *e, *eq;

	for (; *env != NULL; env++) {
		e = *env;
		eq = find(e, '=');
		if (strncmp(e, "CGI2SCGI_", 9) != 0 || *eq == '\0' ||
		    strncmp(e + 9, "CONFIG=", 7) == 0)
			continue;
		if (set(c, e + 9, eq, eq + 1, NULL) != NULL)
			return e;
	}
	return NULL;
}

/* after all sources: NULL when usable, else what is wrong */
const char *
config_check(const struct config *c)
{
	struct addr a;

	if (c->socket == NULL)
		return "no socket configured";
	if (parse_addr(c->socket, &a) < 0)
		return "bad socket address";
	if (c->start != NULL && c->lock == NULL && unix_path(c->socket) == NULL)
		return "a TCP socket with start needs a lock";
	return NULL;
}

/* --check: the effective configuration, key by key */
void
config_print(const struct config *c)
{
	const struct key *k;
	const char *v;
	char num[24];
	int i;

	num[23] = '\0';
	say(1, "config = ", c->file ? c->file : "(none)", "\n", NULL);
	for (k = keys; k < keys + sizeof keys / sizeof *keys; k++) {
		v = *(const char **)((char *)c + k->off);
		if (k->kind == NUM)
			v = utoa(num + 23, *(long *)((char *)c + k->off));
		for (i = 0; k->kind == ENV && i < c->nenv; i++)
			say(1, "env = ", c->env[i], "\n", NULL);
		if (k->kind != ENV)
			say(1, k->name, " = ", v ? v : "(unset)", "\n", NULL);
	}
}
