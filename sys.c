/* The ground floor: the kernel boundary. Calls nothing of the product. */
#include "cgi2scgi.h"
#include <errno.h>
#include <time.h>

/*
 * The one system call, five arguments at most, on the four release
 * architectures. It returns the kernel's value: >= 0, or -errno. The
 * compiler inlines it: each call site then loads the kernel's registers
 * directly, 128 bytes less in all than calls to one copy.
 */
long
sys(long n, long a, long b, long c, long d, long e)
{
#if defined(__x86_64__)
	register long r10 __asm__("r10") = d, r8 __asm__("r8") = e;

	__asm__ volatile ("syscall" : "+a"(n) : "D"(a), "S"(b), "d"(c),
	    "r"(r10), "r"(r8) : "rcx", "r11", "memory");
	return n;
#elif defined(__i386__)
	__asm__ volatile ("int $0x80" : "+a"(n) : "b"(a), "c"(b), "d"(c),
	    "S"(d), "D"(e) : "memory");
	return n;
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = n, x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b, x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d, x4 __asm__("x4") = e;

	__asm__ volatile ("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2),
	    "r"(x3), "r"(x4) : "memory", "cc");
	return x0;
#elif defined(__arm__)
	register long r7 __asm__("r7") = n, r0 __asm__("r0") = a;
	register long r1 __asm__("r1") = b, r2 __asm__("r2") = c;
	register long r3 __asm__("r3") = d, r4 __asm__("r4") = e;

	__asm__ volatile ("svc 0" : "+r"(r0) : "r"(r7), "r"(r1), "r"(r2),
	    "r"(r3), "r"(r4) : "memory", "cc");
	return r0;
#else
#error "sys(): no system call for this architecture"
#endif
}

/* the same for calls of at most three arguments (the kernel reads no
 * others): the registers of the fourth and fifth are left as they are,
 * which saves their loading at each call site (R51) */
long
sys3(long n, long a, long b, long c)
{
#if defined(__x86_64__)
	__asm__ volatile ("syscall" : "+a"(n) : "D"(a), "S"(b), "d"(c)
	    : "rcx", "r11", "memory");
	return n;
#elif defined(__i386__)
	__asm__ volatile ("int $0x80" : "+a"(n) : "b"(a), "c"(b), "d"(c)
	    : "memory");
	return n;
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = n, x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b, x2 __asm__("x2") = c;

	__asm__ volatile ("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2)
	    : "memory", "cc");
	return x0;
#elif defined(__arm__)
	register long r7 __asm__("r7") = n, r0 __asm__("r0") = a;
	register long r1 __asm__("r1") = b, r2 __asm__("r2") = c;

	__asm__ volatile ("svc 0" : "+r"(r0) : "r"(r7), "r"(r1), "r"(r2)
	    : "memory", "cc");
	return r0;
#endif
}

/* the compiler may call these for struct copies and clears; the unit
 * tests, linked with libc, take libc's (HOSTED) */
#ifndef HOSTED
void *
memcpy(void *to, const void *from, size_t n)
{
	char *t = to;
	const char *f = from;

	while (n-- > 0)
		*t++ = *f++;
	return to;
}

void *
memmove(void *to, const void *from, size_t n)
{
	char *t = to;
	const char *f = from;

	if (t < f)
		return memcpy(to, from, n);
	while (n-- > 0)
		t[n] = f[n];
	return to;
}

void *
memset(void *to, int ch, size_t n)
{
	char *t = to;

	while (n-- > 0)
		*t++ = ch;
	return to;
}

#ifdef __arm__
/* libgcc's 64-bit division calls raise(SIGFPE) on a division by zero,
 * which the launcher never makes (it divides by constants) */
__attribute__((used)) int
raise(int sig)
{
	return sig;
}
#endif
#endif

/* O_LARGEFILE, or on 32-bit targets the log (which the app inherits)
 * and the spool stop at 2 GiB */
int
sys_open(const char *path, int flags, int mode)
{
	return sys(SYS_openat, AT_FDCWD, (long)path, flags | O_LARGEFILE, mode,
	    0);
}

int
sys_close(int fd)
{
	return sys3(SYS_close, fd, 0, 0);
}

/* one read, again after EINTR */
long
sys_read(int fd, void *buf, size_t n)
{
	long r;

	while ((r = sys3(SYS_read, fd, (long)buf, n)) == -EINTR)
		;
	return r;
}

