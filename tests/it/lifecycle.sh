#!/bin/bash
# Deploys and stops (issue 11), each run directly as a CGI or from a shell
# on a shebang config, with tests/it/edge-app.py as the app:
#   bash tests/it/lifecycle.sh [BINARY]
# R41 restart on touch, R42 stop by command or pidfile (TERM, then KILL),
# R44 --stop/--restart/--status, R45 growing quiet window, R46 stopped is
# not broken, R32 the five-field record. About 15 s. Ends with
# "N passed, N failed"; exits non-zero if any failed.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

it_bin "${1:-}"
mk_tree
own_launcher
APP=$IT_DIR/edge-app.py
CGI=$T/app.cgi
cd "$T" || exit 2
PIDFILES+=("$T/app.pid")
# every app started, by the pids they wrote ("up PID")
at_exit 'for p in $(awk "/^up /{print \$2}" "$T/count" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done'

# cfg LINE...: the shebang config $CGI, socket $T/app.sock, then LINE...
cfg() {
	{
		echo "#!$L"
		echo "socket = $T/app.sock"
		printf '%s\n' "$@"
	} >"$CGI"
	chmod 755 "$CGI"
}
# the start of most checks: counts its runs, the app writes its pid
START="start = echo >>$T/starts; $PY $APP $T/app.sock ok $T/count >/dev/null 2>&1 & echo \$! >$T/app.pid"
# req: a GET through $CGI, its output; cli ARG: $CGI ARG from a shell
req() { env -i GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET "$CGI" </dev/null 2>>"$T/err"; }
cli() { env -i PATH=/usr/bin:/bin "$CGI" "$@" 2>>"$T/err"; }
cli2() { env -i PATH=/usr/bin:/bin "$CGI" "$@" 2>&1; }	# and its log
starts() { nlines "$T/starts"; }
gone() { ! kill -0 "$1" 2>/dev/null || [ "$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null)" = Z ]; }
mtime_ns() { stat -c %.9Y "$1" | tr -d .; }
record() { cat "$T/app.sock.lock" 2>/dev/null; }

echo "== pidfile, restart_file"
cfg "$START" "pidfile = $T/app.pid" "restart_file = $T/restart.txt" \
    "start_timeout = 3" "retry_after = 2"
out=$(req)
check "R30 the first request starts the app" all '[[ "$out" == *ok* ]]' 'eq "$(starts)" 1'
out=$(req)
check "R31 the next one does not" all '[[ "$out" == *ok* ]]' 'eq "$(starts)" 1'
check "R32 record: 'EPOCH started 0 0 0' (no restart_file yet: MTIME 0)" \
    has "$T/app.sock.lock" '^[0-9]+ started 0 0 0$'
p1=$(cat "$T/app.pid")
touch "$T/restart.txt"
mt=$(mtime_ns "$T/restart.txt")
out=$(req)
check "R41 restart_file touched: the next request restarts the app, once" \
    all '[[ "$out" == *ok* ]]' 'eq "$(starts)" 2' 'gone "$p1"'
check "R32/R41 the record holds restart_file's mtime in ns" \
    has "$T/app.sock.lock" "^[0-9]+ started 0 0 $mt\$"
check "R41 the lock file's own mtime mirrors it (the hot path's two statx)" \
    eq "$(mtime_ns "$T/app.sock.lock")" "$mt"
out=$(req); out=$(req)
check "R41 no more restarts for that touch" all '[[ "$out" == *ok* ]]' 'eq "$(starts)" 2'
touch -d 2001-01-01 "$T/restart.txt"
out=$(req)
check "R41 an earlier mtime is a change too" all '[[ "$out" == *ok* ]]' 'eq "$(starts)" 3'
rm "$T/restart.txt"
out=$(req)
check "R41 a missing restart_file: nothing to do" all '[[ "$out" == *ok* ]]' 'eq "$(starts)" 3'
out=$(cli --status); rc=$?
check "R44 --status: accepting, the record in words, exit 0" \
    all 'eq "$rc" 0' '[[ "$out" == *"app: accepting"* ]]' \
    '[[ "$out" == *"last start: started, "* ]]' '[[ "$out" == *"failures in a row: 0"* ]]'
p1=$(cat "$T/app.pid")
out=$(cli --stop); rc=$?
check "R42/R44 --stop by pidfile: 'app: stopped', exit 0, the app gone" \
    all 'eq "$rc" 0' 'eq "$out" "app: stopped"' 'gone "$p1"'
check "R46 record: stopped" has "$T/app.sock.lock" '^[0-9]+ stopped 0 0 '
out=$(cli --status); rc=$?
check "R44 --status of a stopped app: exit 3" \
    all 'eq "$rc" 3' '[[ "$out" == *"last start: stopped"* ]]'
