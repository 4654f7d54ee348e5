#!/bin/bash
# Integration tests of cgi2scgi behind real servers (lighttpd mod_cgi,
# Apache 2.4 mod_cgid) in front of a uWSGI app and a raw SCGI server, plus
# direct CGI invocations for exact bytes.
#
#   bash tests/it/run.sh [BINARY]        (default ./cgi2scgi)
#   KEEP=1 bash tests/it/run.sh ...      keep the private directory
#
# Ends with the line "N passed, N failed"; exits non-zero if any failed.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$IT_DIR/servers.sh"

it_bin "${1:-}"
need_root "the servers run the CGIs as www-data"
need_pkg lighttpd apache2 uwsgi uwsgi-plugin-python3 curl python3 || exit 2

mk_tree
own_launcher			# L: the launcher, as shebang lines name it
O=$T/out			# responses and outputs of the checks
E=$T/expect			# expected bytes
R=$T/run			# sockets
CGI=$T/cgi-bin
mkdir -p "$R" "$CGI" "$T/www/ht" "$T/log" "$T/data" "$O" "$E" "$T/conf"
chmod 755 "$R" "$CGI" "$T/www" "$T/www/ht" "$T/data" "$T/conf"
chmod 777 "$T/log"
# helpers run by www-data (start command, app) must be readable by it,
# wherever the repository lives
it_copy 644 echo.py
it_copy 755 start-echo.sh
cp "$BIN" "$CGI/cgi2scgi"		# the bare binary in cgi-bin (R3)
chmod 755 "$CGI/cgi2scgi"
LAUNCHER_EXES+=("$CGI/cgi2scgi")

# ---- expected error responses (R20) -----------------------------------------
error_bodies "$E"
printf 'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nhello from raw\n' \
    >"$E/hello"

# ---- ports, test data ---------------------------------------------------------
# LPORT lighttpd, APORT apache, EPORT uWSGI, RPORT rawscgi, DEADPORT nothing
read -r LPORT APORT EPORT RPORT DEADPORT <<<"$(free_ports 5)"
RPORT6=$(free_port6)		# rawscgi on [::1], empty without IPv6

D=$T/data
: >"$D/empty"
head -c 1048576 /dev/urandom >"$D/1M"
head -c 52428800 /dev/urandom >"$D/50M"
head -c 300000 /dev/urandom >"$D/300k"
expect_sha empty 1M 50M 300k
BIG=104857600
BIGSHA=$("$PY" "$IT_DIR/bigsha.py" $BIG)

# ---- CGI scripts (shebang configs) -------------------------------------------
mkcgi "$CGI/app.cgi" "socket = $R/echo.sock" "timeout = 30"
mkcgi "$CGI/raw.cgi" "socket = $R/raw.sock" "timeout = 2"
mkcgi "$CGI/nph-raw.cgi" "socket = $R/raw.sock" "timeout = 2"
mkcgi "$CGI/bad.cgi" "# a comment" "socket = $R/echo.sock" "bogus = 1"
mkcgi "$CGI/badnum.cgi" "socket = $R/echo.sock" "timeout = 2x"
mkcgi "$CGI/malformed.cgi" "socket = $R/echo.sock" "" "this line has no equals sign"
mkcgi "$CGI/refused.cgi" "socket = $R/nothing.sock" "timeout = 5"
mkcgi "$CGI/stale.cgi" "socket = unix:$R/stale.sock" "timeout = 5"
mkcgi "$CGI/refused-tcp.cgi" "socket = 127.0.0.1:$DEADPORT" "timeout = 5"
mkcgi "$CGI/rel.cgi" "socket = ../run/raw.sock"
mkcgi "$CGI/rel-unix.cgi" "socket = unix:../run/raw.sock"
mkcgi "$CGI/syntax.cgi" "" "   # indented comment" "" \
    "$(printf '\t socket\t=\t%s  ' "$R/raw.sock")" "timeout=5" "# socket = $R/trap.sock" \
    "env = A=b#c"
printf '#!%s\n# CRLF from here on\r\nsocket = %s\r\ntimeout = 5\r\n' "$L" \
    "$R/raw.sock" >"$CGI/crlf.cgi"
chmod 755 "$CGI/crlf.cgi"
mkcgi "$T/evil.conf" "socket = $R/trap.sock" "timeout = 5"
chmod 644 "$T/evil.conf"
printf 'socket = %s\ntimeout = 5\n' "$R/raw.sock" >"$T/conf/plain.conf"
printf 'socket = %s\n' "$R/trap.sock" >"$T/conf/trap.conf"
chmod 644 "$T/conf/"*
# Apache: CGI enabled by .htaccess in a plain directory
printf 'Options +ExecCGI\nAddHandler cgi-script .cgi\n' >"$T/www/ht/.htaccess"
cp "$CGI/app.cgi" "$T/www/ht/app.cgi"
chmod 644 "$T/www/ht/.htaccess"
chmod 755 "$T/www/ht/app.cgi"

# a unix socket file nobody listens on (ECONNREFUSED)
"$PY" -c 'import socket, sys, os
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o666)' \
    "$R/stale.sock"

# ---- servers -------------------------------------------------------------------
echo "private dir $T; binary $BIN"
start_uwsgi uwsgi "$R/echo.sock" "127.0.0.1:$EPORT" || exit 1
raw_listen=("$R/raw.sock" "127.0.0.1:$RPORT")
[ -n "$RPORT6" ] && raw_listen+=("[::1]:$RPORT6")
start_raw raw "${raw_listen[@]}" || exit 1
start_raw trap "$R/trap.sock" || exit 1
start_lighttpd "$LPORT" || exit 1
start_apache "$APORT" || exit 1
RAWLOG=$T/log/raw.events
TRAPLOG=$T/log/trap.events	# trap_mark/trap_same (lib.sh) count its lines
echo "servers up: lighttpd :$LPORT, apache :$APORT, uwsgi, rawscgi"

# ---- helpers for the checks ----------------------------------------------------

