/* Configuration: keys, sources, file syntax (SPEC R1-R4, R41). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

/* config_text keeps pointers into its text: give it a copy that lives
 * on while the test looks at the result (a ring of buffers); n bytes of
 * text, which config_file always follows with a NUL, as here */
static const char *
text_n(struct config *c, const char *text, size_t n, const char *file,
    int *line)
{
	static char ring[8][1024];
	static int i;
	char *copy = ring[i = (i + 1) % 8];

	assert_true(n < sizeof ring[0]);
	memcpy(copy, text, n);
	copy[n] = '\0';
	*line = -1;
	return config_text(c, copy, n, file, line);
}

static const char *
text_of(struct config *c, const char *text, const char *file, int *line)
{
	return text_n(c, text, strlen(text), file, line);
}

/* text must read without error */
static void
read_ok(struct config *c, const char *text, const char *file)
{
	const char *err;
	int line;

	config_defaults(c);
	err = text_of(c, text, file, &line);
	if (err != NULL)
		fail_msg("config_text: \"%s\" at line %d", err, line);
}

/* text must fail at line want */
static void
read_fails(const char *text, int want)
{
	struct config c;
	const char *err;
	int line;

	config_defaults(&c);
	err = text_of(&c, text, "/srv/cgi/app.cgi", &line);
	if (err == NULL)
		fail_msg("accepted: \"%s\"", text);
	assert_true(*err != '\0');
	if (line != want)
		fail_msg("\"%s\": error \"%s\" at line %d, want line %d", text,
		    err, line, want);
}

/* config_environ, where CGI2SCGI_CONFIG does not matter */
static int
environ_of(struct config *c, char **env)
{
	const char *file = NULL;

	return config_environ(c, env, &file);
}

static void
test_R1_defaults(void **state)
{
	struct config c;

	(void)state;
	memset(&c, 0x5a, sizeof c);
	config_defaults(&c);
	assert_null(c.socket);	/* none built in by the plain test build */
	assert_null(c.start);
	assert_null(c.directory);
	assert_null(c.log);
	assert_null(c.lock);
	assert_null(c.stop);
	assert_null(c.pidfile);
	assert_null(c.restart_file);
	assert_int_equal(c.start_timeout, 30);
	assert_int_equal(c.retry_after, 10);
	assert_int_equal(c.timeout, 300);
	assert_int_equal(c.nenv, 0);
}

static void
test_R4_every_key_is_read(void **state)
{
	struct config c;

	(void)state;
	read_ok(&c,
	    "socket = /run/app.sock\n"
	    "start = exec /usr/bin/app --port 1\n"
	    "directory = /srv/app\n"
	    "log = /var/log/app.log\n"
	    "lock = /run/app.lock\n"
	    "stop = kill $(cat run/app.pid)\n"
	    "pidfile = /run/app.pid\n"
	    "restart_file = /srv/app/tmp/restart.txt\n"
	    "env = APP_MODE=prod\n"
	    "start_timeout = 7\n"
	    "retry_after = 0\n"
	    "timeout = 86400\n", "/srv/cgi/app.cgi");
	assert_str(c.socket, "/run/app.sock");
	assert_str(c.start, "exec /usr/bin/app --port 1");
	assert_str(c.directory, "/srv/app");
	assert_str(c.log, "/var/log/app.log");
	assert_str(c.lock, "/run/app.lock");
	assert_str(c.stop, "kill $(cat run/app.pid)");
	assert_str(c.pidfile, "/run/app.pid");
	assert_str(c.restart_file, "/srv/app/tmp/restart.txt");
	assert_int_equal(c.nenv, 1);
	assert_str(c.env[0], "APP_MODE=prod");
	assert_int_equal(c.start_timeout, 7);
	assert_int_equal(c.retry_after, 0);
	assert_int_equal(c.timeout, 86400);
}

static void
test_R1_env_is_repeatable_value_keeps_equals(void **state)
{
	struct config c;

	(void)state;
	read_ok(&c,
	    "socket = /run/app.sock\n"
	    "env = A=1\n"
	    "env = B=x=y\n"
	    "env = EMPTY=\n", "/srv/cgi/app.cgi");
	assert_int_equal(c.nenv, 3);
	assert_str(c.env[0], "A=1");
	assert_str(c.env[1], "B=x=y");
	assert_str(c.env[2], "EMPTY=");
}

