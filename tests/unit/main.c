/* The unit test runner: every group, a non-zero exit if any test failed. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "unit.h"

int
quiet_begin(void)
{
	int saved = dup(2), null = open("/dev/null", O_WRONLY);

	if (null >= 0) {
		dup2(null, 2);
		close(null);
	}
	return saved;
}

void
quiet_end(int saved)
{
	if (saved >= 0) {
		dup2(saved, 2);
		close(saved);
	}
}

static char log_text[4096];

int
capture_begin(void)
{
	FILE *f = tmpfile();
	int saved = dup(2);

	assert_non_null(f);
	assert_true(saved >= 0);
	fflush(stderr);
	dup2(fileno(f), 2);
	fclose(f);	/* fd 2 keeps the file */
	return saved;
}

void
capture_end(int saved)
{
	ssize_t n = pread(2, log_text, sizeof log_text - 1, 0);

	log_text[n > 0 ? n : 0] = '\0';
	dup2(saved, 2);
	close(saved);
}

const char *
captured(void)
{
	return log_text;
}

int
main(void)
{
	int failed = 0;

	failed += config_tests();
	failed += str_tests();
	failed += addr_tests();
	failed += request_tests();
	failed += lock_tests();
	failed += spawn_tests();
	print_message("unit: %d test(s) failed in all\n", failed);
	return failed != 0;
}