# the launcher exited non-zero, with exactly one "cgi2scgi: " line on stderr
one_line_err() {	# NAME
	local f=$O/$1.err
	if [ "$RC" = 0 ]; then
		WHY="exit status 0"
		return 1
	fi
	if [ "$RC" = 124 ]; then
		WHY="killed after 60 s (hung)"
		return 1
	fi
	if [ "$(wc -l <"$f")" != 1 ] || ! grep -q '^cgi2scgi: .*: ' "$f"; then
		WHY="stderr not one 'cgi2scgi: X: what' line: [$(head -c 300 "$f" | cat -v)]"
		return 1
	fi
	return 0
}

# an error response from a server: status, exact body, text/plain
http_err() {	# NAME CODE
	eq "$CODE" "$2" && same_file "$O/$1.body" "$E/$2.body" &&
	    has "$O/$1.hdr" '^[Cc]ontent-[Tt]ype: text/plain'
}

# stderr line of the launcher in the server's error log
errlog() {	# SERVER ERE
	local f=$T/log/lighttpd-cgi-stderr.log
	[ "$1" = apache ] && f=$T/log/apache-error.log
	[ "$1" = lighttpd ] && grep -Eq -- "$2" "$T/log/lighttpd-error.log" && return 0
	wait_grep "$f" "$2" 5 && return 0
	WHY="no /$2/ in the $1 error log"
	return 1
}

# count_ok ID CL MAX: rawscgi /count saw CONTENT_LENGTH CL, at most MAX bytes
# (what the client really sent), then EOF: short, never padded (R14)
count_ok() {
	local line got eof
	wait_grep "$RAWLOG" "^count id=$1 " 20 ||
	    { WHY="the app never logged the end of request $1"; return 1; }
	line=$(grep "^count id=$1 " "$RAWLOG" | head -1)
	got=$(echo "$line" | sed -n 's/.* got=\([0-9]*\) .*/\1/p')
	eof=$(echo "$line" | sed -n 's/.* eof=\([01]\)$/\1/p')
	case $line in *" cl=$2 "*) ;; *) WHY="bad length: $line"; return 1 ;; esac
	if [ "$eof" = 1 ] && [ -n "$got" ] && [ "$got" -le "$3" ]; then
		return 0
	fi
	WHY="want a short body (<= $3 bytes, eof=1): $line"
	return 1
}

# ======================================================================
echo
echo "== direct invocation (exact bytes) =="

# R13: bad CONTENT_LENGTH gives 400; the app is never contacted
i=0
for v in abc -5 +5 ' 5' '5 ' 0x10 1e3 '5;' 99999999999999999999999 \
    18446744073709551616; do
	i=$((i + 1))
	trap_mark
	cgi bad-len-$i "CONTENT_LENGTH=$v" "CGI2SCGI_SOCKET=$R/trap.sock" \
	    REQUEST_METHOD=POST -- "$L"
	check "R13/R22 CONTENT_LENGTH='$v' gives exact 400, exit not 0, app not contacted" \
	    all 'same_file $O/bad-len-$i.out $E/400' 'one_line_err bad-len-$i' trap_same \
	    '[ "$RC" != 0 ]'
done
cgi len-max "CONTENT_LENGTH=9223372036854775807" "CGI2SCGI_SOCKET=$R/raw.sock" \
    REQUEST_METHOD=POST PATH_INFO=/close -- "$L"
check "R13 CONTENT_LENGTH=2^63-1 is a valid length (not 400)" \
    all '! cmp -s $O/len-max.out $E/400'

# R13: empty or unset CONTENT_LENGTH means 0
cgi len-empty "CONTENT_LENGTH=" "CGI2SCGI_SOCKET=$R/raw.sock" PATH_INFO=/env -- "$L"
check "R13 empty CONTENT_LENGTH sent as 0" \
    all 'eq "$RC" 0' 'eq "$(sed -n 4p $O/len-empty.out)" CONTENT_LENGTH=0' \
    'eq "$(grep -c ^CONTENT_LENGTH= $O/len-empty.out)" 1'
cgi len-unset "CGI2SCGI_SOCKET=$R/raw.sock" PATH_INFO=/env -- "$L"
check "R13 unset CONTENT_LENGTH sent as 0" \
    all 'eq "$RC" 0' 'eq "$(sed -n 4p $O/len-unset.out)" CONTENT_LENGTH=0'

# R10: header order and filtering, exact (rawexec: duplicates, odd entries)
printf abc >"$D/abc"
"$PY" "$IT_DIR/rawexec.py" "$L" GATEWAY_INTERFACE=CGI/1.1 PATH_INFO=/env \
    FOO=1 FOO=2 CONTENT_LENGTH=3 SCGI=7 =junk NOEQUALS \
    "CGI2SCGI_SOCKET=$R/raw.sock" CGI2SCGI_TIMEOUT=5 CGI2SCGI_CONFIG= \
    HTTP_X_A=b 'QUERY_STRING=a=1&b' EMPTY= \
    <"$D/abc" >"$O/r10.out" 2>"$O/r10.err"
RC=$?
printf 'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n' >"$E/r10"
printf '%s\n' CONTENT_LENGTH=3 SCGI=1 GATEWAY_INTERFACE=CGI/1.1 PATH_INFO=/env \
    FOO=1 HTTP_X_A=b 'QUERY_STRING=a=1&b' EMPTY= \
    "BODY=3 $(sha256sum <"$D/abc" | cut -d' ' -f1)" >>"$E/r10"
check "R10/R22 SCGI header exact: CONTENT_LENGTH, SCGI=1 first; no CGI2SCGI_*, dups, odd entries; exit 0" \
    all 'eq "$RC" 0' 'same_file $O/r10.out $E/r10'

# R16: status line rewrite, nph- byte for byte
cgi r16 "CGI2SCGI_SOCKET=$R/raw.sock" PATH_INFO=/status -- "$L"
printf 'Status: 201 Created\r\nContent-Type: text/plain\r\nX-Raw: yes\r\n\r\ncreated\n' \
    >"$E/r16"
check "R16 'HTTP/1.1 201 Created' rewritten to 'Status: 201 Created'" \
    all 'eq "$RC" 0' 'same_file $O/r16.out $E/r16'
