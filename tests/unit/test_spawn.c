/* Starting the app: its environment, the connect back-off, the quiet
 * window after failures (SPEC R36, R39, R45). */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "unit.h"

/* the room spawn() in spawn.c gives start_env: MAX_ENV env lines, the 8
 * kept names and the socket; keep in step with that call */
#define MAX_OUT (MAX_ENV + 9)

static const char sockvar[] = "CGI2SCGI_SOCKET=/run/app.sock";

/* the entries start_env gives */
static size_t
env_of(const char **out, char **env, const struct config *c)
{
	size_t n, i;

	for (i = 0; i < MAX_OUT; i++)
		out[i] = NULL;
	n = start_env(out, MAX_OUT, env, c, sockvar);
	assert_true(n <= MAX_OUT);
	for (i = 0; i < n; i++)
		assert_non_null(out[i]);
	return n;
}

/* how many entries are named as name= begins */
static int
count_named(const char **out, size_t n, const char *name)
{
	size_t i, k = strlen(name);
	int count = 0;

	for (i = 0; i < n; i++)
		count += strncmp(out[i], name, k) == 0 && out[i][k] == '=';
	return count;
}

/* entry is present, exactly once */
static void
want_entry(const char **out, size_t n, const char *entry)
{
	size_t i, k = strcspn(entry, "=");
	int found = 0;
	char name[64];

	for (i = 0; i < n; i++)
		found += strcmp(out[i], entry) == 0;
	if (found != 1)
		fail_msg("\"%s\" found %d times in the start environment",
		    entry, found);
	memcpy(name, entry, k);
	name[k] = '\0';
	if (count_named(out, n, name) != 1)
		fail_msg("%s given %d times", name, count_named(out, n, name));
}

static void
test_R36_kept_names_config_env_and_socket_only(void **state)
{
	char *env[] = { "HTTP_HOST=example.org", "PATH=/custom/bin",
		"HOME=/home/u", "QUERY_STRING=a=1", "USER=u", "LOGNAME=u",
		"REMOTE_ADDR=192.0.2.1", "LANG=C.UTF-8", "LC_ALL=C",
		"HTTP_COOKIE=session=secret", "TZ=UTC", "TMPDIR=/var/tmp/u",
		"HTTP_AUTHORIZATION=Basic dTpw", "REMOTE_USER=bob",
		"CONTENT_LENGTH=3", "GATEWAY_INTERFACE=CGI/1.1",
		"CGI2SCGI_SOCKET=/evil.sock", "CGI2SCGI_CONFIG=/x",
		"LD_PRELOAD=/evil.so", "PATHX=1", "HOMER=1", "REQUEST_METHOD=GET",
		"SCRIPT_NAME=/cgi-bin/app.cgi", "HTTP_PROXY=http://evil",
		"REMOTE_HOST=h", "AUTH_TYPE=Basic", NULL };
	static const char *const want[] = { "PATH=/custom/bin", "HOME=/home/u",
		"USER=u", "LOGNAME=u", "LANG=C.UTF-8", "LC_ALL=C", "TZ=UTC",
		"TMPDIR=/var/tmp/u", "APP_MODE=prod", "APP_DB=db/main", sockvar };
	const char *out[MAX_OUT];
	struct config c;
	size_t n, i;

	(void)state;
	config_defaults(&c);
	c.env[c.nenv++] = "APP_MODE=prod";
	c.env[c.nenv++] = "APP_DB=db/main";
	n = env_of(out, env, &c);
	for (i = 0; i < sizeof want / sizeof *want; i++)
		want_entry(out, n, want[i]);
	for (i = 0; i < n; i++)
		if (strncmp(out[i], "HTTP_", 5) == 0 ||
		    strncmp(out[i], "REMOTE_", 7) == 0 ||
		    strncmp(out[i], "QUERY_STRING=", 13) == 0 ||
		    strncmp(out[i], "AUTH_TYPE=", 10) == 0)
			fail_msg("request-derived \"%s\" given to start", out[i]);
	if (n != sizeof want / sizeof *want)
		for (i = 0; i < n; i++)
			print_message("  start env: %s\n", out[i]);
	assert_int_equal(n, sizeof want / sizeof *want);
}

static void
test_R36_default_path_when_unset(void **state)
{
	char *empty[] = { NULL };
	char *env[] = { "HOME=/home/u", "HTTP_HOST=x", "PATHX=/no", NULL };
	const char *out[MAX_OUT];
	struct config c;
	size_t n;

	(void)state;
	config_defaults(&c);
	n = env_of(out, empty, &c);
	want_entry(out, n, "PATH=/usr/local/bin:/usr/bin:/bin");
	want_entry(out, n, sockvar);
	assert_int_equal(n, 2);
	n = env_of(out, env, &c);
	want_entry(out, n, "PATH=/usr/local/bin:/usr/bin:/bin");
	want_entry(out, n, "HOME=/home/u");
	want_entry(out, n, sockvar);
	assert_int_equal(n, 3);
}

