#!/bin/bash
# The server matrix of cgi2scgi (issue 4, "works wherever people host it"):
# the launcher as a shebang app.cgi behind
#   lighttpd (mod_cgi), Apache 2.4 mod_cgid with .htaccess, Apache with
#   suEXEC, busybox httpd, mini_httpd, nginx + fcgiwrap
# each started from its example configuration in examples/servers/, in front
# of uWSGI, the Perl SCGI example and the stdlib WSGI adapter
# (examples/scgi_wsgi.py), plus SCGI over TCP behind HAProxy.
#
#   bash tests/it/matrix.sh [BINARY]        (default ./cgi2scgi)
#   KEEP=1 bash tests/it/matrix.sh ...      keep the private directory
#
# Per server: GET, a byte-exact 10 MiB POST, a byte-exact 50 MiB answer, a
# small POST, a chunked upload, a streamed answer, a start on demand (the
# `start` line, app down, concurrent requests, one start) and the R3 argv
# attack (GET app.cgi?/path/evil.conf).  A case a server cannot do because
# of a bug or limit of the server itself (documented in docs/servers.md) is
# reported "known", not failed.  Then it prints the matrix and what each
# server does differently (argv, working directory, SCRIPT_FILENAME, ...).
#
# Root, Debian 12; installs what is missing.  Ends with the line
# "N passed, N failed"; exits non-zero if any failed.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$IT_DIR/servers.sh"
. "$IT_DIR/matrix-servers.sh"

it_bin "${1:-}"
need_root "servers run the CGIs as www-data and a test user"
need_pkg lighttpd apache2 apache2-suexec-pristine busybox mini-httpd \
    nginx fcgiwrap haproxy uwsgi uwsgi-plugin-python3 libscgi-perl \
    curl python3 util-linux || exit 2

mk_tree
own_launcher
SXROOT=		# suEXEC's document root, under /var/www
at_exit mx_stop_all_children
at_exit '[ -n "$SXROOT" ] && [ -d "$SXROOT" ] && [ -z "${KEEP:-}" ] && rm -rf "$SXROOT"'

O=$T/out
E=$T/expect
R=$T/run
D=$T/data
EX=$T/ex			# the examples, where every user can read them
mkdir -p "$R" "$D" "$O" "$E" "$EX" "$T/st" "$T/log"
chmod 755 "$R" "$D" "$EX" "$T/st"
chmod 777 "$T/log"
it_copy 644 echo.py matrix-app.py
it_copy 755 matrix-probe.py
cp -r "$MX_EXAMPLES/hello" "$MX_EXAMPLES/perl" "$MX_EXAMPLES/stdlib" \
    "$MX_EXAMPLES/scgi_wsgi.py" "$EX/"
chmod -R a+rX "$EX"

# the test user of suEXEC: a system user (uid >= 100, suEXEC's AP_UID_MIN)
SXUSER=cgi2scgi-mx
if ! id "$SXUSER" >/dev/null 2>&1; then
	useradd --system --user-group --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin "$SXUSER" || exit 2
fi

# ---- data ---------------------------------------------------------------------
head -c 10485760 /dev/urandom >"$D/10M"
head -c 1048576 /dev/urandom >"$D/1M"
printf 'a=1&b=2' >"$D/small"
expect_sha 10M 1M small
BIG=52428800
BIGSHA=$("$PY" "$IT_DIR/bigsha.py" $BIG)

# ---- results ----------------------------------------------------------------------
declare -A RES		# RES[server:case] = ok | FAIL | known
declare -A KNOWN	# KNOWN[server:case] = why the server itself cannot
KNOWN_N=0
KNOWN[mini_httpd:small-post]="mini_httpd 1.30: a POST whose body arrives with the headers loses its answer (the input interposer's lingering close shuts down the shared socket)"
KNOWN[mini_httpd:chunked]="mini_httpd 1.30 has no chunked request bodies: the CGI gets no CONTENT_LENGTH and no Transfer-Encoding, so an empty body"
KNOWN[mini_httpd:error]="mini_httpd merges the CGI's stderr into its output: cgi2scgi's log line, written before the answer, reaches the client as a header line naming the config file"
KNOWN[busybox:chunked]="busybox httpd 1.35 does not decode chunked bodies: the CGI gets the raw chunk framing, cut short"

