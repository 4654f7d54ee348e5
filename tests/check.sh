#!/bin/bash
# make check: every suite in turn, then one line with the totals.
#   unit      cmocka unit tests (tests/unit)
#   build     static musl x86-64, and the glibc build (R50)
#   size      the size bar (R51)
#   it        the binary under lighttpd and Apache (tests/it/run.sh)
#   ondemand  starting the app on demand (tests/it/ondemand.sh)
#   matrix    every server, backend and HAProxy (tests/it/matrix.sh)
#   edge      edge cases found in review (tests/it/edge.sh)
#   lifecycle restart on touch, stop, --stop/--restart/--status, the
#             growing quiet window (tests/it/lifecycle.sh)
#   flask     a Flask app behind Apache and nginx+fcgiwrap (tests/it/flask.sh)
#   deliver   own answers and bodies delivered by every server (deliver.sh)
#   deploy    restart on touch, stop, status, windows, through real servers
#             with uWSGI and Perl (deploy.sh)
#   idle      the app exits when idle, the next request starts it (idle.sh)
#   hostile   shared-host hazards, with a neighbour user (hostile.sh)
# The four release binaries under qemu are `make release-check`, apart:
# it adds dpkg foreign architectures and cross compilers to the machine.
# A failing suite does not stop the others; the exit status is 1 when any
# check failed or a suite did not run to its end.
set -u
cd "$(dirname "$0")/.."
passed=0
failed=0
out=$(mktemp /tmp/cgi2scgi-check.XXXXXX) || exit 2
trap 'rm -f "$out"' EXIT

# add N to passed or failed from the lines that match a pattern
count() {
	local n
	for n in $(sed -nE "s/$1/\\1/p" "$out"); do
		eval "$2=\$((\$$2 + n))"
	done
}

# run NAME CMD...: show its output; take its counts; a suite that fails
# without counting a failed check counts as one failed check
run() {
	local name=$1 p=$passed f=$failed rc
	shift
	echo "=== $name"
	"$@" >"$out" 2>&1
	rc=$?
	cat "$out"
	if [ "$name" = unit ]; then
		count '^\[  PASSED  \] ([0-9]+) test.*' passed
		count '^\[  FAILED  \] ([0-9]+) test.*listed below.*' failed
	else	# its own total is its last such line
		grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1 >"$out.t"
		mv "$out.t" "$out"
		count '^([0-9]+) passed, [0-9]+ failed.*' passed
		count '^[0-9]+ passed, ([0-9]+) failed.*' failed
	fi
	[ "$name" = size ] && [ "$rc" = 0 ] && passed=$((passed + 1))
	if [ "$rc" != 0 ] && [ "$failed" = "$f" ]; then
		echo "=== $name did not finish (exit $rc)"
		failed=$((failed + 1))
	fi
	echo "=== $name: $((passed - p)) passed, $((failed - f)) failed"
}

run unit make -s unit
run build bash tests/build.sh
run size make -s size
run it bash tests/it/run.sh ./cgi2scgi
run ondemand bash tests/it/ondemand.sh ./cgi2scgi
[ -f tests/it/matrix.sh ] && run matrix bash tests/it/matrix.sh ./cgi2scgi
run edge bash tests/it/edge.sh ./cgi2scgi
run lifecycle bash tests/it/lifecycle.sh ./cgi2scgi
run deploy bash tests/it/deploy.sh ./cgi2scgi
run idle bash tests/it/idle.sh ./cgi2scgi
run flask bash tests/it/flask.sh ./cgi2scgi
[ -f tests/it/deliver.sh ] && run deliver bash tests/it/deliver.sh ./cgi2scgi
[ -f tests/it/hostile.sh ] && run hostile bash tests/it/hostile.sh ./cgi2scgi
echo "check: $passed passed, $failed failed"
[ "$failed" = 0 ]
