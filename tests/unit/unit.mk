# cmocka unit tests: `make unit` (when included by the top Makefile) or
# `make -f tests/unit/unit.mk unit`, from the top of the repository.
# Builds with plain cc (glibc); objects and the runner stay in tests/unit/.
UNIT_SAVED_GOAL := $(.DEFAULT_GOAL)

UNIT_DIR = tests/unit
UNIT_CC = cc
UNIT_CFLAGS = -std=c99 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -g
# every floor but the top: cgi2scgi.c holds _start and main, and all it
# has that a test needs (the protocol) lives in scgi.c
UNIT_PROD = sys.c str.c addr.c config.c scgi.c lock.c spawn.c
UNIT_TESTS = $(wildcard $(UNIT_DIR)/*.c)
UNIT_OBJS = $(UNIT_PROD:%.c=$(UNIT_DIR)/prod_%.o) \
	$(UNIT_TESTS:%.c=%.o)
UNIT_BIN = $(UNIT_DIR)/run_tests

unit: $(UNIT_BIN)
	./$(UNIT_BIN)

$(UNIT_BIN): $(UNIT_OBJS)
	$(UNIT_CC) $(UNIT_CFLAGS) -o $@ $(UNIT_OBJS) -lcmocka

# the product, HOSTED: linked with libc, so sys.c leaves memcpy, memset
# and memmove to libc's
$(UNIT_DIR)/prod_%.o: %.c cgi2scgi.h | unit-need
	$(UNIT_CC) $(UNIT_CFLAGS) -DHOSTED -c -o $@ $<

$(UNIT_DIR)/%.o: $(UNIT_DIR)/%.c $(UNIT_DIR)/unit.h cgi2scgi.h | unit-need
	$(UNIT_CC) $(UNIT_CFLAGS) -I. -c -o $@ $<

# the product files the tests link, for tools/release.sh
unit-prod:
	@echo $(UNIT_PROD)

unit-need:
	@sh tests/need.sh libcmocka-dev

unit-clean:
	rm -f $(UNIT_DIR)/*.o $(UNIT_BIN)

.PHONY: unit unit-prod unit-need unit-clean

# being included must not change the including Makefile's default goal
.DEFAULT_GOAL := $(UNIT_SAVED_GOAL)