static void
test_R36_only_names_that_are_set(void **state)
{
	char *env[] = { "PATH=/bin", "LANG", "TZ", "HOME=", NULL };
	const char *out[MAX_OUT];
	struct config c;
	size_t n;

	(void)state;
	config_defaults(&c);
	n = env_of(out, env, &c);
	want_entry(out, n, "PATH=/bin");
	want_entry(out, n, "HOME=");	/* set, if empty */
	want_entry(out, n, sockvar);
	assert_int_equal(count_named(out, n, "LANG"), 0);
	assert_int_equal(count_named(out, n, "TZ"), 0);
	assert_int_equal(n, 3);
}

/* the last entry of name in out, or NULL: /bin/sh, which runs start,
 * keeps the last of a name (dash and bash both do) */
static const char *
last_of(const char **out, size_t n, const char *name)
{
	const char *found = NULL;
	size_t i, k = strlen(name);

	for (i = 0; i < n; i++)
		if (strncmp(out[i], name, k) == 0 && out[i][k] == '=')
			found = out[i];
	return found;
}

static void
test_R36_env_line_overrides_kept_name(void **state)
{
	char *env[] = { "PATH=/server/bin", "TZ=UTC", "HOME=/home/u", NULL };
	char *empty[] = { NULL };
	const char *out[MAX_OUT];
	struct config c;
	size_t n;

	(void)state;
	config_defaults(&c);
	c.env[c.nenv++] = "TZ=Europe/Paris";
	c.env[c.nenv++] = "PATH=/opt/app/bin:/usr/bin";
	n = env_of(out, env, &c);
	assert_string_equal(last_of(out, n, "PATH"),
	    "PATH=/opt/app/bin:/usr/bin");
	assert_string_equal(last_of(out, n, "TZ"), "TZ=Europe/Paris");
	assert_string_equal(last_of(out, n, "HOME"), "HOME=/home/u");
	assert_string_equal(out[n - 1], sockvar);	/* never overridden */
	/* and over the default PATH */
	n = env_of(out, empty, &c);
	assert_string_equal(last_of(out, n, "PATH"),
	    "PATH=/opt/app/bin:/usr/bin");
	assert_string_equal(last_of(out, n, "TZ"), "TZ=Europe/Paris");
	assert_string_equal(out[n - 1], sockvar);
	assert_null(last_of(out, n, "HOME"));
}

static void
test_R36_all_env_lines_fit(void **state)
{
	static char lines[MAX_ENV][16];
	char *env[] = { "PATH=/bin", "HOME=/h", "USER=u", "LOGNAME=u",
		"LANG=C", "LC_ALL=C", "TZ=UTC", "TMPDIR=/t", NULL };
	const char *out[MAX_OUT];
	struct config c;
	size_t n;
	int i;

	(void)state;
	config_defaults(&c);
	for (i = 0; i < MAX_ENV; i++) {
		snprintf(lines[i], sizeof lines[i], "APP_%d=%d", i, i);
		c.env[c.nenv++] = lines[i];
	}
	n = env_of(out, env, &c);
	for (i = 0; i < MAX_ENV; i++)
		want_entry(out, n, lines[i]);
	want_entry(out, n, "PATH=/bin");
	want_entry(out, n, "TMPDIR=/t");
	want_entry(out, n, sockvar);
	assert_int_equal(n, MAX_ENV + 9);
}

static void
test_R39_backoff_starts_near_1ms_grows_to_at_most_5ms(void **state)
{
	long prev, b;
	int i;

	(void)state;
	prev = backoff_us(0);
	if (prev < 500 || prev > 1500)
		fail_msg("first back-off %ld us, want about 1000", prev);
	for (i = 1; i < 100000; i++) {
		b = backoff_us(i);
		if (b < prev)
			fail_msg("back-off %d is %ld us, below %ld", i, b, prev);
		if (b > 5000)
			fail_msg("back-off %d is %ld us, above 5000", i, b);
		prev = b;
	}
	assert_true(backoff_us(INT_MAX) <= 5000);
	assert_true(backoff_us(INT_MAX) >= prev);
}

/* quiet_left for a record of state and failures dated epoch, at now
 * (whole seconds, rounded down, as now_s gives them), with retry_after */