static void
test_R4_blank_lines_and_comments_ignored(void **state)
{
	struct config c;

	(void)state;
	read_ok(&c,
	    "\n"
	    "   \n"
	    "\t\n"
	    "# socket = /wrong.sock\n"
	    "   # timeout = not a number\n"
	    "\t#no blank after the hash\n"
	    "socket = /right.sock\n"
	    "\n", "/srv/cgi/app.cgi");
	assert_str(c.socket, "/right.sock");
	assert_int_equal(c.timeout, 300);
}

static void
test_R4_surrounding_blanks_trimmed(void **state)
{
	struct config c;

	(void)state;
	read_ok(&c,
	    " \t socket \t = \t /run/a.sock \t \n"
	    "start=run  the   app   \n"
	    "timeout\t=\t60\t\n", "/srv/cgi/app.cgi");
	assert_str(c.socket, "/run/a.sock");
	assert_str(c.start, "run  the   app");
	assert_int_equal(c.timeout, 60);
}

static void
test_R4_crlf_line_endings_trimmed(void **state)
{
	struct config c;

	(void)state;
	read_ok(&c, "socket = /run/a.sock\r\n\r\ntimeout = 5\r\n",
	    "/srv/cgi/app.cgi");
	assert_str(c.socket, "/run/a.sock");
	assert_int_equal(c.timeout, 5);
}

static void
test_R4_hash_inside_value_kept(void **state)
{
	struct config c;

	(void)state;
	read_ok(&c,
	    "socket = /run/a#1.sock\n"
	    "start = app --flag # not a comment\n"
	    "env = COLOR=#fff\n", "/srv/cgi/app.cgi");
	assert_str(c.socket, "/run/a#1.sock");
	assert_str(c.start, "app --flag # not a comment");
	assert_str(c.env[0], "COLOR=#fff");
}

static void
test_R3_shebang_first_line_is_a_comment(void **state)
{
	struct config c;

	(void)state;
	read_ok(&c, "#!/usr/local/bin/cgi2scgi\nsocket = /run/a.sock\n",
	    "/srv/cgi/app.cgi");
	assert_str(c.socket, "/run/a.sock");
	read_ok(&c, "#!/usr/local/bin/cgi2scgi key = junk\nsocket = /a\n",
	    "/srv/cgi/app.cgi");
	assert_str(c.socket, "/a");
}

static void
test_R4_relative_paths_join_config_dir(void **state)
{
	struct config c;

	(void)state;
	read_ok(&c,
	    "directory = app\n"
	    "log = logs/app.log\n"
	    "lock = app.lock\n"
	    "pidfile = run/app.pid\n"
	    "restart_file = tmp/restart.txt\n"
	    "socket = run/app.sock\n", "/srv/cgi/app.cgi");
	assert_str(c.pidfile, "/srv/cgi/run/app.pid");
	assert_str(c.restart_file, "/srv/cgi/tmp/restart.txt");
	assert_str(c.directory, "/srv/cgi/app");
	assert_str(c.log, "/srv/cgi/logs/app.log");
	assert_str(c.lock, "/srv/cgi/app.lock");
	assert_str(c.socket, "/srv/cgi/run/app.sock");
	read_ok(&c, "socket = unix:rel.sock\n", "/srv/cgi/app.cgi");
	assert_str(c.socket, "unix:/srv/cgi/rel.sock");
	read_ok(&c, "socket = host.example:80\n", "/srv/cgi/app.cgi");
	assert_str(c.socket, "/srv/cgi/host.example:80");
}

static void
test_R4_relative_config_name_keeps_paths_relative_to_it(void **state)
{
	struct config c;

	(void)state;
	read_ok(&c, "socket = app.sock\nlog = app.log\n", "sub/app.cgi");
	assert_str(c.socket, "sub/app.sock");
	assert_str(c.log, "sub/app.log");
	/* a bare name: the config's directory is the working directory */
	read_ok(&c, "socket = app.sock\nlock = x.lock\n", "app.cgi");
	assert_str(c.socket, "app.sock");
	assert_str(c.lock, "x.lock");
}