# mcheck SERVER CASE NAME CMD...: a check of the matrix
mcheck() {
	local s=$1 c=$2 name=$3
	shift 3
	if [ -n "${KNOWN[$s:$c]:-}" ]; then
		if "$@"; then
			RES[$s:$c]=ok
			PASSED=$((PASSED + 1))
			printf 'ok   %s (passes despite the known server issue)\n' "$name"
		else
			RES[$s:$c]=known
			KNOWN_N=$((KNOWN_N + 1))
			printf 'known %s\n      %s\n' "$name" "${KNOWN[$s:$c]}"
		fi
		WHY=
		return 0
	fi
	local f0=$FAILED
	check "$name" "$@"
	if [ "$FAILED" = "$f0" ]; then
		[ "${RES[$s:$c]:-ok}" = ok ] && RES[$s:$c]=ok
	else
		RES[$s:$c]=FAIL
	fi
}

# ---- backends -----------------------------------------------------------------------
read -r P_LIGHTTPD P_APACHE P_SUEXEC P_BUSYBOX P_MINI P_NGINX P_HAPROXY \
    P_B1 P_B2 P_PERL <<<"$(free_ports 10)"
echo "private dir $T; binary $BIN"
start_uwsgi uwsgi "$R/echo.sock" || exit 1
start_raw trap "$R/trap.sock" || exit 1
mkcgi "$T/evil.conf" "socket = $R/trap.sock" "timeout = 5"
chmod 644 "$T/evil.conf"

# ---- the servers, their cgi-bin ----------------------------------------------------------
SERVERS=(lighttpd apache-htaccess apache-suexec busybox mini_httpd nginx-fcgiwrap)
declare -A PORT ROOT CGIUSER ODAPP
PORT=([lighttpd]=$P_LIGHTTPD [apache-htaccess]=$P_APACHE [apache-suexec]=$P_SUEXEC
    [busybox]=$P_BUSYBOX [mini_httpd]=$P_MINI [nginx-fcgiwrap]=$P_NGINX)
# the example app each server starts on demand
ODAPP=([lighttpd]=stdlib [apache-htaccess]=hello [apache-suexec]=perl
    [busybox]=perl [mini_httpd]=hello [nginx-fcgiwrap]=stdlib)
SXROOT=$(mktemp -d /var/www/cgi2scgi-mx.XXXXXX) || exit 1
for S in "${SERVERS[@]}"; do
	if [ "$S" = apache-suexec ]; then
		ROOT[$S]=$SXROOT
		CGIUSER[$S]=$SXUSER
	else
		ROOT[$S]=$T/srv/$S/www
		CGIUSER[$S]=www-data
	fi
	r=${ROOT[$S]}
	st=$T/st/$S
	mkdir -p "$r/cgi-bin" "$st"
	mkcgi "$r/cgi-bin/app.cgi" "# the echo app (uWSGI)" "socket = $R/echo.sock" \
	    "timeout = 60"
	# started on demand: the `start` line counts its runs in $st/starts
	mkcgi "$r/cgi-bin/od.cgi" "socket = $st/app.sock" \
	    "start = echo run >>$st/starts; exec $EX/${ODAPP[$S]}/start.sh" \
	    "env = APP_RUN=$st" "env = HELLO_RUN=$st" "directory = $st" \
	    "log = $st/start.log" "start_timeout = 30" "timeout = 60"
	mkcgi "$r/cgi-bin/down.cgi" "socket = $st/nothing.sock" "timeout = 10"
	cp "$T/it/matrix-probe.py" "$r/cgi-bin/probe.cgi"
	printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\nheld\\n"\nexec >/dev/null\nsleep 2 </dev/null &\n' \
	    >"$r/cgi-bin/hold.cgi"
	chmod 755 "$r/cgi-bin/probe.cgi" "$r/cgi-bin/hold.cgi"
	if [ "$S" = apache-htaccess ]; then
		cp "$MX_EXAMPLES/servers/apache.htaccess" "$r/cgi-bin/.htaccess"
		chmod 644 "$r/cgi-bin/.htaccess"
	fi
	chown -R "${CGIUSER[$S]}:${CGIUSER[$S]}" "$st"
	chown -R "${CGIUSER[$S]}:${CGIUSER[$S]}" "$r"
	chmod 755 "$r" "$r/cgi-bin" "$st"
	[ "$S" = apache-suexec ] || chown root:root "$r" "$r/cgi-bin"
	PIDFILES+=("$st/app.pid" "$st/uwsgi.pid")