cgi r16-split "CGI2SCGI_SOCKET=$R/raw.sock" PATH_INFO=/status-split -- "$L"
printf 'Status: 202 Accepted\r\nContent-Type: text/plain\r\n\r\naccepted\n' \
    >"$E/r16-split"
check "R16 status line arriving in pieces is rewritten" \
    all 'eq "$RC" 0' 'same_file $O/r16-split.out $E/r16-split'
cgi r16-nph "CGI2SCGI_SOCKET=$R/raw.sock" PATH_INFO=/status \
    SCRIPT_NAME=/cgi-bin/nph-app.cgi -- "$L"
printf 'HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nX-Raw: yes\r\n\r\ncreated\n' \
    >"$E/r16-nph"
check "R16 nph- script relayed byte for byte" \
    all 'eq "$RC" 0' 'same_file $O/r16-nph.out $E/r16-nph'
cgi r16-cgi "CGI2SCGI_SOCKET=$R/raw.sock" PATH_INFO=/hello \
    SCRIPT_NAME=/cgi-bin/nph-dir/app.cgi -- "$L"
check "R16 nph- only in the last segment of SCRIPT_NAME counts" \
    all 'eq "$RC" 0' 'same_file $O/r16-cgi.out $E/hello'

# R20/R4/R21: config errors give 500; stderr names file:line
cgi r20-bad -- "$CGI/bad.cgi"
check "R20 unknown key: exact 500, stderr names $CGI/bad.cgi:4" \
    all 'same_file $O/r20-bad.out $E/500' 'one_line_err r20-bad' \
    'has $O/r20-bad.err "^cgi2scgi: $CGI/bad.cgi:4: "'
cgi r20-num -- "$CGI/badnum.cgi"
check "R20 bad number: exact 500, stderr names badnum.cgi:3" \
    all 'same_file $O/r20-num.out $E/500' 'one_line_err r20-num' \
    'has $O/r20-num.err "^cgi2scgi: $CGI/badnum.cgi:3: "'
cgi r20-mal -- "$CGI/malformed.cgi"
check "R20 malformed line: exact 500, stderr names malformed.cgi:4" \
    all 'same_file $O/r20-mal.out $E/500' 'one_line_err r20-mal' \
    'has $O/r20-mal.err "^cgi2scgi: $CGI/malformed.cgi:4: "'
cgi r20-envnum "CGI2SCGI_SOCKET=$R/raw.sock" CGI2SCGI_TIMEOUT=abc PATH_INFO=/hello -- "$L"
check "R20 CGI2SCGI_TIMEOUT=abc: exact 500" \
    all 'same_file $O/r20-envnum.out $E/500' 'one_line_err r20-envnum'
cgi r20-nosock -- "$L"
check "R20 no socket configured: exact 500" \
    all 'same_file $O/r20-nosock.out $E/500' 'one_line_err r20-nosock'
cgi r20-noconf "CGI2SCGI_CONFIG=$T/conf/missing.conf" -- "$L"
check "R20 CGI2SCGI_CONFIG naming a missing file: exact 500" \
    all 'same_file $O/r20-noconf.out $E/500' 'one_line_err r20-noconf'
cgi r20-badsock "CGI2SCGI_SOCKET=tcp:nowhere.example:80" -- "$L"
check "R20 bad socket address (tcp: with a name): exact 500" \
    all 'same_file $O/r20-badsock.out $E/500' 'one_line_err r20-badsock'

# R20: 502 refused / closed, 504 silent
cgi r20-enoent -- "$CGI/refused.cgi"
check "R20 502 socket path with nothing listening (ENOENT)" \
    all 'same_file $O/r20-enoent.out $E/502' 'one_line_err r20-enoent'
cgi r20-stale -- "$CGI/stale.cgi"
check "R20 502 stale unix socket (ECONNREFUSED)" \
    all 'same_file $O/r20-stale.out $E/502' 'one_line_err r20-stale'
cgi r20-tcp -- "$CGI/refused-tcp.cgi"
check "R20 502 TCP port refused" \
    all 'same_file $O/r20-tcp.out $E/502' 'one_line_err r20-tcp'
cgi r20-close PATH_INFO=/close -- "$CGI/raw.cgi"
check "R20 502 app closes without answering" \
    all 'same_file $O/r20-close.out $E/502' 'one_line_err r20-close'
cgi r20-hang PATH_INFO=/hang 'QUERY_STRING=id=direct' -- "$CGI/raw.cgi"
check "R20 504 app silent past timeout=2" \
    all 'same_file $O/r20-hang.out $E/504' 'one_line_err r20-hang' \
    'wait_grep $RAWLOG "^hang ended name=raw id=direct" 10'
check "R21 error bodies name no path or value (stderr does)" \
    all 'WHY=$(grep -l -e "$T" -e 2x -e bogus -e nowhere $O/bad-len-*.out $O/r20-*.out); [ -z "$WHY" ]' \
    'has $O/r20-enoent.err "nothing.sock|refused.cgi"'

# post_50M NAME SCRIPT: SCRIPT, direct, POSTing $D/50M to /early; stdout
# $O/NAME.out, stderr $O/NAME.err, exit status RC, the writer's in $O/NAME.writer
post_50M() {
	( cat "$D/50M"; echo $? >"$O/$1.writer" ) |
	    cgi_run CONTENT_LENGTH=52428800 REQUEST_METHOD=POST PATH_INFO=/early \
	    "$2" >"$O/$1.out" 2>"$O/$1.err"
	RC=$?
}

# R12 direct: early answer, app closes without reading: answer relayed, the
# rest of the declared body is read (the writer of stdin is not cut off)
post_50M r12-direct "$CGI/raw.cgi"
printf 'Status: 413 Request Entity Too Large\r\nContent-Type: text/plain\r\n\r\ntoo large\n' \
    >"$E/r12"
check "R12 early 413, app closes unread: answer relayed, whole body drained, exit 0" \
    all 'same_file $O/r12-direct.out $E/r12' 'eq "$(cat $O/r12-direct.writer)" 0' \
    'eq "$RC" 0'
