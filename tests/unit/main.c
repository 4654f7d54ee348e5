/* The unit test runner: every group, a non-zero exit if any test failed. */
#include <fcntl.h>
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

int
main(void)
{
	int failed = 0;

	failed += config_tests();
	failed += addr_tests();
	failed += request_tests();
	failed += lock_tests();
	failed += spawn_tests();
	print_message("unit: %d test(s) failed in all\n", failed);
	return failed != 0;
}
