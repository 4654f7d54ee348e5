/* The socket key: unix paths and TCP addresses (SPEC R1). */
#include <arpa/inet.h>
#include <string.h>

#include "unit.h"

static void
want_unix(const char *s, const char *path)
{
	struct addr a;
	size_t n = strlen(path);

	memset(&a, 0x5a, sizeof a);
	if (parse_addr(s, &a) != 0)
		fail_msg("parse_addr(\"%s\") failed, want unix %s", s, path);
	assert_int_equal(a.u.un.sun_family, AF_UNIX);
	assert_str(a.u.un.sun_path, path);
	assert_true(a.len >= offsetof(struct sockaddr_un, sun_path) + n);
	assert_true(a.len <= sizeof a.u.un);
}

static void
want_ipv4(const char *s, int b0, int b1, int b2, int b3, unsigned port)
{
	unsigned char want[4] = { b0, b1, b2, b3 };
	const unsigned char *p;
	struct addr a;

	memset(&a, 0x5a, sizeof a);
	if (parse_addr(s, &a) != 0)
		fail_msg("parse_addr(\"%s\") failed, want IPv4", s);
	assert_int_equal(a.u.in.sin_family, AF_INET);
	p = (const unsigned char *)&a.u.in.sin_port;	/* network order */
	assert_int_equal(p[0], port >> 8);
	assert_int_equal(p[1], port & 0xff);
	assert_memory_equal(&a.u.in.sin_addr, want, 4);
	assert_int_equal(a.len, sizeof a.u.in);
}

static void
want_ipv6(const char *s, const char *text, unsigned port)
{
	unsigned char want[16];
	const unsigned char *p;
	struct addr a;

	assert_int_equal(inet_pton(AF_INET6, text, want), 1);
	memset(&a, 0x5a, sizeof a);
	if (parse_addr(s, &a) != 0)
		fail_msg("parse_addr(\"%s\") failed, want IPv6", s);
	assert_int_equal(a.u.in6.sin6_family, AF_INET6);
	p = (const unsigned char *)&a.u.in6.sin6_port;
	assert_int_equal(p[0], port >> 8);
	assert_int_equal(p[1], port & 0xff);
	assert_memory_equal(&a.u.in6.sin6_addr, want, 16);
	assert_int_equal(a.len, sizeof a.u.in6);
}

static void
want_invalid(const char *s)
{
	struct addr a;

	memset(&a, 0x5a, sizeof a);
	if (parse_addr(s, &a) != -1)
		fail_msg("parse_addr(\"%s\") accepted, as family %d%s%s", s,
		    a.u.sa.sa_family, a.u.sa.sa_family == AF_UNIX ?
		    " path " : "", a.u.sa.sa_family == AF_UNIX ?
		    a.u.un.sun_path : "");
	if (a.len != 0)
		fail_msg("parse_addr(\"%s\") refused, but len is %u", s,
		    (unsigned)a.len);
}

/* the unix socket path that config_check finds in socket s (c->path,
 * without "unix:"), or NULL for TCP; s must be a valid socket */
static const char *
path_of_socket(const char *s)
{
	static char buf[4][sizeof ((struct sockaddr_un *)0)->sun_path];
	static int i;
	struct config c;
	int r;

	config_defaults(&c);
	c.socket = s;
	QUIET(r = config_check(&c));
	if (r != 0)
		fail_msg("config_check refused socket \"%s\" (%d)", s, r);
	if (c.path == NULL)
		return NULL;
	i = (i + 1) % 4;
	assert_true(strlen(c.path) < sizeof buf[i]);
	return strcpy(buf[i], c.path);
}

static void
test_R1_unix_path(void **state)
{
	(void)state;
	want_unix("/run/app.sock", "/run/app.sock");
	want_unix("app.sock", "app.sock");
	want_unix("./run/app.sock", "./run/app.sock");
}

static void
test_R1_unix_prefix(void **state)
{
	(void)state;
	want_unix("unix:/run/app.sock", "/run/app.sock");
	want_unix("unix:rel.sock", "rel.sock");
	want_unix("unix:127.0.0.1:9000", "127.0.0.1:9000");
	want_invalid("unix:");
	want_invalid("");
}

static void
test_R1_ipv4_host_port(void **state)
{
	(void)state;
	want_ipv4("127.0.0.1:9000", 127, 0, 0, 1, 9000);
	want_ipv4("tcp:127.0.0.1:9000", 127, 0, 0, 1, 9000);
	want_ipv4("10.1.2.3:80", 10, 1, 2, 3, 80);
	want_ipv4("192.168.255.254:65535", 192, 168, 255, 254, 65535);
	want_ipv4("tcp:0.0.0.0:1", 0, 0, 0, 0, 1);
}

static void
test_R1_localhost_is_127_0_0_1(void **state)
{
	(void)state;
	want_ipv4("localhost:9000", 127, 0, 0, 1, 9000);
	want_ipv4("tcp:localhost:9000", 127, 0, 0, 1, 9000);
}