done
chmod 755 "$T/srv"

mx_start_lighttpd lighttpd "$P_LIGHTTPD" "${ROOT[lighttpd]}" || exit 1
mx_start_apache apache-htaccess "$P_APACHE" "${ROOT[apache-htaccess]}" \
    apache-htaccess.conf || exit 1
mx_start_apache apache-suexec "$P_SUEXEC" "$SXROOT" apache-suexec.conf "$SXUSER" ||
    exit 1
mx_start_busybox busybox "$P_BUSYBOX" "${ROOT[busybox]}" || exit 1
mx_start_mini mini_httpd "$P_MINI" "${ROOT[mini_httpd]}" || exit 1
mx_start_nginx nginx-fcgiwrap "$P_NGINX" "${ROOT[nginx-fcgiwrap]}" || exit 1
echo "servers up: $(for S in "${SERVERS[@]}"; do printf '%s :%s  ' "$S" "${PORT[$S]}"; done)"

# ======================================================================
# per server

# observations: server -> what it does, for the table at the end
declare -A OBS_ARGV OBS_CWD OBS_SFN OBS_CLGET OBS_STDERR OBS_CHUNKED OBS_FD OBS_STREAM OBS_HDRS OBS_NICE OBS_ALARM
# where the CGI's stderr (cgi2scgi's one-line diagnostics) ends up
declare -A ERRLOG
ERRLOG=([lighttpd]=$T/log/lighttpd/lighttpd-cgi-stderr.log
    [apache-htaccess]=$T/log/apache-htaccess/apache-error.log
    [apache-suexec]=$T/log/apache-suexec/apache-error.log
    [busybox]=$T/log/busybox.log [mini_httpd]=$O/mini_httpd-err.body
    [nginx-fcgiwrap]=$T/log/nginx-fcgiwrap-fcgiwrap.log)
error_bodies "$E"
probe_val() { sed -n "s/^$2=//p" "$O/$1.body" | head -1; }

# the stderr check takes 2 s where a server waits: run them all at once
for S in "${SERVERS[@]}"; do
	( fetch hold-$S "http://127.0.0.1:${PORT[$S]}/cgi-bin/hold.cgi" --max-time 20
	  echo "$CODE $SECS" >"$O/hold-$S.res" ) &
	HOLDPIDS+=($!)
done

