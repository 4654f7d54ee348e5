/* cgi2scgi: run as a CGI program, forward the request to an SCGI app. */
#ifndef CGI2SCGI_H
#define CGI2SCGI_H

#include <stddef.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>

#define MAX_ENV 32

struct addr {
	union {
		struct sockaddr sa;
		struct sockaddr_un un;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} u;
	socklen_t len;
};

struct config {
	const char *file;	/* last config file read, for messages */
	const char *socket;
	const char *start;
	const char *directory;
	const char *log;
	const char *lock;
	long start_timeout;
	long retry_after;
	long timeout;
	int nenv;
	const char *env[MAX_ENV];
};

/*
 * System calls are made with syscall(2), using calls that every target
 * architecture has (openat, ppoll, dup3, unlinkat): musl's wrappers are
 * thread cancellation points, thunks into machinery that a single-
 * threaded launcher never uses, about 800 bytes in all (R51).
 */

/* 32-bit targets: the calls that take a 64-bit time_t (musl's own);
 * SO_SNDTIMEO_OLD, as musl's SO_SNDTIMEO there is SO_SNDTIMEO_NEW (67),
 * whose timeval is two 64-bit numbers (Linux 5.1, unknown to qemu-user):
 * the old one takes two longs, and is 21 on i386 and arm */
#ifdef SYS_clock_gettime64
#define SYS_CLOCK_GETTIME SYS_clock_gettime64
#define SYS_PPOLL SYS_ppoll_time64
#define SNDTIMEO 21
#else
#define SYS_CLOCK_GETTIME SYS_clock_gettime
#define SYS_PPOLL SYS_ppoll
#define SNDTIMEO SO_SNDTIMEO
#endif

/* config.c */
void config_defaults(struct config *c);
const char *config_environ(struct config *c, char **env);
const char *config_text(struct config *c, char *text, const char *file,
    int *line);
int config_file(struct config *c, const char *file, int need_shebang);
const char *config_check(const struct config *c);
void config_print(const struct config *c);
char *dir_of(const char *file);
int parse_seconds(const char *s, long *v);
int parse_addr(const char *s, struct addr *a);
const char *unix_path(const char *s);
char *concat(const char *a, const char *b, const char *c);
char *find(const char *s, int ch);
long long decimal(const char *s, const char *end, long long max);

/* cgi2scgi.c */
extern const char *tag;
size_t len(const char *s);
int same(const char *a, const char *b, size_t n);
int writeall(int fd, const void *buf, size_t n);
void say(int fd, ...);
ssize_t readfd(int fd, void *buf, size_t n);
const char *lookup(char **env, const char *name);
void logline(const char *what, const char *detail);
void logerr(const char *what);
int sys_open(const char *path, int flags, int mode);
int sys_close(int fd);
int sys_dup2(int from, int to);
int sys_poll(void *fds, int n, long sec, long nsec);
const char *errtext(int e);
char *utoa(char *end, unsigned long long v);
char *num(unsigned long long v);
int parse_length(const char *s, unsigned long long *n);
size_t scgi_header(char *buf, char **env, const char *length, int skip_te);
int status_line(const char *b, size_t n);

/* lock.c */
struct record {
	long long epoch;
	long long pid;
	int failed;
};
int lock_take(const char *path, long seconds);
int record_read(int fd, struct record *r);
int record_write(int fd, const struct record *r);
int record_parse(const char *s, size_t n, struct record *r);
size_t record_format(char *buf, const struct record *r);

/* spawn.c */
int app_connect(const struct config *c, const struct addr *a, long *retry);
size_t start_env(const char **out, size_t max, char **env,
    const struct config *c, const char *sock);
long backoff_us(int attempt);
void pause_us(long us);
long long now_ms(int clock);
int sig_set(int sig, int ignore);
int dial(const struct addr *a, long seconds);

#endif
