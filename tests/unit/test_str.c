/* Log lines and their errno names (SPEC R21). */
#include <errno.h>
#include <stdio.h>

#include "unit.h"

static void
test_R21_errname_names_common_errors(void **state)
{
	static const struct { int err; const char *name; } known[] = {
		{ ENOENT, "ENOENT" }, { EACCES, "EACCES" },
		{ ECONNREFUSED, "ECONNREFUSED" }, { ECONNRESET, "ECONNRESET" },
		{ EAGAIN, "EAGAIN" }, { ETIMEDOUT, "ETIMEDOUT" },
		{ EINPROGRESS, "EINPROGRESS" }, { EADDRINUSE, "EADDRINUSE" },
		{ EMFILE, "EMFILE" }, { ENOSPC, "ENOSPC" }, { EPIPE, "EPIPE" },
		{ ENOTSOCK, "ENOTSOCK" }, { ELOOP, "ELOOP" } };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof known / sizeof *known; i++) {
		/* -errno as the sys layer gives it, or errno itself */
		assert_str(errname(-known[i].err), known[i].name);
		assert_str(errname(known[i].err), known[i].name);
	}
	assert_str(errname(-EWOULDBLOCK), "EAGAIN");	/* the same number */
}

static void
test_R21_errname_other_errors_by_number(void **state)
{
	char want[16];

	(void)state;
	assert_str(errname(-EBADF), "9");
	assert_str(errname(EBADF), "9");
	assert_str(errname(-EPERM), "1");
	assert_str(errname(0), "0");
	assert_str(errname(-4095), "4095");
	snprintf(want, sizeof want, "%d", EINVAL);
	assert_str(errname(-EINVAL), want);
	snprintf(want, sizeof want, "%d", EISDIR);
	assert_str(errname(-EISDIR), want);
}

static void
test_R21_logerr_is_one_line_with_the_name(void **state)
{
	const char *saved = tag;

	(void)state;
	tag = "/srv/cgi/app.cgi";
	CAPTURE(logerr("cannot exec", -ENOENT));
	assert_string_equal(captured(),
	    "cgi2scgi: /srv/cgi/app.cgi: cannot exec: ENOENT\n");
	CAPTURE(logerr("cannot fork", -EBADF));
	assert_string_equal(captured(),
	    "cgi2scgi: /srv/cgi/app.cgi: cannot fork: 9\n");
	CAPTURE(logline("app down", NULL));
	assert_string_equal(captured(), "cgi2scgi: /srv/cgi/app.cgi: app down\n");
	tag = saved;
}

int
str_tests(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_R21_errname_names_common_errors),
		cmocka_unit_test(test_R21_errname_other_errors_by_number),
		cmocka_unit_test(test_R21_logerr_is_one_line_with_the_name),
	};

	return cmocka_run_group_tests_name("log lines, errno names (R21)",
	    tests, NULL, NULL);
}
