/* Configuration: built-in defaults, CGI2SCGI_* variables, config files. */
#include <arpa/inet.h>
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
	memcpy(p + x + y, c, z);
	p[x + y + z] = '\0';
	used += x + y + z + 1;
	return p;
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

/* whole seconds: 1 to 6 digits */
int
parse_seconds(const char *s, long *v)
{
	long n = 0;
	int i;

	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++)
		n = n * 10 + (s[i] - '0');
	if (i == 0 || i > 6 || s[i] != '\0')
		return -1;
	*v = n;
	return 0;
}

/* HOST:PORT with a numeric IPv4 host, [IPv6] or localhost; 0 if not */
static int
tcp_addr(const char *s, struct addr *a)
{
	const char *colon = strrchr(s, ':');
	char host[64];
	size_t n;
	long port = 0;
	int i;

	if (colon == NULL)
		return 0;
	for (i = 1; colon[i] >= '0' && colon[i] <= '9' && i < 7; i++)
		port = port * 10 + (colon[i] - '0');
	if (i == 1 || colon[i] != '\0' || port < 1 || port > 65535)
		return 0;
	n = colon - s;
	if (n < 2 || n >= sizeof host)
		return 0;
	memcpy(host, s, n);
	host[n] = '\0';
	memset(a, 0, sizeof *a);
	if (strcmp(host, "localhost") == 0)
		strcpy(host, "127.0.0.1");
	if (host[0] == '[' && host[n - 1] == ']') {
		host[n - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &a->u.in6.sin6_addr) != 1)
			return 0;
		a->u.in6.sin6_family = AF_INET6;
		a->u.in6.sin6_port = htons(port);
		a->len = sizeof a->u.in6;
		return 1;
	}
	if (inet_pton(AF_INET, host, &a->u.in.sin_addr) != 1)
		return 0;
	a->u.in.sin_family = AF_INET;
	a->u.in.sin_port = htons(port);
	a->len = sizeof a->u.in;
	return 1;
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
	size_t n;

	if (strncmp(s, "tcp:", 4) == 0)
		return tcp_addr(s + 4, a) ? 0 : -1;
	if (strncmp(s, "unix:", 5) == 0)
		s += 5;
	else if (tcp_addr(s, a))
		return 0;
	n = strlen(s);
	if (n == 0 || n >= sizeof a->u.un.sun_path)
		return -1;
	memset(a, 0, sizeof *a);
	a->u.un.sun_family = AF_UNIX;
	memcpy(a->u.un.sun_path, s, n + 1);
	a->len = offsetof(struct sockaddr_un, sun_path) + n + 1;
	return 0;
}

/* a path relative to dir ("dir/" or NULL for the working directory) */
static const char *
path(const char *dir, const char *p)
{
	if (dir == NULL || p[0] == '/')
		return p;
	return concat(dir, p, "");
}

static const char *
set_socket(struct config *c, const char *v, const char *dir)
{
	const char *p = unix_path(v);

	if (p != NULL && dir != NULL && p[0] != '/')
		v = concat(p == v ? "" : "unix:", dir, p);
	c->socket = v;
	return v ? NULL : "config too large";
}

static const char *
set(struct config *c, const char *key, const char *v, const char *dir)
{
	const char **str = NULL;
	long *num = NULL;

	if (strcmp(key, "socket") == 0)
		return set_socket(c, v, dir);
	if (strcmp(key, "start") == 0) {
		c->start = *v ? v : NULL;
		return NULL;
	}
	if (strcmp(key, "env") == 0) {
		if (v[0] == '=' || strchr(v, '=') == NULL)
			return "env needs NAME=value";
		if (c->nenv == MAX_ENV)
			return "too many env lines";
		c->env[c->nenv++] = v;
		return NULL;
	}
	if (strcmp(key, "directory") == 0)
		str = &c->directory;
	else if (strcmp(key, "log") == 0)
		str = &c->log;
	else if (strcmp(key, "lock") == 0)
		str = &c->lock;
	else if (strcmp(key, "start_timeout") == 0)
		num = &c->start_timeout;
	else if (strcmp(key, "retry_after") == 0)
		num = &c->retry_after;
	else if (strcmp(key, "timeout") == 0)
		num = &c->timeout;
	else
		return "unknown key";
	if (num != NULL)
		return parse_seconds(v, num) < 0 ? "bad number" : NULL;
	if (*v == '\0') {
		*str = NULL;
		return NULL;
	}
	*str = path(dir, v);
	return *str ? NULL : "config too large";
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
	char *eq, *end;

	while (blank(*s))
		s++;
	if (*s == '\0' || *s == '#')
		return NULL;
	eq = strchr(s, '=');
	if (eq == NULL || eq == s)
		return "malformed line";
	for (end = eq; end > s && blank(end[-1]); end--)
		;
	*end = '\0';
	for (eq++; blank(*eq); eq++)
		;
	for (end = eq + strlen(eq); end > eq && blank(end[-1]); end--)
		;
	*end = '\0';
	return set(c, s, eq, dir);
}