for S in "${SERVERS[@]}"; do
	U=http://127.0.0.1:${PORT[$S]}
	st=$T/st/$S
	echo
	echo "== $S =="

	# GET: the app sees the request, the launcher's CONTENT_LENGTH and SCGI
	fetch $S-get "$U/cgi-bin/app.cgi/env?a=1&b=two" -H 'Cookie: c=hello' \
	    -H 'X-Test: hello'
	mcheck $S get "$S: GET reaches the app: QUERY_STRING, PATH_INFO, HTTP_COOKIE, CONTENT_LENGTH=0, SCGI=1" \
	    all 'eq "$CODE" 200' 'env_line $S-get "QUERY_STRING=a=1&b=two"' \
	    'env_line $S-get PATH_INFO=/env' 'env_line $S-get HTTP_COOKIE=c=hello' \
	    'env_line $S-get CONTENT_LENGTH=0' 'env_line $S-get SCGI=1' \
	    'env_line $S-get REQUEST_METHOD=GET' \
	    'hasnt $O/$S-get.body "^CGI2SCGI_"'

	if grep -q '^HTTP_X_TEST=hello$' "$O/$S-get.body"; then
		OBS_HDRS[$S]="all, as HTTP_*"
	else
		OBS_HDRS[$S]="only $(grep -o '^HTTP_[A-Z_]*' "$O/$S-get.body" | tr '\n' ' ')"
	fi

	# an error answer: complete, naming nothing; the log line in the
	# server's error log
	fetch $S-err "$U/cgi-bin/down.cgi/x"
	mcheck $S error "$S: app down, no start: exact 502 body; the log line in the server's error log" \
	    all 'eq "$CODE" 502' 'same_file $O/$S-err.body $E/502.body' \
	    'wait_grep "${ERRLOG[$S]}" "^cgi2scgi: .*down\.cgi" 5 || { WHY="no cgi2scgi line in ${ERRLOG[$S]}"; false; }'

	# 10 MiB POST, byte-exact (curl sends "Expect: 100-continue" above 1 MiB)
	fetch $S-post "$U/cgi-bin/app.cgi/sha" \
	    -H 'Content-Type: application/octet-stream' --data-binary "@$D/10M"
	mcheck $S post10m "$S: POST 10 MiB reaches the app byte-exact" \
	    all 'eq "$CODE" 200' 'same_file $O/$S-post.body $E/sha-10M'

	# a small form POST: body in the same packet as the headers
	fetch $S-small "$U/cgi-bin/app.cgi/sha" -H 'Expect:' --data-binary "@$D/small"
	mcheck $S small-post "$S: small POST (body sent with the headers) byte-exact" \
	    all 'eq "$CODE" 200' 'same_file $O/$S-small.body $E/sha-small'

	# 50 MiB answer, byte-exact
	got=$(curl -sS --max-time 120 "$U/cgi-bin/app.cgi/big?n=$BIG" | sha256sum | cut -d' ' -f1)
	mcheck $S big50m "$S: 50 MiB answer byte-exact" eq "$got" "$BIGSHA"

	# chunked upload of 1 MiB
	fetch $S-chunked "$U/cgi-bin/app.cgi/sha" -H 'Expect:' \
	    -H 'Transfer-Encoding: chunked' --data-binary "@$D/1M"
	mcheck $S chunked "$S: chunked upload of 1 MiB byte-exact" \
	    all 'eq "$CODE" 200' 'same_file $O/$S-chunked.body $E/sha-1M'

	# answer streamed: the first chunk arrives before the second is made
	http_stream $S "${PORT[$S]}" /cgi-bin/app.cgi/stream
	mcheck $S stream "$S: answer relayed live (first chunk before the second exists)" \
	    stream_ok $S-stream
	[ "$RC" = 0 ] && OBS_STREAM[$S]=live || OBS_STREAM[$S]="buffered"

	# start on demand: app down, 4 requests at once, one start
	fetch_many 4 $S-od "$U/cgi-bin/od.cgi/hello?n=@i@"
	pidf=$st/app.pid
	[ "${ODAPP[$S]}" = hello ] && pidf=$st/uwsgi.pid
	mcheck $S ondemand "$S: app down, 4 requests at once: all answered by the ${ODAPP[$S]} example, started once" \
	    all 'eq "$CODES" 200200200200' 'eq "$(nlines $st/starts)" 1' \
	    'grep -q "^Hello from" $O/$S-od-1.body || { WHY="answer: $(head -c 200 $O/$S-od-1.body)"; false; }' \
	    'pid_alive $pidf'
	p=$(cat "$pidf" 2>/dev/null)
	OBS_NICE[$S]=$(awk '{print $19}' "/proc/$p/stat" 2>/dev/null)
	fetch $S-od-again "$U/cgi-bin/od.cgi/hello?again"
	mcheck $S ondemand "$S: the started app serves the next request, no new start" \
	    all 'eq "$CODE" 200' 'eq "$(nlines $st/starts)" 1'

	# R3: a query word the server passes as argv never names the config
	trap_mark
	fetch $S-r3 "$U/cgi-bin/app.cgi/env?$T/evil.conf"
	mcheck $S r3 "$S: GET app.cgi?$T/evil.conf: the real app answers, the trap sees nothing" \
	    all 'eq "$CODE" 200' 'env_line $S-r3 "QUERY_STRING=$T/evil.conf"' trap_same

	# observations (a plain CGI that reports what it got)
	fetch $S-probe "$U/cgi-bin/probe.cgi?$T/evil.conf"
	if [ "$(probe_val $S-probe argc)" = 0 ]; then
		OBS_ARGV[$S]="none"
	else
		OBS_ARGV[$S]="query words: $(probe_val $S-probe argv)"
	fi
	OBS_CWD[$S]=$(probe_val $S-probe cwd)
	OBS_SFN[$S]=$(probe_val $S-probe script_filename)
	OBS_CLGET[$S]=$(probe_val $S-probe cl)
	OBS_ALARM[$S]="$(probe_val $S-probe alarm) s pending, nice $(probe_val $S-probe nice)"
	OBS_FD[$S]="stdin $(probe_val $S-probe fd0), stdout $(probe_val $S-probe fd1), stderr $(probe_val $S-probe fd2)"
	fetch $S-probe-ch "$U/cgi-bin/probe.cgi" -H 'Expect:' \
	    -H 'Transfer-Encoding: chunked' --data-binary "@$D/1M"
	if [ "$CODE" != 200 ]; then
		OBS_CHUNKED[$S]="answers $CODE"
	else
		in=$(probe_val $S-probe-ch stdin)
		if [ "$in" = "$(cat "$E/sha-1M")" ]; then
			how=decoded
		else
			how="NOT decoded: ${in%% *} bytes, starting $(probe_val $S-probe-ch stdin_head)"
		fi
		OBS_CHUNKED[$S]="CONTENT_LENGTH $(probe_val $S-probe-ch cl), Transfer-Encoding $(probe_val $S-probe-ch te), body $how"
	fi
	check "$S: the probe CGI ran (observations below)" eq "$(probe_val $S-probe cwd | head -c 1)" /