/* all of buf: n, or -errno */
long
writeall(int fd, const void *buf, size_t n)
{
	const char *p = buf, *end = p + n;
	long r;

	while (p < end) {
		r = sys3(SYS_write, fd, (long)p, end - p);
		if (r == -EINTR)
			continue;
		if (r < 0)
			return r;
		p += r;
	}
	return n;
}

/* dup2 through dup3, which every architecture has and which refuses
 * from == to: never so here, as a new fd is above 0, 1 and 2 (R35a) */
int
sys_dup2(int from, int to)
{
	return sys3(SYS_dup3, from, to, 0);
}

/* poll through ppoll, waiting sec seconds and nsec; the kernel's
 * timespec is two 64-bit numbers (the time64 call on 32-bit) */
int
sys_poll(void *fds, int n, long sec, long nsec)
{
	long long t[2] = { sec, nsec };

	return sys(SYS_PPOLL, (long)fds, n, (long)t, 0, 0);
}

/* statx, of path or (with AT_EMPTY_PATH and "") of dirfd itself; libc's
 * stat family costs 500 bytes; needs Linux 4.11 */
int
sys_stat(int dirfd, const char *path, int flags, struct kstat *st)
{
	return sys(SYS_statx, dirfd, (long)path, flags,
	    0x7ff /* STATX_BASIC_STATS */, (long)st);
}

/* a handler, SIG_DFL or SIG_IGN for sig. A handler here never returns
 * (it ends the process), so the restorer that x86-64 demands is never
 * run: any address will do. SA_NODEFER: the signal stays deliverable
 * inside its handler, which may set it back to its default */
int
sig_set(int sig, void (*handler)(int))
{
	struct {
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(int);
		unsigned mask[2];
	} sa = { handler, 0x44000000 /* SA_RESTORER | SA_NODEFER */, handler,
		{ 0, 0 } };

	return sys(SYS_rt_sigaction, sig, (long)&sa, 0, sizeof sa.mask, 0);
}

/* SIGALRM after sec seconds (0: never) */
void
alarm_in(long sec)
{
	long t[4] = { 0, 0, sec, 0 };	/* struct itimerval, no interval */

	sys3(SYS_setitimer, 0 /* ITIMER_REAL */, (long)t, 0);
}

void
sys_exit(int status)
{
	for (;;)
		sys3(SYS_exit_group, status, 0, 0);
}

/* the kernel's clock into t, its 64-bit timespec; on a 32-bit kernel
 * before 5.1, which has no time64 calls, the old one (so that every wait
 * stays bounded) */
static void
clock_get(int clock, long long *t)
{
#ifdef SYS_clock_gettime64
#ifndef SYS_clock_gettime32	/* musl's name; glibc's is the plain one */
#define SYS_clock_gettime32 SYS_clock_gettime
#endif
	long o[2];

	if (sys3(SYS_CLOCK_GETTIME, clock, (long)t, 0) < 0 &&
	    sys3(SYS_clock_gettime32, clock, (long)o, 0) == 0) {
		t[0] = o[0];
		t[1] = o[1];
	}
#else
	sys3(SYS_CLOCK_GETTIME, clock, (long)t, 0);
#endif
}

/* the monotonic clock sec seconds from now, in milliseconds: the end of
 * a wait. The nanoseconds are divided as a long: on 32-bit targets a
 * 64-bit division brings libgcc's (R51) */
long long
after(long sec)
{
	long long t[2] = { 0, 0 };

	clock_get(CLOCK_MONOTONIC, t);
	return (t[0] + sec) * 1000 + (long)t[1] / 1000000;
}

/* the time of day in whole seconds, rounded down */
long long
now_s(void)
{
	long long t[2] = { 0, 0 };

	clock_get(CLOCK_REALTIME, t);
	return t[0];
}

/* connect and lock retries: 1 ms, growing by 1 ms to at most 5 ms, so
 * that a started app is served within a few ms of accepting (R39) */
long
backoff_us(int attempt)
{
	return attempt < 4 ? 1000 + 1000L * attempt : 5000;
}

/*
 * The one retry loop, shared by the start lock and the wait for the
 * app: 0 once the monotonic clock has reached end (ms); else sleep the
 * next back-off step and return 1. Sleeping by poll: no signal handler,
 * and nanosleep would bring nothing better.
 */
int
later(long long end, int *attempt)
{
	if (after(0) >= end)
		return 0;
	sys_poll(NULL, 0, 0, backoff_us((*attempt)++) * 1000);
	return 1;
}