# R12/R1: the drain after an early answer is bounded by timeout (2 s here):
# a stdin that stays open but idle must not keep the launcher forever
mkfifo "$T/idle.fifo"
( head -c 100000 "$D/50M"; exec sleep 30 ) >"$T/idle.fifo" &
idle_writer=$!
PIDS+=("$idle_writer")
idle_t0=$(date +%s)
cgi_run CONTENT_LENGTH=52428800 REQUEST_METHOD=POST PATH_INFO=/early-linger \
    QUERY_STRING=id=direct "$CGI/raw.cgi" <"$T/idle.fifo" >"$O/r12-idle.out" \
    2>"$O/r12-idle.err"
idle_rc=$?
idle_t1=$(date +%s)
stop "$idle_writer"
check "R12 early answer relayed, then idle stdin: launcher gives up after timeout, not at EOF" \
    all 'has $O/r12-idle.out "^too large\$"' \
    '[ $((idle_t1 - idle_t0)) -lt 15 ] || { WHY="launcher ran $((idle_t1 - idle_t0)) s (rc $idle_rc)"; false; }'
post_50M r12-uwsgi "$CGI/app.cgi"
check "R12 early 413 from uWSGI: answer relayed, whole body drained, exit 0" \
    all 'has $O/r12-uwsgi.out "^Status: 413"' 'eq "$(cat $O/r12-uwsgi.writer)" 0' \
    'eq "$RC" 0'

# R1: socket forms
forms=("$R/raw.sock" "unix:$R/raw.sock" "127.0.0.1:$RPORT" "tcp:127.0.0.1:$RPORT"
    "localhost:$RPORT" "tcp:localhost:$RPORT")
[ -n "$RPORT6" ] && forms+=("[::1]:$RPORT6" "tcp:[::1]:$RPORT6")
i=0
for s in "${forms[@]}"; do
	i=$((i + 1))
	cgi form-$i "CGI2SCGI_SOCKET=$s" PATH_INFO=/hello -- "$L"
	check "R1 socket form '$s'" all 'eq "$RC" 0' 'same_file $O/form-$i.out $E/hello'
done
[ -n "$RPORT6" ] || skip "R1 socket form [::1]:PORT (no IPv6 loopback)"
cgi form-uwsgi "CGI2SCGI_SOCKET=127.0.0.1:$EPORT" PATH_INFO=/env -- "$L"
check "R1 TCP socket to uWSGI" all 'eq "$RC" 0' 'has $O/form-uwsgi.out "^SCGI=1$"'

# R4: relative paths, syntax
cgi r4-rel PATH_INFO=/hello -- "$CGI/rel.cgi"
check "R4 relative socket path is relative to the config file" \
    all 'eq "$RC" 0' 'same_file $O/r4-rel.out $E/hello'
cgi r4-relu PATH_INFO=/hello -- "$CGI/rel-unix.cgi"
check "R4 relative unix:PATH is relative to the config file" \
    all 'eq "$RC" 0' 'same_file $O/r4-relu.out $E/hello'
trap_mark
cgi r4-syntax PATH_INFO=/hello -- "$CGI/syntax.cgi"
check "R4 blanks, comments, tabs trimmed" \
    all 'eq "$RC" 0' 'same_file $O/r4-syntax.out $E/hello' trap_same
cgi r4-crlf PATH_INFO=/hello -- "$CGI/crlf.cgi"
check "R4 CRLF config file" all 'eq "$RC" 0' 'same_file $O/r4-crlf.out $E/hello'

# R2: sources and precedence
cgi r2-config "CGI2SCGI_CONFIG=$T/conf/plain.conf" PATH_INFO=/hello -- "$L"
check "R2 CGI2SCGI_CONFIG file" all 'eq "$RC" 0' 'same_file $O/r2-config.out $E/hello'
trap_mark
cgi r2-order1 "CGI2SCGI_SOCKET=$R/trap.sock" PATH_INFO=/hello -- "$CGI/raw.cgi"
check "R2 shebang file overrides CGI2SCGI_SOCKET" \
    all 'eq "$RC" 0' 'same_file $O/r2-order1.out $E/hello' trap_same
trap_mark
cgi r2-order2 "CGI2SCGI_CONFIG=$T/conf/trap.conf" PATH_INFO=/hello -- "$CGI/raw.cgi"
check "R2 shebang file overrides CGI2SCGI_CONFIG" \
    all 'eq "$RC" 0' 'same_file $O/r2-order2.out $E/hello' trap_same
trap_mark
cgi r2-order3 "CGI2SCGI_SOCKET=$R/trap.sock" "CGI2SCGI_CONFIG=$T/conf/plain.conf" \
    PATH_INFO=/hello -- "$L"
check "R2 CGI2SCGI_CONFIG overrides CGI2SCGI_SOCKET" \
    all 'eq "$RC" 0' 'same_file $O/r2-order3.out $E/hello' trap_same

# R3 direct: argv[1] is config only when it is the executed file
trap_mark
cgi r3-argv "CGI2SCGI_SOCKET=$R/raw.sock" PATH_INFO=/hello -- "$L" "$T/evil.conf"
check "R3 bare binary with argv[1]=evil.conf ignores it" \
    all 'eq "$RC" 0' 'same_file $O/r3-argv.out $E/hello' trap_same
trap_mark
cgi r3-argv2 PATH_INFO=/hello -- "$CGI/raw.cgi" "$T/evil.conf"
check "R3 shebang script with extra argv evil.conf ignores it" \
    all 'eq "$RC" 0' 'same_file $O/r3-argv2.out $E/hello' trap_same

# R6: command line only without GATEWAY_INTERFACE
cgi r6-gw PATH_INFO=/hello -- "$CGI/raw.cgi" --check
check "R6 with GATEWAY_INTERFACE, --check is not an option" \
    all 'eq "$RC" 0' 'same_file $O/r6-gw.out $E/hello'
timeout 30 env -i PATH=/usr/bin:/bin "$CGI/raw.cgi" --check >"$O/r6-check.out" 2>&1
RC=$?
check "R6 ./app.cgi --check in shebang mode: exit 0, shows the socket" \
    all 'eq "$RC" 0' 'has $O/r6-check.out "$R/raw.sock"'