done

# suEXEC really ran the CGIs as the test user, with the shebang file alone
S=apache-suexec
check "R5 apache-suexec: the app started on demand runs as $SXUSER (the CGI ran through suEXEC)" \
    all 'p=$(cat $T/st/$S/app.pid 2>/dev/null); [ -n "$p" ] && [ "$(stat -c %U /proc/$p)" = "$SXUSER" ] || { WHY="app pid [$p] owner $(stat -c %U /proc/$p 2>/dev/null)"; false; }'
check "R5 apache-suexec: the environment reaching the app was filtered (no SetEnv, suEXEC's PATH)" \
    all 'env_line $S-get "PATH=/usr/local/bin:/usr/bin:/bin"' 'hasnt $O/$S-get.body "^CGI2SCGI_"'

for p in "${HOLDPIDS[@]}"; do
	wait "$p"
done
for S in "${SERVERS[@]}"; do
	read -r code secs <"$O/hold-$S.res"
	if [ "$code" != 200 ]; then
		OBS_STDERR[$S]="? (answered $code)"
	elif awk "BEGIN { exit !($secs >= 1.5) }"; then
		OBS_STDERR[$S]="waits (${secs}s)"
	else
		OBS_STDERR[$S]="does not wait (${secs}s)"
	fi
done

# ======================================================================
echo
echo "== backends =="
# The stdlib adapter with echo.py, started on demand, then the same cases
# as the servers (through lighttpd); the Perl example over TCP with a
# `lock`; a start that fails fast.
U=http://127.0.0.1:$P_LIGHTTPD
LC=${ROOT[lighttpd]}/cgi-bin
SW=$T/st/sw
PL=$T/st/perl
mkdir -p "$SW" "$PL"
chown www-data:www-data "$SW" "$PL"
PIDFILES+=("$SW/app.pid" "$PL/app.pid")
mkcgi "$LC/sw.cgi" "socket = $SW/app.sock" \
    "start = echo run >>$SW/starts; exec python3 $EX/scgi_wsgi.py --daemon --pidfile $SW/app.pid --log $SW/app.log $T/it/echo.py" \
    "log = $SW/start.log" "timeout = 60"
mkcgi "$LC/perl.cgi" "socket = 127.0.0.1:$P_PERL" "lock = $PL/app.lock" \
    "start = echo run >>$PL/starts; exec $EX/perl/start.sh" "env = APP_RUN=$PL" \
    "log = $PL/start.log" "timeout = 60"
