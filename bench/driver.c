/*
 * driver: the cgi2scgi benchmark (SPEC R52-R55).  `make bench` runs it.
 *
 *   driver [-n ROUNDS] [-w WARMUP] [-k COLD] [-r TPUT] [-c CGI2SCGI] [-d DIR]
 *
 * It starts its own servers (DIR/scgisrv: SCGI small answer, SCGI 256 MiB
 * answer, FastCGI small answer) on unix sockets in a private /tmp
 * directory, then measures:
 *
 *   R52  per-request wall time (fork + exec + wait, stdin fed and stdout
 *        drained by the driver) of each subject, run round by round,
 *        A B C ... A B C ..., so that drift and noise hit all alike;
 *   R53  cold start: cgi2scgi with CGI2SCGI_START running scgisrv with a
 *        bind delay; from scgisrv's listen() (its CLOCK_MONOTONIC stamp) to
 *        the first response byte the driver reads;
 *   R54  peak RSS of cgi2scgi for a 0-byte and a 200 MiB POST (and
 *        others): the child is traced (ptrace, PTRACE_O_TRACEEXIT) and
 *        its VmHWM read from /proc/PID/status at its exit stop, memory
 *        still mapped.  wait4's ru_maxrss is printed beside it, but it
 *        counts the driver's pre-exec copy (the kernel keeps the peak of
 *        the mm that exec replaces) and, since Linux 6.2, its per-CPU RSS
 *        counters miss pages of small processes;
 *   R55  a 256 MiB response: cgi2scgi relaying into a pipe the driver
 *        drains, against DIR/reader reading the socket itself (and, for
 *        reference, DIR/relay and DIR/srelay, a splice(2) relay).
 *
 * Every figure it prints is described in BENCHMARKS.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KiB 1024ULL
#define MiB (1024ULL * 1024)

extern char **environ;

static char buf[65536];			/* stdout of the subjects */
static const char zeros[65536];		/* stdin of the subjects */
static char tmp[64];			/* private directory */
static int devnull, errlog;
static pid_t servers[8];
static int nservers;

/* ---- small helpers ---------------------------------------------------- */

static long long
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static const char *const tmpnames[] = { "s.sock", "b.sock", "f.sock",
    "c.sock", "c.sock.lock", "listen.ts", "listen.ts.tmp", "stderr.log",
    "start.log", NULL };
static char *tmpfiles[sizeof tmpnames / sizeof tmpnames[0]];

/* stop our servers; remove the private directory unless keep (only
 * async-signal-safe calls: it runs from the signal handler too) */
static void
cleanup(int keep)
{
	int i;

	for (i = 0; i < nservers; i++) {
		kill(servers[i], SIGTERM);
		waitpid(servers[i], NULL, 0);
	}
	nservers = 0;
	if (keep || tmp[0] == '\0')
		return;
	for (i = 0; tmpfiles[i] != NULL; i++)
		unlink(tmpfiles[i]);
	rmdir(tmp);
}

static void
die(const char *what)
{
	fprintf(stderr, "driver: %s: %s\n", what, strerror(errno));
	cleanup(0);
	exit(1);
}

static void
on_signal(int sig)
{
	cleanup(0);
	signal(sig, SIG_DFL);
	raise(sig);
}

static char *
path(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		die("asprintf");
	return p;
}