/* parse a config text in place; NULL when fine, else what and *line */
const char *
config_text(struct config *c, char *text, const char *file, int *line)
{
	const char *slash = strrchr(file, '/'), *dir = NULL, *err;
	char *end, *next;

	if (slash != NULL) {
		dir = concat(file, "", "");
		if (dir == NULL)
			return "config too large";
		((char *)dir)[slash - file + 1] = '\0';
	}
	for (*line = 1; *text != '\0'; ++*line, text = next) {
		end = strchr(text, '\n');
		if (end == NULL)
			end = text + strlen(text);
		next = *end ? end + 1 : end;
		*end = '\0';
		err = config_line(c, text, dir);
		if (err != NULL)
			return err;
	}
	return NULL;
}

static void
file_error(const char *file, int line, const char *what)
{
	char num[24];
	const char *at;

	num[sizeof num - 1] = '\0';
	at = concat(file, ":", utoa(num + sizeof num - 1, line));
	tag = at ? at : file;
	logline(what, NULL);
}

/* read a config file: 0 read, 1 not a config (no #!), -1 error (logged) */
int
config_file(struct config *c, const char *file, int need_shebang)
{
	char *text = store + used;
	size_t room = sizeof store - used - 1, n = 0;
	const char *err;
	ssize_t r;
	int fd, line = 0;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		tag = file;
		logline("cannot open config", errtext(errno));
		return -1;
	}
	while (n < room && (r = read(fd, text + n, room - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			close(fd);
			file_error(file, 0, "cannot read config");
			return -1;
		}
		n += r;
	}
	close(fd);
	if (need_shebang && (n < 2 || text[0] != '#' || text[1] != '!'))
		return 1;
	if (n == room) {
		file_error(file, 0, "config too large");
		return -1;
	}
	text[n] = '\0';
	used += n + 1;
	if (memchr(text, '\0', n) != NULL)
		err = "not a text file";
	else
		err = config_text(c, text, file, &line);
	if (err != NULL) {
		file_error(file, line, err);
		return -1;
	}
	c->file = file;
	return 0;
}

/* CGI2SCGI_* variables; NULL when fine, else the bad entry */
const char *
config_environ(struct config *c, char **env)
{
	static const char *const keys[] = { "SOCKET", "START", "DIRECTORY",
		"LOG", "LOCK", "START_TIMEOUT", "RETRY_AFTER", "TIMEOUT", 0 };
	char key[16];
	const char *e, *eq;
	int i, j;

	for (; *env != NULL; env++) {
		e = *env;
		if (strncmp(e, "CGI2SCGI_", 9) != 0 ||
		    strncmp(e + 9, "CONFIG=", 7) == 0)
			continue;
		eq = strchr(e, '=');
		if (eq == NULL)
			continue;
		for (i = 0; keys[i] != NULL; i++)
			if (eq - e - 9 == (long)strlen(keys[i]) &&
			    memcmp(e + 9, keys[i], eq - e - 9) == 0)
				break;
		if (keys[i] == NULL)
			return e;
		for (j = 0; keys[i][j] != '\0'; j++)
			key[j] = keys[i][j] == '_' ? '_' : keys[i][j] | 0x20;
		key[j] = '\0';
		if (set(c, key, eq + 1, NULL) != NULL)
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
