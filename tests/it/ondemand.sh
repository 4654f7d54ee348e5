#!/bin/bash
# Integration tests of the on-demand start (issue 3; SPEC R6, R30-R40):
# cgi2scgi as a shebang app.cgi behind lighttpd (mod_cgi) and Apache 2.4
# (mod_cgid), waking uWSGI and Perl SCGI (libscgi-perl) apps.
#
#   bash tests/it/ondemand.sh [BINARY]       (default ./cgi2scgi)
#   KEEP=1 bash tests/it/ondemand.sh ...     keep the private directory
#   ONLY="1 7" bash tests/it/ondemand.sh     run those sections only
#
# Sections: 1 storm (R31), 2 busy (R30), 3 crash loop (R32, R38), 4 stale
# socket (R33), 5 fd hygiene (R35), 6 environment and signals (R36, R37),
# 7 detached/killed launcher (R34, R40), 8 chaos, 9 --start (R6), 10 cold
# start delay (R39, R53: measured and printed, not asserted).  About 80 s.
#
# Ends with the line "N passed, N failed"; exits non-zero if any failed.
# Every app dir $T/a/NAME is the STATE of ondemand-start.sh: "starts" counts
# the runs of `start` (one line each), app.pid names the app.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$IT_DIR/servers.sh"

it_bin "${1:-}"
need_root "the servers run the CGIs and the apps as www-data"
need_pkg lighttpd apache2 uwsgi uwsgi-plugin-python3 libscgi-perl curl \
    python3 util-linux iproute2 || exit 2

mk_tree
own_launcher		# L: the launcher, as the shebang lines name it
O=$T/out
E=$T/expect
CGI=$T/cgi-bin
mkdir -p "$CGI" "$T/www" "$T/log" "$O" "$E" "$T/a"
chmod 755 "$CGI" "$T/www" "$T/a"
chmod 777 "$T/log"
# helpers run by www-data (the start command, the apps): in $T, readable
it_copy 755 ondemand-start.sh
it_copy 644 ondemand-wsgi.py ondemand-scgi.pl
error_bodies "$E"
FETCH_TIMEOUT=90	# fetch: curl's --max-time
CLIENT=$IT_DIR/ondemand-client.py
FDS=$IT_DIR/ondemand-fds.py

# ---- cleanup: apps and start commands, by pid ----------------------------------

