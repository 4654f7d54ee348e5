#!/bin/bash
# Integration tests of the idle exit (issue 11 item 5; docs/behaviour.md
# R47): an app that exits by itself once unused for IDLE seconds, and the
# next request starting it again, end to end: cgi2scgi as a shebang *.cgi
# behind lighttpd (mod_cgi), run as www-data, in front of
#   - uWSGI started by examples/hello/start.sh with IDLE=2 (--idle 2
#     --die-on-idle --vacuum),
#   - examples/scgi_wsgi.py started by examples/stdlib/start.sh with
#     SCGI_IDLE=2 (unix socket), and by a start line with --idle 2 (TCP on
#     127.0.0.1).
#
#   bash tests/it/idle.sh [BINARY]       (default ./cgi2scgi)
#   KEEP=1 bash tests/it/idle.sh ...     keep the private directory
#
# Sections: 1 scgi_wsgi.py run directly: exit status 0, socket and pid
# files removed, SCGI_IDLE, bad values; 2 uWSGI, 3 scgi_wsgi.py: the whole
# cycle (first request starts the app; requests 1 s apart for longer than
# the idle time, and a 3.6 s slow upload, served by it with no new start;
# exit by itself; the next request starts it again; a second exit; 10
# concurrent requests share one start); 4 scgi_wsgi.py --idle on TCP: the
# short cycle; 5 a request during uWSGI's own shutdown (measured and
# printed, not asserted); 6 the defaults: without IDLE or SCGI_IDLE neither
# example exits.  About 45 s.
#
# Ends with the line "N passed, N failed"; exits non-zero if any failed.
# Every app dir $T/a/NAME holds "starts" (one line per run of `start`),
# the app's pid file and log, and "pids": every app process seen (the
# cleanup kills those still running, by pid).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$IT_DIR/servers.sh"

it_bin "${1:-}"
need_root "lighttpd runs the CGIs and the apps as www-data"
need_pkg lighttpd uwsgi uwsgi-plugin-python3 curl python3 || exit 2

mk_tree
own_launcher		# L: the launcher, as the shebang lines name it
O=$T/out
CGI=$T/cgi-bin
mkdir -p "$CGI" "$T/www" "$T/log" "$O" "$T/a" "$T/ex" "$T/run"
chmod 755 "$CGI" "$T/www" "$T/a" "$T/ex"
chmod 777 "$T/log" "$T/run"
# the examples as they ship, where www-data can read them
cp -r "$IT_DIR/../../examples/hello" "$IT_DIR/../../examples/stdlib" \
    "$IT_DIR/../../examples/scgi_wsgi.py" "$T/ex/"
chmod -R a+rX "$T/ex"
FETCH_TIMEOUT=30
IDLE=2			# the idle time of sections 2 to 4, seconds

# ---- cleanup: every app process seen, by pid ------------------------------------

at_exit kill_apps	# lib.sh: the pids of the app dirs, by pid

# ---- helpers ------------------------------------------------------------------------

# body_pid NAME: the "app pid" the hello app reports in $O/NAME.body (the
# process that served: uWSGI's worker, scgi_wsgi.py itself)
body_pid() { sed -n 's/^app pid: *\([0-9]*\).*/\1/p' "$O/$1.body" 2>/dev/null; }
# note PID...: remember app processes for the cleanup
note() { echo "$@" >>"$A/pids"; }

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
plus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a + b }'; }

# refused ADDR: R30's "down": a connection to ADDR (a unix socket path or
# 127.0.0.1:PORT) is refused, or the socket file is gone; prints the errno
# name (or "accepts")
refused() {
	"$PY" - "$1" <<'EOF'
import errno, socket, sys
a = sys.argv[1]
if a.startswith("/"):
    s, to = socket.socket(socket.AF_UNIX), a
else:
    host, _, port = a.rpartition(":")
    s, to = socket.socket(), (host, int(port))
s.settimeout(2)
try:
    s.connect(to)
    print("accepts")
    sys.exit(1)
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e)))
    sys.exit(0 if e.errno in (errno.ECONNREFUSED, errno.ENOENT) else 1)
EOF
}

# all_gone PID...: none of the PIDs is running (a zombie counts as gone)
all_gone() {
	local p
	for p in "$@"; do
		pid_gone "$p" || return 1
	done
	return 0
}