timeout 30 env -i PATH=/usr/bin:/bin "$CGI/syntax.cgi" --check >"$O/r6-hash.out" 2>&1
check "R4 '#' inside a value is part of it (--check shows env = A=b#c)" \
    has "$O/r6-hash.out" 'A=b#c'
timeout 30 env -i PATH=/usr/bin:/bin "$L" --version >"$O/r6-version.out" 2>&1
RC=$?
check "R6 --version exits 0" all 'eq "$RC" 0' 'has $O/r6-version.out cgi2scgi'
timeout 30 env -i PATH=/usr/bin:/bin "$CGI/bad.cgi" --check >"$O/r6-bad.out" 2>&1
RC=$?
check "R6 --check of a bad config exits non-zero" all '[ "$RC" != 0 ]'

# R17 direct: chunked (no CONTENT_LENGTH) is spooled, true length sent
STDIN=$D/1M cgi r17 HTTP_TRANSFER_ENCODING=chunked REQUEST_METHOD=POST \
    "CGI2SCGI_SOCKET=$R/raw.sock" PATH_INFO=/env -- "$L"
check "R17 chunked stdin: CONTENT_LENGTH=true length, exact bytes, no HTTP_TRANSFER_ENCODING" \
    all 'eq "$RC" 0' 'eq "$(sed -n 4p $O/r17.out)" CONTENT_LENGTH=1048576' \
    'has $O/r17.out "^BODY=$(cat $E/sha-1M)\$"' \
    'hasnt $O/r17.out "^HTTP_TRANSFER_ENCODING="'
STDIN=$D/1M cgi r17-none REQUEST_METHOD=POST "CGI2SCGI_SOCKET=$R/raw.sock" \
    PATH_INFO=/env -- "$L"
check "R17 no CONTENT_LENGTH and no chunked: body is empty" \
    all 'eq "$RC" 0' 'has $O/r17-none.out "^CONTENT_LENGTH=0\$"' \
    'has $O/r17-none.out "^BODY=0 "'

# R11: exact body both ways, direct
STDIN=$D/50M cgi r11-50M REQUEST_METHOD=POST CONTENT_LENGTH=52428800 \
    PATH_INFO=/sha -- "$CGI/app.cgi"
check "R11 50 MiB body to uWSGI, direct" \
    all 'eq "$RC" 0' 'has $O/r11-50M.out "^$(cat $E/sha-50M)\$"'

# R14: stdin ends early: the app sees a short body, never a padded one
STDIN=$D/300k cgi r14-short REQUEST_METHOD=POST CONTENT_LENGTH=1000000 \
    PATH_INFO=/count 'QUERY_STRING=id=direct-short' -- "$CGI/raw.cgi"
check "R14 stdin short of CONTENT_LENGTH: app sees EOF after <= 300000 bytes, exit != 0" \
    all '[ "$RC" != 0 ] && [ "$RC" != 124 ]' \
    'count_ok direct-short 1000000 300000'
# R14: stdout closed while relaying: the launcher stops, SIGPIPE never kills it
( CGI_TIMEOUT=30 cgi_run \
    "CGI2SCGI_SOCKET=$R/raw.sock" PATH_INFO=/endless QUERY_STRING=id=direct-epipe \
    "$L" </dev/null 2>"$O/r14-epipe.err"; echo $? >"$O/r14-epipe.rc" ) |
    head -c 200000 >/dev/null
check "R14 stdout closed mid-response: launcher exits (not by SIGPIPE), app connection closed" \
    all 'rc=$(cat $O/r14-epipe.rc); [ "$rc" != 141 ] && [ "$rc" != 124 ] && [ "$rc" != 0 ]' \
    'wait_grep $RAWLOG "^endless id=direct-epipe stopped" 10'

# ======================================================================
# through the web servers

