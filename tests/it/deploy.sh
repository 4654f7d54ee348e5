#!/bin/bash
# Integration tests of deploys and stops (issue 11; docs/behaviour.md R32,
# R41-R46): restart on a touch of restart_file, stop by command or pid file
# (TERM, then KILL), --stop/--restart/--status, the growing quiet window,
# lock records of the previous version.  cgi2scgi as a shebang *.cgi behind
# lighttpd (mod_cgi) and Apache 2.4 (mod_cgid), run as www-data, in front of
# uWSGI (started as examples/hello/start.sh starts it), the Perl SCGI example
# (examples/perl, libscgi-perl) and deploy-app.py.
#
#   bash tests/it/deploy.sh [BINARY]       (default ./cgi2scgi)
#   KEEP=1 bash tests/it/deploy.sh ...     keep the private directory
#   ONLY="1 5" bash tests/it/deploy.sh     run those sections only
#
# Sections: 1 restart on touch, uWSGI + stop command, lighttpd: 50
# concurrent requests, a steady 25 requests/s, the hot path under strace
# (R41, R42, R32); 2 the same with a pid file, Apache: future, past,
# nanosecond and missing restart_file (R41); 3 the Perl example (R41);
# 4 stop: TERM ignored (KILL after start_timeout), pid files saying -1 and
# 0, a stop command that fails or stops nothing (R42, R44); 5 command line
# (R44, R46); 6 growing quiet window (R45); 7 a touch inside a long window,
# --start (R45, R44); 8 records of the previous version (R32); 9 requests in
# flight during a restart for uWSGI, the Perl example and
# examples/scgi_wsgi.py (R43: measured and printed, not asserted).  About
# 45 s on 2 cores; needs strace besides the packages of ondemand.sh.
#
# Ends with the line "N passed, N failed"; exits non-zero if any failed.
# Every app dir $T/a/NAME is the STATE of deploy-start.sh: "starts" counts
# the runs of `start`, "stops" those of deploy-stop.sh, app.pid is the pid
# file, "pids" every app process seen (the cleanup kills those, by pid).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$IT_DIR/servers.sh"

it_bin "${1:-}"
need_root "the servers run the CGIs and the apps as www-data"
need_pkg lighttpd apache2 uwsgi uwsgi-plugin-python3 libscgi-perl curl \
    python3 util-linux iproute2 strace || exit 2

mk_tree
own_launcher		# L: the launcher, as the shebang lines name it
O=$T/out
CGI=$T/cgi-bin
mkdir -p "$CGI" "$T/www" "$T/log" "$O" "$T/a" "$T/ex"
chmod 755 "$CGI" "$T/www" "$T/a" "$T/ex"
chmod 777 "$T/log"
# helpers run by www-data (start and stop commands, apps): in $T, readable
it_copy 755 deploy-start.sh deploy-stop.sh
it_copy 644 deploy-wsgi.py deploy-app.py scgi_server.py
cp -r "$IT_DIR/../../examples/perl" "$IT_DIR/../../examples/stdlib" \
    "$IT_DIR/../../examples/scgi_wsgi.py" "$T/ex/"
chmod -R a+rX "$T/ex"
FETCH_TIMEOUT=60
CLIENT=$IT_DIR/deploy-client.py

# ---- cleanup: every app process seen, by pid ------------------------------------

at_exit kill_apps	# lib.sh: the pids of the app dirs, by pid

# ---- helpers ------------------------------------------------------------------------


# the start lines for app dir $A and deploy-start.sh's KIND
start_lines() {	# KIND
	printf '%s\n' "start = $T/it/deploy-start.sh" "log = $A/start.log" \
	    "env = STATE=$A" "env = IT=$T/it" "env = KIND=$1"
}

stops() { nlines "$A/stops"; }		# runs of deploy-stop.sh
goodbyes() { grep -c 'goodbye to uWSGI' "$A/uwsgi.log" 2>/dev/null; }	# uWSGI ends
rec() { cat "$A/app.sock.lock" 2>/dev/null; }	# the lock record
note_pid() { cat "$A/app.pid" >>"$A/pids" 2>/dev/null; }	# for the cleanup

nstops() {	# nstops WANT
	local n
	n=$(stops)
	[ "$n" = "$1" ] && return 0
	WHY="stop ran $n times, want $1"
	return 1
}
ngoodbyes() {	# ngoodbyes WANT: uWSGI masters that shut down, from its log
	local n
	n=$(goodbyes)
	[ "${n:-0}" = "$1" ] && return 0
	WHY="uWSGI shut down $n times, want $1"
	return 1
}
ra_is() {	# ra_is WANT
	[ "$RA" = "$1" ] && return 0
	WHY="Retry-After [$RA], want $1"
	return 1
}
ra_in() {	# ra_in LO HI
	[ -n "$RA" ] && [ "$RA" -ge "$1" ] && [ "$RA" -le "$2" ] && return 0
	WHY="Retry-After [$RA], want $1..$2"
	return 1
}
# float comparison: lt A B
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
fast() {	# fast BOUND: the last fetch took less than BOUND seconds
	lt "$SECS" "$1" && return 0
	WHY="took $SECS s (bound $1 s)"
	return 1
}
slow() {	# slow BOUND: the last fetch took BOUND seconds or more
	lt "$SECS" "$1" || return 0
	WHY="took only $SECS s (at least $1 s expected)"
	return 1
}
record_is() {	# record_is ERE: the lock record matches ^ERE$
	rec | grep -Eqx -- "$1" && return 0
	WHY="record [$(rec | tr '\n' '|')], want /^$1\$/"
	return 1
}
# the body's pid: "wsgi PID", "py PID", "app pid: PID" (the Perl example)
body_pid() { sed -nE 's/^(wsgi |py |app pid: *)([0-9]+)$/\2/p' "$O/$1.body" | head -1; }
# mtime_ns FILE: its modification time in nanoseconds
mtime_ns() { local s; s=$(stat -c %.9Y "$1") && echo "${s/./}"; }
now_ns() { date +%s%N; }