# wait_down "PID..." ADDR SINCE BOUND: every 0.05 s, BOUND seconds at most,
# until every PID is gone and ADDR refuses; DOWN = the seconds from SINCE (a
# `now`) to then, empty when it did not happen; DOWNHOW = refused's errno name
wait_down() {
	local procs=$1 addr=$2 t0=$3 end
	end=$(plus "$(now)" "$4")
	DOWN="" DOWNHOW=""
	while lt "$(now)" "$end"; do
		# shellcheck disable=SC2086
		if all_gone $procs && DOWNHOW=$(refused "$addr"); then
			DOWN=$(since "$t0")
			return 0
		fi
		sleep 0.05
	done
	DOWNHOW=$(refused "$addr")
	return 1
}

# exited_in: the last wait_down saw the app down, no sooner than the idle time
# (less 0.2 s: the app's clock starts when it ends the answer, ours a little
# after) and within BOUND
exited_in() {	# exited_in IDLE BOUND
	[ -n "$DOWN" ] || { WHY="still up (or its socket still accepts: $DOWNHOW) after $2 s"; return 1; }
	lt "$DOWN" "$(plus "$1" -0.2)" && { WHY="down after only $DOWN s (idle $1 s)"; return 1; }
	return 0
}

# slow_post NAME PATH: POST 6 bytes to lighttpd in three parts 1.8 s apart
# (3.6 s in flight; each pause under uWSGI's 4 s socket timeout): raw
# answer in $O/NAME.raw, body in $O/NAME.body; sets CODE
slow_post() {
	CODE=$("$PY" - "$LPORT" "$2" "$O/$1" <<'EOF'
import socket, sys, time
port, path, out = sys.argv[1:]
s = socket.create_connection(("127.0.0.1", int(port)), 10)
s.settimeout(30)
s.sendall(b"POST " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          b"Content-Type: application/octet-stream\r\nContent-Length: 6\r\n"
          b"Connection: close\r\n\r\n")
for i, part in enumerate((b"ab", b"cd", b"ef")):
    if i:
        time.sleep(1.8)
    s.sendall(part)
buf = b""
try:
    while True:
        b = s.recv(65536)
        if not b:
            break
        buf += b
except OSError:
    pass
open(out + ".raw", "wb").write(buf)
open(out + ".body", "wb").write(buf.partition(b"\r\n\r\n")[2])
print(buf.split(b" ", 2)[1].decode() if buf.startswith(b"HTTP/") else "none")
EOF
)
}

# ---- servers ---------------------------------------------------------------------------
read -r LPORT TPORT DPORT <<<"$(free_ports 3)"
echo "private dir $T; binary $BIN"
start_lighttpd "$LPORT" || exit 1
LU=http://127.0.0.1:$LPORT/cgi-bin
echo "lighttpd up on :$LPORT; idle time $IDLE s"

# the defaults, checked in section 6: each example without its idle setting
env -u SCGI_IDLE "$PY" "$T/ex/scgi_wsgi.py" --socket "$T/run/noidle.sock" \
    --daemon --pidfile "$T/run/noidle.pid" --log "$T/log/noidle.log" \
    "$T/ex/hello/app.py"
PIDFILES+=("$T/run/noidle.pid")
env -u IDLE CGI2SCGI_SOCKET="$T/run/noidle-u.sock" HELLO_RUN="$T/run" \
    sh "$T/ex/hello/start.sh" >"$T/log/noidle-u.out" 2>&1
PIDFILES+=("$T/run/uwsgi.pid")
wait_unix "$T/run/noidle-u.sock" 20
DEF_T0=$(now)

# ======================================================================
echo
echo "== 1. examples/scgi_wsgi.py --idle, run directly =="
spawn d-unix "$PY" "$T/ex/scgi_wsgi.py" --socket "$T/run/d.sock" \
    --pidfile "$T/run/d.pid" --idle 1 "$T/ex/hello/app.py"
D1=$SPAWNED
spawn d-tcp env SCGI_IDLE=1 "$PY" "$T/ex/scgi_wsgi.py" \
    --socket "127.0.0.1:$DPORT" "$T/ex/hello/app.py"