mkcgi "$LC/swfail.cgi" "socket = $SW/fail.sock" \
    "start = exec python3 $EX/scgi_wsgi.py --daemon $T/it/no-such-app.py" \
    "log = $SW/fail.log" "start_timeout = 20"

fetch sw-get "$U/cgi-bin/sw.cgi/env?a=1" -H 'X-Test: hello'
check "scgi_wsgi.py: started on demand (--daemon, pid file), GET sees the request" \
    all 'eq "$CODE" 200' 'env_line sw-get QUERY_STRING=a=1' \
    'env_line sw-get HTTP_X_TEST=hello' 'env_line sw-get SCGI=1' \
    'env_line sw-get wsgi.url_scheme=http' 'eq "$(nlines $SW/starts)" 1' \
    'pid_alive $SW/app.pid'
fetch sw-post "$U/cgi-bin/sw.cgi/sha" --data-binary "@$D/10M"
check "scgi_wsgi.py: POST 10 MiB byte-exact (wsgi.input bounded by CONTENT_LENGTH)" \
    all 'eq "$CODE" 200' 'same_file $O/sw-post.body $E/sha-10M'
got=$(curl -sS --max-time 120 "$U/cgi-bin/sw.cgi/big?n=$BIG" | sha256sum | cut -d' ' -f1)
check "scgi_wsgi.py: 50 MiB answer byte-exact" eq "$got" "$BIGSHA"
fetch sw-early "$U/cgi-bin/sw.cgi/early" --max-time 30 --data-binary "@$D/10M"
check "scgi_wsgi.py: early 413 to an unread 10 MiB upload reaches the client" \
    all 'eq "$CODE" 413' 'eq "$(cat $O/sw-early.body)" "too large"' 'complete sw-early'
http_stream sw "$P_LIGHTTPD" /cgi-bin/sw.cgi/stream
check "scgi_wsgi.py: streamed answer relayed live" stream_ok sw-stream
fetch sw-404 "$U/cgi-bin/sw.cgi/nothing"
check "scgi_wsgi.py: status and headers of the app (404) reach the client" \
    all 'eq "$CODE" 404' 'has $O/sw-404.hdr "^Content-Type: text/plain"'
t0=$(date +%s)
fetch swfail "$U/cgi-bin/swfail.cgi/env"
t1=$(date +%s)
check "scgi_wsgi.py: an app that cannot load fails the start at once: 503 well before start_timeout" \
    all 'eq "$CODE" 503' '[ $((t1 - t0)) -lt 10 ] || { WHY="took $((t1 - t0)) s"; false; }'

fetch perl-post "$U/cgi-bin/perl.cgi/x?q=1" --data-binary "@$D/10M"
check "perl SCGI: started on demand over TCP (lock file), POST 10 MiB byte-exact" \
    all 'eq "$CODE" 200' 'grep -q "^body: *10485760 bytes, sha256 $(cut -d" " -f2 $E/sha-10M)\$" $O/perl-post.body || { WHY=$(head -c 300 $O/perl-post.body); false; }' \
    'eq "$(nlines $PL/starts)" 1' 'pid_alive $PL/app.pid'
fetch perl-get "$U/cgi-bin/perl.cgi/path?x=1"
check "perl SCGI: GET sees method, path and query; no new start" \
    all 'eq "$CODE" 200' 'grep -q "^method: *GET" $O/perl-get.body' \
    'grep -q "^path: *.*/perl.cgi/path\$" $O/perl-get.body' \
    'grep -q "^query: *x=1\$" $O/perl-get.body' 'eq "$(nlines $PL/starts)" 1'

# ======================================================================
echo
echo "== R1 timeout while the server does not read stdout (fcgiwrap's order) =="
check "R1 timeout: the launcher gives up on a stdout the server stopped reading" \
    python3 "$IT_DIR/matrix-stall.py" "$BIN"

echo "== HAProxy: two uWSGI backends over TCP =="
B1=127.0.0.1:$P_B1
B2=127.0.0.1:$P_B2
for b in 1 2; do
	eval "addr=\$B$b"
	# one process, no master: kill -9 of its pid takes the backend down
	spawn "backend$b" uwsgi --plugin python3 --scgi-socket "$addr" \
	    --wsgi-file "$T/it/matrix-app.py" --env "MX_BACKEND=app$b" \
	    --need-app --die-on-term --post-buffering 0 --buffer-size 65535 \
	    --socket-timeout 30 --disable-logging
	eval "BPID$b=\$SPAWNED"
	wait_port 127.0.0.1 "${addr##*:}" 30 || { echo "backend $b did not start"; exit 1; }