static void
test_R4_absolute_paths_kept(void **state)
{
	struct config c;

	(void)state;
	read_ok(&c,
	    "directory = /srv/app\n"
	    "log = /var/log/app.log\n"
	    "lock = /run/app.lock\n"
	    "socket = unix:/run/app.sock\n", "/srv/cgi/app.cgi");
	assert_str(c.directory, "/srv/app");
	assert_str(c.log, "/var/log/app.log");
	assert_str(c.lock, "/run/app.lock");
	assert_str(c.socket, "unix:/run/app.sock");
}

static void
test_R4_tcp_sockets_not_joined(void **state)
{
	static const char *const tcp[] = { "127.0.0.1:9000",
		"tcp:127.0.0.1:9000", "localhost:9000", "tcp:localhost:9000",
		"[::1]:9000", "tcp:[::1]:9000" };
	struct config c;
	char text[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof tcp / sizeof *tcp; i++) {
		strcpy(text, "socket = ");
		strcat(text, tcp[i]);
		read_ok(&c, text, "/srv/cgi/app.cgi");
		assert_str(c.socket, tcp[i]);
	}
}

static void
test_R4_start_and_env_values_not_joined(void **state)
{
	struct config c;

	(void)state;
	read_ok(&c, "start = ./run.sh\nenv = DATA=data/dir\n"
	    "stop = ./stop.sh\n", "/srv/cgi/app.cgi");
	assert_str(c.start, "./run.sh");
	assert_str(c.stop, "./stop.sh");
	assert_str(c.env[0], "DATA=data/dir");
}

static void
test_R2_later_key_overrides_earlier(void **state)
{
	struct config c;

	(void)state;
	read_ok(&c,
	    "socket = /first.sock\n"
	    "timeout = 10\n"
	    "start = first\n"
	    "socket = /second.sock\n"
	    "timeout = 20\n"
	    "start = second\n", "/srv/cgi/app.cgi");
	assert_str(c.socket, "/second.sock");
	assert_str(c.start, "second");
	assert_int_equal(c.timeout, 20);
}

static void
test_R4_unknown_key_names_line(void **state)
{
	(void)state;
	read_fails("bogus = 1\n", 1);
	read_fails("socket = /a\n\n# c\nsockets = /b\n", 4);
	read_fails("socket = /a\nconfig = /etc/x\n", 2);
}

static void
test_R4_malformed_line_without_equals_names_line(void **state)
{
	(void)state;
	read_fails("socket /run/a.sock\n", 1);
	read_fails("# one\nsocket = /a\n\nlonely\n", 4);
	read_fails("socket = /a\ntimeout", 2);	/* last line, no newline */
}

static void
test_R4_malformed_line_empty_key_names_line(void **state)
{
	(void)state;
	read_fails("= /run/a.sock\n", 1);
	read_fails("socket = /a\n   =  x\n", 2);
	read_fails("socket = /a\n\n\t=\n", 3);
}

static void
test_R4_bad_number_names_line(void **state)
{
	static const char *const bad[] = { "", "-5", "+5", "5s", "abc", "1.5",
		"0x10", "99999999999999999999", "5 5" };
	static const char *const key[] = { "start_timeout", "retry_after",
		"timeout" };
	char text[128];
	size_t i, k;

	(void)state;
	for (k = 0; k < 3; k++)
		for (i = 0; i < sizeof bad / sizeof *bad; i++) {
			snprintf(text, sizeof text,
			    "socket = /a\n# x\n\n%s = %s\n", key[k], bad[i]);
			read_fails(text, 4);
		}
}

static void
test_R1_env_line_needs_name_and_equals(void **state)
{
	(void)state;
	read_fails("socket = /a\nenv = NOEQUALS\n", 2);
	read_fails("socket = /a\nenv = A=1\nenv = =value\n", 3);
	read_fails("env =\n", 1);
}

