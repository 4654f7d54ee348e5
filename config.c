/* The configuration: built-in defaults, CGI2SCGI_* variables, config
 * files (R1-R6). Over addr.c, str.c, sys.c. */
#include "cgi2scgi.h"

#ifndef SOCKET
#define SOCKET 0
#endif
#ifndef START
#define START 0
#endif

void
config_defaults(struct config *c)
{
	__builtin_memset(c, 0, sizeof *c);
	c->socket = SOCKET;
	c->start = START;
	c->start_timeout = 30;
	c->retry_after = 10;
	c->timeout = 300;
}

/* whole seconds, at most 999999 (their ms fit an int) */
int
parse_seconds(const char *s, long *v)
{
	long n = decimal(s, find(s, '\0'), 999999);

	if (n < 0)
		return -1;
	*v = n;
	return 0;
}

/* the keys of R1, in this order: socket, 2 commands, 5 paths, 3 numbers,
 * env */
#define NKEYS 12
static const char keys[] TEXT = "socket\0start\0stop\0directory\0log\0lock\0"
    "pidfile\0restart_file\0start_timeout\0retry_after\0timeout\0env\0";
static const unsigned char offs[] = {
	offsetof(struct config, socket), offsetof(struct config, start),
	offsetof(struct config, stop), offsetof(struct config, directory),
	offsetof(struct config, log), offsetof(struct config, lock),
	offsetof(struct config, pidfile),
	offsetof(struct config, restart_file),
	offsetof(struct config, start_timeout),
	offsetof(struct config, retry_after), offsetof(struct config, timeout),
};

/* key = v; dir is the config file's ("dir/" or ""), NULL for the
 * environment (no env key there); NULL when fine, else what is wrong */
static const char *
set(struct config *c, const char *key, const char *v, const char *dir)
{
	const char *p = v;
	struct addr a;
	char *field;
	long n;
	int i = which(keys, key, len(key));

	if (i < 0 || (i == NKEYS - 1 && dir == NULL))
		return "unknown key";
	if (i == NKEYS - 1) {
		if (*v == '=' || *find(v, '=') == '\0')
			return "bad env";
		if (c->nenv == MAX_ENV)
			return "too many env lines (32)";
		c->env[c->nenv++] = v;
		return NULL;
	}
	field = (char *)c + offs[i];
	if (i >= 8) {
		/* timeout 0 would answer 504 at once, start_timeout 0 fail
		 * every start: only retry_after may be 0 */
		if (parse_seconds(v, &n) < 0 || (n == 0 && i != 9))
			return "bad number";
		*(long *)field = n;
		return NULL;
	}
	if (i == 0) {	/* a unix path, without its "unix:" */
		if (parse_addr(v, &a) < 0 || a.u.sa.sa_family != AF_UNIX)
			dir = NULL;	/* TCP, or bad: as it is */
		p = v + (same(v, "unix:", 5) ? 5 : 0);
	}
	if ((i == 0 || i > 2) && *p != '/' && *p && dir && *dir)
		v = concat(p == v ? "" : "unix:", dir, p);	/* R4 */
	*(const char **)field = v && *v ? v : NULL;	/* empty: unset */
	return v ? NULL : "config too big (16 KiB in all)";
}

static int
blank(char ch)
{
	return ch > 0 && ch <= ' ';	/* space, tab, CR and the like */
}

/* s..end without the blanks around it, NUL-terminated */
static char *
trim(char *s, char *end)
{
	while (s < end && blank(*s))
		s++;
	while (end > s && blank(end[-1]))
		end--;
	*end = '\0';
	return s;
}

/* "dir/" of a file, in the store; "" for a bare name; NULL when full */
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

/* parse the n bytes of a config text in place (R4), text[n] being a
 * NUL; NULL when fine, else what is wrong, at *line */
const char *
config_text(struct config *c, char *text, size_t n, const char *file,
    int *line)
{
	char *stop = text + n, *end, *eq, *key, *next;
	const char *err = NULL;

	c->dir = dir_of(file);
	if (c->dir == NULL)
		return "config too big (16 KiB in all)";
	for (*line = 1; err == NULL && text < stop; ++*line, text = next) {
		end = find(text, '\n');
		if (end < stop && *end == '\0')
			return "NUL byte";
		next = end + 1;
		eq = find(text, '=');
		if (eq > end)
			eq = end;
		key = trim(text, eq);
		if (*key == '#' || (*key == '\0' && eq == end))
			continue;	/* a comment, a blank line */
		if (*key == '\0' || eq == end)
			return "bad line";
		err = set(c, key, trim(eq + 1, end), c->dir);
	}
	--*line;
	return err;
}