out=$(cli --stop); rc=$?
check "R44 --stop of a stopped app: stopped, exit 0" all 'eq "$rc" 0' 'eq "$out" "app: stopped"'
out=$(req)
check "R46 a request after --stop starts the app, no quiet window" \
    all '[[ "$out" == *ok* ]]' 'eq "$(starts)" 4'
p1=$(cat "$T/app.pid")
out=$(cli --restart); rc=$?
check "R44 --restart: a new app, 'app: accepting', exit 0" \
    all 'eq "$rc" 0' 'eq "$out" "app: accepting"' 'eq "$(starts)" 5' 'gone "$p1"'
cli --stop >/dev/null

echo "== stop command"
: >"$T/starts"
cfg "$START" "stop = kill \$(cat $T/app.pid)" "restart_file = $T/restart.txt" \
    "start_timeout = 3"
out=$(req); p1=$(cat "$T/app.pid")
touch "$T/restart.txt"
out=$(req)
check "R41/R42 restart by the stop command" \
    all '[[ "$out" == *ok* ]]' 'eq "$(starts)" 2' 'gone "$p1"'
p1=$(cat "$T/app.pid")
out=$(cli --stop)
check "R42 --stop by the stop command" all 'eq "$out" "app: stopped"' 'gone "$p1"'

echo "== SIGTERM ignored: SIGKILL after start_timeout"
: >"$T/starts"
cfg "start = echo >>$T/starts; (trap '' TERM; exec $PY $APP $T/app.sock ok $T/count) >/dev/null 2>&1 & echo \$! >$T/app.pid" \
    "pidfile = $T/app.pid" "start_timeout = 2"
out=$(req); p1=$(cat "$T/app.pid")
t0=$(date +%s%N)
out=$(cli --stop)
ms=$((($(date +%s%N) - t0) / 1000000))
check "R42 an app deaf to SIGTERM is killed after start_timeout (${ms} ms)" \
    all 'eq "$out" "app: stopped"' 'gone "$p1"' '[ "$ms" -ge 1900 ]'

echo "== a stop that does not stop"
: >"$T/starts"
cfg "$START" "stop = true" "restart_file = $T/restart.txt" "start_timeout = 1"
out=$(req); p1=$(cat "$T/app.pid")
touch "$T/restart.txt"
mt=$(mtime_ns "$T/restart.txt")
out=$(req)
check "R42 the app still accepts: the old app answers, no start" \
    all '[[ "$out" == *ok* ]]' 'eq "$(starts)" 1' '! gone "$p1"'
check "R42 ... 'cannot stop' logged, the MTIME recorded all the same" \
    all 'has "$T/err" "cannot stop: the app still accepts"' \
    'has "$T/app.sock.lock" " $mt\$"'
out=$(req)
check "R41 ... and that change is done with" \
    all '[[ "$out" == *ok* ]]' 'eq "$(grep -c "cannot stop" "$T/err")" 1'
kill "$p1"

echo "== failing starts: the quiet window grows"
: >"$T/starts"
rm -f "$T/app.sock.lock"
cfg "start = echo >>$T/starts; exit 1" "pidfile = $T/app.pid" "retry_after = 2"
out=$(req)
check "R45 the first failure: 503, Retry-After: 2" all '[[ "$out" == *"Retry-After: 2"* ]]'
out=$(req)
check "R45 within the window: 503, no start" \
    all '[[ "$out" == *"503 Service Unavailable"* ]]' 'eq "$(starts)" 1'
sleep 2.1
out=$(req)
check "R45 the second failure in a row: Retry-After: 4" \
    all '[[ "$out" == *"Retry-After: 4"* ]]' 'eq "$(starts)" 2'
check "R32 record: 'EPOCH failed 0 2 0'" has "$T/app.sock.lock" '^[0-9]+ failed 0 2 0$'
out=$(cli --status)
check "R44 --status: failures in a row, seconds left" \
    all '[[ "$out" == *"failures in a row: 2"* ]]' '[[ "$out" =~ "quiet window: "[34]" s left" ]]'
out=$(cli --start); rc=$?
check "R44 --start does not respect the window (a start, which fails: exit 1)" \
    all 'eq "$rc" 1' 'eq "$(starts)" 3'

echo "== the command line"
cfg "$START"
out=$(cli2 --stop); rc=$?
check "R42 --stop without stop or pidfile: a message, exit 1" \
    all 'eq "$rc" 1' '[[ "$out" == *"--stop: needs stop or pidfile"* ]]'
cfg "pidfile = $T/app.pid"
out=$(cli2 --restart); rc=$?
check "R44 --restart without start: a message, exit 1" \
    all 'eq "$rc" 1' '[[ "$out" == *"--restart: needs start, and stop or pidfile"* ]]'
cfg "$START" "restart_file = $T/restart.txt"
out=$(cli2 --check); rc=$?
check "R41 --check: restart_file without stop or pidfile is an error" \
    all 'eq "$rc" 1' '[[ "$out" == *"restart_file needs start, and stop or pidfile"* ]]'

elapsed
summary