static void
test_R1_seconds_are_whole_decimal(void **state)
{
	static const char *const bad[] = { "", "-1", "+1", " 1", "1 ", "1s",
		"abc", "1.5", "0x10", "1e3", "99999999999999999999" };
	long v;
	size_t i;

	(void)state;
	assert_int_equal(parse_seconds("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_seconds("30", &v), 0);
	assert_int_equal(v, 30);
	assert_int_equal(parse_seconds("86400", &v), 0);
	assert_int_equal(v, 86400);
	assert_int_equal(parse_seconds("007", &v), 0);
	assert_int_equal(v, 7);
	for (i = 0; i < sizeof bad / sizeof *bad; i++)
		if (parse_seconds(bad[i], &v) == 0)
			fail_msg("parse_seconds accepted \"%s\" as %ld", bad[i],
			    v);
}

static void
test_R2_environ_sets_every_key(void **state)
{
	char *env[] = { "CGI2SCGI_SOCKET=/run/e.sock", "CGI2SCGI_START=app -x",
		"CGI2SCGI_DIRECTORY=/srv/e", "CGI2SCGI_LOG=/var/log/e.log",
		"CGI2SCGI_LOCK=/run/e.lock", "CGI2SCGI_START_TIMEOUT=3",
		"CGI2SCGI_RETRY_AFTER=4", "CGI2SCGI_TIMEOUT=5",
		"CGI2SCGI_STOP=app --stop", "CGI2SCGI_PIDFILE=/run/e.pid",
		"CGI2SCGI_RESTART_FILE=/srv/e/restart.txt", NULL };
	struct config c;

	(void)state;
	config_defaults(&c);
	assert_int_equal(environ_of(&c, env), 0);
	assert_str(c.socket, "/run/e.sock");
	assert_str(c.start, "app -x");
	assert_str(c.directory, "/srv/e");
	assert_str(c.log, "/var/log/e.log");
	assert_str(c.lock, "/run/e.lock");
	assert_str(c.stop, "app --stop");
	assert_str(c.pidfile, "/run/e.pid");
	assert_str(c.restart_file, "/srv/e/restart.txt");
	assert_int_equal(c.start_timeout, 3);
	assert_int_equal(c.retry_after, 4);
	assert_int_equal(c.timeout, 5);
	assert_int_equal(c.nenv, 0);
}

static void
test_R2_environ_ignores_config_and_other_variables(void **state)
{
	char *env[] = { "PATH=/bin", "HTTP_HOST=example.org",
		"CGI2SCGI_CONFIG=/etc/cgi2scgi.conf", "SOCKET=/not/this",
		"QUERY_STRING=CGI2SCGI_SOCKET=/evil", "NOEQUALS", NULL };
	struct config c, d;

	(void)state;
	config_defaults(&c);
	config_defaults(&d);
	assert_int_equal(environ_of(&c, env), 0);
	assert_memory_equal(&c, &d, sizeof c);
}

/* CGI2SCGI_CONFIG names a file to read next (R2), the first of the
 * name as getenv would have it; it sets no key */
static void
test_R2_environ_gives_the_config_file(void **state)
{
	char *env[] = { "A=1", "CGI2SCGI_CONFIG=/first",
		"CGI2SCGI_SOCKET=/run/a.sock", "CGI2SCGI_CONFIG=/second", NULL };
	char *none[] = { "CGI2SCGI_CONFIG", "CGI2SCGI_SOCKET=/run/a.sock", NULL };
	const char *file = NULL;
	struct config c, d;

	(void)state;
	config_defaults(&c);
	assert_int_equal(config_environ(&c, env, &file), 0);
	assert_str(file, "/first");
	assert_str(c.socket, "/run/a.sock");
	config_defaults(&d);
	d.socket = c.socket;
	assert_memory_equal(&c, &d, sizeof c);
	file = NULL;
	config_defaults(&c);
	assert_int_equal(config_environ(&c, none, &file), 0);
	assert_null(file);	/* no "=": not set */
}

/* config_environ must refuse env (-500), logging one line
 * that names the variable bad */
static void
environ_fails(struct config *c, char **env, const char *bad)
{
	char want[256];
	int r;

	config_defaults(c);
	CAPTURE(r = environ_of(c, env));
	if (r != -500)
		fail_msg("config_environ gave %d for %s, want -500", r, bad);
	snprintf(want, sizeof want, "cgi2scgi: %s: bad variable\n", bad);
	assert_string_equal(captured(), want);
}

static void
test_R2_environ_rejects_unknown_key(void **state)
{
	char *env[] = { "CGI2SCGI_SOCKET=/run/a.sock", "CGI2SCGI_FOO=1", NULL };
	char *env2[] = { "CGI2SCGI_CONFIGX=1", NULL };
	struct config c;

	(void)state;
	environ_fails(&c, env, "CGI2SCGI_FOO=1");
	environ_fails(&c, env2, "CGI2SCGI_CONFIGX=1");
}

static void
test_R2_environ_has_no_env_key(void **state)
{
	char *env[] = { "CGI2SCGI_ENV=A=1", NULL };
	struct config c;

	(void)state;
	environ_fails(&c, env, "CGI2SCGI_ENV=A=1");
	assert_int_equal(c.nenv, 0);
}

static void
test_R2_environ_rejects_bad_number(void **state)
{
	static const char *const bad[] = { "CGI2SCGI_TIMEOUT=abc",
		"CGI2SCGI_TIMEOUT=-1", "CGI2SCGI_START_TIMEOUT=",
		"CGI2SCGI_RETRY_AFTER=10s", "CGI2SCGI_TIMEOUT=+3",
		"CGI2SCGI_TIMEOUT=99999999999999999999" };
	char *env[2] = { NULL, NULL };
	struct config c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		env[0] = (char *)bad[i];
		environ_fails(&c, env, bad[i]);
	}
}

/* the first of a name wins, as in the SCGI header (R10) and as getvar
 * reads CGI2SCGI_CONFIG */
static void
test_R2_environ_first_of_a_name_wins(void **state)
{
	char *env[] = { "CGI2SCGI_SOCKET=/run/first.sock", "A=1",
		"CGI2SCGI_TIMEOUT=7", "CGI2SCGI_SOCKET=/run/second.sock",
		"CGI2SCGI_START=first", "CGI2SCGI_TIMEOUT=8",
		"CGI2SCGI_START=second", "CGI2SCGI_SOCKET=/run/third.sock",
		NULL };
	struct config c;

	(void)state;
	config_defaults(&c);
	assert_int_equal(environ_of(&c, env), 0);
	assert_str(c.socket, "/run/first.sock");
	assert_str(c.start, "first");
	assert_int_equal(c.timeout, 7);
	assert_str(getvar(env, "CGI2SCGI_SOCKET"), "/run/first.sock");
	assert_str(lookup(env, "CGI2SCGI_TIMEOUT"), "CGI2SCGI_TIMEOUT=7");
}

static void
test_R2_environ_relative_paths_stay_relative(void **state)
{
	char *env[] = { "CGI2SCGI_SOCKET=run/app.sock",
		"CGI2SCGI_DIRECTORY=app", "CGI2SCGI_LOG=logs/app.log",
		"CGI2SCGI_LOCK=app.lock", NULL };
	char *env2[] = { "CGI2SCGI_SOCKET=unix:rel.sock", NULL };
	struct config c;

	(void)state;
	config_defaults(&c);
	assert_int_equal(environ_of(&c, env), 0);
	assert_str(c.socket, "run/app.sock");
	assert_str(c.directory, "app");
	assert_str(c.log, "logs/app.log");
	assert_str(c.lock, "app.lock");
	config_defaults(&c);
	assert_int_equal(environ_of(&c, env2), 0);
	assert_str(c.socket, "unix:rel.sock");
}

static void
test_R2_file_overrides_environment(void **state)
{
	char *env[] = { "CGI2SCGI_SOCKET=/run/env.sock", "CGI2SCGI_TIMEOUT=9",
		"CGI2SCGI_START=from-env", NULL };
	struct config c;
	const char *err;
	int line;

	(void)state;
	config_defaults(&c);
	assert_int_equal(environ_of(&c, env), 0);
	err = text_of(&c, "socket = /run/file.sock\ntimeout = 8\n",
	    "/srv/cgi/app.cgi", &line);
	assert_null(err);
	assert_str(c.socket, "/run/file.sock");
	assert_int_equal(c.timeout, 8);
	assert_str(c.start, "from-env");	/* not in the file */
}

/* config_check(c): 0, or -500 and one line in the log */
static int
check(struct config *c)
{
	int r;

	CAPTURE(r = config_check(c));
	if (r == 0 && *captured() != '\0')
		fail_msg("config_check passed, but logged \"%s\"", captured());
	if (r != 0 && (r != -500 || strchr(captured(), '\n') !=
	    captured() + strlen(captured()) - 1))
		fail_msg("config_check gave %d, logged \"%s\"; want -500, one "
		    "line", r, captured());
	return r;
}

static void
test_R1_check_requires_socket(void **state)
{
	struct config c;

	(void)state;
	config_defaults(&c);
	assert_int_equal(check(&c), -500);
	c.start = "app";
	assert_int_equal(check(&c), -500);
}

static void
test_R1_check_rejects_bad_socket(void **state)
{
	static const char *const bad[] = { "tcp:127.0.0.1", "tcp:127.0.0.1:0",
		"tcp:127.0.0.1:65536", "tcp:127.0.0.1:http",
		"tcp:host.example:80", "tcp:[::1]", "unix:", NULL };
	char longpath[200];
	struct config c;
	size_t i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++) {
		config_defaults(&c);
		c.socket = bad[i];
		if (check(&c) == 0)
			fail_msg("config_check accepted socket %s", bad[i]);
	}
	memset(longpath, 'x', sizeof longpath - 1);
	longpath[0] = '/';
	longpath[sizeof longpath - 1] = '\0';
	config_defaults(&c);
	c.socket = longpath;
	assert_int_equal(check(&c), -500);
}