static char *
var(const char *name, const char *value)
{
	char *p;

	if (asprintf(&p, "%s=%s", name, value) < 0)
		die("asprintf");
	return p;
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* the q-quantile (0..1) of n samples, nearest rank on a sorted copy */
static double
quantile(const long long *v, int n, double q)
{
	long long *s;
	double r;
	int i;

	if (n == 0)
		return 0;
	s = malloc(n * sizeof *s);
	if (s == NULL)
		die("malloc");
	memcpy(s, v, n * sizeof *s);
	qsort(s, n, sizeof *s, cmp_ll);
	i = (int)(q * (n - 1) + 0.5);
	r = s[i];
	if (q == 0.5 && n % 2 == 0)
		r = (s[n / 2 - 1] + s[n / 2]) / 2.0;
	free(s);
	return r;
}

/* ---- one request --------------------------------------------------------- */

struct run {
	long long wall;		/* ns, fork to reaped */
	long long first;	/* CLOCK_MONOTONIC ns of the first stdout byte */
	unsigned long long out;	/* stdout bytes */
	long maxrss;		/* ru_maxrss from wait4, KiB */
	long hwm, vmrss;	/* VmHWM, VmRSS at the exit stop (traced), KiB */
	int status;		/* wait status */
	int ok;			/* exit 0, and stdout began with a 200 */
};

enum { OUT_PIPE, OUT_NULL };

/* VmHWM and VmRSS of pid, from /proc/PID/status */
static void
proc_mem(pid_t pid, struct run *r)
{
	char name[64], line[256];
	FILE *f;

	snprintf(name, sizeof name, "/proc/%ld/status", (long)pid);
	if ((f = fopen(name, "r")) == NULL)
		return;
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "VmHWM:", 6) == 0)
			r->hwm = atol(line + 6);
		else if (strncmp(line, "VmRSS:", 6) == 0)
			r->vmrss = atol(line + 6);
	fclose(f);
}

/*
 * A traced child (PTRACE_O_TRACEEXIT) stops as it exits, its memory still
 * mapped: read VmHWM then, and let it go.  Returns 1 once that is done or
 * the child is gone (then reaped into r, *ru).  block: wait for a stop.
 */
static int
trace_step(pid_t pid, int block, struct run *r, struct rusage *ru, int *reaped)
{
	int st;
	pid_t w;

	for (;;) {
		w = wait4(pid, &st, block ? __WALL : WNOHANG | __WALL, ru);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return 0;
		if (!WIFSTOPPED(st)) {		/* killed before its exit stop */
			r->status = st;
			*reaped = 1;
			return 1;
		}
		if (st >> 8 == (SIGTRAP | PTRACE_EVENT_EXIT << 8)) {
			proc_mem(pid, r);
			ptrace(PTRACE_DETACH, pid, 0, 0);
			return 1;
		}
		ptrace(PTRACE_CONT, pid, 0,
		    WSTOPSIG(st) == SIGTRAP ? 0 : WSTOPSIG(st));
	}
}

/*
 * fork, exec argv with envp; stdin: /dev/null, or a pipe carrying body
 * bytes when body > 0; stdout: a pipe drained here, or /dev/null; stderr:
 * the error log.  Wall time from just before fork to the reap.  trace: the
 * child is traced to read its VmHWM as it exits (R54 only: not timed).
 */
