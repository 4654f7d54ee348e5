/*
 * cgi2scgi: run as a CGI program, forward the request to an SCGI app.
 *
 * The house, lowest floor first. Each file calls only the files listed
 * before it; sys.c calls nothing of ours, and nothing calls up into
 * cgi2scgi.c (tools: ../shared/tools/layers for the developers):
 *
 *   sys.c       the kernel boundary: the system call, the kernel's own
 *               structs, time, sleep, the retry loop, whole-buffer I/O
 *   str.c       strings, decimal numbers, the config store, log lines
 *               and errno names
 *   addr.c      socket addresses: parsed once, dialled
 *   config.c    the configuration from its four sources (R1-R6)
 *   scgi.c      the protocol, pure: body length, header, status line
 *   lock.c      the start lock and its record (R31, R32, R40)
 *   spawn.c     reaching the app, starting it once (R30-R40)
 *   cgi2scgi.c  the process entry, the request and its relay, the
 *               command line
 *
 * There is no libc: _start is ours (cgi2scgi.c) and every system call
 * goes through sys() (sys.c). musl's start-up, TLS set-up, errno and
 * syscall() cost 1.8 KB of the 12 KB bar (R51); a single-threaded
 * program that takes errors from the kernel's return value needs none of
 * them. musl's (or glibc's) headers still give the constants.
 *
 * How errors travel, one rule per kind of function:
 *   - the sys_* calls return what the kernel returns: >= 0, or -errno;
 *     there is no errno variable;
 *   - a function that can end a request logs its one line (R21) and
 *     returns -STATUS (-400 ... -504), else >= 0; its caller answers;
 *   - a pure parser returns -1 (or NULL) for input it refuses, and logs
 *     nothing: its caller knows what the input was.
 */
#ifndef CGI2SCGI_H
#define CGI2SCGI_H

#define _GNU_SOURCE	/* O_TMPFILE, AT_EMPTY_PATH */

#include <stddef.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>

#define MAX_ENV 32	/* env lines of a config */
#define CHUNK 65536	/* one read or write of the relay */

/* for the char arrays of text (lists, names): byte-aligned. The x86-64
 * ABI aligns an array of 16 bytes or more to 16, padding up to 15 bytes
 * before each (R51); an alignment declared takes the place of the ABI's */
#define TEXT __attribute__((aligned(1)))

/* ---- sys.c: the kernel boundary ------------------------------------- */

/* 32-bit targets: the calls that take a 64-bit time_t; SO_SNDTIMEO_OLD,
 * as musl's SO_SNDTIMEO there is SO_SNDTIMEO_NEW (67), whose timeval is
 * two 64-bit numbers (Linux 5.1, unknown to qemu-user): the old one takes
 * two longs, and is 21 on i386 and arm */
#ifdef SYS_clock_gettime64
#define SYS_CLOCK_GETTIME SYS_clock_gettime64
#define SYS_PPOLL SYS_ppoll_time64
#define SYS_UTIMENSAT SYS_utimensat_time64
#define SNDTIMEO 21
#else
#define SYS_CLOCK_GETTIME SYS_clock_gettime
#define SYS_PPOLL SYS_ppoll
#define SYS_UTIMENSAT SYS_utimensat
#define SNDTIMEO SO_SNDTIMEO
#endif
#ifdef SYS_geteuid32	/* i386, arm: plain geteuid is the 16-bit one */
#define SYS_GETEUID SYS_geteuid32
#else
#define SYS_GETEUID SYS_geteuid
#endif

/* the head of the kernel's struct statx (256 bytes in all) */
struct kstat {
	unsigned mask, blksize;
	unsigned long long attributes;
	unsigned nlink, uid, gid;
	unsigned short mode, spare;
	unsigned long long ino, size, blocks, attributes_mask;
	struct { long long sec; unsigned nsec; int pad; } atime, btime,
	    ctime, mtime;
	char rest[256 - 128];
};