static void
test_R1_check_tcp_with_start_needs_lock(void **state)
{
	struct config c;

	(void)state;
	config_defaults(&c);
	c.socket = "127.0.0.1:9000";
	assert_int_equal(check(&c), 0);		/* no start: no lock needed */
	assert_null(c.lock);
	c.start = "app";
	assert_int_equal(check(&c), -500);
	c.socket = "tcp:[::1]:9000";
	assert_int_equal(check(&c), -500);
	c.lock = "/run/app.lock";
	assert_int_equal(check(&c), 0);
	config_defaults(&c);
	c.socket = "/run/app.sock";	/* unix: SOCKET.lock by default */
	c.start = "app";
	assert_int_equal(check(&c), 0);
	config_defaults(&c);
	c.socket = "unix:app.sock";
	c.start = "app";
	assert_int_equal(check(&c), 0);
}

/* stop and pidfile use the lock as start does: TCP needs one set */
static void
test_R1_check_tcp_with_stop_or_pidfile_needs_lock(void **state)
{
	struct config c;

	(void)state;
	config_defaults(&c);
	c.socket = "127.0.0.1:9000";
	c.stop = "app --stop";
	assert_int_equal(check(&c), -500);
	assert_non_null(strstr(captured(), ": TCP needs lock\n"));
	c.stop = NULL;
	c.pidfile = "/run/app.pid";
	assert_int_equal(check(&c), -500);
	c.lock = "/run/app.lock";
	assert_int_equal(check(&c), 0);
}