static void
run_one(char *const argv[], char *const envp[], unsigned long long body,
    int out_mode, int trace, struct run *r)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, n, st, reaped = 0;
	char head[16];
	size_t headn = 0;
	struct pollfd p[2];
	struct rusage ru;
	unsigned long long left = body;
	long long t0;
	ssize_t k;
	pid_t pid;

	memset(r, 0, sizeof *r);
	memset(&ru, 0, sizeof ru);
	if (body > 0 && pipe2(in, O_CLOEXEC) < 0)
		die("pipe");
	if (out_mode == OUT_PIPE && pipe2(out, O_CLOEXEC) < 0)
		die("pipe");
	t0 = now_ns();
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		if (dup2(body > 0 ? in[0] : devnull, 0) < 0 ||
		    dup2(out_mode == OUT_PIPE ? out[1] : devnull, 1) < 0 ||
		    dup2(errlog, 2) < 0)
			_exit(126);
		if (trace && ptrace(PTRACE_TRACEME, 0, 0, 0) < 0)
			_exit(126);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	if (trace) {	/* stopped by SIGTRAP after its execve */
		while (waitpid(pid, &st, __WALL) < 0)
			if (errno != EINTR)
				die("waitpid");
		if (!WIFSTOPPED(st)) {
			reaped = 1;
			trace = 0;
			r->status = st;
		} else if (ptrace(PTRACE_SETOPTIONS, pid, 0,
		    PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL) < 0 ||
		    ptrace(PTRACE_CONT, pid, 0, 0) < 0)
			die("ptrace");
	}
	if (body > 0) {
		close(in[0]);
		fcntl(in[1], F_SETFL, O_NONBLOCK);
	}
	if (out_mode == OUT_PIPE)
		close(out[1]);
	while (in[1] >= 0 || out[0] >= 0) {
		n = 0;
		if (out[0] >= 0)
			p[n++] = (struct pollfd){ out[0], POLLIN, 0 };
		if (in[1] >= 0)
			p[n++] = (struct pollfd){ in[1], POLLOUT, 0 };
		if (poll(p, n, trace ? 1 : -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		for (int i = 0; i < n; i++) {
			if (p[i].revents == 0)
				continue;
			if (p[i].fd == in[1]) {
				size_t m = left < sizeof zeros ? left :
				    sizeof zeros;
				k = write(in[1], zeros, m);
				if (k > 0)
					left -= k;
				if ((k < 0 && errno != EAGAIN &&
				    errno != EINTR) || left == 0) {
					close(in[1]);
					in[1] = -1;
				}
				continue;
			}
			k = read(out[0], buf, sizeof buf);
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0) {
				close(out[0]);
				out[0] = -1;
				continue;
			}
			if (r->out == 0)
				r->first = now_ns();
			if (headn < sizeof head) {
				size_t m = sizeof head - headn;
				if ((size_t)k < m)
					m = k;
				memcpy(head + headn, buf, m);
				headn += m;
			}
			r->out += k;
		}
		if (trace && trace_step(pid, 0, r, &ru, &reaped))
			trace = 0;
	}
	if (trace)
		trace_step(pid, 1, r, &ru, &reaped);
	if (!reaped)
		while (wait4(pid, &r->status, 0, &ru) < 0)
			if (errno != EINTR)
				die("wait4");
	r->wall = now_ns() - t0;
	r->maxrss = ru.ru_maxrss;
	st = r->status;
	r->ok = WIFEXITED(st) && WEXITSTATUS(st) == 0 &&
	    (out_mode == OUT_NULL ||
	    (headn >= 11 && memcmp(head, "Status: 200", 11) == 0));
}

/* ---- servers -------------------------------------------------------------- */

static int
can_connect(const char *sock)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s, ok;

	strncpy(a.sun_path, sock, sizeof a.sun_path - 1);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		die("socket");
	ok = connect(s, (struct sockaddr *)&a, sizeof a) == 0;
	close(s);
	return ok;
}

static void
server(char *const argv[], const char *sock)
{
	pid_t pid = fork();
	int i;

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		dup2(devnull, 0);
		dup2(errlog, 1);
		dup2(errlog, 2);
		execve(argv[0], argv, environ);
		_exit(127);
	}
	servers[nservers++] = pid;
	for (i = 0; i < 500 && !can_connect(sock); i++)
		usleep(10000);
	if (i == 500) {
		errno = ETIMEDOUT;
		die(sock);
	}
	/* the connect above was a request with no header: scgisrv dropped
	 * it; no state lingers */
}

/* ---- the measurements ------------------------------------------------------ */

struct subject {
	const char *name;
	char **argv;
	char **envp;
	unsigned long long body;
	long long *ns;		/* per-request wall times */
	int n, bad, ref;
	unsigned long long out;
};

static char **
envv(char **base, ...)
{
	char **e = malloc(64 * sizeof *e), *s;
	int n = 0;
	va_list ap;

	if (e == NULL)
		die("malloc");
	for (; *base != NULL; base++)
		e[n++] = *base;
	va_start(ap, base);
	while ((s = va_arg(ap, char *)) != NULL)
		e[n++] = s;
	va_end(ap);
	e[n] = NULL;
	return e;
}