for S in lighttpd apache; do
	if [ $S = lighttpd ]; then P=$LPORT; else P=$APORT; fi
	U=http://127.0.0.1:$P
	echo
	echo "== $S =="

	fetch $S-env "$U/cgi-bin/app.cgi/env?a=1&b=two" -H 'X-Test: hello'
	check "R10 $S: GET app sees QUERY_STRING, HTTP_*, SCGI=1, CONTENT_LENGTH=0" \
	    all 'eq "$CODE" 200' 'env_line $S-env "QUERY_STRING=a=1&b=two"' \
	    'env_line $S-env SCGI=1' 'env_line $S-env CONTENT_LENGTH=0' \
	    'env_line $S-env HTTP_X_TEST=hello' 'env_line $S-env REQUEST_METHOD=GET' \
	    'env_line $S-env PATH_INFO=/env' 'env_line $S-env SCRIPT_NAME=/cgi-bin/app.cgi' \
	    'hasnt $O/$S-env.body "^CGI2SCGI_"'
	fetch $S-bare "$U/cgi-bin/cgi2scgi/env?x=1"
	check "R2/R10 $S: bare binary configured by the server's environment; app sees no CGI2SCGI_*" \
	    all 'eq "$CODE" 200' 'env_line $S-bare QUERY_STRING=x=1' \
	    'env_line $S-bare SCGI=1' 'hasnt $O/$S-bare.body "^CGI2SCGI_"'
	fetch $S-order "$U/cgi-bin/raw.cgi/env"
	check "R10 $S: CONTENT_LENGTH first, SCGI=1 second, names unique" \
	    all 'eq "$CODE" 200' 'eq "$(sed -n 1p $O/$S-order.body)" CONTENT_LENGTH=0' \
	    'eq "$(sed -n 2p $O/$S-order.body)" SCGI=1' \
	    'eq "$(cut -d= -f1 $O/$S-order.body | sort | uniq -d)" ""'

	for f in empty 1M 50M; do
		fetch $S-post-$f "$U/cgi-bin/app.cgi/sha" -H 'Expect:' \
		    -H 'Content-Type: application/octet-stream' --data-binary "@$D/$f"
		check "R11 $S: POST $f body byte-exact" \
		    all 'eq "$CODE" 200' 'same_file $O/$S-post-$f.body $E/sha-$f'
	done

	got=$(curl -sS --max-time 120 "$U/cgi-bin/app.cgi/big?n=$BIG" | sha256sum | cut -d' ' -f1)
	check "R15 $S: 100 MiB response byte-exact" eq "$got" "$BIGSHA"

	# (curl stops sending once it sees an error answer: a launcher that
	# drains stdin before ending its answer waits for bytes never coming)
	fetch $S-early "$U/cgi-bin/app.cgi/early" -H 'Expect:' --max-time 30 \
	    -H 'Content-Type: application/octet-stream' --data-binary "@$D/50M"
	check "R12 $S: early 413 to an unread 50 MiB upload (uWSGI) reaches the client, complete" \
	    all 'eq "$CODE" 413' 'eq "$(cat $O/$S-early.body)" "too large"' \
	    'complete $S-early'
	fetch $S-early-raw "$U/cgi-bin/raw.cgi/early" -H 'Expect:' --max-time 30 \
	    -H 'Content-Type: application/octet-stream' --data-binary "@$D/50M"
	check "R12 $S: early 413 to an unread 50 MiB upload (raw app closes) reaches the client, complete" \
	    all 'eq "$CODE" 413' 'eq "$(cat $O/$S-early-raw.body)" "too large"' \
	    'complete $S-early-raw'
	fetch $S-early-linger "$U/cgi-bin/raw.cgi/early-linger?id=$S" -H 'Expect:' \
	    --max-time 30 -H 'Content-Type: application/octet-stream' \
	    --data-binary "@$D/50M"
	check "R12 $S: early 413, app reads on until idle, closes cleanly: complete answer" \
	    all 'eq "$CODE" 413' 'eq "$(cat $O/$S-early-linger.body)" "too large"' \
	    'complete $S-early-linger'

	# lighttpd answers 411 to a chunked body it streams (it cannot give a
	# CGI its length); where it buffers the body it sends CONTENT_LENGTH
	pre=
	[ $S = lighttpd ] && pre=/buffered
	for f in 1M 50M; do
		fetch $S-chunked-$f "$U/cgi-bin/app.cgi$pre/sha" -H 'Expect:' \
		    -H 'Transfer-Encoding: chunked' --data-binary "@$D/$f"
		check "R17 $S: chunked upload of $f byte-exact" \
		    all 'eq "$CODE" 200' 'same_file $O/$S-chunked-$f.body $E/sha-$f'
	done
	fetch $S-chunked-env "$U/cgi-bin/app.cgi$pre/env" -H 'Expect:' \
	    -H 'Transfer-Encoding: chunked' --data-binary "@$D/1M"
	check "R17 $S: chunked upload: app sees CONTENT_LENGTH=1048576, no HTTP_TRANSFER_ENCODING" \
	    all 'eq "$CODE" 200' 'env_line $S-chunked-env CONTENT_LENGTH=1048576' \
	    'hasnt $O/$S-chunked-env.body "^HTTP_TRANSFER_ENCODING="'

	http_stream $S $P /cgi-bin/app.cgi/stream
	check "R15 $S: first chunk reaches the client before the second is sent" \
	    stream_ok $S-stream

	fetch $S-status "$U/cgi-bin/raw.cgi/status"
	check "R16 $S: HTTP/1.1 201 status line: client sees 201" \
	    all 'eq "$CODE" 201' 'eq "$(cat $O/$S-status.body)" created' \
	    'has $O/$S-status.hdr "^X-Raw: yes"'
	fetch $S-status2 "$U/cgi-bin/raw.cgi/status-split"
	check "R16 $S: status line in pieces: client sees 202" \
	    all 'eq "$CODE" 202' 'eq "$(cat $O/$S-status2.body)" accepted'
	if [ $S = apache ]; then
		printf 'GET /cgi-bin/nph-raw.cgi/status HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' \
		    >"$O/nph.req"
		"$PY" "$IT_DIR/httpc.py" raw $P "$O/nph.req" "$O/$S-nph.raw"
		check "R16 $S: nph-raw.cgi relayed byte for byte" \
		    same_file "$O/$S-nph.raw" "$E/r16-nph"
	else
		fetch $S-nph "$U/cgi-bin/nph-raw.cgi/status"
		check "R16 $S: nph-raw.cgi: client sees 201" \
		    all 'eq "$CODE" 201' 'eq "$(cat $O/$S-nph.body)" created'
	fi

	# R3: query words as argv never name the config
	for script in app.cgi cgi2scgi; do
		trap_mark
		fetch $S-r3-$script "$U/cgi-bin/$script/env?$T/evil.conf"
		check "R3 $S: GET /cgi-bin/$script?$T/evil.conf: real app answers, evil.conf unread" \
		    all 'eq "$CODE" 200' 'env_line $S-r3-$script "QUERY_STRING=$T/evil.conf"' \
		    trap_same
		for opt in --check --start --help; do
			fetch $S-r6-$script$opt "$U/cgi-bin/$script/env?$opt"
			check "R6 $S: GET /cgi-bin/$script?$opt is a request, not an option" \
			    all 'eq "$CODE" 200' 'env_line $S-r6-$script$opt "QUERY_STRING=$opt"'
		done
	done

	# R20: error responses through the server, and the log line
	fetch $S-500 "$U/cgi-bin/bad.cgi"
	check "R20 $S: config error gives 500 with the exact body" http_err $S-500 500
	check "R21 $S: error log has 'cgi2scgi: $CGI/bad.cgi:4: ...'" \
	    errlog $S "cgi2scgi: $CGI/bad.cgi:4: "
	fetch $S-502 "$U/cgi-bin/refused.cgi"
	check "R20 $S: socket refused, no start: 502" http_err $S-502 502
	check "R21 $S: error log has a cgi2scgi line for refused.cgi" \
	    errlog $S "cgi2scgi: ($CGI/refused.cgi|$R/nothing.sock): "
	fetch $S-502s "$U/cgi-bin/stale.cgi"
	check "R20 $S: stale socket: 502" http_err $S-502s 502
	fetch $S-502t "$U/cgi-bin/refused-tcp.cgi"
	check "R20 $S: TCP refused: 502" http_err $S-502t 502
	fetch $S-502c "$U/cgi-bin/raw.cgi/close"
	check "R20 $S: app closes without answering: 502" http_err $S-502c 502
	fetch $S-504 "$U/cgi-bin/raw.cgi/hang?id=$S"
	check "R20 $S: silent app, timeout=2: 504" http_err $S-504 504
	check "R20 $S: after 504 the app connection is closed" \
	    wait_grep "$RAWLOG" "^hang ended name=raw id=$S\$" 10

	# R14: client gone mid-upload / mid-download
	"$PY" "$IT_DIR/httpc.py" upload-gone $P "/cgi-bin/raw.cgi/count?id=$S-up" \
	    10485760 1048576 >"$O/$S-up.out" 2>&1
	check "R14 $S: client gone mid-upload: app sees a short body (<= 1 MiB of 10), EOF" \
	    count_ok $S-up 10485760 1048576
	check "R14 $S: no launcher left after the client went mid-upload" no_launchers_left 15
	"$PY" "$IT_DIR/httpc.py" download-gone $P "/cgi-bin/raw.cgi/endless?id=$S-down" \
	    1048576 >"$O/$S-down.out" 2>&1
	RC=$?
	check "R14 $S: client gone mid-download: app connection closed" \
	    all 'eq "$RC" 0' 'wait_grep $RAWLOG "^endless id=$S-down stopped" 20'
	check "R14 $S: no launcher left after the client went mid-download" no_launchers_left 15