# storm NAME URL N [seq]: N concurrent GETs (or one after the other), one
# line each in $O/NAME.txt: "CODE SECONDS PID"; SPID = the pids that answered
storm() {
	local out
	out=$("$PY" "$CLIENT" "${4:-storm}" "$2" "$3" "$O/$1.txt")
	SPID=$(awk '$1 == 200 { print $3 }' "$O/$1.txt" | sort -u | tr '\n' ' ')
	SPID=${SPID% }
	echo "   $1: $out; answered by pid(s) $SPID; starts $(starts)"
	awk '$1 == 200 && $3 != "-" { print $3 }' "$O/$1.txt" | sort -u >>"$A/pids"
}
# steady NAME URL OLDPID: 25 GETs a second for 4 s, restart_file ($A) touched
# 2 s in (deploy-client.py load); $O/NAME.txt
steady() {
	local out
	out=$("$PY" "$CLIENT" load "$2" 25 4 2 "$A/restart.txt" "$O/$1.txt")
	echo "   $1: $out; starts $(starts)"
	awk '$1 == "req" && $4 == 200 { print $5 }' "$O/$1.txt" | sort -u >>"$A/pids"
	TT=$(awk '$1 == "touch" { print $2 }' "$O/$1.txt")
	# begun after the touch: codes, pids; begun before it: failures
	AFTER=$(awk -v t="$TT" '$1 == "req" && $2 >= t { print $4, $5 }' "$O/$1.txt")
	NBEFORE_FAIL=$(awk -v t="$TT" '$1 == "req" && $2 < t && $4 != 200' "$O/$1.txt" | wc -l)
	APIDS=$(echo "$AFTER" | awk '$1 == 200 { print $2 }' | sort -u | tr '\n' ' ')
	APIDS=${APIDS% }
}
after_ok() {	# after_ok OLDPID: every request begun after the touch: 200 from one new app
	local bad
	bad=$(echo "$AFTER" | awk '$1 != 200' | wc -l)
	[ -n "$AFTER" ] && [ "$bad" = 0 ] && [ -n "$APIDS" ] && [ "$APIDS" = "${APIDS%% *}" ] &&
	    [ "$APIDS" != "$1" ] && return 0
	WHY="after the touch: $(echo "$AFTER" | wc -l) requests, $bad not 200, answered by [$APIDS] (old $1)"
	return 1
}
all200() {	# all200 NAME: every request of the storm NAME got 200
	WHY=$(awk '$1 != 200 { print $1 }' "$O/$1.txt" | sort | uniq -c | tr '\n' ' ')
	[ -z "$WHY" ] && return 0
	WHY="not 200: $WHY"
	return 1
}
by_pid() {	# by_pid NAME PID: every answer of the storm NAME came from PID
	WHY=$(awk -v p="$2" '$3 != p { print $3 }' "$O/$1.txt" | sort | uniq -c | tr '\n' ' ')
	[ -n "$2" ] && [ -z "$WHY" ] && return 0
	WHY="want every answer from pid [$2]; others: $WHY"
	return 1
}
one_new_pid() {	# one_new_pid NAME OLDPID: one pid answered all, not OLDPID
	case $SPID in
	'' | *' '*) WHY="answered by pid(s) [$SPID], want one"; return 1 ;;
	esac
	[ "$SPID" != "$2" ] && by_pid "$1" "$SPID" && return 0
	WHY=${WHY:-"answered by the old pid $2"}
	return 1
}
gone() {	# gone PID...: each PID has exited (zombies count), 10 s at most
	local p
	for p in "$@"; do
		[ -n "$p" ] || { WHY="no pid known"; return 1; }
		wait_gone "$p" 10 || { WHY="pid $p still running: $(tr '\0' ' ' \
		    <"/proc/$p/cmdline" 2>/dev/null | head -c 150)"; return 1; }
	done
	return 0
}
# refuses SOCKET: connecting to the unix socket fails (refused, or no file)
refuses() {
	"$PY" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1])
except OSError as e:
    sys.exit(0)
sys.exit(1)' "$1" && return 0
	WHY="$1 still accepts"
	return 1
}

# cli NAME CGI ARG...: ./CGI ARG... from a shell in CGI's directory, as
# www-data, GATEWAY_INTERFACE unset; $O/NAME.out, $O/NAME.err, CRC
cli() {
	local n=$1 f=$2
	shift 2
	(cd "$(dirname "$f")" && env -u GATEWAY_INTERFACE timeout 60 \
	    setpriv --reuid=www-data --regid=www-data --clear-groups \
	    "./$(basename "$f")" "$@") >"$O/$n.out" 2>"$O/$n.err"
	CRC=$?
	echo "   ${f##*/} $*: exit $CRC; $(tr '\n' '|' <"$O/$n.out")$(
	    [ -s "$O/$n.err" ] && echo " stderr: $(tr '\n' '|' <"$O/$n.err")")"
}
crc_is() {	# crc_is WANT
	[ "$CRC" = "$1" ] && return 0
	WHY="exit $CRC, want $1; stdout [$(tr '\n' '|' <"$O/$CLIN.out")] stderr [$(tr '\n' '|' <"$O/$CLIN.err")]"
	return 1
}