static void
print_cpu(void)
{
	char line[512], *p;
	struct utsname u;
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "model name", 10) == 0 &&
		    (p = strchr(line, ':')) != NULL) {
			printf("cpu:     %s", p + 2);
			break;
		}
	if (f != NULL)
		fclose(f);
	printf("cores:   %ld online\n", sysconf(_SC_NPROCESSORS_ONLN));
	if (uname(&u) == 0)
		printf("kernel:  %s %s %s\n", u.sysname, u.release, u.machine);
}

static void
print_load(const char *when)
{
	char line[128] = "?\n";
	FILE *f = fopen("/proc/loadavg", "r");

	if (f != NULL) {
		if (fgets(line, sizeof line, f) == NULL)
			strcpy(line, "?\n");
		fclose(f);
	}
	printf("load %s: %s", when, line);
}

static void
usage(void)
{
	fprintf(stderr, "usage: driver [-n ROUNDS] [-w WARMUP] [-k COLD] "
	    "[-r TPUT_ROUNDS] [-c CGI2SCGI] [-d BENCHDIR]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	int rounds = 500, warm = 20, cold = 20, trounds = 5, opt, i, j;
	const char *launcher = "./cgi2scgi", *dir = "bench";
	unsigned long long big_post = 200 * MiB, big_resp = 256 * MiB;
	char *ssock, *bsock, *fsock, *csock, *ts, *startvar, *cgi, *sv;
	char *floor_, *relay, *srelay, *reader, *pyrelay, *fcgi = "/usr/bin/cgi-fcgi";
	char *python = "/usr/bin/python3";
	struct run r;

	while ((opt = getopt(argc, argv, "n:w:k:r:c:d:")) != -1)
		switch (opt) {
		case 'n': rounds = atoi(optarg); break;
		case 'w': warm = atoi(optarg); break;
		case 'k': cold = atoi(optarg); break;
		case 'r': trounds = atoi(optarg); break;
		case 'c': launcher = optarg; break;
		case 'd': dir = optarg; break;
		default: usage();
		}
	if (optind != argc || rounds < 1 || cold < 1 || trounds < 1)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	/* the apps that cgi2scgi starts outlive it: they become ours */
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	if ((cgi = realpath(launcher, NULL)) == NULL)
		die(launcher);
	if ((dir = realpath(dir, NULL)) == NULL)
		die("bench directory");
	sv = path(dir, "scgisrv");
	floor_ = path(dir, "floor");
	relay = path(dir, "relay");
	srelay = path(dir, "srelay");
	reader = path(dir, "reader");
	pyrelay = path(dir, "pyrelay.py");

	strcpy(tmp, "/tmp/cgi2scgi-bench.XXXXXX");
	if (mkdtemp(tmp) == NULL)
		die("mkdtemp");
	chmod(tmp, 0755);
	for (i = 0; tmpnames[i] != NULL; i++)
		tmpfiles[i] = path(tmp, tmpnames[i]);
	ssock = path(tmp, "s.sock");
	bsock = path(tmp, "b.sock");
	fsock = path(tmp, "f.sock");
	csock = path(tmp, "c.sock");
	ts = path(tmp, "listen.ts");
	if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0 ||
	    (errlog = open(path(tmp, "stderr.log"), O_WRONLY | O_CREAT |
	    O_APPEND | O_CLOEXEC, 0644)) < 0)
		die("open");

	{
		char bytes[32];
		snprintf(bytes, sizeof bytes, "%llu", big_resp);
		server((char *[]){ sv, ssock, NULL }, ssock);
		server((char *[]){ sv, "-b", bytes, bsock, NULL }, bsock);
		server((char *[]){ sv, "-F", fsock, NULL }, fsock);
	}

	/* the CGI environment of a typical GET, as a web server sets it */
	char *base[] = {
		"GATEWAY_INTERFACE=CGI/1.1", "SERVER_PROTOCOL=HTTP/1.1",
		"SERVER_SOFTWARE=bench", "SERVER_NAME=localhost",
		"SERVER_ADDR=127.0.0.1", "SERVER_PORT=80",
		"REMOTE_ADDR=127.0.0.1", "REMOTE_PORT=54321",
		"SCRIPT_NAME=/app", "SCRIPT_FILENAME=/srv/cgi-bin/app",
		"REQUEST_URI=/app/hello?x=1", "PATH_INFO=/hello",
		"QUERY_STRING=x=1", "DOCUMENT_ROOT=/srv/www",
		"HTTP_HOST=localhost", "HTTP_USER_AGENT=bench/1.0",
		"HTTP_ACCEPT=*/*", "HTTP_ACCEPT_ENCODING=gzip, deflate",
		"PATH=/usr/local/bin:/usr/bin:/bin", NULL
	};
	char **get = envv(base, "REQUEST_METHOD=GET", var("CGI2SCGI_SOCKET",
	    ssock), NULL);
	char **post64 = envv(base, "REQUEST_METHOD=POST",
	    "CONTENT_LENGTH=65536", "CONTENT_TYPE=application/octet-stream",
	    var("CGI2SCGI_SOCKET", ssock), NULL);
	char **post0 = envv(base, "REQUEST_METHOD=POST", "CONTENT_LENGTH=0",
	    "CONTENT_TYPE=application/octet-stream",
	    var("CGI2SCGI_SOCKET", ssock), NULL);
	char bigcl[48];
	snprintf(bigcl, sizeof bigcl, "CONTENT_LENGTH=%llu", big_post);
	char **postbig = envv(base, "REQUEST_METHOD=POST", bigcl,
	    "CONTENT_TYPE=application/octet-stream",
	    var("CGI2SCGI_SOCKET", ssock), NULL);
	char **getbig = envv(base, "REQUEST_METHOD=GET",
	    var("CGI2SCGI_SOCKET", bsock), NULL);
	/* R41: restart_file configured and unchanged, the lock file's
	 * mtime equal to its own: the check is two statx calls */
	char *rfile = path(tmp, "restart.txt"), *lockf = path(tmp, "s.sock.lock");
	{
		int fd = open(rfile, O_WRONLY | O_CREAT, 0600);
		int lf = open(lockf, O_WRONLY | O_CREAT, 0600);
		struct stat st;

		if (fd < 0 || lf < 0 || fstat(fd, &st) < 0 ||
		    futimens(lf, (struct timespec[]){ st.st_mtim, st.st_mtim }) < 0)
			die("restart_file set-up");
		close(fd);
		close(lf);
	}
	char **getrf = envv(base, "REQUEST_METHOD=GET", var("CGI2SCGI_SOCKET",
	    ssock), var("CGI2SCGI_RESTART_FILE", rfile), "CGI2SCGI_START=false",
	    var("CGI2SCGI_PIDFILE", path(tmp, "none.pid")), NULL);

	printf("cgi2scgi benchmark (bench/driver)\n");
	print_cpu();
	print_load("before");
	{
		struct stat st;
		if (stat(cgi, &st) == 0)
			printf("subject: %s, %lld bytes\n", cgi,
			    (long long)st.st_size);
	}
	printf("rounds:  %d per subject (+%d warm-up), alternating\n",
	    rounds, warm);

	/* ---- R52: per-request cost ------------------------------------ */
	/* ref: the minimal relay of the same method, for the "x relay" column */
	struct subject all[] = {
		{ "exec floor (bench/floor)", (char *[]){ floor_, NULL }, get, 0 },
		{ "minimal relay GET", (char *[]){ relay, NULL }, get, 0 },
		{ "cgi2scgi GET", (char *[]){ cgi, NULL }, get, 0 },
		{ "minimal relay POST 64 KiB", (char *[]){ relay, NULL }, post64,
		    64 * KiB },
		{ "cgi2scgi POST 64 KiB", (char *[]){ cgi, NULL }, post64, 64 * KiB },
		{ "cgi-fcgi GET (FastCGI)", (char *[]){ fcgi, "-bind", "-connect",
		    fsock, NULL }, get, 0 },
		/* before Python, whose 20 ms run would cool the caches of
		 * whatever runs next */
		{ "cgi2scgi GET, restart_file", (char *[]){ cgi, NULL }, getrf, 0 },
		{ "Python CGI GET (pyrelay.py)", (char *[]){ pyrelay, NULL }, get, 0 },
	};
	struct subject sub[8];
	int nsub = 0;
	for (i = 0; i < (int)(sizeof all / sizeof all[0]); i++) {
		if (access(all[i].argv[0], X_OK) != 0 ||
		    (all[i].argv[0] == pyrelay && access(python, X_OK) != 0)) {
			printf("note: %s missing: \"%s\" skipped\n",
			    all[i].argv[0] == pyrelay ? python : all[i].argv[0],
			    all[i].name);
			continue;
		}
		sub[nsub] = all[i];
		sub[nsub].ref = all[i].body > 0 ? 3 : 1;
		if ((sub[nsub++].ns = calloc(rounds, sizeof(long long))) == NULL)
			die("calloc");
	}
	long long t_start = now_ns();
	for (j = -warm; j < rounds; j++)
		for (i = 0; i < nsub; i++) {
			run_one(sub[i].argv, sub[i].envp, sub[i].body, OUT_PIPE, 0, &r);
			if (j < 0)
				continue;
			sub[i].ns[sub[i].n++] = r.wall;
			sub[i].bad += !r.ok;
			sub[i].out = r.out;
		}
	double med[8], p90[8];
	printf("\nR52 per request: fork + exec + wait, wall time, %d rounds "
	    "(%.1f s)\n", rounds, (now_ns() - t_start) / 1e9);
	printf("  %-30s %10s %10s %8s %8s %6s\n", "subject", "median us",
	    "p90 us", "x floor", "x relay", "bytes");
	for (i = 0; i < nsub; i++) {
		med[i] = quantile(sub[i].ns, sub[i].n, 0.5) / 1000;
		p90[i] = quantile(sub[i].ns, sub[i].n, 0.9) / 1000;
	}
	for (i = 0; i < nsub; i++) {
		printf("  %-30s %10.1f %10.1f %8.2f %8.2f %6llu", sub[i].name,
		    med[i], p90[i], med[i] / med[0], med[i] / med[sub[i].ref],
		    sub[i].out);
		if (sub[i].bad)
			printf("  %d FAILED", sub[i].bad);
		printf("\n");
	}
	printf("  (x relay: against the minimal relay of the same method)\n");

	/* ---- R53: cold start --------------------------------------------- */
	long long *gap = calloc(cold, sizeof *gap), *total = calloc(cold,
	    sizeof *total);
	int nbad = 0, ncold = 0;
	if (gap == NULL || total == NULL)
		die("calloc");
	for (i = 0; i < cold; i++) {
		/* a bind delay of 20 ms plus a step through the 5 ms retry
		 * period (R39), so that every phase is sampled */
		double delay = 20 + 5.0 * i / cold;
		char cmd[1024];
		FILE *f;
		long pid = 0;
		long long lts = 0;

		snprintf(cmd, sizeof cmd, "exec %s -1 -d %.3f -t %s %s", sv,
		    delay, ts, csock);
		startvar = var("CGI2SCGI_START", cmd);
		unlink(ts);
		unlink(csock);
		char **env = envv(base, "REQUEST_METHOD=GET",
		    var("CGI2SCGI_SOCKET", csock), startvar,
		    var("CGI2SCGI_LOG", path(tmp, "start.log")), NULL);
		run_one((char *[]){ cgi, NULL }, env, 0, OUT_PIPE, 0, &r);
		f = fopen(ts, "r");
		if (f == NULL || fscanf(f, "%ld %lld", &pid, &lts) != 2)
			pid = 0;
		if (f != NULL)
			fclose(f);
		if (!r.ok || pid <= 0) {
			nbad++;
		} else {
			gap[ncold] = r.first - lts;
			total[ncold++] = r.wall;
		}
		if (pid > 0) {
			kill(pid, SIGTERM);
			if (waitpid(pid, NULL, 0) < 0)	/* not ours? poll */
				for (j = 0; j < 200 && kill(pid, 0) == 0; j++)
					usleep(5000);
		}
	}
	unlink(csock);
	double cmed = quantile(gap, ncold, 0.5) / 1e6;
	printf("\nR53 cold start, %d starts (bind delay 20-25 ms)\n", cold);
	printf("  listen() to first response byte: median %.2f ms, "
	    "p90 %.2f ms, max %.2f ms\n", cmed, quantile(gap, ncold, 0.9) / 1e6,
	    quantile(gap, ncold, 1.0) / 1e6);
	printf("  whole request (exec, start, wait, answer): median %.1f ms\n",
	    quantile(total, ncold, 0.5) / 1e6);
	if (nbad)
		printf("  %d FAILED\n", nbad);

	/* ---- R54: peak RSS -------------------------------------------------- */
	struct {
		const char *name;
		char **argv, **envp;
		unsigned long long body;
		long hwm, maxrss;
		int bad;
	} mem[] = {
		{ "exec floor (baseline)", (char *[]){ floor_, NULL }, get, 0 },
		{ "minimal relay", (char *[]){ relay, NULL }, get, 0 },
		{ "cgi2scgi GET", (char *[]){ cgi, NULL }, get, 0 },
		{ "cgi2scgi POST 0 B", (char *[]){ cgi, NULL }, post0, 0 },
		{ "cgi2scgi POST 64 KiB", (char *[]){ cgi, NULL }, post64, 64 * KiB },
		{ "cgi2scgi POST 200 MiB", (char *[]){ cgi, NULL }, postbig, big_post },
		{ "cgi2scgi GET 256 MiB answer", (char *[]){ cgi, NULL }, getbig, 0 },
	};
	int nmem = sizeof mem / sizeof mem[0];
	for (j = 0; j < 3; j++)
		for (i = 0; i < nmem; i++) {
			run_one(mem[i].argv, mem[i].envp, mem[i].body, OUT_PIPE,
			    1, &r);
			mem[i].bad += !r.ok || r.hwm <= 0;
			if (r.hwm > mem[i].hwm)
				mem[i].hwm = r.hwm;
			if (r.maxrss > mem[i].maxrss)
				mem[i].maxrss = r.maxrss;
		}
	printf("\nR54 peak RSS: VmHWM read at the exit stop (ptrace), max of 3\n");
	printf("  %-30s %9s %13s\n", "subject", "VmHWM", "ru_maxrss*");
	for (i = 0; i < nmem; i++)
		printf("  %-30s %5ld KiB %9ld KiB%s\n", mem[i].name, mem[i].hwm,
		    mem[i].maxrss, mem[i].bad ? "  FAILED" : "");
	printf("  (*wait4: includes the driver's own pre-exec copy; "
	    "not the R54 figure)\n");

	/* ---- R55: throughput ------------------------------------------------ */
	struct subject tp[] = {
		{ "direct read (bench/reader)", (char *[]){ reader, NULL }, getbig, 0 },
		{ "cgi2scgi -> pipe", (char *[]){ cgi, NULL }, getbig, 0 },
		{ "minimal relay -> pipe", (char *[]){ relay, NULL }, getbig, 0 },
		{ "splice relay -> 1 MiB pipe", (char *[]){ srelay, NULL }, getbig, 0 },
	};
	int ntp = sizeof tp / sizeof tp[0];
	for (i = 0; i < ntp; i++)
		if ((tp[i].ns = calloc(trounds, sizeof *tp[i].ns)) == NULL)
			die("calloc");
	for (j = -1; j < trounds; j++)
		for (i = 0; i < ntp; i++) {
			run_one(tp[i].argv, tp[i].envp, 0,
			    i == 0 ? OUT_NULL : OUT_PIPE, 0, &r);
			if (j < 0)
				continue;
			tp[i].ns[tp[i].n++] = r.wall;
			tp[i].bad += !r.ok || (i > 0 && r.out < big_resp);
		}
	double rate[4];
	printf("\nR55 a %llu MiB response, %d rounds (median wall time)\n",
	    big_resp / MiB, trounds);
	for (i = 0; i < ntp; i++) {
		double s = quantile(tp[i].ns, tp[i].n, 0.5) / 1e9;
		rate[i] = big_resp / MiB / s;
		printf("  %-30s %8.1f ms %8.0f MiB/s %6.2fx%s\n", tp[i].name,
		    s * 1e3, rate[i], rate[i] / rate[0],
		    tp[i].bad ? "  FAILED" : "");
	}

	/* ---- verdicts ------------------------------------------------------- */
	int any_bad = nbad;
	for (i = 0; i < nsub; i++)
		any_bad |= sub[i].bad != 0;
	for (i = 0; i < nmem; i++)
		any_bad |= mem[i].bad != 0;
	for (i = 0; i < ntp; i++)
		any_bad |= tp[i].bad != 0;
	char v[32];
	printf("\ntargets (informational: make bench always exits 0)\n");
#define TARGET(name, ok, ...) (snprintf(v, sizeof v, __VA_ARGS__), \
	printf("  %-42s %10s  %s\n", name, v, (ok) ? "PASS" : "MISS"))