D2=$SPAWNED
t0=$(now)
wait_unix "$T/run/d.sock" 10
wait_port 127.0.0.1 "$DPORT" 10
up1=$([ -S "$T/run/d.sock" ] && [ -s "$T/run/d.pid" ] && echo yes)
# exit_of PID BOUND: wait (BOUND s at most) for our child PID to end; RC
# its exit status (or "running"), SECS_D the seconds since t0
ended() {	# ended PID: PID is a zombie or gone (not reaped: wait gives its status)
	local st
	st=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null)
	[ -z "$st" ] || [ "$st" = Z ]
}
exit_of() {
	if poll "$2" ended "$1"; then
		wait "$1"
		RC=$?
	else
		RC=running
	fi
	SECS_D=$(since "$t0")
}
exit_of "$D1" 6
RC1=$RC SECS1=$SECS_D
exit_of "$D2" 6
RC2=$RC SECS2=$SECS_D
echo "   --idle 1 (unix): exit $RC1 after ${SECS1} s; SCGI_IDLE=1 (TCP): exit $RC2 after ${SECS2} s"
check "R47 scgi_wsgi.py --idle 1, unix socket, pid file: listening, then exits 0 by itself (after ${SECS1} s)" \
    all '[ "$up1" = yes ] || { WHY="never listened with its pid file"; false; }' 'eq "$RC1" 0' \
    '! lt "$SECS1" 0.9 || { WHY="exited after only $SECS1 s"; false; }'
check "R47 scgi_wsgi.py --idle: its socket file and pid file removed, the reason in its log" \
    all '[ ! -e "$T/run/d.sock" ] || { WHY="socket file left"; false; }' \
    '[ ! -e "$T/run/d.pid" ] || { WHY="pid file left"; false; }' \
    'has "$T/log/d-unix.log" "^scgi_wsgi: idle for 1 s: exiting$"'
check "R47/R30 scgi_wsgi.py with SCGI_IDLE=1 (no option), 127.0.0.1 TCP: exits 0 by itself, the port then refuses" \
    all 'eq "$RC2" 0' 'has "$T/log/d-tcp.log" "idle for 1 s: exiting"' \
    'r=$(refused 127.0.0.1:$DPORT) || { WHY="port: $r"; false; }'
"$PY" "$T/ex/scgi_wsgi.py" --socket "$T/run/bad.sock" --idle soon \
    "$T/ex/hello/app.py" >"$O/bad1.out" 2>&1
RCB1=$?
SCGI_IDLE=-5 "$PY" "$T/ex/scgi_wsgi.py" --socket "$T/run/bad.sock" \
    "$T/ex/hello/app.py" >"$O/bad2.out" 2>&1
RCB2=$?
check "R47 scgi_wsgi.py --idle soon, SCGI_IDLE=-5: refused at once (exit 2, a message), nothing listens" \
    all 'eq "$RCB1 $RCB2" "2 2"' 'has "$O/bad1.out" "bad --idle"' \
    'has "$O/bad2.out" "bad --idle \\(or SCGI_IDLE\\): -5"' '[ ! -e "$T/run/bad.sock" ]'

