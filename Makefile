# cgi2scgi: `make` builds the static musl binary; `make CC=cc` a glibc one.
VERSION = 0.1.0
CC = musl-gcc
PREFIX = /usr/local
# Optimizations for speed that cost bytes and buy nothing in a program
# bound by its system calls (R51, bytes on x86-64): jump threading copies
# blocks to spare a branch (-237), dominator optimizations (-51) and
# moving loop invariants out (-40 in RTL, -19 in GIMPLE) keep values in
# more registers; so do full redundancy elimination (-23) and forward
# propagation (-14); sibling calls as jumps (-20: a frame torn down
# before each jump) and shrink-wrapping (-6) copy epilogues; a call
# counted as costing no instructions of its own inlines fewer functions
# into their many callers (-54)
CFLAGS = -std=c99 -D_POSIX_C_SOURCE=200809L -Oz -flto -Wall -Wextra -Werror \
	-ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables \
	-fno-stack-protector -fno-pie -fno-ident -mgeneral-regs-only \
	-fno-tree-loop-distribute-patterns -fno-inline-small-functions \
	-fno-thread-jumps -fno-tree-dominator-opts -fno-move-loop-invariants \
	-fno-tree-loop-im -fno-tree-fre -fno-forward-propagate \
	-fno-optimize-sibling-calls -fno-shrink-wrap \
	--param=uninlined-function-insns=0
LDFLAGS = -static -no-pie -s -Wl,--gc-sections -Wl,-z,noseparate-code \
	-Wl,--build-id=none -Wl,-z,norelro -Wl,-z,common-page-size=64
# x86 only: arrays aligned as the ABI says, not for vector loads; a stack
# aligned to 8 bytes, not 16, as there are no SSE registers to spill
# (-mgeneral-regs-only): fewer stack adjustments (R51)
X86_CFLAGS = -malign-data=abi -mpreferred-stack-boundary=3
CFLAGS += $(X86_CFLAGS)
DEFS = -DVERSION='"$(VERSION)"'
ifdef SOCKET
DEFS += -DSOCKET='"$(SOCKET)"'
endif
ifdef START
DEFS += -DSTART='"$(START)"'
endif
# no libc linked: _start is ours (cgi2scgi.c), every system call goes
# through sys() (sys.c); the headers still come from musl (or glibc with
# CC=cc). libgcc for the 64-bit divisions of 32-bit targets.
LDFLAGS += -nostdlib
LDLIBS = -lgcc
SRCS = sys.c str.c addr.c config.c scgi.c lock.c spawn.c cgi2scgi.c
MAX_SIZE = 12288

all: cgi2scgi

HOSTCC = cc

cgi2scgi: $(SRCS) cgi2scgi.h Makefile tools/sstrip
	@command -v $(CC) >/dev/null || sh tests/need.sh musl-tools gcc
	$(CC) $(CFLAGS) $(DEFS) $(LDFLAGS) -o $@ $(SRCS) $(LDLIBS)
	tools/sstrip $@

tools/sstrip: tools/sstrip.c
	@command -v $(HOSTCC) >/dev/null || sh tests/need.sh gcc libc6-dev
	$(HOSTCC) -O2 -Wall -Wextra -Werror -o $@ tools/sstrip.c

# every test: cmocka unit tests, the size bar (R51), the binary under real
# web servers in front of real SCGI servers, the release binaries under
# qemu; the last line is the total (tests/check.sh)
check: cgi2scgi
	bash tests/check.sh

# lighttpd on 127.0.0.1:8080; the example app starts on the first request
demo: cgi2scgi
	bash examples/demo.sh --on-demand

install: cgi2scgi
	install -D -m 755 cgi2scgi $(DESTDIR)$(PREFIX)/bin/cgi2scgi
	install -D -m 644 cgi2scgi.1 $(DESTDIR)$(PREFIX)/share/man/man1/cgi2scgi.1

size: cgi2scgi
	@n=$$(wc -c < cgi2scgi); echo "cgi2scgi: $$n bytes (bar $(MAX_SIZE), aim 10240)"; \
	test $$n -le $(MAX_SIZE)

clean:
	rm -f cgi2scgi tools/sstrip
	$(MAKE) unit-clean bench-clean release-clean

.PHONY: all size check demo install clean

include tests/unit/unit.mk
include bench/bench.mk
include release.mk