#define INFO(name, ...) (snprintf(v, sizeof v, __VA_ARGS__), \
	printf("  %-42s %10s\n", name, v))
	TARGET("R52 GET <= 1.10x minimal relay", med[2] / med[1] <= 1.10 &&
	    !sub[2].bad, "%.2fx", med[2] / med[1]);
	TARGET("R52 GET <= 1.5x exec floor", med[2] / med[0] <= 1.5 &&
	    !sub[2].bad, "%.2fx", med[2] / med[0]);
	INFO("info: POST 64 KiB / minimal relay POST", "%.2fx", med[4] / med[3]);
	TARGET("R52/R41 GET, restart_file <= 1.10x relay",
	    med[6] / med[1] <= 1.10 && !sub[6].bad, "%.2fx", med[6] / med[1]);
	TARGET("R53 cold start <= 10 ms (median)", ncold > 0 && !nbad &&
	    cmed <= 10, "%.2f ms", cmed);
	TARGET("R54 peak RSS < 256 KiB, 0 B POST", !mem[3].bad &&
	    mem[3].hwm < 256, "%ld KiB", mem[3].hwm);
	TARGET("R54 peak RSS < 256 KiB, 200 MiB POST", !mem[5].bad &&
	    mem[5].hwm < 256, "%ld KiB", mem[5].hwm);
	TARGET("R55 256 MiB relayed >= 0.9x direct read", !tp[1].bad &&
	    rate[1] / rate[0] >= 0.9, "%.2fx", rate[1] / rate[0]);
	INFO("info: 256 MiB / minimal relay -> pipe", "%.2fx", rate[1] / rate[2]);
	INFO("info: 256 MiB / splice relay -> pipe", "%.2fx", rate[1] / rate[3]);
	if (any_bad)
		printf("  some runs FAILED: see %s/stderr.log\n", tmp);
	print_load("after");

	cleanup(any_bad);
	return 0;
}
