/* The request: CONTENT_LENGTH, the SCGI header, the status line
 * (SPEC R10, R13, R16, R17). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

static void
test_R13_unset_or_empty_length_is_zero(void **state)
{
	unsigned long long n;

	(void)state;
	n = 99;
	assert_int_equal(parse_length(NULL, &n), 0);
	assert_true(n == 0);
	n = 99;
	assert_int_equal(parse_length("", &n), 0);
	assert_true(n == 0);
}

static void
test_R13_plain_decimal_length(void **state)
{
	unsigned long long n;

	(void)state;
	assert_int_equal(parse_length("0", &n), 0);
	assert_true(n == 0);
	assert_int_equal(parse_length("1", &n), 0);
	assert_true(n == 1);
	assert_int_equal(parse_length("1073741824", &n), 0);
	assert_true(n == 1073741824ULL);
	assert_int_equal(parse_length("00012", &n), 0);
	assert_true(n == 12);
}

static void
test_R13_bad_length_rejected(void **state)
{
	static const char *const bad[] = { "-1", "+1", " 1", "1 ", "0x10",
		"1e3", "1.0", "abc", "12a", " ", "\t5", "5\n",
		"99999999999999999999", "18446744073709551616" };
	unsigned long long n;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof *bad; i++)
		if (parse_length(bad[i], &n) == 0)
			fail_msg("parse_length accepted \"%s\" as %llu", bad[i],
			    n);
}

static void
test_R13_overflow_at_llong_max(void **state)
{
	unsigned long long n;
	char s[32];

	(void)state;
	snprintf(s, sizeof s, "%lld", LLONG_MAX);
	assert_int_equal(parse_length(s, &n), 0);
	assert_true(n == (unsigned long long)LLONG_MAX);
	snprintf(s, sizeof s, "%llu", (unsigned long long)LLONG_MAX + 1);
	assert_int_not_equal(parse_length(s, &n), 0);
	snprintf(s, sizeof s, "%llu", ULLONG_MAX);
	assert_int_not_equal(parse_length(s, &n), 0);
}

/* the header of env and length must be exactly "LEN:" content "," */
static void
want_header(char **env, const char *length, const char *content,
    size_t clen)
{
	char want[8192], *buf;
	size_t n, got, w;

	w = snprintf(want, sizeof want, "%zu:", clen);
	assert_true(w + clen + 1 < sizeof want);
	memcpy(want + w, content, clen);
	want[w + clen] = ',';
	w += clen + 1;
	/* the header and 24 bytes to spare: exactly enough */
	buf = malloc(w + 24 + 64);
	assert_non_null(buf);
	memset(buf, '~', w + 24 + 64);
	n = scgi_header(buf, clen + 24 > 96 ? clen + 24 : 96, env, length);
	if (n != w)
		fail_msg("scgi_header size %zu, want %zu", n, w);
	if (memcmp(buf, want, n) != 0) {
		size_t i;

		for (i = 0; i < n && buf[i] == want[i]; i++)
			;
		fail_msg("header differs at byte %zu of %zu", i, n);
	}
	/* a byte less: none */
	if (clen + 24 > 96)
		assert_int_equal(scgi_header(buf, clen + 23, env, length), 0);
	got = scgi_header(buf, w + 24 + 64, env, length);
	assert_int_equal(got, n);
	assert_memory_equal(buf, want, n);
	free(buf);
}

/* a literal with its embedded NULs */
#define WANT(env, len, lit) want_header(env, len, lit, sizeof lit - 1)

static void
test_R10_empty_environment(void **state)
{
	char *env[] = { NULL }, buf[128];

	(void)state;
	WANT(env, "0", "CONTENT_LENGTH\0" "0\0" "SCGI\0" "1\0");
	assert_int_equal(scgi_header(buf, sizeof buf, env, "0"), 3 + 24 + 1);
}

static void
test_R10_length_first_scgi_second_order_kept(void **state)
{
	char *env[] = { "REQUEST_METHOD=POST", "HTTP_HOST=example.org",
		"PATH_INFO=/a/b", "CONTENT_TYPE=text/plain", NULL };

	(void)state;
	WANT(env, "42",
	    "CONTENT_LENGTH\0" "42\0"
	    "SCGI\0" "1\0"
	    "REQUEST_METHOD\0" "POST\0"
	    "HTTP_HOST\0" "example.org\0"
	    "PATH_INFO\0" "/a/b\0"
	    "CONTENT_TYPE\0" "text/plain\0");
}

static void
test_R10_cgi2scgi_variables_dropped(void **state)
{
	char *env[] = { "CGI2SCGI_SOCKET=/run/a.sock", "A=1",
		"CGI2SCGI_CONFIG=/etc/x", "CGI2SCGI_START=app", "B=2",
		"CGI2SCGIX=kept", NULL };

	(void)state;
	WANT(env, "0",
	    "CONTENT_LENGTH\0" "0\0" "SCGI\0" "1\0"
	    "A\0" "1\0" "B\0" "2\0" "CGI2SCGIX\0" "kept\0");
}