# ======================================================================
# cycle SEC KIND LABEL: the idle cycle of one backend through lighttpd
#   KIND uwsgi   examples/hello/start.sh, env IDLE, unix socket
#        stdlib  examples/stdlib/start.sh, env SCGI_IDLE, unix socket
#        tcp     scgi_wsgi.py --idle on the start line, 127.0.0.1 TCP; the
#                short cycle (no slow upload, no second exit)
cycle() {
	local kind=$2 label=$3 addr pidf lock u p1 w1 p2 w2 p3 t0 i served
	appdir "$kind"
	case $kind in
	uwsgi)
		addr=$A/app.sock pidf=$A/uwsgi.pid lock=$A/app.sock.lock
		mkcgi "$CGI/$kind.cgi" "socket = $addr" \
		    "start = echo \"\$\$ \$(date +%s.%N)\" >>$A/starts; exec $T/ex/hello/start.sh" \
		    "env = HELLO_RUN=$A" "env = IDLE=$IDLE" "log = $A/start.log" "timeout = 30"
		;;
	stdlib)
		addr=$A/app.sock pidf=$A/app.pid lock=$A/app.sock.lock
		mkcgi "$CGI/$kind.cgi" "socket = $addr" \
		    "start = echo \"\$\$ \$(date +%s.%N)\" >>$A/starts; exec $T/ex/stdlib/start.sh" \
		    "env = APP_RUN=$A" "env = SCGI_IDLE=$IDLE" "log = $A/start.log" "timeout = 30"
		;;
	tcp)
		addr=127.0.0.1:$TPORT pidf=$A/app.pid lock=$A/app.lock
		mkcgi "$CGI/$kind.cgi" "socket = $addr" "lock = $lock" \
		    "start = echo \"\$\$ \$(date +%s.%N)\" >>$A/starts; exec python3 $T/ex/scgi_wsgi.py --daemon --pidfile $pidf --log $A/app.log --idle $IDLE $T/ex/hello/app.py" \
		    "log = $A/start.log" "timeout = 30"
		;;
	esac
	u=$LU/$kind.cgi/x

	# the first request: the app is down
	fetch "$kind-1" "$u"
	p1=$(cat "$pidf" 2>/dev/null) w1=$(body_pid "$kind-1")
	note "$p1" "$w1"
	echo "   first request: HTTP $CODE in $SECS s (a cold start, the app's own start-up included); app pid $p1${w1:+, served by $w1}"
	check "R47/R30/R31 $label: the first request starts the app: 200, 1 start" \
	    all 'code_is "$kind-1" 200' 'nstarts 1' 'alive "$p1"' '[ -n "$w1" ]'

	# requests while it is up: served by it, no start, the idle time restarts
	: >"$O/$kind-up.txt"
	for i in 1 2 3; do
		sleep 1
		fetch "$kind-up$i" "$u"
		echo "$CODE $(body_pid "$kind-up$i")" >>"$O/$kind-up.txt"
	done
	check "R47/R30/R31 $label: 3 more requests 1 s apart (3 s, longer than idle=$IDLE): all 200 from the same app, no new start" \
	    all 'WHY=$(grep -vx "200 $w1" "$O/$kind-up.txt" | head -3 | tr "\n" "|"); [ -z "$WHY" ]' 'nstarts 1'

	if [ "$kind" != tcp ]; then
		# a request in flight for longer than the idle time
		slow_post "$kind-slow" "/cgi-bin/$kind.cgi/slow"
		check "R47 $label: a request in flight for 3.6 s (a slow upload, longer than idle=$IDLE) completes: 200, all 6 bytes read, same app, no new start" \
		    all 'code_is "$kind-slow" 200' 'has "$O/$kind-slow.body" "^body: +6 bytes"' \
		    'eq "$(body_pid "$kind-slow")" "$w1"' 'nstarts 1'
	fi

	# the exit by itself
	t0=$(now)
	wait_down "$p1 $w1" "$addr" "$t0" $((IDLE + 8))
	echo "   the app exited by itself ${DOWN:-(not within $((IDLE + 8)) s)} s after the last answer (idle $IDLE s); the socket then: $DOWNHOW"
	check "R47/R30 $label: then it exits by itself after the idle time (${DOWN:-never} s): its pids gone, the socket refuses ($DOWNHOW)" \
	    exited_in "$IDLE" $((IDLE + 8))
	case $kind in
	uwsgi)
		check "R47 $label: uWSGI logged the idle exit; --vacuum removed the socket file and uwsgi.pid" \
		    all 'has "$A/uwsgi.log" "workers have been inactive for more than $IDLE seconds"' \
		    'has "$A/uwsgi.log" "goodbye to uWSGI"' \
		    '[ ! -e "$addr" ] || { WHY="socket file left"; false; }' \
		    '[ ! -e "$pidf" ] || { WHY="uwsgi.pid left: $(cat "$pidf")"; false; }'
		;;
	*)
		local files="its pid file and its socket file"
		[ "$kind" = tcp ] && files="its pid file"
		check "R47 $label: scgi_wsgi.py logged the idle exit, removed $files" \
		    all 'has "$A/app.log" "^scgi_wsgi: idle for $IDLE s: exiting$"' \
		    '[ ! -e "$pidf" ] || { WHY="pid file left: $(cat "$pidf")"; false; }' \
		    '[ "$kind" = tcp ] || [ ! -e "$addr" ] || { WHY="socket file left"; false; }'
		;;
	esac
	check "R47 $label: nothing ran start for the exit (still 1 start)" nstarts 1

	# the next request starts it again
	fetch "$kind-2" "$u"
	p2=$(cat "$pidf" 2>/dev/null) w2=$(body_pid "$kind-2")
	note "$p2" "$w2"
	echo "   next request: HTTP $CODE in $SECS s (the cold start again); app pid $p2${w2:+, served by $w2}"
	check "R47/R30/R31 $label: the next request finds it down and starts it again: 200, 2 starts, a new pid" \
	    all 'code_is "$kind-2" 200' 'nstarts 2' 'alive "$p2"' \
	    '[ "$p2" != "$p1" ] && [ "$w2" != "$w1" ] || { WHY="same pid $p2/$w2 as before"; false; }'
	check "R32/R47 $label: an idle exit is no failure: the lock record says started, 0 failures" \
	    has "$lock" '^[0-9]+ started 0 0 0$'
	[ "$kind" = tcp ] && { stop "$p2"; wait_down "$p2 $w2" "$addr" "$(now)" 10; return; }

	# and once more: a second exit, then 10 requests at once share one start
	t0=$(now)
	wait_down "$p2 $w2" "$addr" "$t0" $((IDLE + 8))
	check "R47 $label: the cycle repeats: the second app exits by itself too (${DOWN:-never} s after its answer)" \
	    exited_in "$IDLE" $((IDLE + 8))
	fetch_many 10 "$kind-many" "$u?n=@i@"
	served=$(for i in $(seq 10); do body_pid "$kind-many-$i"; done | sort -u | tr '\n' ' ')
	p3=$(cat "$pidf" 2>/dev/null)
	note "$p3" $served
	check "R47/R31 $label: then 10 concurrent requests: all 200, from one new app, 3 starts in all" \
	    all 'eq "$CODES" "$(printf "200%.0s" $(seq 10))"' 'nstarts 3' \
	    '[ "$(echo $served | wc -w)" = 1 ] || { WHY="served by: $served"; false; }'
	stop "$p3"
	# shellcheck disable=SC2086
	wait_down "$p3 $served" "$addr" "$(now)" 10
}