/* R41: restart_file needs start, and stop or pidfile */
static void
test_R41_check_restart_file_needs_start_and_stop_or_pidfile(void **state)
{
	static const struct {
		const char *start, *stop, *pidfile;
		int ok;
	} cases[] = {
		{ NULL, NULL, NULL, 0 },
		{ "app", NULL, NULL, 0 },
		{ NULL, "app --stop", NULL, 0 },
		{ NULL, NULL, "/run/app.pid", 0 },
		{ NULL, "app --stop", "/run/app.pid", 0 },
		{ "app", "app --stop", NULL, 1 },
		{ "app", NULL, "/run/app.pid", 1 },
		{ "app", "app --stop", "/run/app.pid", 1 },
	};
	struct config c;
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		config_defaults(&c);
		c.socket = "/run/app.sock";
		c.start = cases[i].start;
		c.stop = cases[i].stop;
		c.pidfile = cases[i].pidfile;
		c.restart_file = "/srv/app/restart.txt";
		r = check(&c);
		if (cases[i].ok && r != 0)
			fail_msg("case %zu refused: %s", i, captured());
		if (!cases[i].ok && (r != -500 || strstr(captured(),
		    ": restart_file needs start, and stop or pidfile\n") ==
		    NULL))
			fail_msg("case %zu: %d, logged \"%s\"", i, r,
			    captured());
		/* without restart_file, each is fine */
		c.restart_file = NULL;
		assert_int_equal(check(&c), 0);
	}
}