static long
quiet(long retry_after, int st, int failures, long long epoch,
    long long now)
{
	struct record r = { .epoch = epoch, .state = st,
		.failures = failures };
	struct config c;

	config_defaults(&c);
	c.retry_after = retry_after;
	return quiet_left(&c, &r, now);
}

/* R45: retry_after x 2^(n-1) after the n-th failure in a row, at most
 * max(600, retry_after) */
static void
test_R45_quiet_window_grows_and_is_capped(void **state)
{
	static const struct { long retry_after; int n; long want; } w[] = {
		{ 10, 1, 10 }, { 10, 2, 20 }, { 10, 3, 40 }, { 10, 4, 80 },
		{ 10, 6, 320 }, { 10, 7, 600 }, { 10, 8, 600 },
		{ 10, 1000, 600 }, { 10, INT_MAX, 600 },
		{ 7, 1, 7 }, { 7, 7, 448 }, { 7, 8, 600 },
		{ 1, 1, 1 }, { 1, 10, 512 }, { 1, 11, 600 },
		{ 600, 1, 600 }, { 600, 2, 600 },
		{ 1000, 1, 1000 }, { 1000, 2, 1000 }, { 1000, INT_MAX, 1000 },
		{ 999999, 1, 999999 }, { 999999, 5, 999999 },
	};
	long long e = 1700000000;
	size_t i;
	long got;

	(void)state;
	for (i = 0; i < sizeof w / sizeof *w; i++) {
		got = quiet(w[i].retry_after, FAILED, w[i].n, e, e);
		if (got != w[i].want)
			fail_msg("retry_after %ld, %d failures: %ld s, want %ld",
			    w[i].retry_after, w[i].n, got, w[i].want);
	}
}

/* what is left in whole seconds, rounded up: now_s() rounds down, so
 * that half a second after the failure (now = epoch) all 10 are left;
 * 0 once it is over */
static void
test_R45_quiet_left_rounds_up_and_ends(void **state)
{
	long long e = 1700000000;

	(void)state;
	assert_int_equal(quiet(10, FAILED, 1, e, e), 10);
	assert_int_equal(quiet(10, FAILED, 1, e, e + 1), 9);
	assert_int_equal(quiet(10, FAILED, 1, e, e + 9), 1);
	assert_int_equal(quiet(10, FAILED, 1, e, e + 10), 0);
	assert_int_equal(quiet(10, FAILED, 1, e, e + 86400), 0);
	assert_int_equal(quiet(10, FAILED, 3, e, e + 39), 1);
	assert_int_equal(quiet(10, FAILED, 3, e, e + 40), 0);
	assert_int_equal(quiet(10, FAILED, 100, e, e + 599), 1);
	assert_int_equal(quiet(10, FAILED, 100, e, e + 600), 0);
}

/* no window unless the last start failed: started, stopped (R46), or
 * retry_after 0; whatever FAILURES says, and at once */
static void
test_R45_no_quiet_window_unless_failed(void **state)
{
	long long e = 1700000000;
	clock_t t;

	(void)state;
	assert_int_equal(quiet(10, STARTED, 0, e, e), 0);
	assert_int_equal(quiet(10, STARTED, 5, e, e), 0);
	assert_int_equal(quiet(10, STOPPED, 0, e, e), 0);
	assert_int_equal(quiet(10, STOPPED, 3, e, e), 0);
	assert_int_equal(quiet(0, FAILED, 1, e, e), 0);
	assert_int_equal(quiet(0, FAILED, 1000, e, e), 0);
	t = clock();
	assert_int_equal(quiet(0, FAILED, INT_MAX, e, e), 0);
	t = clock() - t;	/* no doubling of 0, 2^31 times */
	if (t > CLOCKS_PER_SEC / 10)
		fail_msg("quiet_left took %ld ms", (long)(t * 1000 /
		    CLOCKS_PER_SEC));
}

int
spawn_tests(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_R36_kept_names_config_env_and_socket_only),
		cmocka_unit_test(test_R36_default_path_when_unset),
		cmocka_unit_test(test_R36_only_names_that_are_set),
		cmocka_unit_test(test_R36_env_line_overrides_kept_name),
		cmocka_unit_test(test_R36_all_env_lines_fit),
		cmocka_unit_test(
		    test_R39_backoff_starts_near_1ms_grows_to_at_most_5ms),
		cmocka_unit_test(test_R45_quiet_window_grows_and_is_capped),
		cmocka_unit_test(test_R45_quiet_left_rounds_up_and_ends),
		cmocka_unit_test(test_R45_no_quiet_window_unless_failed),
	};

	return cmocka_run_group_tests_name("starting the app (R36, R39, R45)", tests,
	    NULL, NULL);
}