long sys(long n, long a, long b, long c, long d, long e);
long sys3(long n, long a, long b, long c);
int sys_open(const char *path, int flags, int mode);
int sys_close(int fd);
long sys_read(int fd, void *buf, size_t n);
long writeall(int fd, const void *buf, size_t n);
int sys_dup2(int from, int to);
int sys_poll(void *fds, int n, long sec, long nsec);
int sys_stat(int dirfd, const char *path, int flags, struct kstat *st);
int sig_set(int sig, void (*handler)(int));
void alarm_in(long sec);
void sys_exit(int status) __attribute__((noreturn));
long long after(long sec);
long long now_s(void);
long backoff_us(int attempt);
int later(long long end, int *attempt);

/* ---- str.c: strings, numbers, the store, log lines ------------------- */

size_t len(const char *s);
int same(const char *a, const char *b, size_t n);
char *find(const char *s, int ch);
long long decimal(const char *s, const char *end, long long max);
char *num(unsigned long long v);
int which(const char *list, const char *s, size_t n);
const char *nth(const char *list, int i);
const char *lookup(char **env, const char *name);
const char *getvar(char **env, const char *name);
long say(int fd, ...);
char *concat(const char *a, const char *b, const char *c);
char *store_end(size_t *room);
void store_take(size_t n);
extern const char *tag;
void logline(const char *what, const char *detail);
void logerr(const char *what, long err);
const char *errname(long err);

/* ---- addr.c: socket addresses ----------------------------------------- */

struct addr {
	union {
		struct sockaddr sa;
		struct sockaddr_un un;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} u;
	socklen_t len;	/* 0: not a valid address */
};

int parse_addr(const char *s, struct addr *a);
int dial(const struct addr *a, long seconds);

/* ---- config.c: the configuration (R1-R6) ------------------------------ */

struct config {
	const char *file;	/* last config file read, for messages */
	const char *dir;	/* its directory as "dir/", or NULL */
	const char *socket;
	const char *start;
	const char *stop;
	const char *directory;
	const char *log;
	const char *lock;
	const char *pidfile;
	const char *restart_file;
	long start_timeout;
	long retry_after;
	long timeout;
	int nenv;
	const char *env[MAX_ENV];
	/* set by config_check, carried from there on */
	struct addr addr;	/* socket, parsed */
	const char *path;	/* the unix socket's path; NULL for TCP */
};

void config_defaults(struct config *c);
int config_environ(struct config *c, char **env, const char **file);
const char *config_text(struct config *c, char *text, size_t n,
    const char *file, int *line);
int config_file(struct config *c, const char *file, int need_shebang);
char *dir_of(const char *file);
int config_check(struct config *c);
void config_print(const struct config *c);
int parse_seconds(const char *s, long *v);

/* ---- scgi.c: the protocol, pure (R10, R13, R16, R17) ------------------ */

int parse_length(const char *s, unsigned long long *n);
size_t scgi_header(char *buf, size_t size, char **env, const char *length);
int status_line(const char *b, size_t n);
const char *coding(char **env);
int unframed(char **env, const char *cl);
int is_nph(const char *script_name);

/* ---- lock.c: the start lock and its record (R31, R32, R40) ------------ */

/* "EPOCH STATE PID FAILURES MTIME" (R32) */
enum { STARTED, FAILED, STOPPED };
struct record {
	long long epoch;	/* whole seconds */
	long long pid;		/* the start command's, while it is under way */
	long long mtime;	/* restart_file's, in ns, as the last start saw it */
	int state;
	int failures;		/* failed starts in a row */
};

extern const char states[];	/* "started\0failed\0stopped\0" */
int lock_take(const char *path, long seconds);
int record_read(int fd, struct record *r);
int record_write(int fd, const struct record *r);
int record_parse(const char *s, size_t n, struct record *r);

/* ---- spawn.c: reaching, starting, stopping the app (R30-R47) ---------- */

/* what is wanted of the app: a request's, or a person's (R44) */
enum { SERVE, START, STOP, RESTART };
int app_connect(const struct config *c, char **env, int want, long *retry);
long quiet_left(const struct config *c, const struct record *r,
    long long now);	/* now: now_s() */
size_t start_env(const char **out, size_t max, char **env,
    const struct config *c, const char *sock);

#endif