static void
test_R10_entries_without_equals_or_name_dropped(void **state)
{
	char *env[] = { "NOEQUALS", "=value", "A=1", "=", "", "B=2", NULL };

	(void)state;
	WANT(env, "0",
	    "CONTENT_LENGTH\0" "0\0" "SCGI\0" "1\0"
	    "A\0" "1\0" "B\0" "2\0");
}

static void
test_R10_duplicate_name_first_wins(void **state)
{
	char *env[] = { "A=1", "B=x", "A=2", "AB=3", "B=y", "A=3", NULL };
	char *env2[] = { "HTTP_X_Y=1", "HTTP_X=2", "HTTP_X_Y=3", NULL };
	char *env3[] = { "DUP", "DUP=second", NULL };

	(void)state;
	WANT(env, "0",
	    "CONTENT_LENGTH\0" "0\0" "SCGI\0" "1\0"
	    "A\0" "1\0" "B\0" "x\0" "AB\0" "3\0");
	WANT(env2, "0",
	    "CONTENT_LENGTH\0" "0\0" "SCGI\0" "1\0"
	    "HTTP_X_Y\0" "1\0" "HTTP_X\0" "2\0");
	/* an entry without "=" is not a value: the later one is the first */
	WANT(env3, "0",
	    "CONTENT_LENGTH\0" "0\0" "SCGI\0" "1\0" "DUP\0" "second\0");
}

static void
test_R10_content_length_and_scgi_not_sent_twice(void **state)
{
	char *env[] = { "SCGI=2", "CONTENT_LENGTH=5", "A=1",
		"CONTENT_LENGTHX=k", "SCGIX=k", "CONTENT_LENGTH=6", NULL };

	(void)state;
	WANT(env, "5",
	    "CONTENT_LENGTH\0" "5\0" "SCGI\0" "1\0"
	    "A\0" "1\0" "CONTENT_LENGTHX\0" "k\0" "SCGIX\0" "k\0");
	/* the length given wins over the environment's */
	WANT(env, "123",
	    "CONTENT_LENGTH\0" "123\0" "SCGI\0" "1\0"
	    "A\0" "1\0" "CONTENT_LENGTHX\0" "k\0" "SCGIX\0" "k\0");
}

static void
test_R17_transfer_encoding_never_sent(void **state)
{
	char *env[] = { "A=1", "HTTP_TRANSFER_ENCODING=chunked", "B=2",
		"HTTP_TRANSFER_ENCODINGX=k", NULL };

	(void)state;
	WANT(env, "77",
	    "CONTENT_LENGTH\0" "77\0" "SCGI\0" "1\0"
	    "A\0" "1\0" "B\0" "2\0" "HTTP_TRANSFER_ENCODINGX\0" "k\0");
}

/* R17: a transfer coding and no length, in any spelling: the body is
 * spooled to its EOF; with a length, or no coding, it is not */
static void
test_R17_unframed_body(void **state)
{
	char *chunked[] = { "HTTP_TRANSFER_ENCODING=chunked", NULL };
	char *spelled[] = { "A=1", "HTTP_TRANSFER_ENCODING=gzip, Chunked",
		NULL };
	char *empty[] = { "HTTP_TRANSFER_ENCODING=", NULL };
	char *none[] = { "HTTP_TRANSFER_ENCODINGX=chunked", NULL };

	(void)state;
	assert_int_equal(unframed(chunked, NULL), 1);
	assert_int_equal(unframed(chunked, ""), 1);
	assert_int_equal(unframed(spelled, NULL), 1);
	assert_int_equal(unframed(chunked, "5"), 0);
	assert_int_equal(unframed(chunked, "0"), 0);
	assert_int_equal(unframed(empty, NULL), 0);
	assert_int_equal(unframed(none, NULL), 0);
}

static void
test_R10_value_with_equals_and_empty_value_kept(void **state)
{
	char *env[] = { "QUERY_STRING=a=1&b==2=", "EMPTY=", "HTTP_X==", NULL };

	(void)state;
	WANT(env, "0",
	    "CONTENT_LENGTH\0" "0\0" "SCGI\0" "1\0"
	    "QUERY_STRING\0" "a=1&b==2=\0" "EMPTY\0" "\0" "HTTP_X\0" "=\0");
}

static void
test_R10_long_header_length_prefix(void **state)
{
	char big[3000], want[4000], *env[] = { big, NULL };
	size_t n;

	(void)state;
	memcpy(big, "HTTP_COOKIE=", 12);
	memset(big + 12, 'c', sizeof big - 13);
	big[sizeof big - 1] = '\0';
	n = 0;
	memcpy(want + n, "CONTENT_LENGTH\0" "0\0" "SCGI\0" "1\0", 24);
	n += 24;
	memcpy(want + n, "HTTP_COOKIE", 12);	/* with its NUL */
	n += 12;
	memcpy(want + n, big + 12, sizeof big - 12);
	n += sizeof big - 12;
	want_header(env, "0", want, n);
	assert_int_equal(n, 24 + sizeof big);
}