done
mx_start_haproxy haproxy "$P_HAPROXY" "$B1" "$B2" || exit 1
mkcgi "$LC/hap.cgi" "socket = 127.0.0.1:$P_HAPROXY" "timeout = 30"
chmod 755 "$LC/hap.cgi"
sleep 0.5	# first health checks

for i in $(seq 10); do
	curl -sS --max-time 30 "$U/cgi-bin/hap.cgi/who" >>"$O/hap-who" 2>>"$O/hap.curl"
done
check "haproxy: 10 requests through lighttpd, launcher and HAProxy: all answered, both backends used" \
    all 'eq "$(grep -c "^backend app" $O/hap-who)" 10' 'has $O/hap-who "^backend app1 "' \
    'has $O/hap-who "^backend app2 "'
fetch hap-post "$U/cgi-bin/hap.cgi/sha" --data-binary "@$D/10M"
check "haproxy: POST 10 MiB byte-exact through HAProxy" \
    all 'eq "$CODE" 200' 'same_file $O/hap-post.body $E/sha-10M'

# kill -9 one backend; the requests that follow, at once (before the
# health check can notice), all succeed on the other one
kill -KILL "$BPID1"
wait_gone "$BPID1" 5
n_ok=0
for i in $(seq 30); do
	cgi hap-$i PATH_INFO=/who -- "$LC/hap.cgi"
	if [ "$RC" = 0 ] && grep -q '^backend app2 ' "$O/hap-$i.out"; then
		n_ok=$((n_ok + 1))
	fi
done
check "haproxy: backend 1 killed: the next 30 requests (launched at once, direct) all answered by backend 2" \
    eq "$n_ok" 30
check "haproxy: its health check marks the killed backend DOWN" \
    wait_grep "$T/log/haproxy.log" 'app1 is DOWN' 5
fetch_many 8 hapc "$U/cgi-bin/hap.cgi/who" --max-time 30
check "haproxy: 8 concurrent requests after the kill: all answered by backend 2" \
    all 'eq "$CODES" 200200200200200200200200' \
    'eq "$(cat $O/hapc-*.body | grep -c "^backend app2 ")" 8'

# ======================================================================
echo
check "R3 the trap listener never got a connection" hasnt "$T/log/trap.events" '^conn'
check "no launcher process left at the end" \
    all 'WHY=$(launchers); [ -z "$WHY" ]'

# ---- the matrix ------------------------------------------------------------------
CASES=(get error post10m small-post big50m chunked stream ondemand r3)
echo
echo "== matrix (ok / FAIL / known: a limit of the server itself) =="
res_table RES server 16 11 SERVERS CASES
echo
echo "== what each server does (a plain CGI's view) =="
for S in "${SERVERS[@]}"; do
	echo "$S:"
	echo "    argv from GET ?/path/evil.conf: ${OBS_ARGV[$S]}"
	echo "    working directory:              ${OBS_CWD[$S]}"
	echo "    SCRIPT_FILENAME:                ${OBS_SFN[$S]}"
	echo "    CONTENT_LENGTH on GET:          ${OBS_CLGET[$S]}"
	echo "    request headers passed:         ${OBS_HDRS[$S]}"
	echo "    CGI's fds on GET:               ${OBS_FD[$S]}"
	echo "    chunked upload:                 ${OBS_CHUNKED[$S]}"
	echo "    a child holding the CGI stderr: ${OBS_STDERR[$S]}"
	echo "    CGI output:                     ${OBS_STREAM[$S]}"
	echo "    CGI's alarm(2), nice:           ${OBS_ALARM[$S]}"
	echo "    nice of the app started:        ${OBS_NICE[$S]}"
done
echo
[ "$KNOWN_N" -gt 0 ] && echo "($KNOWN_N known server limits, see docs/servers.md)"
elapsed
summary