/* after all sources: the socket parsed once, the defaults that depend on
 * it (lock = the unix path + ".lock") or on the config file (directory =
 * its directory) filled in; a key that is set stays as set */
static void
test_R1_check_fills_lock_and_directory_defaults(void **state)
{
	char *env[] = { "CGI2SCGI_SOCKET=/run/e.sock", NULL };
	struct config c;

	(void)state;
	read_ok(&c, "socket = app.sock\nstart = app\n", "/srv/cgi/app.cgi");
	assert_int_equal(check(&c), 0);
	assert_int_equal(c.addr.u.sa.sa_family, AF_UNIX);
	assert_str(c.addr.u.un.sun_path, "/srv/cgi/app.sock");
	assert_str(c.path, "/srv/cgi/app.sock");
	assert_str(c.lock, "/srv/cgi/app.sock.lock");
	assert_str(c.directory, "/srv/cgi/");
	/* the lock is the path's, without "unix:" */
	read_ok(&c, "socket = unix:rel.sock\n", "/srv/cgi/app.cgi");
	assert_int_equal(check(&c), 0);
	assert_str(c.path, "/srv/cgi/rel.sock");
	assert_str(c.lock, "/srv/cgi/rel.sock.lock");
	/* set keys are kept */
	read_ok(&c, "socket = /run/a.sock\nlock = /run/x.lock\n"
	    "directory = /srv/app\n", "/srv/cgi/app.cgi");
	assert_int_equal(check(&c), 0);
	assert_str(c.path, "/run/a.sock");
	assert_str(c.lock, "/run/x.lock");
	assert_str(c.directory, "/srv/app");
	/* TCP: no path, so no default lock; the directory still defaults */
	read_ok(&c, "socket = 127.0.0.1:9000\n", "/srv/cgi/app.cgi");
	assert_int_equal(check(&c), 0);
	assert_int_equal(c.addr.u.sa.sa_family, AF_INET);
	assert_null(c.path);
	assert_null(c.lock);
	assert_str(c.directory, "/srv/cgi/");
	/* a bare config name: the working directory, left as it is */
	read_ok(&c, "socket = app.sock\n", "app.cgi");
	assert_int_equal(check(&c), 0);
	assert_str(c.path, "app.sock");
	assert_str(c.lock, "app.sock.lock");
	assert_null(c.directory);
	/* no config file at all */
	config_defaults(&c);
	assert_int_equal(environ_of(&c, env), 0);
	assert_int_equal(check(&c), 0);
	assert_str(c.path, "/run/e.sock");
	assert_str(c.lock, "/run/e.sock.lock");
	assert_null(c.directory);
}

/* a NUL byte within the text is an error at its line, not the end */
static void
test_R4_nul_byte_names_line(void **state)
{
	static const char t1[] = "socket = /a\n\n# c\nti\0meout = 5\n";
	static const char t2[] = "\0socket = /a\n";
	static const char t3[] = "socket = /a\nstart = app\0";
	static const char t4[] = "socket = /a\n# a comment \0 too\n";
	struct config c;
	const char *err;
	int line;

	(void)state;
	config_defaults(&c);
	err = text_n(&c, t1, sizeof t1 - 1, "/srv/cgi/app.cgi", &line);
	assert_str(err, "NUL byte");
	assert_int_equal(line, 4);
	err = text_n(&c, t2, sizeof t2 - 1, "/srv/cgi/app.cgi", &line);
	assert_str(err, "NUL byte");
	assert_int_equal(line, 1);
	err = text_n(&c, t3, sizeof t3 - 1, "/srv/cgi/app.cgi", &line);
	assert_str(err, "NUL byte");
	assert_int_equal(line, 2);
	err = text_n(&c, t4, sizeof t4 - 1, "/srv/cgi/app.cgi", &line);
	assert_str(err, "NUL byte");
	assert_int_equal(line, 2);
	/* the bytes before n only: the NUL after them ends the text */
	err = text_n(&c, t3, sizeof t3 - 2, "/srv/cgi/app.cgi", &line);
	assert_null(err);
	assert_str(c.start, "app");
}