/* log lines name s, or s:line (R21); the one place that sets the tag */
static void
name_in_log(const char *s, int line)
{
	const char *t = line ? concat(s, ":", num(line)) : s;

	tag = t ? t : s;
}

/* read a config file: 0 read, 1 not a config (no #!), -500 an error
 * (logged, naming the file, and the line where there is one) */
int
config_file(struct config *c, const char *file, int need_shebang)
{
	size_t room, n = 0;
	char *text = store_end(&room);
	const char *err = NULL, *what = NULL;
	long r = 0;
	int fd = sys_open(file, O_RDONLY | O_CLOEXEC, 0), line = 0;

	while ((r = sys_read(fd, text + n, room - 1 - n)) > 0)
		n += r;
	if (r < 0) {	/* fd < 0 too: its read fails */
		what = "cannot read";
		err = errname(fd < 0 ? fd : r);
	}
	sys_close(fd);
	text[n] = '\0';
	/* too little room to tell "#!" apart: too big, never "not a config" */
	if (!err && room < 4)
		err = "config too big (16 KiB in all)";
	if (!err && need_shebang && !same(text, "#!", 2))
		return 1;
	store_take(n + 1);
	if (!err)
		err = n == room - 1 ? "config too big (16 KiB in all)" :
		    config_text(c, text, n, file, &line);
	if (err == NULL) {
		c->file = file;
		return 0;
	}
	name_in_log(file, line);
	logline(what ? what : err, what ? err : NULL);
	return -500;
}

/* CGI2SCGI_* variables, the first of a name winning as in the header
 * (R10): read from the last to the first; 0, or -500 (logged). The
 * value of CGI2SCGI_CONFIG, a file to read next (R2), into *file */
int
config_environ(struct config *c, char **env, const char **file)
{
	const char *e, *eq;
	char key[16];
	size_t i, n = 0;

	while (env[n] != NULL)
		n++;
	while (n-- > 0) {
		e = env[n];
		eq = find(e, '=');
		if (!same(e, "CGI2SCGI_", 9) || *eq == '\0')
			continue;
		if (same(e + 9, "CONFIG=", 7)) {
			*file = eq + 1;
			continue;
		}
		for (i = 0; e + 9 + i < eq && i < sizeof key - 1; i++)
			key[i] = e[9 + i] + (e[9 + i] >= 'A' && e[9 + i] <= 'Z') * 32;
		key[i] = '\0';
		if (set(c, key, eq + 1, NULL) != NULL) {
			name_in_log(e, 0);
			logline("bad variable", NULL);
			return -500;
		}
	}
	return 0;
}

/* after all sources: parse the socket once, fill in the defaults that
 * depend on it (lock, directory), name the log lines; 0, or -500 */
int
config_check(struct config *c)
{
	const char *err = NULL;

	name_in_log(c->file ? c->file : c->socket ? c->socket : tag, 0);
	if (c->socket == NULL)
		err = "no socket";
	else if (parse_addr(c->socket, &c->addr) < 0)
		err = "bad socket (or a path over 107 bytes)";
	else {
		if (c->addr.u.sa.sa_family == AF_UNIX)
			c->path = c->addr.u.un.sun_path;
		if (c->lock == NULL && c->path != NULL)
			c->lock = concat(c->path, ".lock", "");
		if (c->directory == NULL && c->dir != NULL && *c->dir)
			c->directory = c->dir;
		if ((c->start || c->stop || c->pidfile) && c->lock == NULL)
			err = c->path ? "config too big (16 KiB in all)" :
			    "TCP needs lock";
		else if (c->restart_file && !(c->start &&
		    (c->stop || c->pidfile)))
			err = "restart_file needs start, and stop or pidfile";
	}
	if (err == NULL)
		return 0;
	logline(err, NULL);
	return -500;
}

/* --check: the effective configuration, the keys that are set */
void
config_print(const struct config *c)
{
	const char *k = keys, *v;
	int i;

	for (i = 0; i < NKEYS - 1; i++, k += len(k) + 1) {
		v = *(const char **)((char *)c + offs[i]);
		if (i >= 8)
			v = num(*(long *)((char *)c + offs[i]));
		if (v != NULL)
			say(1, k, " = ", v, "\n", NULL);
	}
	for (i = 0; i < c->nenv; i++)
		say(1, "env = ", c->env[i], "\n", NULL);
}
