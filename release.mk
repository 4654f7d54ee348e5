# Release binaries for four architectures, included by the top Makefile.
#   make release        release/cgi2scgi-{x86_64,i386,aarch64,armhf}: static,
#                       stripped, against each architecture's musl; prints
#                       each size and sha256 (also in release/SHA256SUMS) and
#                       fails if one is over its bar
#   make release-check  the smoke test of each binary, the foreign ones under
#                       qemu-user-static (tools/release-smoke.py), then
#                       release-unit; ends with "N passed, N failed"
#   make release-unit   the cmocka unit tests built by each glibc cross
#                       compiler, run under qemu-user-static
# Installs what it needs from Debian (tools/release.sh need).
REL_SAVED_GOAL := $(.DEFAULT_GOAL)

REL_ARCHS = x86_64 i386 aarch64 armhf
REL_DIR = release

# the cross compiler (prefix of gcc) and musl's triple, per architecture
REL_CROSS_x86_64 = x86_64-linux-gnu-
REL_CROSS_i386 = i686-linux-gnu-
REL_CROSS_aarch64 = aarch64-linux-gnu-
REL_CROSS_armhf = arm-linux-gnueabihf-
REL_MUSL_x86_64 = x86_64-linux-musl
REL_MUSL_i386 = i386-linux-musl
REL_MUSL_aarch64 = aarch64-linux-musl
REL_MUSL_armhf = arm-linux-musleabihf

# R51's bar on x86-64; the others in proportion to what each measures
# (i386 1.11x, aarch64 1.37x, armhf 0.95x the x86-64 size, steady over
# several versions of the code), rounded up to the next KiB
REL_BAR_x86_64 = $(MAX_SIZE)
REL_BAR_i386 = 14336
REL_BAR_aarch64 = 17408
REL_BAR_armhf = 12288

# the Makefile's flags, all four take them (-mgeneral-regs-only included);
# no libc is linked (our _start and sys()), musl's headers give the
# constants; the compiler's libgcc for 64-bit division on 32-bit targets
REL_CFLAGS = $(filter-out $(X86_CFLAGS),$(CFLAGS)) $(REL_X86_$*)
REL_X86_x86_64 = $(X86_CFLAGS)
REL_X86_i386 = $(X86_CFLAGS)
REL_LDFLAGS = $(LDFLAGS)
REL_INC = /usr/include/$(REL_MUSL_$*)
REL_BINS = $(REL_ARCHS:%=$(REL_DIR)/cgi2scgi-%)

release: $(REL_BINS)
	@sh tools/release.sh report $(REL_DIR) \
	    $(foreach a,$(REL_ARCHS),$(a)=$(REL_BAR_$(a)))

$(REL_DIR)/cgi2scgi-%: $(SRCS) cgi2scgi.h Makefile release.mk tools/sstrip \
    | rel-need
	@mkdir -p $(REL_DIR)
	$(REL_CROSS_$*)gcc $(REL_CFLAGS) $(DEFS) -nostdinc -isystem $(REL_INC) \
	    -isystem $$($(REL_CROSS_$*)gcc -print-file-name=include) \
	    $(REL_LDFLAGS) -o $@ $(SRCS) \
	    $$($(REL_CROSS_$*)gcc -print-libgcc-file-name)
	tools/sstrip $@

release-check: $(REL_BINS)
	@REL_DIR=$(REL_DIR) sh tools/release.sh check $(REL_DIR) $(REL_ARCHS)

release-unit:
	REL_DIR=$(REL_DIR) sh tools/release.sh unit $(REL_ARCHS)

rel-need:
	@sh tools/release.sh need

release-clean:
	rm -rf $(REL_DIR)

.PHONY: release release-check release-unit rel-need release-clean

# being included must not change the including Makefile's default goal
.DEFAULT_GOAL := $(REL_SAVED_GOAL)