/* the same from a file: -500, and the log line names file:line */
static void
test_R4_nul_byte_in_file_logged_with_line(void **state)
{
	static const char text[] = "#!/usr/local/bin/cgi2scgi\n"
	    "socket = /a\nlog = /x\0y\n";
	const char *tmp = getenv("TMPDIR");
	char file[256], want[320];
	struct config c;
	int fd, r;

	(void)state;
	snprintf(file, sizeof file, "%s/cgi2scgi-unit-XXXXXX",
	    tmp && *tmp ? tmp : "/tmp");
	fd = mkstemp(file);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof text - 1), sizeof text - 1);
	close(fd);
	config_defaults(&c);
	CAPTURE(r = config_file(&c, file, 1));
	unlink(file);
	assert_int_equal(r, -500);
	snprintf(want, sizeof want, "cgi2scgi: %s:3: NUL byte\n", file);
	assert_string_equal(captured(), want);
}

int
config_tests(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_R1_defaults),
		cmocka_unit_test(test_R4_every_key_is_read),
		cmocka_unit_test(test_R1_env_is_repeatable_value_keeps_equals),
		cmocka_unit_test(test_R4_blank_lines_and_comments_ignored),
		cmocka_unit_test(test_R4_surrounding_blanks_trimmed),
		cmocka_unit_test(test_R4_crlf_line_endings_trimmed),
		cmocka_unit_test(test_R4_hash_inside_value_kept),
		cmocka_unit_test(test_R3_shebang_first_line_is_a_comment),
		cmocka_unit_test(test_R4_relative_paths_join_config_dir),
		cmocka_unit_test(
		    test_R4_relative_config_name_keeps_paths_relative_to_it),
		cmocka_unit_test(test_R4_absolute_paths_kept),
		cmocka_unit_test(test_R4_tcp_sockets_not_joined),
		cmocka_unit_test(test_R4_start_and_env_values_not_joined),
		cmocka_unit_test(test_R2_later_key_overrides_earlier),
		cmocka_unit_test(test_R4_unknown_key_names_line),
		cmocka_unit_test(test_R4_malformed_line_without_equals_names_line),
		cmocka_unit_test(test_R4_malformed_line_empty_key_names_line),
		cmocka_unit_test(test_R4_bad_number_names_line),
		cmocka_unit_test(test_R1_env_line_needs_name_and_equals),
		cmocka_unit_test(test_R1_seconds_are_whole_decimal),
		cmocka_unit_test(test_R2_environ_sets_every_key),
		cmocka_unit_test(test_R2_environ_ignores_config_and_other_variables),
		cmocka_unit_test(test_R2_environ_gives_the_config_file),
		cmocka_unit_test(test_R2_environ_rejects_unknown_key),
		cmocka_unit_test(test_R2_environ_has_no_env_key),
		cmocka_unit_test(test_R2_environ_rejects_bad_number),
		cmocka_unit_test(test_R2_environ_first_of_a_name_wins),
		cmocka_unit_test(test_R2_environ_relative_paths_stay_relative),
		cmocka_unit_test(test_R2_file_overrides_environment),
		cmocka_unit_test(test_R1_check_requires_socket),
		cmocka_unit_test(test_R1_check_rejects_bad_socket),
		cmocka_unit_test(test_R1_check_tcp_with_start_needs_lock),
		cmocka_unit_test(test_R1_check_tcp_with_stop_or_pidfile_needs_lock),
		cmocka_unit_test(
		    test_R41_check_restart_file_needs_start_and_stop_or_pidfile),
		cmocka_unit_test(test_R1_check_fills_lock_and_directory_defaults),
		cmocka_unit_test(test_R4_nul_byte_names_line),
		cmocka_unit_test(test_R4_nul_byte_in_file_logged_with_line),
	};

	return cmocka_run_group_tests_name("config (R1-R4, R41)", tests, NULL, NULL);
}
