/* Shared by the cmocka unit tests of cgi2scgi: one runner, one group per
 * file; each test's name cites the requirement of SPEC.md it checks. */
#ifndef UNIT_H
#define UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cgi2scgi.h"

int config_tests(void);
int str_tests(void);
int addr_tests(void);
int request_tests(void);
int lock_tests(void);
int spawn_tests(void);

/* assert_string_equal, but a NULL actual is a failure, not a crash */
#define assert_str(a, b) do { const char *a_ = (a); \
	if (a_ == NULL) fail_msg("%s is NULL, want \"%s\"", #a, (b)); \
	assert_string_equal(a_, (b)); } while (0)

/* run expr with fd 2 sent to /dev/null: the product logs expected errors */
#define QUIET(expr) do { int q_ = quiet_begin(); expr; quiet_end(q_); } \
	while (0)
int quiet_begin(void);
void quiet_end(int saved);

/* run expr with fd 2 sent to a file; captured() is then what the product
 * logged there (R21: one line, "cgi2scgi: TAG: WHAT[: DETAIL]") */
#define CAPTURE(expr) do { int c_ = capture_begin(); expr; \
	capture_end(c_); } while (0)
int capture_begin(void);
void capture_end(int saved);
const char *captured(void);

#endif
