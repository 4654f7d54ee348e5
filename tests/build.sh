#!/bin/bash
# R50: `make` gives a static, stripped x86-64 binary built with musl, and
# `make CC=cc` a glibc one for development, both -Wall -Wextra -Werror clean
# (the Makefile's flags). Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
passed=0
failed=0
check() {
	if eval "$2"; then
		passed=$((passed + 1))
		echo "ok   $1"
	else
		failed=$((failed + 1))
		echo "FAIL $1"
	fi
}
d=$(mktemp -d /tmp/cgi2scgi-build.XXXXXX) || exit 2
trap 'rm -rf "$d"' EXIT

check "R50 ./cgi2scgi is an ELF executable for x86-64" \
    'readelf -hW cgi2scgi | grep -q "Machine: *Advanced Micro Devices X86-64"'
check "R50 static: no program interpreter, no dynamic section" \
    '! readelf -lW cgi2scgi | grep -qE "INTERP|DYNAMIC"'
check "R50 stripped: no symbol table" \
    '! readelf -sW cgi2scgi 2>&1 | grep -q "Symbol table"'
check "R50 no libc linked (own _start and sys()), nothing of glibc in it" \
    '! grep -q glibc cgi2scgi && ./cgi2scgi --version | grep -q "^cgi2scgi "'
git ls-files -z | xargs -0 cp --parents -t "$d" 2>/dev/null || cp -r . "$d"
# with no libc linked, the glibc build differs only by its headers: it
# must build -Werror clean with them, and run
check "R50 make CC=cc builds with glibc's headers, -Werror clean, and runs" \
    'make -s -C "$d" CC=cc cgi2scgi >"$d/log" 2>&1 &&
    "$d/cgi2scgi" --version | grep -q "^cgi2scgi "'
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
