#!/bin/bash
# Edge cases from a review of the launcher, each run directly as a CGI:
#   bash tests/it/edge.sh [BINARY]
# Ends with "N passed, N failed"; exits non-zero if any failed.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

it_bin "${1:-}"
APP=$IT_DIR/edge-app.py
mk_tree
cd "$T" || exit 2

# app MODE [COUNTFILE]: start edge-app.py on $T/app.sock, wait for it;
# APP_PID is its pid
app() {
	rm -f "$T/app.sock"
	spawn edge-app "$PY" "$APP" "$T/app.sock" "$@"
	APP_PID=$SPAWNED
	wait_unix "$T/app.sock" 10
}

# post ENV...: run the launcher as a POST CGI with a clean environment (only
# GATEWAY_INTERFACE, REQUEST_METHOD and ENV: unlike lib.sh's cgi_run, no PATH
# and no timeout(1)), its output on stdout
post() {
	env -i GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=POST "$@" "$BIN"
}

# R1/R22: the bound on a stdout write must not outlive the write: headers
# first, then a body that trickles in over 4 s with timeout = 2
app headers-first
out=$( (for i in 1 2 3 4 5 6 7 8; do printf 0123456789; sleep 0.5; done) |
    post CONTENT_LENGTH=80 CGI2SCGI_SOCKET="$T/app.sock" CGI2SCGI_TIMEOUT=2 \
    2>"$T/e1")
RC=$?
check "R1 timeout: bytes that keep moving after the answer began are no timeout (exit 0, body whole)" \
    all 'eq "$RC" 0' '[[ "$out" == *"got 80"* ]]'
stop "$APP_PID"

# R1/R20: a status line that stalls after "HTTP/1." is a 504, not nothing
app split-stall
out=$(post CONTENT_LENGTH=0 CGI2SCGI_SOCKET="$T/app.sock" CGI2SCGI_TIMEOUT=2 \
    2>/dev/null </dev/null)
check "R16/R20 a status line stalled half way: 504 after timeout" \
    all '[[ "$out" == "Status: 504 Gateway Timeout"* ]]'
stop "$APP_PID"

# R32: a failed record from the future (the clock was set back an hour)
# throttles nothing: the start is tried, Retry-After stays <= retry_after
rm -f "$T/app.sock" "$T/mark"
echo "$(($(date +%s) + 3600)) failed 0" >"$T/app.sock.lock"
out=$(post CONTENT_LENGTH=0 CGI2SCGI_SOCKET="$T/app.sock" \
    CGI2SCGI_START="touch $T/mark; exit 1" CGI2SCGI_RETRY_AFTER=3 \
    2>/dev/null </dev/null)
check "R32 a record dated in the future (clock set back) does not throttle; Retry-After <= retry_after" \
    all 'test -e "$T/mark"' '[[ "$out" == *"Retry-After: 3"* ]]'

# R40/R31: a start that daemonizes (exits 0) before the app listens, its
# launcher killed: the next request waits for that start, no second one
rm -f "$T/app.sock" "$T/app.sock.lock" "$T/count" "$T/runs"
start="echo >>$T/runs; ( sleep 2; exec $PY $APP $T/app.sock ok $T/count ) >/dev/null 2>&1 & exit 0"
# exec: $! is the launcher itself, not a shell around it (killing that
# would leave the launcher to finish its start)
(exec env -i GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=POST CONTENT_LENGTH=0 \
    CGI2SCGI_SOCKET="$T/app.sock" CGI2SCGI_START="$start" "$BIN") \
    >/dev/null 2>&1 </dev/null &
A=$!
sleep 0.7
kill -9 "$A" 2>/dev/null
wait "$A" 2>/dev/null
out=$(post CONTENT_LENGTH=0 CGI2SCGI_SOCKET="$T/app.sock" \
    CGI2SCGI_START="$start" 2>/dev/null </dev/null)
sleep 3			# a second start, had there been one, would be up now
n=$(grep -c '^up ' "$T/count" 2>/dev/null)
runs=$(wc -l <"$T/runs" 2>/dev/null)
check "R40 a daemonizing start whose launcher was killed: the next request waits for it, one start" \
    all '[[ "$out" == *ok* ]]' 'eq "$n" 1' 'eq "$runs" 1'
for p in $(awk '/^up /{print $2}' "$T/count" 2>/dev/null); do
	kill "$p" 2>/dev/null
done

summary