# session id of PID (field 6 of /proc/PID/stat, after the command name)
sid_of() {
	local s
	read -r s 2>/dev/null <"/proc/$1/stat" || return 1
	s=${s##*) }
	set -- $s
	echo "$4"
}

# kill -KILL each SID and every process of the sessions they lead (a start
# command runs in its own session, R34: its app and helpers are there);
# one pass over /proc, no subshell per process
kill_sessions() {
	local p s want=" $* " me
	[ $# -gt 0 ] || return 0
	me=$(sid_of $$)
	for p in /proc/[0-9]*; do
		read -r s 2>/dev/null <"$p/stat" || continue
		s=${s##*) }
		set -- $s
		[ "$4" != "$me" ] || continue	# never our own session
		case $want in *" $4 "*) kill -KILL "${p#/proc/}" 2>/dev/null ;; esac
	done
	for p in $want; do
		kill -KILL "$p" 2>/dev/null
	done
	return 0
}

# every start and app of app dirs
kill_app_dir() {	# DIR...
	local d ids=()
	for d in "$@"; do
		ids+=($(cut -d' ' -f1,3 "$d/starts" 2>/dev/null) $(cat "$d/app.pid" 2>/dev/null))
	done
	kill_sessions "${ids[@]}"
}

at_exit 'kill_app_dir "$T"/a/*'

# ---- helpers -------------------------------------------------------------------------


# the usual start lines for app dir $A, KIND, DELAY
start_lines() {	# KIND DELAY
	printf '%s\n' "start = $T/it/ondemand-start.sh" "log = $A/start.log" \
	    "env = STATE=$A" "env = IT=$T/it" "env = KIND=$1" "env = DELAY=$2"
}


# float comparison: lt A B
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
fast() {	# fast BOUND: the last fetch took less than BOUND seconds
	lt "$SECS" "$1" && return 0
	WHY="took $SECS s (bound $1 s)"
	return 1
}
code_is() {	# code_is WANT
	[ "$CODE" = "$1" ] && return 0
	WHY="HTTP $CODE, want $1: $(head -c 200 "$O/$REQ.body" 2>/dev/null | cat -v)"
	return 1
}

# sig_ign FILE: the SigIgn mask (hex) of a saved /proc/PID/status
sig_ign() { sed -n 's/^SigIgn:[[:space:]]*//p' "$1"; }
# ign_only FILE SIG...: SigIgn of FILE has no bit but those of SIG...
ign_only() {
	local f=$1 m allowed=0 s
	shift
	m=$(sig_ign "$f")
	[ -n "$m" ] || { WHY="no SigIgn in $f"; return 1; }
	for s in "$@"; do
		allowed=$((allowed | 1 << (s - 1)))
	done
	[ $((16#$m & ~allowed)) = 0 ] && return 0
	WHY="SigIgn $m (allowed mask $(printf %x $allowed))"
	return 1
}
blk_none() {	# blk_none FILE: SigBlk all zero
	has "$1" '^SigBlk:[[:space:]]+0+$'
}

# the 503 every server passes on (R20)
is503() {	# is503 NAME: HTTP 503, exact body, Retry-After >= 1
	code_is 503 || return 1
	same_file "$O/$1.body" "$E/503.body" || return 1
	[ -n "$RA" ] && [ "$RA" -ge 1 ] && return 0
	WHY="Retry-After missing or < 1: [$RA]"
	return 1
}

# stop an app dir's app (by the pid in app.pid) and wait until it is gone
kill_app() {	# DIR
	local p
	p=$(cat "$1/app.pid" 2>/dev/null) || return 0
	[ -n "$p" ] || return 0
	kill -KILL "$p" 2>/dev/null
	wait_gone "$p" 10
}

# ---- servers ---------------------------------------------------------------------------
read -r LPORT APORT TPORT TPORT2 <<<"$(free_ports 4)"
echo "private dir $T; binary $BIN"
start_lighttpd "$LPORT" || exit 1
start_apache "$APORT" || exit 1
LU=http://127.0.0.1:$LPORT/cgi-bin
AU=http://127.0.0.1:$APORT/cgi-bin
echo "servers up: lighttpd :$LPORT, apache :$APORT"

# ======================================================================
sec1() {
	echo
	echo "== 1. storm: many requests while the app is down (R31) =="

	# unix socket, uWSGI, start sleeps 1 s before the bind; lighttpd
	appdir storm
	mkcgi "$CGI/storm.cgi" "socket = $A/app.sock" "$(start_lines uwsgi 1)" "timeout = 60"
	out=$("$PY" "$CLIENT" storm "$LU/storm.cgi/x" 100 "$O/storm.txt")
	echo "   lighttpd unix storm: $out; starts $(starts)"
	check "R31 lighttpd: 100 concurrent requests to a down uWSGI app (start sleeps 1 s): all 200" \
	    all 'WHY=$(grep -v "^200 " "$O/storm.txt" | sort | uniq -c | head -5); [ -z "$WHY" ]'
	check "R31 lighttpd: 100 concurrent requests: start ran once" nstarts 1
	apid=$(cat "$A/app.pid" 2>/dev/null)
	check "R31 lighttpd: all 100 answered by the one app started" \
	    all 'WHY=$(grep -v " uwsgi $apid\$" "$O/storm.txt" | head -3); [ -z "$WHY" ]'
	check "R32/R40 lock file holds 'EPOCH started 0 0 0': a PID only while a start is under way" \
	    has "$A/app.sock.lock" "^[0-9]+ started 0 0 0\$"
	check "R31 lock file created 0600" \
	    eq "$(stat -c %a:%F "$A/app.sock.lock")" "600:regular file"
	check "R1 log file created 0600, start's output in it" \
	    all 'eq "$(stat -c %a "$A/start.log")" 600' 'has "$A/start.log" "^start [0-9]+ in "'
	check "R1 start runs in the config file's directory by default" \
	    eq "$(cat "$A"/start-cwd.* 2>/dev/null)" "$CGI"
	check "R34 the app runs in a session of its own, not lighttpd's nor ours" \
	    all 'alive "$apid"' '[ "$(sid_of "$apid")" != "$(sid_of "$LIGHTTPD_PID")" ]' \
	    '[ "$(sid_of "$apid")" != "$(sid_of $$)" ]'

	# TCP socket, explicit lock, Perl SCGI, start sleeps 2 s; lighttpd
	appdir stormtcp
	mkcgi "$CGI/stormtcp.cgi" "socket = 127.0.0.1:$TPORT" "lock = $A/tcp.lock" \
	    "$(start_lines perl 2)" "directory = $A" "timeout = 60"
	out=$("$PY" "$CLIENT" storm "$LU/stormtcp.cgi/x" 100 "$O/stormtcp.txt")
	echo "   lighttpd TCP storm: $out; starts $(starts)"
	check "R31 lighttpd TCP: 100 concurrent requests to a down Perl SCGI app (start sleeps 2 s): all 200" \
	    all 'WHY=$(grep -v "^200 " "$O/stormtcp.txt" | sort | uniq -c | head -5); [ -z "$WHY" ]'
	check "R31 lighttpd TCP: start ran once" nstarts 1
	check "R31 TCP: the explicit lock file holds 'EPOCH started 0 0 0'" \
	    has "$A/tcp.lock" '^[0-9]+ started 0 0 0$'
	check "R36 TCP: CGI2SCGI_SOCKET is HOST:PORT" \
	    has "$(ls "$A"/start-env.* | head -1)" "^CGI2SCGI_SOCKET=127\\.0\\.0\\.1:$TPORT\$"
	check "R1 directory = sets start's working directory" \
	    eq "$(cat "$A"/start-cwd.* 2>/dev/null)" "$A"
	b=$(grep -c '^bound ' "$A/app.events" 2>/dev/null)
	f=$(awk '$1 == "bound" { b = $3 } $1 == "first" { f = $3 } END { if (b && f) printf "%.1f", (f - b) * 1000 }' "$A/app.events")
	echo "   TCP storm: app bound -> first connection accepted: ${f:-?} ms"
	kill_app "$A"

	# Apache (mod_cgid, 32 workers): the same with a unix socket
	appdir stormap
	mkcgi "$CGI/stormap.cgi" "socket = $A/app.sock" "$(start_lines uwsgi 1)" "timeout = 60"
	out=$("$PY" "$CLIENT" storm "$AU/stormap.cgi/x" 100 "$O/stormap.txt")
	echo "   apache unix storm: $out; starts $(starts)"
	check "R31 apache: 100 concurrent requests to a down uWSGI app: all 200" \
	    all 'WHY=$(grep -v "^200 " "$O/stormap.txt" | sort | uniq -c | head -5); [ -z "$WHY" ]'
	check "R31 apache: start ran once" nstarts 1
	kill_app "$A"
}

# ======================================================================
sec2() {
	echo
	echo "== 2. busy is not down (R30) =="
	for v in unix tcp; do
		appdir "busy$v"
		if [ $v = unix ]; then
			sock=$A/app.sock lock=
		else
			sock=127.0.0.1:$TPORT2 lock="lock = $A/busy.lock"
		fi
		spawn "busy$v" "$PY" "$IT_DIR/ondemand-busy.py" "$sock" "$A/ready"
		busypid=$SPAWNED
		wait_file "$A/ready" 10
		mkcgi "$CGI/busy$v.cgi" "socket = $sock" ${lock:+"$lock"} \
		    "start = echo run >>$A/starts" "start_timeout = 2" "timeout = 10"
		srv=$LU
		[ $v = tcp ] && srv=$AU
		REQ=busy$v
		fetch "busy$v" "$srv/busy$v.cgi/x"
		echo "   $v: backlog full ($(cat "$A/ready")): HTTP $CODE after $SECS s"
		check "R30 $v socket with a full backlog (never accepts): 503 after start_timeout=2" \
		    all 'is503 busy$v' '! lt "$SECS" 1.9 || { WHY="503 after only $SECS s"; false; }'
		check "R30 $v socket with a full backlog: start never ran" nstarts 0
		stop "$busypid"
	done
}

# ======================================================================
sec3() {
	echo
	echo "== 3. crash loop (R32, R38) =="
	appdir crash
	mkcgi "$CGI/crash.cgi" "socket = $A/app.sock" "start = echo run >>$A/starts; exit 1" \
	    "start_timeout = 30" "retry_after = 3" "timeout = 10"
	REQ=crash1
	fetch crash1 "$LU/crash.cgi/x"
	t1=$(date +%s)
	echo "   start exits 1: HTTP $CODE after $SECS s, Retry-After $RA"
	check "R38 lighttpd: start exits 1: 503 at once (< 3 s, start_timeout 30)" \
	    all 'is503 crash1' 'fast 3'
	check "R32 the failing request gets Retry-After: retry_after (3)" eq "$RA" 3
	check "R32 lock file holds 'EPOCH failed 0 1 0', EPOCH now" \
	    all 'has "$A/app.sock.lock" "^[0-9]+ failed 0 1 0\$"' \
	    'e=$(cut -d" " -f1 "$A/app.sock.lock"); [ $((e - t1)) -le 1 ] && [ $((t1 - e)) -le 5 ] || { WHY="epoch $e, now $t1"; false; }'
	check "R38 start ran once" nstarts 1
	REQ=crash2
	fetch crash2 "$AU/crash.cgi/x"
	echo "   inside retry_after: HTTP $CODE after $SECS s, Retry-After $RA"
	check "R32 apache: inside retry_after: 503 at once, Retry-After 1..3" \
	    all 'is503 crash2' 'fast 3' '[ "$RA" -le 3 ] || { WHY="Retry-After $RA"; false; }'
	check "R32 inside retry_after: start not run again" nstarts 1
	e=$(cut -d' ' -f1 "$A/app.sock.lock")
	n=100
	while [ "$(date +%s)" -le $((e + 3)) ] && [ $n -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	REQ=crash3
	fetch crash3 "$LU/crash.cgi/x"
	# the second failure in a row: a window twice as long (R45)
	check "R32/R45 after retry_after: start tried again (503, start ran twice, Retry-After 6)" \
	    all 'is503 crash3' 'nstarts 2' 'eq "$RA" 6'

	# killed by a signal
	appdir crashsig
	mkcgi "$CGI/crashsig.cgi" "socket = $A/app.sock" "start = echo run >>$A/starts; kill -9 \$\$" \
	    "start_timeout = 30" "retry_after = 30"
	REQ=crashsig
	fetch crashsig "$AU/crashsig.cgi/x"
	check "R38 apache: start killed by SIGKILL: 503 at once, failed recorded" \
	    all 'is503 crashsig' 'fast 3' 'nstarts 1' \
	    'has "$A/app.sock.lock" "^[0-9]+ failed [0-9]+ 1 0\$"'

	# daemonizing start: exits 0 at once, the app binds 1 s later
	appdir daemon
	mkcgi "$CGI/daemon.cgi" "socket = $A/app.sock" "$(start_lines daemon 1)"
	REQ=daemon
	fetch daemon "$LU/daemon.cgi/x"
	check "R38 lighttpd: start exits 0 at once, app binds 1 s later: wait goes on, 200" \
	    all 'code_is 200' 'has "$O/daemon.body" "^perl [0-9]+"' 'nstarts 1' \
	    'has "$A/app.sock.lock" "^[0-9]+ started [0-9]+ 0 0\$"'
	kill_app "$A"

	# a slow failing start under a storm: runs once, everybody gets 503
	appdir crashstorm
	mkcgi "$CGI/crashstorm.cgi" "socket = $A/app.sock" "start = echo run >>$A/starts; sleep 2; exit 1" \
	    "start_timeout = 30" "retry_after = 30"
	out=$("$PY" "$CLIENT" storm "$LU/crashstorm.cgi/x" 30 "$O/crashstorm.txt")
	echo "   failing start (2 s) under 30 concurrent requests: $out"
	check "R31/R32 lighttpd: start that fails after 2 s, 30 concurrent requests: all 503, start ran once" \
	    all 'WHY=$(grep -v "^503 " "$O/crashstorm.txt" | head -3); [ -z "$WHY" ]' 'nstarts 1'

	# the log file cannot be opened: the start fails (fast), one stderr line
	appdir nolog
	mkcgi "$CGI/nolog.cgi" "socket = $A/app.sock" "start = echo run >>$A/starts" \
	    "log = $A/no/such/dir/start.log"
	cgi_run REQUEST_METHOD=GET SCRIPT_NAME=/cgi-bin/nolog.cgi "$CGI/nolog.cgi" \
	    >"$O/nolog.out" 2>"$O/nolog.err"
	rc=$?
	check "R38 direct: log cannot be opened: 503, start never ran, exit non-zero" \
	    all 'has "$O/nolog.out" "^Status: 503 "' 'nstarts 0' '[ "$rc" != 0 ]'
	check "R21 direct: log cannot be opened: exactly one 'cgi2scgi: FILE: what' line on stderr" \
	    all '[ "$(wc -l <"$O/nolog.err")" = 1 ] || { WHY="stderr: [$(tr "\n" "|" <"$O/nolog.err")]"; false; }' \
	    'has "$O/nolog.err" "^cgi2scgi: $CGI/nolog.cgi: "'

	# a start that exits 0 but never binds: times out, a failed start too
	appdir tmout
	mkcgi "$CGI/tmout.cgi" "socket = $A/app.sock" "start = echo run >>$A/starts" \
	    "start_timeout = 2" "retry_after = 30"
	REQ=tmout1
	fetch tmout1 "$LU/tmout.cgi/x"
	check "R38 lighttpd: start exits 0, never binds, start_timeout 2: 503 after it, failed recorded" \
	    all 'is503 tmout1' '! lt "$SECS" 1.9 || { WHY="503 after only $SECS s"; false; }' \
	    'nstarts 1' 'has "$A/app.sock.lock" "^[0-9]+ failed [0-9]+ 1 0\$"'
	REQ=tmout2
	fetch tmout2 "$AU/tmout.cgi/x"
	check "R32 apache: after a timed-out start, inside retry_after: 503 at once, no start" \
	    all 'is503 tmout2' 'fast 3' 'nstarts 1'

	# the lock held by someone else for longer than start_timeout
	appdir lockheld
	setpriv --reuid=33 --regid=33 --clear-groups "$PY" -c 'import fcntl, sys, time
f = open(sys.argv[1], "a")
fcntl.flock(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
time.sleep(60)' "$A/app.sock.lock" "$A/held" </dev/null >/dev/null 2>&1 &
	holder=$!
	PIDS+=("$holder")
	wait_file "$A/held" 10
	mkcgi "$CGI/lockheld.cgi" "socket = $A/app.sock" "start = echo run >>$A/starts" "start_timeout = 2"
	REQ=lockheld
	fetch lockheld "$LU/lockheld.cgi/x"
	check "R31 lighttpd: lock held elsewhere past start_timeout=2: 503 after waiting, start never ran" \
	    all 'is503 lockheld' '! lt "$SECS" 1.9 || { WHY="503 after only $SECS s"; false; }' 'nstarts 0'
	stop "$holder"

	# the lock path is a symlink: O_NOFOLLOW, a 500, the target untouched
	appdir locklink
	echo target >"$A/target"
	chmod 666 "$A/target"
	ln -s target "$A/app.sock.lock"
	mkcgi "$CGI/locklink.cgi" "socket = $A/app.sock" "start = echo run >>$A/starts"
	REQ=locklink
	fetch locklink "$AU/locklink.cgi/x"
	check "R31 apache: lock path is a symlink: not followed, 500, target untouched, no start" \
	    all 'code_is 500' 'eq "$(cat "$A/target")" target' 'nstarts 0'
}

# ======================================================================
sec4() {
	echo
	echo "== 4. stale socket (R33) =="
	appdir stale
	mkcgi "$CGI/stale.cgi" "socket = $A/app.sock" "$(start_lines uwsgi 0)"
	REQ=stale0
	fetch stale0 "$LU/stale.cgi/x"
	check "R33 (setup) lighttpd woke the app: 200" code_is 200
	apid=$(cat "$A/app.pid")
	kill -KILL "$apid"
	wait_gone "$apid" 10
	check "R33 (setup) the app killed -9 left its socket file" test -S "$A/app.sock"
	REQ=stale
	fetch stale "$AU/stale.cgi/x"
	check "R33 apache: stale socket removed, app started again: 200, start ran twice" \
	    all 'code_is 200' 'nstarts 2' \
	    'n=$(cat "$A/app.pid"); [ "$n" != "$apid" ] && has "$O/stale.body" "^uwsgi $n\$"'

	# a regular file at the socket path: never removed; the start (Perl app,
	# whose bind fails on it) fails fast
	appdir regfile
	echo precious >"$A/app.sock"
	chmod 666 "$A/app.sock"
	mkcgi "$CGI/regfile.cgi" "socket = $A/app.sock" "$(start_lines perl 0)"
	REQ=regfile
	fetch regfile "$LU/regfile.cgi/x"
	check "R33 lighttpd: a regular file at the socket path: start fails, 503 at once" \
	    all 'is503 regfile' 'fast 3' 'nstarts 1'
	check "R33 the regular file at the socket path is not removed" \
	    all 'test -f "$A/app.sock" && ! test -L "$A/app.sock"' 'eq "$(cat "$A/app.sock")" precious'

	# a symlink to a stale socket: not a socket itself (lstat), kept
	appdir symlink
	"$PY" -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$A/target.sock"
	chmod 666 "$A/target.sock"
	ln -s target.sock "$A/app.sock"
	mkcgi "$CGI/symlink.cgi" "socket = $A/app.sock" "$(start_lines perl 0)"
	REQ=symlink
	fetch symlink "$AU/symlink.cgi/x"
	check "R33 apache: a symlink to a stale socket at the path is not removed, nor its target" \
	    all 'is503 symlink' 'test -L "$A/app.sock"' 'test -S "$A/target.sock"' 'nstarts 1'
}

# ======================================================================
sec5() {
	echo
	echo "== 5. fd hygiene (R35) =="
	appdir sloppy
	mkcgi "$CGI/sloppy.cgi" "socket = $A/app.sock" "$(start_lines sloppy 0)" "start_timeout = 30"
	for srv in lighttpd apache; do
		u=$LU
		[ $srv = apache ] && u=$AU
		REQ=sloppy-$srv
		fetch "sloppy-$srv" "$u/sloppy.cgi/x" --max-time 20
		apid=$(cat "$A/app.pid" 2>/dev/null)
		check "R35 $srv: start 'uwsgi ... &' (no redirection): request completes promptly, 200" \
		    all 'code_is 200' 'fast 10' 'has "$O/sloppy-$srv.body" "^uwsgi $apid\$"'
		check "R35 $srv: afterwards the lock is free (flock -n)" \
		    flock -n "$A/app.sock.lock" true
		"$PY" "$FDS" "$apid" "$A/start.log" >"$O/fds-$srv.txt" 2>&1
		check "R35 $srv: the app holds 0=/dev/null, 1,2=log, its own sockets only" \
		    all '"$PY" "$FDS" "$apid" "$A/start.log" >/dev/null ||
			 { WHY=$(grep VIOLATION "$O/fds-$srv.txt" | tr "\n" ";"); false; }'
		echo "   $srv: app fds: $(grep -v VIOLATION "$O/fds-$srv.txt" | tr '\n' ' ')"
		kill_app "$A"
	done
	check "R35 two starts: start's output appended to the log, not truncated" \
	    eq "$(grep -c '^start [0-9]* in ' "$A/start.log")" 2
}

# ======================================================================
sec6() {
	echo
	echo "== 6. clean environment and signals (R36, R37) =="
	appdir env
	mkcgi "$CGI/env.cgi" "socket = $A/app.sock" "$(start_lines perl 0)" \
	    "env = FROM_CONFIG=yes it is" "env = PATH=/opt/od/bin:/usr/bin:/bin" "env = SECOND=2"
	for srv in lighttpd apache; do
		u=$LU
		[ $srv = apache ] && u=$AU
		kill_app "$A"
		rm -f "$A"/app-env.* "$A"/app-status.*
		REQ=env-$srv
		fetch "env-$srv" "$u/env.cgi/some/path?qs=QUERYSECRET&x=1" \
		    -H 'Cookie: sid=COOKIESECRET' -H 'Authorization: Basic QVVUSFNFQ1JFVDpwdw==' \
		    -H 'X-Custom: HEADERSECRET' -A 'AGENTSECRET' -e 'http://REFERERSECRET/'
		apid=$(cat "$A/app.pid" 2>/dev/null)
		ef=$A/app-env.$apid
		sf=$A/app-status.$apid
		check "R36 $srv: a request with cookie, credentials and a query woke the app: 200" \
		    all 'code_is 200' 'test -s "$ef" || { WHY="no $ef"; false; }'
		check "R36 $srv: the app sees nothing of the request" \
		    all 'hasnt "$ef" "SECRET"' \
		    'hasnt "$ef" "^(HTTP_|QUERY_STRING|REMOTE_|REQUEST_|SCRIPT_|SERVER_|GATEWAY_|CONTENT_|PATH_INFO|PATH_TRANSLATED|AUTH_TYPE|DOCUMENT_|HTTPS|REDIRECT_)"'
		check "R36 $srv: the app has CGI2SCGI_SOCKET (absolute), the env lines, PATH from the env line" \
		    all 'has "$ef" "^CGI2SCGI_SOCKET=$A/app.sock\$"' 'has "$ef" "^FROM_CONFIG=yes it is\$"' \
		    'has "$ef" "^SECOND=2\$"' 'has "$ef" "^PATH=/opt/od/bin:/usr/bin:/bin\$"' \
		    'eq "$(grep -c "^PATH=" "$ef")" 1'
		check "R36 $srv: only the kept names, the env lines and the socket (plus /bin/sh's PWD)" \
		    all 'WHY=$(cut -d= -f1 "$ef" | grep -vxE "PATH|HOME|USER|LOGNAME|LANG|LC_ALL|TZ|TMPDIR|CGI2SCGI_SOCKET|FROM_CONFIG|SECOND|STATE|IT|KIND|DELAY|PWD|OLDPWD|SHLVL|_" | tr "\n" " "); [ -z "$WHY" ]'
		stf=$(ls "$A"/start-status.* 2>/dev/null | tail -1)
		check "R37 $srv: start runs with no signal ignored and none blocked" \
		    all 'ign_only "$stf"' 'blk_none "$stf"'
		# Perl ignores SIGFPE (8) itself at startup: the only bit allowed
		check "R37 $srv: the app has SIGPIPE at default (SigIgn bit 13 clear), no other inherited ignore, empty mask" \
		    all 'ign_only "$sf" 8' 'blk_none "$sf"'
		rm -f "$A"/start-status.*
	done
	# a socket path relative to the config file: CGI2SCGI_SOCKET absolute
	appdir relsock
	mkcgi "$CGI/relsock.cgi" "socket = ../a/relsock/app.sock" "$(start_lines perl 0)"
	REQ=relsock
	fetch relsock "$LU/relsock.cgi/x"
	v=$(sed -n 's/^CGI2SCGI_SOCKET=//p' "$A"/start-env.* 2>/dev/null | head -1)
	check "R36/R4 lighttpd: socket relative to the config file: 200, CGI2SCGI_SOCKET absolute, same file" \
	    all 'code_is 200' 'case $v in /*) ;; *) WHY="CGI2SCGI_SOCKET=$v"; false ;; esac' \
	    'eq "$(realpath -m "$v")" "$A/app.sock"' 'test -S "$A/app.sock"'
	kill_app "$A"

	# direct, as a CGI whose caller ignores SIGPIPE/SIGHUP and blocks signals,
	# with every kept variable set and some that must not pass
	appdir envdirect
	mkcgi "$CGI/envdirect.cgi" "socket = $A/app.sock" "$(start_lines perl 0)"
	timeout 60 env -i GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET \
	    SCRIPT_NAME=/cgi-bin/envdirect.cgi PATH_INFO=/x QUERY_STRING=a=QSECRET \
	    HTTP_COOKIE=c=CSECRET HTTP_AUTHORIZATION='Basic ASECRET' REMOTE_ADDR=127.0.0.1 \
	    REMOTE_USER=USECRET HOME=/home/od USER=od LOGNAME=od LANG=C.UTF-8 LC_ALL=C \
	    TZ=Europe/Paris TMPDIR=/var/tmp FOO=FSECRET LD_PRELOAD= IFS=x \
	    "$PY" -c 'import os, signal, sys
signal.signal(signal.SIGPIPE, signal.SIG_IGN)
signal.signal(signal.SIGHUP, signal.SIG_IGN)
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGUSR1, signal.SIGALRM})
os.execv(sys.argv[1], sys.argv[1:])' "$CGI/envdirect.cgi" >"$O/envdirect.out" 2>"$O/envdirect.err"
	apid=$(cat "$A/app.pid" 2>/dev/null)
	ef=$A/app-env.$apid
	sf=$A/app-status.$apid
	check "R36 direct: 200 from the app woken with HOME USER LOGNAME LANG LC_ALL TZ TMPDIR set" \
	    has "$O/envdirect.out" '^perl [0-9]+'
	check "R36 direct: kept variables passed, nothing else of the CGI's environment" \
	    all 'has "$ef" "^HOME=/home/od\$"' 'has "$ef" "^USER=od\$"' 'has "$ef" "^LOGNAME=od\$"' \
	    'has "$ef" "^LANG=C.UTF-8\$"' 'has "$ef" "^LC_ALL=C\$"' 'has "$ef" "^TZ=Europe/Paris\$"' \
	    'has "$ef" "^TMPDIR=/var/tmp\$"' 'hasnt "$ef" "SECRET|^LD_PRELOAD|^IFS=x"'
	check "R36 direct: PATH unset in the CGI: start gets /usr/local/bin:/usr/bin:/bin" \
	    has "$ef" '^PATH=/usr/local/bin:/usr/bin:/bin$'
	stf=$(ls "$A"/start-status.* 2>/dev/null | tail -1)
	check "R37 direct: caller ignoring SIGPIPE/SIGHUP/SIGCHLD, blocking TERM/USR1/ALRM: start has none ignored or blocked" \
	    all 'ign_only "$stf"' 'blk_none "$stf"'
	check "R37 direct: ... and the app has SIGPIPE, SIGHUP, SIGCHLD at default (only Perl's own SIGFPE ignored), empty mask" \
	    all 'ign_only "$sf" 8' 'blk_none "$sf"'
	kill_app "$A"
}

# ======================================================================
sec7() {
	echo
	echo "== 7. detached and killable (R34, R40) =="
	appdir detach
	mkcgi "$CGI/detach.cgi" "socket = $A/app.sock" "$(start_lines uwsgi 0)"
	REQ=detach1
	fetch detach1 "$LU/detach.cgi/x"
	apid=$(cat "$A/app.pid" 2>/dev/null)
	check "R34 (setup) lighttpd started the app: 200" code_is 200
	lsid=$(sid_of "$LIGHTTPD_PID")
	check "R34 the app's session is not the web server's" \
	    all 'alive "$apid"' '[ "$(sid_of "$apid")" != "$lsid" ] || { WHY="same session $lsid"; false; }'
	stop "$LIGHTTPD_PID"
	sleep 1
	check "R34 lighttpd stopped (by pid): the app it woke is still alive" alive "$apid"
	REQ=detach2
	fetch detach2 "$AU/detach.cgi/x"
	check "R34 the surviving app serves Apache: 200, no new start" \
	    all 'code_is 200' 'has "$O/detach2.body" "^uwsgi $apid\$"' 'nstarts 1'
	start_lighttpd "$LPORT" || exit 1
	kill_app "$A"

	# the same with Apache (mod_cgid) stopped
	appdir detachap
	mkcgi "$CGI/detachap.cgi" "socket = $A/app.sock" "$(start_lines uwsgi 0)"
	REQ=detachap
	fetch detachap "$AU/detachap.cgi/x"
	apid=$(cat "$A/app.pid" 2>/dev/null)
	check "R34 (setup) apache started the app: 200" code_is 200
	stop "$APACHE_PID"
	sleep 1
	check "R34 apache stopped (by pid): the app it woke is still alive" alive "$apid"
	start_apache "$APORT" || exit 1
	REQ=detachap2
	fetch detachap2 "$LU/detachap.cgi/x"
	check "R34 the app that outlived apache serves lighttpd: 200, no new start" \
	    all 'code_is 200' 'has "$O/detachap2.body" "^uwsgi $apid\$"' 'nstarts 1'
	kill_app "$A"

	# R40: the launcher holding the lock killed -9 while start (sleep 3)
	# runs.  What is asserted: the lock is free at once; the next request,
	# sent while that first start still sleeps, is answered 200; start
	# does not run a second time (the first start is still in progress:
	# a second one is a concurrent start, R31); and once every start has
	# had time to bind, one app serves the socket (a second uWSGI binding
	# the same path leaves the first one orphaned on an unlinked inode).
	appdir killed
	mkcgi "$CGI/killed.cgi" "socket = $A/app.sock" "$(start_lines uwsgi 3)"
	curl -sS --max-time 60 -o "$O/killed1.body" -w '%{http_code}' "$LU/killed.cgi/x" \
	    >"$O/killed1.code" 2>"$O/killed1.curl" &
	cpid=$!
	wait_grep "$A/starts" . 10
	lp=$(launchers)
	check "R40 (setup) one launcher waits on the slow start" \
	    all '[ -n "$lp" ] && [ "$(echo "$lp" | wc -l)" = 1 ] || { WHY="launchers: [$lp]"; false; }'
	kill -KILL $lp 2>/dev/null
	for p in $lp; do wait_gone "$p" 10; done
	check "R40 the SIGKILLed launcher's lock is free at once (flock -n)" \
	    flock -n "$A/app.sock.lock" true
	wait "$cpid"
	t0=$(date +%s.%N)
	REQ=killed2
	fetch killed2 "$LU/killed.cgi/x"
	n2=$(starts)
	echo "   next request: HTTP $CODE after $SECS s; start ran $n2 time(s); first start began $(awk '{print $2}' "$A/starts" | head -1), next request at $t0"
	check "R40 the next request (first start still sleeping) succeeds: 200" code_is 200
	check "R40/R31 ... without a second concurrent start (start ran once)" nstarts 1
	# what a second start costs: once every start has bound, how many apps
	# run for this one socket (bounded wait for the last start's sleep)
	last=$(awk '{ print $2 }' "$A/starts" | sort -n | tail -1)
	n=100
	while lt "$(date +%s.%N)" "$(awk -v l="$last" 'BEGIN { printf "%.3f", l + 4.5 }')" && [ $n -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	apps=$(for sd in $(cut -d' ' -f3 "$A/starts"); do
		for p in /proc/[0-9]*; do
			[ "$(sid_of "${p#/proc/}")" = "$sd" ] &&
			    [ "$(cat "$p/comm" 2>/dev/null)" = uwsgi ] && echo "${p#/proc/}"
		done
	done | sort -u | tr '\n' ' ')
	echo "   uWSGI apps running for $A/app.sock: $apps(listening: $(ss -xlp 2>/dev/null | grep -c "$A/app.sock "))"
	check "R40/R31 ... and one app runs for the socket afterwards (no orphan on an unlinked socket)" \
	    all '[ "$(echo $apps | wc -w)" = 1 ] || { WHY="apps: $apps"; false; }'
	kill_app_dir "$A"
}

# ======================================================================
sec8() {
	echo
	echo "== 8. chaos: 20 req/s for 30 s, app SIGKILLed 5 times (R31, R33) =="
	appdir chaos
	mkcgi "$CGI/chaos.cgi" "socket = $A/app.sock" "$(start_lines uwsgi 0)" "timeout = 30"
	out=$("$PY" "$CLIENT" chaos "$LU/chaos.cgi/x" 20 30 5 "$A/app.pid" "$O/chaos.txt")
	echo "   chaos: $out; starts $(starts)"
	set -- $(echo "$out" | grep '^requests ')
	CH_REQ=${2:-} CH_FAIL=${6:-} CH_UNEX=${10:-} CH_KILLS=${12:-}
	check "R31 chaos: 600 requests issued, 5 kills done" \
	    all 'eq "$CH_REQ" 600' 'eq "$CH_KILLS" 5'
	check "R31/R33 chaos: start ran exactly kills + 1 times" nstarts $((CH_KILLS + 1))
	# a request can fail only if the app was killed while it was in flight:
	# every failure must overlap a kill (unexcused = 0); the excused ones are
	# counted and reported
	check "R33 chaos: no request failed except ones in flight at a kill (failed $CH_FAIL)" \
	    eq "$CH_UNEX" 0
	kill_app_dir "$A"
}

# ======================================================================
sec9() {
	echo
	echo "== 9. --start from a shell (R6) =="
	appdir cli
	mkcgi "$A/app.cgi" "socket = $A/app.sock" "$(start_lines uwsgi 0)"
	(cd "$A" && env -u GATEWAY_INTERFACE timeout 60 ./app.cgi --start) >"$O/cli1.out" 2>"$O/cli1.err"
	rc=$?
	check "R6 ./app.cgi --start: exit 0, 'app: accepting', start ran once" \
	    all 'eq "$rc" 0' 'eq "$(cat "$O/cli1.out")" "app: accepting"' 'nstarts 1'
	apid=$(cat "$A/app.pid" 2>/dev/null)
	check "R6 --start: the app it started outlives it" alive "$apid"
	(cd "$A" && env -u GATEWAY_INTERFACE timeout 60 ./app.cgi --start) >"$O/cli2.out" 2>"$O/cli2.err"
	rc=$?
	check "R6 ./app.cgi --start again: exit 0, 'app: accepting', no new start" \
	    all 'eq "$rc" 0' 'eq "$(cat "$O/cli2.out")" "app: accepting"' 'nstarts 1'
	kill_app "$A"
	env -u GATEWAY_INTERFACE timeout 60 "$L" --start "$A/app.cgi" >"$O/cli3.out" 2>"$O/cli3.err"
	rc=$?
	check "R6 cgi2scgi --start CONFIG after kill -9: exit 0, stale socket replaced, start ran twice" \
	    all 'eq "$rc" 0' 'eq "$(cat "$O/cli3.out")" "app: accepting"' 'nstarts 2'
	kill_app "$A"
	mkcgi "$A/fail.cgi" "socket = $A/fail.sock" "start = exit 1"
	(cd "$A" && env -u GATEWAY_INTERFACE timeout 60 ./fail.cgi --start) >"$O/cli4.out" 2>"$O/cli4.err"
	rc=$?
	check "R6 ./fail.cgi --start whose start exits 1: exit 1, one 'cgi2scgi: FILE: ...' line" \
	    all 'eq "$rc" 1' 'eq "$(wc -l <"$O/cli4.err")" 1' \
	    'has "$O/cli4.err" "^cgi2scgi: (\./)?fail\.cgi: "' '! grep -q "^app: accepting" "$O/cli4.out"' 
	# a relative config path, a relative socket: resolved from the config
	appdir clirel
	mkcgi "$A/app.cgi" "socket = app.sock" "$(start_lines uwsgi 0)"
	(cd "$T" && env -u GATEWAY_INTERFACE timeout 60 a/clirel/app.cgi --start) \
	    >"$O/cli6.out" 2>"$O/cli6.err"
	rc=$?
	v=$(sed -n 's/^CGI2SCGI_SOCKET=//p' "$A"/start-env.* 2>/dev/null | head -1)
	check "R6/R36 (cd \$T; a/clirel/app.cgi --start), socket = app.sock: exit 0, app on \$T/a/clirel/app.sock" \
	    all 'eq "$rc" 0' 'nstarts 1' 'test -S "$A/app.sock"' \
	    'case $v in /*) ;; *) WHY="CGI2SCGI_SOCKET=$v"; false ;; esac' 'eq "$(realpath -m "$v")" "$A/app.sock"'
	kill_app "$A"

	# --start (as www-data) racing 20 web requests: one start
	appdir clirace
	mkcgi "$CGI/clirace.cgi" "socket = $A/app.sock" "$(start_lines uwsgi 1)"
	"$PY" "$CLIENT" storm "$LU/clirace.cgi/x" 20 "$O/clirace.txt" >"$O/clirace.sum" &
	cpid=$!
	env -u GATEWAY_INTERFACE timeout 60 setpriv --reuid=33 --regid=33 --clear-groups \
	    "$CGI/clirace.cgi" --start >"$O/cli5.out" 2>"$O/cli5.err"
	rc=$?
	wait "$cpid"
	check "R6/R31 --start racing 20 requests: exit 0, all 200, start ran once" \
	    all 'eq "$rc" 0' 'WHY=$(grep -v "^200 " "$O/clirace.txt" | head -3); [ -z "$WHY" ]' 'nstarts 1'
	kill_app "$A"
}

# ======================================================================
sec10() {
	echo
	echo "== cold start: app bound -> first connection accepted (R39, R53) =="
	appdir cold
	mkcgi "$CGI/cold.cgi" "socket = $A/app.sock" "$(start_lines perl 0.5)"
	for i in 1 2 3 4 5; do
		r=$("$PY" "$CLIENT" get "$LU/cold.cgi/x")
		[ "${r% *}" = 200 ] || echo "   cold start $i: HTTP ${r% *}"
		echo "answer $(cat "$A/app.pid") ${r#* }" >>"$A/app.events"
		kill_app "$A"
	done
	# per app pid: bound, first accept, answer at the client
	awk '$1 == "bound" { b[$2] = $3 } $1 == "first" { f[$2] = $3 }
	    $1 == "answer" && ($2 in b) && ($2 in f) {
		printf "%.1f %.1f\n", (f[$2] - b[$2]) * 1000, ($3 - b[$2]) * 1000 }' \
	    "$A/app.events" >"$O/cold.ms"
	echo "   app bound -> launcher's connection accepted (ms): $(cut -d' ' -f1 "$O/cold.ms" | sort -n | tr '\n' ' ')"
	echo "   app bound -> answer received by the client (ms):  $(cut -d' ' -f2 "$O/cold.ms" | sort -n | tr '\n' ' ')"
	check "R31 cold starts: one start per request after each kill (5)" nstarts 5
}

# ======================================================================
# ONLY="1 7" runs those sections only
for n in 1 2 3 4 5 6 7 8 9 10; do
	case " ${ONLY:-1 2 3 4 5 6 7 8 9 10} " in *" $n "*) "sec$n" ;; esac
done
echo
check "no launcher left running" no_launchers_left 10
stop "$LIGHTTPD_PID"
stop "$APACHE_PID"
elapsed
summary