# wait_ns NS: sleep until the realtime clock passes NS (15 s at most)
wait_ns() {
	local n=300
	while [ "$(now_ns)" -lt "$1" ] && [ $n -gt 0 ]; do
		sleep 0.02
		n=$((n - 1))
	done
}
# wait_past EPOCH SECONDS: until EPOCH + SECONDS (a float) and 50 ms more
wait_past() {
	wait_ns "$(awk -v e="$1" -v s="$2" 'BEGIN { printf "%.0f", (e + s + 0.05) * 1e9 }')"
}
# align: wait (at most 1.2 s) for the start of a second: a record's EPOCH
# is whole seconds, so a window then lasts its full length
align() {
	local n=60 f
	while [ $n -gt 0 ]; do
		f=$(date +%N)
		[ $((10#$f)) -lt 150000000 ] && return 0
		sleep 0.02
		n=$((n - 1))
	done
}
epoch() { rec | cut -d' ' -f1; }
# session id of PID (field 6 of /proc/PID/stat, after the command name)
sid_of() {
	local s
	read -r s 2>/dev/null <"/proc/$1/stat" || return 1
	s=${s##*) }
	set -- $s
	echo "$4"
}

# ---- servers -------------------------------------------------------------------------
read -r LPORT APORT <<<"$(free_ports 2)"
echo "private dir $T; binary $BIN"
start_lighttpd "$LPORT" || exit 1
start_apache "$APORT" || exit 1
LU=http://127.0.0.1:$LPORT/cgi-bin
AU=http://127.0.0.1:$APORT/cgi-bin
ERRLOG=$T/log/lighttpd-cgi-stderr.log	# the launcher's stderr under lighttpd
echo "servers up: lighttpd :$LPORT, apache :$APORT"

# ======================================================================
sec1() {
	echo
	echo "== 1. restart on touch: uWSGI, stop command, lighttpd (R41, R32) =="
	appdir touch
	touch "$A/restart.txt"
	mkcgi "$CGI/touch.cgi" "socket = $A/app.sock" "$(start_lines uwsgi)" \
	    "stop = $T/it/deploy-stop.sh" "restart_file = $A/restart.txt" "timeout = 60"
	storm touch0 "$LU/touch.cgi/x" 50
	p0=$SPID m0=$(cat "$A/app.pid" 2>/dev/null)
	note_pid
	check "R41 (setup) lighttpd: 50 requests to the down app: all 200, one start, one pid" \
	    all 'all200 touch0' 'nstarts 1' 'one_new_pid touch0 none'
	check "R32 the record is 'EPOCH started 0 0 MTIME', MTIME restart_file's mtime in ns" \
	    record_is "[0-9]+ started 0 0 $(mtime_ns "$A/restart.txt")"

	storm touch1 "$LU/touch.cgi/x" 50
	storm touch2 "$LU/touch.cgi/x" 60 seq
	check "R41 restart_file unchanged: 110 more requests, all 200 from the same app, no stop, no start" \
	    all 'all200 touch1' 'all200 touch2' 'by_pid touch1 "$p0"' 'by_pid touch2 "$p0"' \
	    'nstarts 1' 'nstops 0'

	touch "$A/restart.txt"
	storm touch3 "$LU/touch.cgi/x" 50
	p1=$SPID
	note_pid
	check "R41 touch, then 50 concurrent requests: all 200" all200 touch3
	check "R41 ... all served by one new app process (not the old one)" one_new_pid touch3 "$p0"
	check "R41 ... exactly one restart: stop ran once, start ran once more, uWSGI ended once" \
	    all 'nstops 1' 'nstarts 2' 'ngoodbyes 1'
	check "R42 ... the old app (master and worker) is gone" gone "$m0" "$p0"
	ssid=
	[ -f "$A/stops" ] && read -r _ _ ssid <"$A/stops"
	sf=$(ls "$A"/stop-env.* 2>/dev/null | head -1)
	check "R42 stop ran as start does: a session of its own (not lighttpd's, not ours), output to log" \
	    all '[ -n "$ssid" ] && [ "$ssid" != "$(sid_of "$LIGHTTPD_PID")" ] && [ "$ssid" != "$(sid_of $$)" ] || { WHY="stop session [$ssid]"; false; }' \
	    'has "$A/start.log" "^stop [0-9]+$"'
	check "R42 ... in a clean environment: CGI2SCGI_SOCKET and the env lines, nothing of the request" \
	    all 'has "$sf" "^CGI2SCGI_SOCKET=$A/app.sock\$"' 'has "$sf" "^STATE=$A\$"' \
	    'hasnt "$sf" "^(HTTP_|QUERY_STRING|REMOTE_|REQUEST_|SCRIPT_|SERVER_|GATEWAY_|CONTENT_|PATH_INFO)"'
	check "R41/R32 ... the record holds the new MTIME" \
	    record_is "[0-9]+ started 0 0 $(mtime_ns "$A/restart.txt")"
	storm touch4 "$LU/touch.cgi/x" 30 seq
	check "R41 after the restart: 30 requests, the new app, no more restarts" \
	    all 'all200 touch4' 'by_pid touch4 "$p1"' 'nstops 1' 'nstarts 2'
	steady steady1 "$LU/touch.cgi/x" "$p1"
	p2=$APIDS
	note_pid
	echo "   begun before the touch and failed (in flight at the stop, R43): $NBEFORE_FAIL"
	check "R41 uWSGI under a steady 25 requests/s, a touch: every request begun after it: 200 from one new app" \
	    after_ok "$p1"
	check "R41 ... exactly one restart under that load (start ran once more, stop once more)" \
	    all 'nstarts 3' 'nstops 2'
	p1=$p2
	# the hot path, nothing changed: the system calls of one request as
	# www-data (strace without -f: the launcher alone)
	strace -u www-data -o "$O/hot.strace" env -i PATH=/usr/bin:/bin \
	    GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET SERVER_PROTOCOL=HTTP/1.1 \
	    SCRIPT_NAME=/cgi-bin/touch.cgi "$CGI/touch.cgi" >"$O/hot.out" 2>"$O/hot.err"
	sed -n "\\|^execve(\"$CGI/touch.cgi\"|,\$p" "$O/hot.strace" >"$O/hot.calls"
	nst=$(grep -cE '^(statx|stat|lstat|newfstatat|fstatat64|fstat|stat64|lstat64|fstat64)\(' "$O/hot.calls")
	echo "   one request, restart_file unchanged: $(grep -c '(' "$O/hot.calls") system calls, $nst of the stat family: $(grep -oE '^[a-z0-9_]+' "$O/hot.calls" | sort | uniq -c | sort -rn | awk '{ printf "%s %s, ", $2, $1 }')"
	check "R41 restart_file unchanged: a request costs at most two stat-type calls, never opens or locks the lock file (strace)" \
	    all 'has "$O/hot.out" "^wsgi $p1"' '[ "$nst" -le 2 ] || { WHY="$nst stat-family calls"; false; }' \
	    'hasnt "$O/hot.calls" "^(open|openat)\(.*\\.lock\""' 'hasnt "$O/hot.calls" "^flock\("'
}

# ======================================================================
sec2() {
	echo
	echo "== 2. restart on touch: uWSGI, pid file, Apache (R41) =="
	appdir touchap
	mkcgi "$CGI/touchap.cgi" "socket = $A/app.sock" "$(start_lines uwsgi)" \
	    "pidfile = $A/app.pid" "restart_file = $A/restart.txt" "timeout = 60"
	touch "$A/restart.txt"
	storm ap0 "$AU/touchap.cgi/x" 10
	p0=$SPID m0=$(cat "$A/app.pid" 2>/dev/null)
	note_pid
	check "R41 (setup) apache: app started, 200" all 'all200 ap0' 'nstarts 1'

	touch -d '+1 hour' "$A/restart.txt"
	storm ap1 "$AU/touchap.cgi/x" 50
	p1=$SPID m1=$(cat "$A/app.pid" 2>/dev/null)
	note_pid
	check "R41 apache: mtime set an hour ahead, 50 concurrent requests: all 200 from one new app" \
	    all 'all200 ap1' 'one_new_pid ap1 "$p0"'
	check "R41/R42 ... exactly one restart (start ran once more, uWSGI ended once: SIGTERM to the pid file's pid), old app gone" \
	    all 'nstarts 2' 'ngoodbyes 1' 'gone "$m0" "$p0"'
	storm ap2 "$AU/touchap.cgi/x" 50
	check "R41 ... 50 more requests with the future mtime unchanged: no restart" \
	    all 'all200 ap2' 'by_pid ap2 "$p1"' 'nstarts 2'

	touch -d '2001-01-01' "$A/restart.txt"
	storm ap3 "$AU/touchap.cgi/x" 50
	p2=$SPID
	note_pid
	check "R41 apache: mtime set back to 2001, 50 concurrent requests: all 200 from one new app, one restart" \
	    all 'all200 ap3' 'one_new_pid ap3 "$p1"' 'nstarts 3' 'ngoodbyes 2' 'gone "$m1" "$p1"'
	check "R32 ... the record holds MTIME 978307200000000000" \
	    record_is "[0-9]+ started 0 0 978307200000000000"
	storm ap4 "$AU/touchap.cgi/x" 50
	check "R41 ... 50 more requests with the past mtime unchanged: no restart" \
	    all 'all200 ap4' 'by_pid ap4 "$p2"' 'nstarts 3'

	# two changes within one second: two restarts (MTIME in ns)
	touch -d '2020-01-01 00:00:00.100000000' "$A/restart.txt"
	storm ap5 "$AU/touchap.cgi/x" 20
	p3=$SPID
	note_pid
	touch -d '2020-01-01 00:00:00.200000000' "$A/restart.txt"
	storm ap6 "$AU/touchap.cgi/x" 20
	note_pid
	check "R41/R32 two mtimes 0.1 s apart in the same second: two restarts, each by one new app" \
	    all 'all200 ap5' 'all200 ap6' 'one_new_pid ap6 "$p3"' '[ "$p3" != "$p2" ] || { WHY="first change: no new app"; false; }' \
	    'nstarts 5' 'record_is "[0-9]+ started 0 0 1577836800200000000"'

	rm -f "$A/restart.txt"
	p4=$SPID
	storm ap7 "$AU/touchap.cgi/x" 30 seq
	check "R41 restart_file removed: 30 requests, all 200, no restart" \
	    all 'all200 ap7' 'by_pid ap7 "$p4"' 'nstarts 5'
}

# ======================================================================
sec3() {
	echo
	echo "== 3. restart on touch: the Perl SCGI example, pid file, lighttpd (R41) =="
	appdir perl
	touch "$A/restart.txt"
	mkcgi "$CGI/perl.cgi" "socket = $A/perl.sock" \
	    "start = echo \"\$\$ \$(date +%s.%N)\" >>$A/starts; exec $T/ex/perl/start.sh" \
	    "env = APP_RUN=$A" "log = $A/start.log" "pidfile = $A/app.pid" \
	    "restart_file = $A/restart.txt" "timeout = 60"
	fetch perl0 "$LU/perl.cgi/x"
	p0=$(body_pid perl0)
	note_pid
	check "R41 (setup) lighttpd: the Perl example started: 200, its pid file names the app that answered" \
	    all 'code_is perl0 200' 'nstarts 1' 'eq "$(cat "$A/app.pid" 2>/dev/null)" "$p0"'
	touch "$A/restart.txt"
	storm perl1 "$LU/perl.cgi/x" 50
	p1=$SPID
	note_pid
	check "R41 Perl example: touch, then 50 concurrent requests: all 200" all200 perl1
	check "R41 ... all served by one new app (the pid file's), exactly one restart (start ran once more), the old app gone" \
	    all 'one_new_pid perl1 "$p0"' 'eq "$(cat "$A/app.pid" 2>/dev/null)" "$p1"' \
	    'nstarts 2' 'gone "$p0"'
	storm perl2 "$LU/perl.cgi/x" 50
	check "R41 ... 50 more requests, restart_file unchanged: no restart" \
	    all 'all200 perl2' 'by_pid perl2 "$p1"' 'nstarts 2'
	steady steady3 "$LU/perl.cgi/x" "$p1"
	note_pid
	check "R41 Perl example under a steady 25 requests/s, a touch: every request begun after it: 200 from one new app" \
	    after_ok "$p1"
	echo "   begun before the touch and failed (in flight at the stop, R43): $NBEFORE_FAIL"
	check "R41 ... exactly one restart under that load (start ran once more, the old app gone)" \
	    all 'nstarts 3' 'gone "$p1"'
}

# ======================================================================
sec4() {
	echo
	echo "== 4. stop: TERM ignored, a stop command that fails or stops nothing (R42) =="
	appdir stubborn
	touch "$A/restart.txt"
	mkcgi "$CGI/stubborn.cgi" "socket = $A/app.sock" "$(start_lines stubborn)" \
	    "env = DELAY=1" "pidfile = $A/app.pid" "restart_file = $A/restart.txt" \
	    "start_timeout = 2"
	fetch stub0 "$LU/stubborn.cgi/x"
	p0=$(body_pid stub0)
	check "R42 (setup) an app that ignores SIGTERM and leaves its socket file: 200" \
	    all 'code_is stub0 200' 'nstarts 1' '[ -n "$p0" ]'
	touch "$A/restart.txt"
	storm stub1 "$LU/stubborn.cgi/x" 20
	p1=$SPID
	mx=$(awk '$1 == 200 && $2 > m { m = $2 } END { print m + 0 }' "$O/stub1.txt")
	check "R42 touch: the app ignoring SIGTERM is replaced: 20 concurrent requests, all 200 from one new app, start ran once more" \
	    all 'all200 stub1' 'one_new_pid stub1 "$p0"' 'nstarts 2'
	check "R42 ... SIGTERM came first (the app logged it and carried on)" \
	    has "$A/events" "^term-ignored $p0\$"
	check "R42 ... then SIGKILL after start_timeout (2 s), the socket file it left removed (R33): the old app is gone" \
	    all 'gone "$p0"' '! lt "$mx" 1.9 || { WHY="slowest request $mx s: no 2 s wait before the KILL"; false; }'
	check "R41 requests queued on the lock through that restart (2 s TERM wait, KILL, a 1 s start) were all served, none gave up" \
	    all 'all200 stub1' 'lt "$mx" 6 || { WHY="slowest $mx s"; false; }'

	# a pid file saying -1, then 0: no signal at all (kill(-1) would hit every
	# process of www-data, lighttpd's included; kill(0) the launcher's group)
	appdir bogus
	touch "$A/restart.txt"
	mkcgi "$CGI/bogus.cgi" "socket = $A/app.sock" "$(start_lines py)" \
	    "pidfile = $A/bogus.pid" "restart_file = $A/restart.txt" "start_timeout = 2"
	setpriv --reuid=www-data --regid=www-data --clear-groups sleep 120 </dev/null >/dev/null 2>&1 &
	sentinel=$!
	PIDS+=("$sentinel")
	fetch bog0 "$LU/bogus.cgi/x"
	p0=$(body_pid bog0)
	for v in -1 0; do
		echo "$v" >"$A/bogus.pid"
		touch "$A/restart.txt"
		fetch "bog$v" "$LU/bogus.cgi/x"
		check "R42 pid file holding '$v': no signal sent (the app, lighttpd and another www-data process live on), the old app serves after start_timeout" \
		    all 'code_is "bog$v" 200' 'eq "$(body_pid "bog$v")" "$p0"' 'slow 1.9' 'nstarts 1' \
		    'hasnt "$A/events" "^term "' 'alive "$sentinel"' 'alive "$LIGHTTPD_PID"'
	done
	stop "$sentinel"

	# a stop command that exits 1 but stops the app: its status is no matter
	appdir stoprc
	touch "$A/restart.txt"
	mkcgi "$CGI/stoprc.cgi" "socket = $A/app.sock" "$(start_lines py)" \
	    "stop = $T/it/deploy-stop.sh" "env = STOP_RC=1" \
	    "restart_file = $A/restart.txt" "start_timeout = 2"
	fetch rc0 "$LU/stoprc.cgi/x"
	p0=$(body_pid rc0)
	touch "$A/restart.txt"
	fetch rc1 "$LU/stoprc.cgi/x"
	p1=$(body_pid rc1)
	check "R42 a stop command that exits 1 but stops the app: restarted all the same (200 from a new app, one stop, two starts)" \
	    all 'code_is rc1 200' '[ -n "$p1" ] && [ "$p1" != "$p0" ] || { WHY="pid $p0 -> $p1"; false; }' \
	    'nstops 1' 'nstarts 2' 'has "$A/events" "^term $p0\$"'

	# a stop command that stops nothing: the restart is given up
	appdir stopnoop
	touch "$A/restart.txt"
	mkcgi "$CGI/stopnoop.cgi" "socket = $A/app.sock" "$(start_lines py)" \
	    "stop = $T/it/deploy-stop.sh" "env = STOP_NOOP=1" \
	    "restart_file = $A/restart.txt" "start_timeout = 2"
	fetch noop0 "$LU/stopnoop.cgi/x"
	p0=$(body_pid noop0)
	e0=$(grep -c 'cannot stop' "$ERRLOG")
	touch "$A/restart.txt"
	fetch noop1 "$LU/stopnoop.cgi/x"
	echo "   stop that stops nothing: HTTP $CODE after $SECS s from pid $(body_pid noop1) (was $p0)"
	check "R42 a stop command that stops nothing: after start_timeout (2 s) the old app goes on serving: 200 from it, no new start" \
	    all 'code_is noop1 200' 'eq "$(body_pid noop1)" "$p0"' 'slow 1.9' 'nstops 1' 'nstarts 1'
	check "R42 ... logged: 'cannot stop' in the server's error log" \
	    all '[ "$(grep -c "cannot stop" "$ERRLOG")" -gt "$e0" ] || { WHY="no new cannot stop line: $(tail -3 "$ERRLOG" | tr "\n" "|")"; false; }'
	check "R42 ... the MTIME is recorded all the same" \
	    record_is "[0-9]+ started 0 0 $(mtime_ns "$A/restart.txt")"
	fetch noop2 "$LU/stopnoop.cgi/x"
	check "R42 ... so the next request is not another attempt: 200 at once from the old app, stop not run again" \
	    all 'code_is noop2 200' 'eq "$(body_pid noop2)" "$p0"' 'fast 1.5' 'nstops 1'
	CLIN=noopstop
	t0=$(now_ns)
	cli noopstop "$CGI/stopnoop.cgi" --stop
	t1=$(now_ns)
	check "R44 --stop when the app cannot be stopped: exit 1 after start_timeout, says the app accepts (not 'stopped'), the app still serves" \
	    all 'crc_is 1' 'has "$O/noopstop.out" "^app: (still )?accepting$"' \
	    '[ $((t1 - t0)) -ge 1900000000 ] || { WHY="after $(((t1 - t0) / 1000000)) ms"; false; }' \
	    'alive "$p0"' 'nstops 2' 'nstarts 1'
	CLIN=nooprs
	cli nooprs "$CGI/stopnoop.cgi" --restart
	NOOPRS="exit $CRC, stdout [$(tr '\n' '|' <"$O/nooprs.out")]"
	check "R42/R44 --restart when the app cannot be stopped: given up (exit non-zero), nothing started, the old app serves" \
	    all '[ "$CRC" != 0 ] || { WHY="exit 0"; false; }' 'nstarts 1' 'alive "$p0"'
}

# ======================================================================
sec5() {
	echo
	echo "== 5. command line: --stop, --restart, --status (R44, R46) =="
	appdir cli
	mkcgi "$CGI/cli.cgi" "socket = $A/app.sock" "$(start_lines uwsgi)" \
	    "pidfile = $A/app.pid" "timeout = 60"
	CLIN=st0
	cli st0 "$CGI/cli.cgi" --status
	check "R44 --status with nothing started: exit 3, 'app: not accepting', 'last start: none recorded'" \
	    all 'crc_is 3' 'has "$O/st0.out" "^app: not accepting"' 'has "$O/st0.out" "^last start: none recorded$"'
	fetch cli0 "$LU/cli.cgi/x"
	p0=$(body_pid cli0) m0=$(cat "$A/app.pid" 2>/dev/null)
	note_pid
	check "R44 (setup) a request started the app: 200" all 'code_is cli0 200' 'nstarts 1'
	CLIN=st1
	cli st1 "$CGI/cli.cgi" --status
	check "R44 --status, app up: exit 0, 'app: accepting', the record in words" \
	    all 'crc_is 0' 'eq "$(head -1 "$O/st1.out")" "app: accepting"' \
	    'has "$O/st1.out" "^last start: started, [0-9]+ s ago$"' \
	    'has "$O/st1.out" "^failures in a row: 0$"' 'has "$O/st1.out" "^quiet window: 0 s left$"'

	CLIN=stop1
	cli stop1 "$CGI/cli.cgi" --stop
	check "R44 --stop: exit 0, 'app: stopped'" all 'crc_is 0' 'eq "$(cat "$O/stop1.out")" "app: stopped"'
	check "R44 ... nothing left running: the uWSGI master and worker are gone, the socket refuses" \
	    all 'gone "$m0" "$p0"' 'refuses "$A/app.sock"'
	check "R46 ... the record says stopped: 'EPOCH stopped 0 0 0'" record_is "[0-9]+ stopped 0 0 0"
	CLIN=st2
	cli st2 "$CGI/cli.cgi" --status
	check "R44 --status, app stopped: exit 3, 'app: not accepting', 'last start: stopped'" \
	    all 'crc_is 3' 'has "$O/st2.out" "^app: not accepting"' 'has "$O/st2.out" "^last start: stopped, "' \
	    'has "$O/st2.out" "^quiet window: 0 s left$"'
	CLIN=stop2
	cli stop2 "$CGI/cli.cgi" --stop
	check "R44 --stop again, nothing running: exit 0, nothing started" \
	    all 'crc_is 0' 'nstarts 1' 'record_is "[0-9]+ stopped 0 0 0"'
	fetch cli1 "$LU/cli.cgi/x"
	p1=$(body_pid cli1) m1=$(cat "$A/app.pid" 2>/dev/null)
	note_pid
	check "R46 the next request after --stop starts the app: 200 from a new app, no quiet window" \
	    all 'code_is cli1 200' '[ -n "$p1" ] && [ "$p1" != "$p0" ]' 'nstarts 2' 'fast 5' \
	    'record_is "[0-9]+ started 0 0 0"'

	CLIN=rs
	cli rs "$CGI/cli.cgi" --restart
	m2=$(cat "$A/app.pid" 2>/dev/null)
	note_pid
	check "R44 --restart: exit 0, 'app: accepting', a new app (new master pid), the old one gone, one start more" \
	    all 'crc_is 0' 'eq "$(cat "$O/rs.out")" "app: accepting"' \
	    '[ -n "$m2" ] && [ "$m2" != "$m1" ] || { WHY="master $m1 -> $m2"; false; }' \
	    'gone "$m1" "$p1"' 'nstarts 3' 'ngoodbyes 2'
	fetch cli2 "$LU/cli.cgi/x"
	p2=$(body_pid cli2)
	check "R44 ... and serves: 200 from a new worker, no start more" \
	    all 'code_is cli2 200' '[ -n "$p2" ] && [ "$p2" != "$p1" ]' 'nstarts 3'

	# without stop or pidfile
	appdir clibad
	mkcgi "$CGI/clibad.cgi" "socket = $A/app.sock" "$(start_lines py)"
	CLIN=bad1
	cli bad1 "$CGI/clibad.cgi" --stop
	check "R42/R44 --stop without stop or pidfile: exit 1, a message that says so" \
	    all 'crc_is 1' 'has "$O/bad1.err" "stop or pidfile"'
	CLIN=bad2
	cli bad2 "$CGI/clibad.cgi" --restart
	check "R42/R44 --restart without stop or pidfile: exit 1, the message, nothing started" \
	    all 'crc_is 1' 'has "$O/bad2.err" "stop or pidfile"' 'nstarts 0'
	mkcgi "$CGI/clirf.cgi" "socket = $A/app.sock" "$(start_lines py)" "restart_file = $A/restart.txt"
	CLIN=bad3
	cli bad3 "$CGI/clirf.cgi" --check
	check "R41/R42 --check: restart_file without stop or pidfile is a configuration error" \
	    all '[ "$CRC" != 0 ] || { WHY="exit 0"; false; }' 'has "$O/bad3.err" "restart_file needs"'
}

# ======================================================================
sec6() {
	echo
	echo "== 6. growing quiet window: retry_after = 1 (R45) =="
	appdir quiet
	touch "$A/fail"
	mkcgi "$CGI/quiet.cgi" "socket = $A/app.sock" "$(start_lines py)" \
	    "retry_after = 1" "start_timeout = 5"
	align
	fetch q1 "$LU/quiet.cgi/x"
	e1=$(epoch)
	echo "   1st failure: HTTP $CODE, Retry-After $RA, record [$(rec)]"
	check "R45 1st failed start: 503, Retry-After 1, record 'EPOCH failed 0 1 0'" \
	    all 'code_is q1 503' 'ra_is 1' 'nstarts 1' 'record_is "[0-9]+ failed 0 1 0"'
	fetch q1b "$LU/quiet.cgi/x"
	check "R45 ... inside that 1 s window: 503 'recent failure', no start, Retry-After 1" \
	    all 'code_is q1b 503' 'ra_is 1' 'nstarts 1' \
	    '[ "$(now_ns)" -lt $(((e1 + 1) * 1000000000)) ] || { WHY="(the test was late: window over)"; false; }'

	wait_past "$e1" 1
	fetch q2 "$LU/quiet.cgi/x"
	e2=$(epoch)
	echo "   2nd failure: HTTP $CODE, Retry-After $RA, record [$(rec)]"
	check "R45 once the 1 s window is over: start tried again, fails: 503, Retry-After 2, FAILURES 2" \
	    all 'code_is q2 503' 'ra_is 2' 'nstarts 2' 'record_is "[0-9]+ failed 0 2 0"'
	wait_past "$e2" 1.2
	fetch q2b "$LU/quiet.cgi/x"
	check "R45 ... 1.2 s later, inside the 2 s window: 503, no start, Retry-After 1" \
	    all 'code_is q2b 503' 'ra_is 1' 'nstarts 2'

	wait_past "$e2" 2
	fetch q3 "$LU/quiet.cgi/x"
	e3=$(epoch)
	echo "   3rd failure: HTTP $CODE, Retry-After $RA, record [$(rec)]"
	check "R45 once the 2 s window is over: start tried, fails: 503, Retry-After 4, FAILURES 3" \
	    all 'code_is q3 503' 'ra_is 4' 'nstarts 3' 'record_is "[0-9]+ failed 0 3 0"'
	CLIN=qst
	cli qst "$CGI/quiet.cgi" --status
	check "R44 --status inside the window: exit 3, 'last start: failed', 'failures in a row: 3', 'quiet window: N s left' (1..4)" \
	    all 'crc_is 3' 'has "$O/qst.out" "^last start: failed, [0-9]+ s ago$"' \
	    'has "$O/qst.out" "^failures in a row: 3$"' 'has "$O/qst.out" "^quiet window: [1-4] s left$"'
	rm -f "$A/fail"	# the fix is uploaded: the next start would work
	wait_past "$e3" 2.5
	fetch q3b "$LU/quiet.cgi/x"
	check "R45 ... 2.5 s into the 4 s window, start fixed: still 503, no start, Retry-After 1..2" \
	    all 'code_is q3b 503' 'ra_in 1 2' 'nstarts 3'

	wait_past "$e3" 4
	fetch q4 "$LU/quiet.cgi/x"
	p4=$(body_pid q4)
	check "R45 once the 4 s window is over: start tried, works: 200, the count back to 0 ('EPOCH started 0 0 0')" \
	    all 'code_is q4 200' 'nstarts 4' 'record_is "[0-9]+ started 0 0 0"'
	CLIN=qst2
	cli qst2 "$CGI/quiet.cgi" --status
	check "R44 --status after the success: exit 0, 'failures in a row: 0', 'quiet window: 0 s left'" \
	    all 'crc_is 0' 'has "$O/qst2.out" "^failures in a row: 0$"' 'has "$O/qst2.out" "^quiet window: 0 s left$"'

	# the count really started over: the next failure has a 1 s window
	touch "$A/fail"
	kill -KILL "$p4" 2>/dev/null
	wait_gone "$p4" 10
	fetch q5 "$LU/quiet.cgi/x"
	check "R45 app killed, start failing again: 503 with Retry-After 1 (not 8), FAILURES 1" \
	    all 'code_is q5 503' 'ra_is 1' 'nstarts 5' 'record_is "[0-9]+ failed 0 1 0"'
}

# ======================================================================
sec7() {
	echo
	echo "== 7. a touch inside a long window; --start (R45, R44) =="
	appdir long
	touch "$A/fail" "$A/restart.txt"
	mkcgi "$CGI/long.cgi" "socket = $A/app.sock" "$(start_lines py)" \
	    "pidfile = $A/app.pid" "restart_file = $A/restart.txt" "retry_after = 600"
	fetch l1 "$LU/long.cgi/x"
	check "R45 retry_after 600, start fails: 503, Retry-After 600" \
	    all 'code_is l1 503' 'ra_is 600' 'nstarts 1'
	fetch l2 "$LU/long.cgi/x"
	check "R45 ... inside the window: 503, no start, Retry-After 599..600" \
	    all 'code_is l2 503' 'ra_in 599 600' 'nstarts 1'
	touch "$A/restart.txt"
	fetch l3 "$LU/long.cgi/x"
	check "R45 touch inside the window, start still failing: tried at once (503), Retry-After 600 (2nd failure, capped at 600)" \
	    all 'code_is l3 503' 'nstarts 2' 'ra_is 600' 'record_is "[0-9]+ failed 0 2 $(mtime_ns "$A/restart.txt")"'
	fetch l4 "$LU/long.cgi/x"
	check "R45 ... then the window holds again: 503, no start" all 'code_is l4 503' 'nstarts 2'
	rm -f "$A/fail"
	touch "$A/restart.txt"
	fetch l5 "$LU/long.cgi/x"
	p5=$(body_pid l5)
	check "R45 fix uploaded, restart_file touched inside the 600 s window: the next request starts at once, 200" \
	    all 'code_is l5 200' 'fast 5' 'nstarts 3' \
	    'record_is "[0-9]+ started 0 0 $(mtime_ns "$A/restart.txt")"'

	# --start does not respect the window
	touch "$A/fail"
	kill -KILL "$p5" 2>/dev/null
	wait_gone "$p5" 10
	fetch l6 "$LU/long.cgi/x"
	fetch l7 "$LU/long.cgi/x"
	check "R45 (setup) app killed, start failing: 503, then 503 without a start (window 600 s)" \
	    all 'code_is l7 503' 'nstarts 4'
	rm -f "$A/fail"
	CLIN=lstart
	cli lstart "$CGI/long.cgi" --start
	check "R44 --start inside the quiet window: tried anyway, exit 0, 'app: accepting'" \
	    all 'crc_is 0' 'eq "$(cat "$O/lstart.out")" "app: accepting"' 'nstarts 5'
	fetch l8 "$LU/long.cgi/x"
	check "R44 ... and requests are served: 200" all 'code_is l8 200' 'nstarts 5'
}

# ======================================================================
sec8() {
	echo
	echo "== 8. a lock record of the previous version: 'EPOCH STATE PID' (R32) =="
	appdir old
	mkcgi "$CGI/old.cgi" "socket = $A/app.sock" "$(start_lines py)" "retry_after = 30"
	install -o www-data -g www-data -m 600 /dev/null "$A/app.sock.lock"
	now=$(date +%s)
	printf '%s failed 0\n' "$now" >"$A/app.sock.lock"
	fetch o1 "$LU/old.cgi/x"
	check "R32 old record 'NOW failed 0', retry_after 30: throttle honoured: 503, Retry-After 29..30, no start" \
	    all 'code_is o1 503' 'ra_in 29 30' 'nstarts 0'
	printf '%s failed 0\n' "$((now - 31))" >"$A/app.sock.lock"
	fetch o2 "$LU/old.cgi/x"
	p2=$(body_pid o2)
	check "R32 old record 'NOW-31 failed 0' (read as FAILURES 1: a 30 s window, over): start, 200" \
	    all 'code_is o2 200' 'nstarts 1'
	check "R32 ... the record is rewritten in five fields: 'EPOCH started 0 0 0'" \
	    record_is "[0-9]+ started 0 0 0"
	kill -KILL "$p2" 2>/dev/null
	wait_gone "$p2" 10
	printf '%s started 0\n' "$((now - 5))" >"$A/app.sock.lock"
	fetch o3 "$LU/old.cgi/x"
	check "R32 old record 'NOW-5 started 0', app down: start, 200" \
	    all 'code_is o3 200' 'nstarts 2' 'record_is "[0-9]+ started 0 0 0"'
}

# ======================================================================
# R43: a slow request in flight when a restart happens: complete or cut?
# Measured and printed; asserted is only that the restart serves the request
# that triggered it from a new app, and that the slow request really was
# connected to the old app before the touch.
sec9() {
	echo
	echo "== 9. requests in flight during a restart (R43: measured) =="
	appdir influ
	touch "$A/restart.txt"
	mkcgi "$CGI/influ.cgi" "socket = $A/app.sock" "$(start_lines uwsgi)" \
	    "pidfile = $A/app.pid" "restart_file = $A/restart.txt" "timeout = 60"
	fetch fu0 "$LU/influ.cgi/x"
	p0=$(body_pid fu0)
	note_pid
	rm -f "$O/flag-u"
	"$PY" "$CLIENT" slowget "$LU/influ.cgi/slow?n=10&d=0.3" "$O/flag-u" "$O/inflight-u.txt" &
	cpid=$!
	wait_file "$O/flag-u" 20
	touch "$A/restart.txt"
	fetch fu1 "$LU/influ.cgi/x"
	p1=$(body_pid fu1)
	note_pid
	wait "$cpid"
	R43U=$(cat "$O/inflight-u.txt" 2>/dev/null)
	echo "   uWSGI (master + 1 worker, --die-on-term, SIGTERM to the master): a 3 s stream in flight at the restart: $R43U"
	echo "   the request that triggered the restart: HTTP $CODE after $SECS s"
	check "R43 uWSGI (setup): the slow stream was answered by the old app before the touch" \
	    has "$O/inflight-u.txt" " status 200 lines [1-9][0-9]* "
	check "R41/R43 uWSGI: the request after the touch: 200 from a new app (an open request to the old one does not block the restart)" \
	    all 'code_is fu1 200' '[ -n "$p1" ] && [ "$p1" != "$p0" ] || { WHY="pid $p0 -> $p1"; false; }' 'nstarts 2'

	appdir inflp
	touch "$A/restart.txt"
	mkcgi "$CGI/inflp.cgi" "socket = $A/perl.sock" \
	    "start = echo \"\$\$ \$(date +%s.%N)\" >>$A/starts; exec $T/ex/perl/start.sh" \
	    "env = APP_RUN=$A" "log = $A/start.log" "pidfile = $A/app.pid" \
	    "restart_file = $A/restart.txt" "timeout = 60"
	fetch fp0 "$LU/inflp.cgi/x"
	p0=$(body_pid fp0)
	note_pid
	rm -f "$O/flag-p"
	"$PY" "$CLIENT" slowpost "$LU/inflp.cgi/x" 200000 3 "$O/flag-p" "$O/inflight-p.txt" &
	cpid=$!
	wait_file "$O/flag-p" 20
	sleep 0.3	# the launcher has connected to the app and relays the body
	conn_before=$(ss -xp 2>/dev/null | grep -c "$A/perl.sock")
	touch "$A/restart.txt"
	fetch fp1 "$LU/inflp.cgi/x"
	p1=$(body_pid fp1)
	note_pid
	wait "$cpid"
	R43P=$(cat "$O/inflight-p.txt" 2>/dev/null)
	echo "   Perl example (a child per connection, SIGTERM to the parent): a 3 s upload in flight at the restart: $R43P"
	echo "   the request that triggered the restart: HTTP $CODE after $SECS s"
	check "R43 Perl (setup): the upload was connected to the old app before the touch" \
	    all '[ "$conn_before" -ge 1 ] || { WHY="no connection to $A/perl.sock"; false; }'
	check "R41/R43 Perl: the request after the touch: 200 from a new app" \
	    all 'code_is fp1 200' '[ -n "$p1" ] && [ "$p1" != "$p0" ] || { WHY="pid $p0 -> $p1"; false; }' 'nstarts 2'

	# the third example backend: examples/scgi_wsgi.py (stdlib/start.sh)
	appdir inflw
	touch "$A/restart.txt"
	mkcgi "$CGI/inflw.cgi" "socket = $A/app.sock" \
	    "start = echo \"\$\$ \$(date +%s.%N)\" >>$A/starts; exec $T/ex/stdlib/start.sh" \
	    "env = APP_RUN=$A" "env = WSGI_APP=$T/it/deploy-wsgi.py" "env = STATE=$A" \
	    "log = $A/start.log" "pidfile = $A/app.pid" \
	    "restart_file = $A/restart.txt" "timeout = 60"
	fetch fw0 "$LU/inflw.cgi/x"
	p0=$(body_pid fw0)
	note_pid
	rm -f "$O/flag-w"
	"$PY" "$CLIENT" slowget "$LU/inflw.cgi/slow?n=10&d=0.3" "$O/flag-w" "$O/inflight-w.txt" &
	cpid=$!
	wait_file "$O/flag-w" 20
	touch "$A/restart.txt"
	fetch fw1 "$LU/inflw.cgi/x"
	p1=$(body_pid fw1)
	note_pid
	wait "$cpid"
	R43W=$(cat "$O/inflight-w.txt" 2>/dev/null)
	echo "   examples/scgi_wsgi.py (threads, SIGTERM): a 3 s stream in flight at the restart: $R43W"
	echo "   the request that triggered the restart: HTTP $CODE after $SECS s"
	check "R43 scgi_wsgi.py (setup): the slow stream was answered by the old app before the touch" \
	    has "$O/inflight-w.txt" " status 200 lines [1-9][0-9]* "
	check "R41/R43 scgi_wsgi.py: the request after the touch: 200 from a new app" \
	    all 'code_is fw1 200' '[ -n "$p1" ] && [ "$p1" != "$p0" ] || { WHY="pid $p0 -> $p1"; false; }' 'nstarts 2'
	storm fw2 "$LU/inflw.cgi/x" 20
	check "R41 scgi_wsgi.py: after that restart the new app keeps its socket: 20 requests, all 200 from it, no start more" \
	    all 'all200 fw2' 'by_pid fw2 "$p1"' 'nstarts 2'
}

# ======================================================================
for n in 1 2 3 4 5 6 7 8 9; do
	case " ${ONLY:-1 2 3 4 5 6 7 8 9} " in *" $n "*) "sec$n" ;; esac
done
echo
check "no launcher left running" no_launchers_left 10
if [ -n "${R43U:-}${R43P:-}${R43W:-}" ]; then
	echo
	echo "R43, a request in flight during a restart (measured):"
	[ -n "${R43U:-}" ] && echo "   uWSGI:          ${R43U%% *} ($R43U)"
	[ -n "${R43P:-}" ] && echo "   Perl example:   ${R43P%% *} ($R43P)"
	[ -n "${R43W:-}" ] && echo "   scgi_wsgi.py:   ${R43W%% *} ($R43W)"
fi
[ -n "${NOOPRS:-}" ] && echo "observed: --restart when the app cannot be stopped: $NOOPRS"
stop "$LIGHTTPD_PID"
stop "$APACHE_PID"
elapsed
summary
