# bench/bench.mk: `make bench`, the speed and memory benchmark (SPEC R52-R55).
# The top Makefile includes it; it adds targets only (bench, bench-clean)
# and leaves the default goal alone.  Nothing here runs under `make check`.
#
#   make bench                  driver (about a minute), then Apache end to end
#   make bench BENCH_N=1000     rounds per subject (default 500)
#   make bench BENCH_E2E=0      without the Apache part
#
# Every figure is explained in BENCHMARKS.md.

BENCH_SAVED_GOAL := $(.DEFAULT_GOAL)

BENCH_CC ?= musl-gcc
BENCH_CFLAGS ?= -std=c99 -O2 -Wall -Wextra -Wno-missing-field-initializers \
	-Werror
BENCH_LDFLAGS ?= -static -s
BENCH_N ?= 500
BENCH_ARGS ?= -n $(BENCH_N)
BENCH_E2E ?= 1
BENCH_PKGS ?= musl-tools libfcgi-bin python3
BENCH_E2E_PKGS ?= apache2 apache2-utils
BENCH_BINS = bench/driver bench/scgisrv bench/floor bench/relay \
	bench/reader bench/srelay

bench: cgi2scgi $(BENCH_BINS)
	bench/driver $(BENCH_ARGS) -c ./cgi2scgi -d bench
	@if [ "$(BENCH_E2E)" = 1 ]; then \
		sh tests/need.sh $(BENCH_E2E_PKGS) && \
		bash bench/e2e.sh ./cgi2scgi || echo "e2e: not run"; fi

bench-pkgs:
	@sh tests/need.sh $(BENCH_PKGS)

bench/driver bench/scgisrv bench/floor bench/relay: bench/%: bench/%.c \
	| bench-pkgs
	$(BENCH_CC) $(BENCH_CFLAGS) $(BENCH_LDFLAGS) -o $@ $<

bench/reader: bench/relay.c | bench-pkgs
	$(BENCH_CC) $(BENCH_CFLAGS) -DREADER $(BENCH_LDFLAGS) -o $@ bench/relay.c

bench/srelay: bench/relay.c | bench-pkgs
	$(BENCH_CC) $(BENCH_CFLAGS) -DSPLICE $(BENCH_LDFLAGS) -o $@ bench/relay.c

bench-clean:
	rm -f $(BENCH_BINS)

.PHONY: bench bench-pkgs bench-clean

.DEFAULT_GOAL := $(BENCH_SAVED_GOAL)