static void
test_R1_bracketed_ipv6(void **state)
{
	(void)state;
	want_ipv6("[::1]:9000", "::1", 9000);
	want_ipv6("tcp:[::1]:9000", "::1", 9000);
	want_ipv6("[2001:db8::8:800:200c:417a]:443", "2001:db8::8:800:200c:417a",
	    443);
	want_ipv6("[fe80:0:0:0:0:0:0:1]:1", "fe80::1", 1);
	want_ipv6("[2001:db8::]:8080", "2001:db8::", 8080);
	want_ipv6("[::]:8080", "::", 8080);
}

static void
test_R1_bad_tcp_port_invalid(void **state)
{
	(void)state;
	want_invalid("tcp:127.0.0.1:0");
	want_invalid("tcp:127.0.0.1:65536");
	want_invalid("tcp:127.0.0.1:99999999999999999999");
	want_invalid("tcp:127.0.0.1:http");
	want_invalid("tcp:127.0.0.1:90a");
	want_invalid("tcp:127.0.0.1:");
	want_invalid("tcp:127.0.0.1");
	want_invalid("tcp:[::1]:0");
	want_invalid("tcp:[::1]:65536");
	want_invalid("tcp:localhost:0");
	want_invalid("tcp:host.example:80");
	want_invalid("tcp:");
}

/* numeric host, all-digit port: TCP by R1, so a bad port is an error,
 * never a unix socket named "127.0.0.1:0" */
static void
test_R1_numeric_host_digit_port_is_tcp_even_if_bad(void **state)
{
	static const char *const s[] = { "127.0.0.1:0", "127.0.0.1:65536",
		"localhost:0", "[::1]:0", "[::1]:65536" };
	struct config c;
	struct addr a;
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < sizeof s / sizeof *s; i++) {
		want_invalid(s[i]);
		parse_addr(s[i], &a);
		if (a.u.sa.sa_family == AF_UNIX)
			fail_msg("\"%s\" read as a unix socket, want TCP", s[i]);
		config_defaults(&c);
		c.socket = s[i];
		QUIET(r = config_check(&c));
		assert_int_equal(r, -500);
		if (c.path != NULL)
			fail_msg("\"%s\": unix path \"%s\", want none (TCP)",
			    s[i], c.path);
	}
}

static void
test_R1_hostname_is_unix_path(void **state)
{
	(void)state;
	want_unix("host.example:80", "host.example:80");
	want_unix("example.com:8080", "example.com:8080");
	/* a port that is not all digits: not TCP */
	want_unix("127.0.0.1:http", "127.0.0.1:http");
	assert_str(path_of_socket("host.example:80"), "host.example:80");
}

static void
test_R1_too_long_unix_path_fails(void **state)
{
	char path[sizeof ((struct sockaddr_un *)0)->sun_path + 8];
	size_t max = sizeof ((struct sockaddr_un *)0)->sun_path - 1;

	(void)state;
	memset(path, 'p', sizeof path);
	path[0] = '/';
	path[max] = '\0';		/* the longest that fits with its NUL */
	want_unix(path, path);
	path[max] = 'p';
	path[max + 1] = '\0';
	want_invalid(path);
	path[max + 1] = 'p';
	path[sizeof path - 1] = '\0';
	want_invalid(path);
	memcpy(path, "unix:/", 6);
	want_invalid(path);
}

static void
test_R1_unix_path_of_socket(void **state)
{
	(void)state;
	assert_str(path_of_socket("/run/a.sock"), "/run/a.sock");
	assert_str(path_of_socket("rel.sock"), "rel.sock");
	assert_str(path_of_socket("unix:/run/a.sock"), "/run/a.sock");
	assert_str(path_of_socket("unix:rel"), "rel");
	assert_null(path_of_socket("127.0.0.1:9000"));
	assert_null(path_of_socket("tcp:127.0.0.1:9000"));
	assert_null(path_of_socket("localhost:9000"));
	assert_null(path_of_socket("[::1]:9000"));
	assert_null(path_of_socket("tcp:[::1]:9000"));
	/* "tcp:" then anything: never a path, whatever follows */
	want_invalid("tcp:anything");
	want_invalid("tcp:/run/a.sock");
}

int
addr_tests(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_R1_unix_path),
		cmocka_unit_test(test_R1_unix_prefix),
		cmocka_unit_test(test_R1_ipv4_host_port),
		cmocka_unit_test(test_R1_localhost_is_127_0_0_1),
		cmocka_unit_test(test_R1_bracketed_ipv6),
		cmocka_unit_test(test_R1_bad_tcp_port_invalid),
		cmocka_unit_test(test_R1_numeric_host_digit_port_is_tcp_even_if_bad),
		cmocka_unit_test(test_R1_hostname_is_unix_path),
		cmocka_unit_test(test_R1_too_long_unix_path_fails),
		cmocka_unit_test(test_R1_unix_path_of_socket),
	};

	return cmocka_run_group_tests_name("socket address (R1)", tests, NULL,
	    NULL);
}