done

# ======================================================================
echo
echo "== apache, CGI enabled by .htaccess =="
U=http://127.0.0.1:$APORT
fetch ht-env "$U/ht/app.cgi/env?q=1"
check "R10 apache .htaccess: GET app sees QUERY_STRING, SCGI=1" \
    all 'eq "$CODE" 200' 'env_line ht-env QUERY_STRING=q=1' 'env_line ht-env SCGI=1' \
    'env_line ht-env SCRIPT_NAME=/ht/app.cgi'
fetch ht-post "$U/ht/app.cgi/sha" -H 'Expect:' --data-binary "@$D/1M"
check "R11 apache .htaccess: POST 1 MiB byte-exact" \
    all 'eq "$CODE" 200' 'same_file $O/ht-post.body $E/sha-1M'
fetch ht-chunked "$U/ht/app.cgi/sha" -H 'Expect:' -H 'Transfer-Encoding: chunked' \
    --data-binary "@$D/1M"
check "R17 apache .htaccess: chunked upload byte-exact" \
    all 'eq "$CODE" 200' 'same_file $O/ht-chunked.body $E/sha-1M'
trap_mark
fetch ht-r3 "$U/ht/app.cgi/env?$T/evil.conf"
check "R3 apache .htaccess: GET /ht/app.cgi?evil.conf: real app answers, evil.conf unread" \
    all 'eq "$CODE" 200' 'env_line ht-r3 "QUERY_STRING=$T/evil.conf"' trap_same

# ======================================================================
echo
echo "== start on demand (R30-R40) =="
ST=$T/state			# written by launchers running as www-data
mkdir -p "$ST"
chmod 777 "$ST"
PIDFILES+=("$ST/uwsgi.pid")
mkcgi "$CGI/start.cgi" "socket = $ST/echo.sock" "start = $T/it/start-echo.sh" \
    "directory = $ST" "log = $ST/start.log" "env = STATE=$ST" \
    "env = ECHO=$T/it/echo.py" "start_timeout = 30" "timeout = 30"
mkcgi "$CGI/fail.cgi" "socket = $ST/fail.sock" \
    "start = echo run >>$ST/fail-starts; exit 3" "retry_after = 30" \
    "start_timeout = 60" "timeout = 5"
mkcgi "$CGI/never.cgi" "socket = $ST/never.sock" "start = true" \
    "start_timeout = 2" "retry_after = 30"
mkcgi "$CGI/nolock.cgi" "socket = $ST/nolock.sock" "start = true" \
    "lock = $T/no/such/dir/x.lock"
mkcgi "$CGI/eacces.cgi" "socket = $ST/eacces.sock" \
    "start = echo run >>$ST/eacces-starts" "start_timeout = 2"
mkcgi "$CGI/tcpnolock.cgi" "socket = 127.0.0.1:$DEADPORT" "start = true"

# R31: many requests while the app is down: start runs once, all served
fetch_many 6 start "http://127.0.0.1:$LPORT/cgi-bin/start.cgi/env?n=@i@"
check "R31 lighttpd: 6 concurrent requests to a down app: all served" eq "$CODES" 200200200200200200
check "R31 lighttpd: 6 concurrent requests to a down app: start ran once" \
    eq "$(nlines "$ST/starts")" 1
check "R32 lock file holds 'EPOCH started PID FAILURES MTIME'" \
    has "$ST/echo.sock.lock" '^[0-9]+ started [0-9]+ 0 0$'
envf=$(ls "$ST"/start-env.* 2>/dev/null | head -1)
check "R36 start's environment: CGI2SCGI_SOCKET, env lines, PATH" \
    all 'has "$envf" "^CGI2SCGI_SOCKET=$ST/echo.sock\$"' 'has "$envf" "^STATE=$ST\$"' \
    'has "$envf" "^PATH="'
check "R36 start's environment: nothing request-derived or unlisted" \
    hasnt "$envf" '^(HTTP_|QUERY_STRING|REMOTE_|REQUEST_|SCRIPT_|GATEWAY_|SERVER_|CONTENT_|PATH_INFO)'
check "R36 start's environment: only the listed names" \
    all 'WHY=$(cut -d= -f1 "$envf" | grep -vxE "PATH|HOME|USER|LOGNAME|LANG|LC_ALL|TZ|TMPDIR|CGI2SCGI_SOCKET|STATE|ECHO|PWD|OLDPWD|SHLVL|_" | tr "\n" " "); [ -z "$WHY" ]'
fdsf=$O/start-fds
sed -n '/^fds of start/,/^end of fds/p' "$ST/start.log" |
    sed '/^end of fds/q' >"$fdsf"
check "R35 start's fds: 0 is /dev/null, 1 and 2 the log, nothing else inherited" \
    all 'has "$fdsf" " 0 -> /dev/null\$"' 'has "$fdsf" " 1 -> $ST/start.log\$"' \
    'has "$fdsf" " 2 -> $ST/start.log\$"' \
    'WHY=$(grep -- "->" "$fdsf" | grep -vE " [012] -> | -> $T/it/start-echo.sh\$"); [ -z "$WHY" ]'