/* more than 4096 variables: 0, which the caller answers with a 500;
 * 4096 are still sent (each name compared with those before it, R10) */
static void
test_R10_more_than_4096_variables_gives_zero(void **state)
{
	enum { MAX = 4096 };
	static char names[MAX + 1][16];
	static char *env[MAX + 2];
	char *buf;
	size_t i, n, content = 24, want;
	char prefix[24];

	(void)state;
	for (i = 0; i < MAX + 1; i++) {
		snprintf(names[i], sizeof names[i], "V%zu=%zu", i, i % 10);
		env[i] = names[i];
	}
	/* exactly 4096: all of them */
	env[MAX] = NULL;
	for (i = 0; i < MAX; i++)
		content += strlen(names[i]) + 1;
	want = snprintf(prefix, sizeof prefix, "%zu:", content) + content + 1;
	buf = malloc(want + 64);
	assert_non_null(buf);
	n = scgi_header(buf, want + 64, env, "0");
	assert_int_equal(n, want);
	assert_memory_equal(buf, prefix, strlen(prefix));
	assert_int_equal(buf[n - 1], ',');
	/* 4097: none */
	env[MAX] = names[MAX];
	env[MAX + 1] = NULL;
	assert_int_equal(scgi_header(buf, want + 64, env, "0"), 0);
	/* entries that are not sent count too: the bound is on the loop */
	env[MAX] = "NOEQUALS";
	assert_int_equal(scgi_header(buf, want + 64, env, "0"), 0);
	free(buf);
}

static void
test_R16_status_line_detected(void **state)
{
	static const char *const yes[] = { "HTTP/1.1 200 OK\r\n",
		"HTTP/1.0 404\n", "HTTP/1.1 302 Found\r\nLocation: /\r\n\r\n",
		"HTTP/1.0 500\r\n", "HTTP/1.1 204 \r\n" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof yes / sizeof *yes; i++)
		if (status_line(yes[i], strlen(yes[i])) != 1)
			fail_msg("status_line(\"%s\") is %d, want 1", yes[i],
			    status_line(yes[i], strlen(yes[i])));
}

static void
test_R16_cgi_headers_not_a_status_line(void **state)
{
	static const char *const no[] = { "Status: 200 OK\r\n",
		"Content-Type: text/html\r\n", "HTTP/2 200\r\n",
		"HTTP/1.1 20x OK\r\n", "HTTP/1.1 2000 OK\r\n", "HTTP/1.x 200\r\n",
		"HTTPS/1.1 200\r\n", "X", "HTTP/1.1  200 OK\r\n" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof no / sizeof *no; i++)
		if (status_line(no[i], strlen(no[i])) != 0)
			fail_msg("status_line(\"%s\") is %d, want 0", no[i],
			    status_line(no[i], strlen(no[i])));
	/* decided as soon as a byte differs */
	assert_int_equal(status_line("S", 1), 0);
	assert_int_equal(status_line("HTTP/2", 6), 0);
}

static void
test_R16_short_prefix_undecided(void **state)
{
	static const char full[] = "HTTP/1.1 200 OK\r\n";
	size_t n;

	(void)state;
	assert_int_equal(status_line("HTT", 3), -1);
	assert_int_equal(status_line("HTTP/1.1 20", 11), -1);
	for (n = 0; n < 12; n++)
		if (status_line(full, n) != -1)
			fail_msg("status_line of %zu bytes of \"%s\" is %d, "
			    "want -1", n, full, status_line(full, n));
	/* only the first n bytes count */
	assert_int_equal(status_line("HTTP/1.1 20x OK", 11), -1);
}

int
request_tests(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_R13_unset_or_empty_length_is_zero),
		cmocka_unit_test(test_R13_plain_decimal_length),
		cmocka_unit_test(test_R13_bad_length_rejected),
		cmocka_unit_test(test_R13_overflow_at_llong_max),
		cmocka_unit_test(test_R10_empty_environment),
		cmocka_unit_test(test_R10_length_first_scgi_second_order_kept),
		cmocka_unit_test(test_R10_cgi2scgi_variables_dropped),
		cmocka_unit_test(test_R10_entries_without_equals_or_name_dropped),
		cmocka_unit_test(test_R10_duplicate_name_first_wins),
		cmocka_unit_test(test_R10_content_length_and_scgi_not_sent_twice),
		cmocka_unit_test(
		    test_R17_transfer_encoding_never_sent),
		cmocka_unit_test(test_R17_unframed_body),
		cmocka_unit_test(test_R10_value_with_equals_and_empty_value_kept),
		cmocka_unit_test(test_R10_long_header_length_prefix),
		cmocka_unit_test(test_R10_more_than_4096_variables_gives_zero),
		cmocka_unit_test(test_R16_status_line_detected),
		cmocka_unit_test(test_R16_cgi_headers_not_a_status_line),
		cmocka_unit_test(test_R16_short_prefix_undecided),
	};

	return cmocka_run_group_tests_name("request (R10-R17)", tests, NULL,
	    NULL);
}