echo
echo "== 2. uWSGI, examples/hello/start.sh with IDLE=$IDLE (--idle --die-on-idle --vacuum) =="
cycle 2 uwsgi "uWSGI"
echo
echo "== 3. examples/scgi_wsgi.py, examples/stdlib/start.sh with SCGI_IDLE=$IDLE, unix socket =="
cycle 3 stdlib "scgi_wsgi.py"
echo
echo "== 4. scgi_wsgi.py --idle $IDLE on the start line, 127.0.0.1 TCP =="
cycle 4 tcp "scgi_wsgi.py TCP"

# ======================================================================
echo
echo "== 5. a request during uWSGI's own shutdown (measured, not asserted) =="
appdir uwin
mkcgi "$CGI/uwin.cgi" "socket = $A/app.sock" \
    "start = echo \"\$\$ \$(date +%s.%N)\" >>$A/starts; exec $T/ex/hello/start.sh" \
    "env = HELLO_RUN=$A" "env = IDLE=1" "log = $A/start.log" "timeout = 30"
fetch uwin-1 "$LU/uwin.cgi/x"
p1=$(cat "$A/uwsgi.pid" 2>/dev/null) w1=$(body_pid uwin-1)
note "$p1" "$w1"
if [ "$CODE" = 200 ] && wait_grep "$A/uwsgi.log" "workers have been inactive" 10; then
	fetch uwin-2 "$LU/uwin.cgi/x"
	w2=$(body_pid uwin-2)
	note "$(cat "$A/uwsgi.pid" 2>/dev/null)" "$w2"
	case $CODE:$(starts) in
	200:1) what="served by the dying app (pid $w2)" ;;
	200:*) what="served by a new app (pid $w2): the old one was already gone" ;;
	*) what="$(head -1 "$O/uwin-2.body")" ;;
	esac
	echo "   uWSGI --idle 1: a request sent once it logged 'workers have been inactive' (its master still holds the socket for about 1 s): HTTP $CODE, $what"
	wait_down "$p1 $w1" "$A/app.sock" "$(now)" 10
	p2=$(cat "$A/uwsgi.pid" 2>/dev/null)
	[ -n "$p2" ] && [ "$p2" != "$p1" ] && stop "$p2"
else
	echo "   (no measurement: first request HTTP $CODE, or no idle exit logged)"
fi

# ======================================================================
echo
echo "== 6. the defaults: no idle setting, no exit =="
n=$(since "$DEF_T0")
p=$(cat "$T/run/noidle.pid" 2>/dev/null)
check "R47 scgi_wsgi.py without --idle or SCGI_IDLE: still up and accepting after ${n%.*} s unused" \
    all 'alive "$p"' 'wait_unix "$T/run/noidle.sock" 2 || { WHY="socket does not accept"; false; }'
p=$(cat "$T/run/uwsgi.pid" 2>/dev/null)
check "R47 examples/hello/start.sh without IDLE: no --idle, --die-on-idle nor --vacuum given to uWSGI, still up after ${n%.*} s" \
    all 'alive "$p"' 'wait_unix "$T/run/noidle-u.sock" 2 || { WHY="socket does not accept"; false; }' \
    'WHY=$(tr "\0" " " </proc/$p/cmdline | grep -oE -- "--(idle|die-on-idle|vacuum)"); [ -z "$WHY" ]'

echo
elapsed
summary