# R33: app killed -9, its socket left behind: removed, app started again
app=$(cat "$ST/uwsgi.pid" 2>/dev/null)
if [ -n "$app" ]; then
	kill -KILL "$app"
	wait_gone "$app" 10
fi
check "R33 (setup) the killed app left its socket file" test -S "$ST/echo.sock"
fetch start-again "http://127.0.0.1:$APORT/cgi-bin/start.cgi/env?again"
check "R33 apache: after kill -9 of the app, stale socket removed, app started again" \
    all 'eq "$CODE" 200' 'eq "$(nlines $ST/starts)" 2'
sleep 1
fetch start-alive "http://127.0.0.1:$APORT/cgi-bin/start.cgi/env?alive"
check "R34 apache: the app outlives the request that started it (no new start)" \
    all 'eq "$CODE" 200' 'eq "$(nlines $ST/starts)" 2'

# R32/R38: a failing start gives 503 at once, then none inside retry_after
fetch fail1 "http://127.0.0.1:$LPORT/cgi-bin/fail.cgi/env" --max-time 20
ra=$(sed -n 's/^[Rr]etry-[Aa]fter: *\([0-9]*\).*/\1/p' "$O/fail1.hdr")
check "R38 lighttpd: start exiting 3 gives 503 at once, Retry-After 1..30" \
    all 'eq "$CODE" 503' 'same_file $O/fail1.body $E/503.body' \
    '[ -n "$ra" ] && [ "$ra" -ge 1 ] && [ "$ra" -le 30 ]' 'eq "$(nlines $ST/fail-starts)" 1'
check "R32 lock file of a failed start holds 'EPOCH failed PID 1 0'" \
    has "$ST/fail.sock.lock" '^[0-9]+ failed [0-9]+ 1 0$'
fetch fail2 "http://127.0.0.1:$APORT/cgi-bin/fail.cgi/env" --max-time 20
check "R32 apache: inside retry_after: 503 and no new start" \
    all 'eq "$CODE" 503' 'has $O/fail2.hdr "^[Rr]etry-[Aa]fter: [0-9]+"' \
    'eq "$(nlines $ST/fail-starts)" 1'
# as www-data, the servers' CGI user, who owns the lock file: a lock file
# of another user is refused (R31)
cgi fail-direct PATH_INFO=/env -- setpriv --reuid=www-data --regid=www-data \
    --clear-groups "$CGI/fail.cgi"
sed 's/^Retry-After: [1-9][0-9]*\r$/Retry-After: N\r/' "$O/fail-direct.out" \
    >"$O/fail-direct.norm"
printf 'Status: 503 Service Unavailable\r\nRetry-After: N\r\nContent-Type: text/plain\r\n\r\n503 Service Unavailable\n' \
    >"$E/503"
check "R20 503 exact bytes (direct)" \
    all 'same_file $O/fail-direct.norm $E/503' 'one_line_err fail-direct' \
    'eq "$(nlines $ST/fail-starts)" 1'

# R38: start exits 0 but the socket never accepts: 503 after start_timeout
fetch never "http://127.0.0.1:$LPORT/cgi-bin/never.cgi/env" --max-time 30
check "R38 lighttpd: start exits 0, app never accepts, start_timeout=2: 503" \
    all 'eq "$CODE" 503' 'same_file $O/never.body $E/503.body'

# R37/R38: launcher run with SIGCHLD and SIGPIPE ignored, signals blocked (as
# some servers leave them): a failing start still fails fast, and start gets
# default dispositions and an empty mask
mkcgi "$CGI/sig.cgi" "socket = $ST/sig.sock" \
    "start = grep -E '^Sig(Ign|Blk)' /proc/self/status >$ST/sig.txt; exit 3" \
    "start_timeout = 30"
t0=$(date +%s)
cgi sig PATH_INFO=/env -- "$PY" -c 'import os, signal, sys
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
signal.signal(signal.SIGPIPE, signal.SIG_IGN)
signal.signal(signal.SIGHUP, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGUSR1})
os.execv(sys.argv[1], sys.argv[1:])' "$CGI/sig.cgi"
t1=$(date +%s)
check "R38 SIGCHLD ignored by the caller: failing start still gives 503 well before start_timeout" \
    all 'has $O/sig.out "^Status: 503 "' '[ $((t1 - t0)) -lt 15 ] || { WHY="took $((t1 - t0)) s"; false; }'
check "R37 start runs with no ignored and no blocked signals" \
    all 'has $ST/sig.txt "^SigIgn:[[:space:]]+0+\$"' 'has $ST/sig.txt "^SigBlk:[[:space:]]+0+\$"'

# R20: a lock that cannot be opened is a 500
fetch nolock "http://127.0.0.1:$APORT/cgi-bin/nolock.cgi/env"
check "R20 apache: lock file cannot be opened: 500" http_err nolock 500
cgi r1-tcpnolock -- "$CGI/tcpnolock.cgi"
check "R1 TCP socket with start and no lock: exact 500" \
    all 'same_file $O/r1-tcpnolock.out $E/500' 'one_line_err r1-tcpnolock'

# R30: EACCES is not "down": never start, 503 after start_timeout
spawn eacces "$PY" -c 'import os, socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o600)
s.listen(1); time.sleep(3600)' "$ST/eacces.sock"
wait_unix "$ST/eacces.sock" 10
fetch eacces "http://127.0.0.1:$LPORT/cgi-bin/eacces.cgi/env" --max-time 30
check "R30 lighttpd: EACCES on the socket: 503, start never run" \
    all 'eq "$CODE" 503' 'eq "$(nlines $ST/eacces-starts)" 0'
stop "$SPAWNED"

stop "$(cat "$ST/uwsgi.pid" 2>/dev/null)"

echo
check "R14 no launcher process left at the end" no_launchers_left 10
check "R3 the trap listener never got a connection" \
    hasnt "$TRAPLOG" '^conn'

elapsed
summary
