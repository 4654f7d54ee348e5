/* The start lock and its record (SPEC R31, R32, R40, R41), on real
 * files. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"

static char dir[256];

static const char *
path_of(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "%s/%s", dir, name);
	return buf[i];
}

static long long
mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

static int
setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	snprintf(dir, sizeof dir, "%s/cgi2scgi-unit-XXXXXX",
	    tmp && *tmp ? tmp : "/tmp");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	static const char *const names[] = { "a.lock", "b.lock", "c.lock",
		"d.lock", "e.lock", "f.lock", "g.lock", "h.lock", "i.lock",
		"target", "link", "existing", "link2", "rec" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof names / sizeof *names; i++)
		unlink(path_of(names[i]));
	return rmdir(dir);
}

/* what a forked lock_take did */
struct outcome {
	int fd;
	long long ms;
};

/* lock_take(path, seconds) in a child, after closing fd close_fd;
 * if release_fd >= 0 the parent closes it after release_ms */
static struct outcome
take_in_child(const char *path, long seconds, int release_fd,
    long release_ms)
{
	struct outcome o = { -99, -1 };
	long long t0;
	int p[2], st;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		if (release_fd >= 0)
			close(release_fd);	/* the parent's, inherited */
		t0 = mono_ms();
		QUIET(o.fd = lock_take(path, seconds));
		o.ms = mono_ms() - t0;
		if (write(p[1], &o, sizeof o) != sizeof o)
			_exit(2);
		_exit(0);
	}
	close(p[1]);
	if (release_fd >= 0) {
		struct timespec t = { release_ms / 1000,
			release_ms % 1000 * 1000000 };

		nanosleep(&t, NULL);
		close(release_fd);
	}
	assert_int_equal(read(p[0], &o, sizeof o), sizeof o);
	close(p[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return o;
}

/* the line record_write leaves in a fresh file (no lock needed for
 * that); its length */
static size_t
line_of(const struct record *r, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	unlink(path_of("rec"));
	fd = open(path_of("rec"), O_RDWR | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(record_write(fd, r), 0);
	n = pread(fd, buf, size - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	close(fd);
	return n;
}

static void
test_R32_record_is_one_line_of_five_fields(void **state)
{
	struct record r = { .epoch = 1700000000, .pid = 4242,
		.state = STARTED };
	char buf[128];

	(void)state;
	line_of(&r, buf, sizeof buf);
	assert_string_equal(buf, "1700000000 started 4242 0 0\n");
	r.state = FAILED;
	r.pid = 0;
	r.failures = 3;
	r.mtime = 1700000000123456789LL;
	line_of(&r, buf, sizeof buf);
	assert_string_equal(buf, "1700000000 failed 0 3 1700000000123456789\n");
	r.state = STOPPED;
	r.failures = 0;
	line_of(&r, buf, sizeof buf);
	assert_string_equal(buf, "1700000000 stopped 0 0 1700000000123456789\n");
}

static void
assert_record(const struct record *r, const struct record *want)
{
	if (r->epoch != want->epoch || r->pid != want->pid ||
	    r->mtime != want->mtime || r->state != want->state ||
	    r->failures != want->failures)
		fail_msg("record %lld %d %lld %d %lld, want %lld %d %lld %d %lld",
		    r->epoch, r->state, r->pid, r->failures, r->mtime,
		    want->epoch, want->state, want->pid, want->failures,
		    want->mtime);
}

static void
test_R32_record_round_trip(void **state)
{
	static const struct record recs[] = {
		{ .epoch = 0, .pid = 1, .state = STARTED },
		{ .epoch = 0, .pid = 1, .state = FAILED, .failures = 1 },
		{ .epoch = 1700000000, .pid = 4242, .state = STARTED,
		  .mtime = 1 },
		{ .epoch = 1700000000, .state = FAILED, .failures = 17,
		  .mtime = 1700000000999999999LL },
		{ .epoch = 1700000000, .state = STOPPED },
		{ .epoch = 4102444800LL, .pid = INT_MAX, .state = FAILED,
		  .failures = INT_MAX, .mtime = 4102444800000000000LL },
		{ .epoch = 1099511627776LL, .pid = 2, .state = STARTED },
	};
	struct record r;
	char buf[128];
	size_t i, n;
	int fd;

	(void)state;
	for (i = 0; i < sizeof recs / sizeof *recs; i++) {
		n = line_of(&recs[i], buf, sizeof buf);
		assert_int_equal(buf[n - 1], '\n');
		assert_ptr_equal(strchr(buf, '\n'), buf + n - 1);
		memset(&r, 0x5a, sizeof r);
		if (record_parse(buf, n, &r) != 0)
			fail_msg("record_parse(\"%.*s\") failed", (int)n, buf);
		assert_record(&r, &recs[i]);
		/* and through the file, as the launcher reads it */
		fd = open(path_of("rec"), O_RDONLY);
		assert_true(fd >= 0);
		memset(&r, 0x5a, sizeof r);
		assert_int_equal(record_read(fd, &r), 0);
		close(fd);
		assert_record(&r, &recs[i]);
	}
}

/* the line of an older version, "EPOCH STATE PID": FAILURES 1 if
 * failed, else 0, and MTIME 0 */
static void
test_R32_old_three_field_line(void **state)
{
	static const struct {
		const char *line;
		struct record want;
	} old[] = {
		{ "1700000000 failed 0\n", { .epoch = 1700000000,
		  .state = FAILED, .failures = 1 } },
		{ "1700000000 started 4242\n", { .epoch = 1700000000,
		  .pid = 4242, .state = STARTED } },
		{ "17 failed 12", { .epoch = 17, .pid = 12, .state = FAILED,
		  .failures = 1 } },
		{ "17 started 0", { .epoch = 17, .state = STARTED } },
	};
	struct record r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof old / sizeof *old; i++) {
		memset(&r, 0x5a, sizeof r);
		if (record_parse(old[i].line, strlen(old[i].line), &r) != 0)
			fail_msg("record_parse(\"%s\") failed", old[i].line);
		assert_record(&r, &old[i].want);
	}
}

static void
test_R32_record_parse_rejects_garbage(void **state)
{
	static const char *const bad[] = { "", "\n", "garbage\n",
		"1700000000\n", "1700000000 started\n", "1700000000 started \n",
		"started 12\n", " started 12\n", "1700000000 running 12\n",
		"1700000000 Started 12\n", "1700000000 FAILED 12\n",
		"abc started 12\n", "17x started 12\n",
		"-1 started 12\n", "17 failed\n", "17  12\n", "17 startedx 12\n",
		"17 failedx 12\n", "17 started\n\n", "17 started 12\n\n",
		"17 started 12 \n", "17 started 12 0\n", "17 started 12 0 \n",
		"17 started 12 0 0 \n", "17 started 12 0 0 0\n",
		"17 started 12 0 x\n", "17 started 12 -1 0\n",
		"17 started 12 0 -1\n", "17 started 12  0 0\n",
		"17 started -12 0 0\n", "17 stop 12 0 0\n",
		"17 stoppedd 12 0 0\n", "17 started 2147483648 0 0\n",
		"17 failed 0 2147483648 0\n",
		"17 started 0 0 99999999999999999999\n",
		"99999999999999999999 started 0 0 0\n" };
	struct record r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof *bad; i++)
		if (record_parse(bad[i], strlen(bad[i]), &r) == 0)
			fail_msg("record_parse accepted \"%s\"", bad[i]);
}

static void
test_R32_record_parse_reads_only_n_bytes(void **state)
{
	static const char s[] = "17 failed 12 2 5\n99 started 1 0 0\n";
	struct record r;

	(void)state;
	assert_int_equal(record_parse(s, 17, &r), 0);
	assert_true(r.epoch == 17 && r.state == FAILED && r.failures == 2 &&
	    r.mtime == 5);
	assert_int_equal(record_parse(s, 16, &r), 0);	/* no newline */
	assert_true(r.failures == 2 && r.mtime == 5);
	assert_int_not_equal(record_parse(s, 15, &r), 0);	/* "... 2 " */
	assert_int_not_equal(record_parse(s, 14, &r), 0);	/* 4 fields */
	assert_int_equal(record_parse(s, 12, &r), 0);	/* an old line */
	assert_true(r.pid == 12 && r.failures == 1 && r.mtime == 0);
	assert_int_not_equal(record_parse(s, 10, &r), 0);
}

/* R41: the lock file's own mtime mirrors MTIME, so that a request
 * compares restart_file with it by two statx calls, never opening it */
static void
test_R41_record_write_sets_the_lock_mtime(void **state)
{
	struct record w = { .epoch = 1700000000, .state = STARTED,
		.mtime = 1600000000123456789LL };
	struct stat st;
	char buf[128];
	int fd;

	(void)state;
	fd = lock_take(path_of("i.lock"), 1);
	assert_true(fd >= 0);
	assert_int_equal(record_write(fd, &w), 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(st.st_mtim.tv_sec == 1600000000);
	assert_true(st.st_mtim.tv_nsec == 123456789);
	/* the line stays as written */
	assert_int_equal(pread(fd, buf, sizeof buf, 0),
	    strlen("1700000000 started 0 0 1600000000123456789\n"));
	close(fd);
}

static void
test_R31_lock_file_created_0600_cloexec(void **state)
{
	struct stat st;
	mode_t old;
	int fd, flags;

	(void)state;
	old = umask(0);		/* the mode is the launcher's, not umask's */
	fd = lock_take(path_of("a.lock"), 1);
	umask(old);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	flags = fcntl(fd, F_GETFD);
	assert_true(flags >= 0 && (flags & FD_CLOEXEC));
	assert_int_equal(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	close(fd);
}

static void
test_R31_record_write_read_on_lock_file(void **state)
{
	struct record w = { .epoch = 1700000000, .pid = 4242,
		.state = FAILED, .failures = 1 }, r;
	char buf[128];
	int fd;
	ssize_t n;

	(void)state;
	fd = lock_take(path_of("b.lock"), 1);
	assert_true(fd >= 0);
	assert_int_not_equal(record_read(fd, &r), 0);	/* empty: no record */
	assert_int_equal(record_write(fd, &w), 0);
	memset(&r, 0, sizeof r);
	assert_int_equal(record_read(fd, &r), 0);
	assert_record(&r, &w);
	n = pread(fd, buf, sizeof buf, 0);
	assert_int_equal(n, strlen("1700000000 failed 4242 1 0\n"));
	assert_memory_equal(buf, "1700000000 failed 4242 1 0\n", n);
	/* a shorter record replaces the line whole */
	w.epoch = 1;
	w.pid = 2;
	w.state = STARTED;
	w.failures = 0;
	assert_int_equal(record_write(fd, &w), 0);
	n = pread(fd, buf, sizeof buf, 0);
	assert_int_equal(n, strlen("1 started 2 0 0\n"));
	assert_memory_equal(buf, "1 started 2 0 0\n", n);
	assert_int_equal(record_read(fd, &r), 0);
	assert_record(&r, &w);
	close(fd);
	/* the record outlives the lock: taking it again keeps it */
	fd = lock_take(path_of("b.lock"), 1);
	assert_true(fd >= 0);
	memset(&r, 0, sizeof r);
	assert_int_equal(record_read(fd, &r), 0);
	assert_record(&r, &w);
	close(fd);
}

static void
test_R32_record_read_rejects_garbage_file(void **state)
{
	struct record r;
	int fd;

	(void)state;
	fd = lock_take(path_of("c.lock"), 1);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "not a record\n", 13, 0), 13);
	assert_int_not_equal(record_read(fd, &r), 0);
	close(fd);
}

static void
test_R31_held_lock_gives_503_after_seconds(void **state)
{
	struct outcome o;
	int fd;

	(void)state;
	fd = lock_take(path_of("d.lock"), 1);
	assert_true(fd >= 0);
	o = take_in_child(path_of("d.lock"), 1, -1, 0);
	close(fd);
	assert_int_equal(o.fd, -503);
	if (o.ms < 900 || o.ms > 2500)
		fail_msg("gave up after %lld ms, want about 1000", o.ms);
}

static void
test_R31_lock_released_within_wait_is_taken(void **state)
{
	struct outcome o;
	int fd;

	(void)state;
	fd = lock_take(path_of("e.lock"), 1);
	assert_true(fd >= 0);
	o = take_in_child(path_of("e.lock"), 3, fd, 200);
	assert_true(o.fd >= 0);
	if (o.ms < 150 || o.ms > 1500)
		fail_msg("took the lock after %lld ms, want about 200", o.ms);
}

static void
test_R40_killed_holder_loses_the_lock(void **state)
{
	long long t0, ms;
	int p[2], fd, st;
	char ch;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		fd = lock_take(path_of("f.lock"), 1);
		if (fd < 0 || write(p[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	assert_int_equal(read(p[0], &ch, 1), 1);
	close(p[0]);
	/* held by the child now */
	QUIET(fd = lock_take(path_of("f.lock"), 0));
	assert_int_equal(fd, -503);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	t0 = mono_ms();
	fd = lock_take(path_of("f.lock"), 1);
	ms = mono_ms() - t0;
	assert_true(fd >= 0);
	assert_true(ms < 500);
	close(fd);
}

static void
test_R31_symlink_lock_refused(void **state)
{
	struct stat st;
	char buf[16];
	int fd, ofd;

	(void)state;
	/* to a file that does not exist: not created through the link */
	assert_int_equal(symlink(path_of("target"), path_of("link")), 0);
	CAPTURE(fd = lock_take(path_of("link"), 1));
	assert_int_equal(fd, -500);
	assert_non_null(strstr(captured(), ": cannot lock: ELOOP\n"));
	assert_int_not_equal(lstat(path_of("target"), &st), 0);
	/* to an existing file: left alone */
	ofd = open(path_of("existing"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(ofd >= 0);
	assert_int_equal(write(ofd, "keep", 4), 4);
	close(ofd);
	assert_int_equal(symlink(path_of("existing"), path_of("link2")), 0);
	QUIET(fd = lock_take(path_of("link2"), 1));
	assert_int_equal(fd, -500);
	ofd = open(path_of("existing"), O_RDONLY);
	assert_int_equal(read(ofd, buf, sizeof buf), 4);
	close(ofd);
}

static void
test_R31_unopenable_lock_is_500(void **state)
{
	int fd;

	(void)state;
	CAPTURE(fd = lock_take(path_of("no/such/dir/x.lock"), 1));
	assert_int_equal(fd, -500);
	assert_string_equal(captured() + strlen(captured()) -
	    strlen(": cannot lock: ENOENT\n"), ": cannot lock: ENOENT\n");
}

/* lock_take(path) must refuse the file (-500) with the log line why,
 * leaving it as it was and unlocked */
static void
want_refused(const char *path, const char *why)
{
	struct stat before, after;
	int fd;

	assert_int_equal(stat(path, &before), 0);
	CAPTURE(fd = lock_take(path, 1));
	if (fd != -500)
		fail_msg("lock_take(%s) is %d, want -500", path, fd);
	if (strstr(captured(), why) == NULL)
		fail_msg("logged \"%s\", want \"%s\"", captured(), why);
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(after.st_mode, before.st_mode);
	assert_int_equal(after.st_uid, before.st_uid);
	assert_int_equal(after.st_size, before.st_size);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);	/* not held */
	close(fd);
}

/* a lock file that group or others may write could carry a forged
 * record: refused (R31) */
static void
test_R31_lock_file_writable_by_others_refused(void **state)
{
	const char *p = path_of("g.lock");
	int fd;

	(void)state;
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "1 failed 2\n", 11), 11);
	assert_int_equal(fchmod(fd, 0666), 0);
	close(fd);
	want_refused(p, "lock file writable by group or others");
	assert_int_equal(chmod(p, 0620), 0);
	want_refused(p, "lock file writable by group or others");
	assert_int_equal(chmod(p, 0602), 0);
	want_refused(p, "lock file writable by group or others");
	/* readable by all is fine */
	assert_int_equal(chmod(p, 0644), 0);
	fd = lock_take(p, 1);
	assert_true(fd >= 0);
	close(fd);
}

/* a lock file that another user owns: refused (R31), even 0600 */
static void
test_R31_lock_file_of_another_user_refused(void **state)
{
	const char *p = path_of("h.lock");
	int fd;

	(void)state;
	if (geteuid() != 0)
		skip();		/* only root can give a file away */
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chown(p, 65534, getegid()), 0);
	want_refused(p, "lock file not ours");
	/* back to ours: taken */
	assert_int_equal(chown(p, geteuid(), getegid()), 0);
	fd = lock_take(p, 1);
	assert_true(fd >= 0);
	close(fd);
}

int
lock_tests(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_R32_record_is_one_line_of_five_fields),
		cmocka_unit_test(test_R32_record_round_trip),
		cmocka_unit_test(test_R32_old_three_field_line),
		cmocka_unit_test(test_R32_record_parse_rejects_garbage),
		cmocka_unit_test(test_R32_record_parse_reads_only_n_bytes),
		cmocka_unit_test(test_R41_record_write_sets_the_lock_mtime),
		cmocka_unit_test(test_R31_lock_file_created_0600_cloexec),
		cmocka_unit_test(test_R31_record_write_read_on_lock_file),
		cmocka_unit_test(test_R32_record_read_rejects_garbage_file),
		cmocka_unit_test(test_R31_held_lock_gives_503_after_seconds),
		cmocka_unit_test(test_R31_lock_released_within_wait_is_taken),
		cmocka_unit_test(test_R40_killed_holder_loses_the_lock),
		cmocka_unit_test(test_R31_symlink_lock_refused),
		cmocka_unit_test(test_R31_unopenable_lock_is_500),
		cmocka_unit_test(test_R31_lock_file_writable_by_others_refused),
		cmocka_unit_test(test_R31_lock_file_of_another_user_refused),
	};

	return cmocka_run_group_tests_name("start lock (R31, R32, R40, R41)", tests,
	    setup, teardown);
}
