#!/bin/bash
# Delivery of the launcher's own answers, and of chunked uploads, through
# real servers, as the client sees them (issue 9):
#
# 1. The launcher's 502 (app down, no `start`), 503 (a `start` that fails,
#    then the quiet window of `retry_after`, with Retry-After) and 504
#    (an app that reads the request and never answers, `timeout = 1`)
#    reach the client whole through Apache 2.4 mod_cgid (.htaccess) and
#    nginx + fcgiwrap, each started from its example in examples/servers/,
#    for POST bodies of 0, 20 KB, 100 KB and 1 MiB (R20, R12: the launcher
#    closes stdout after its answer and drains the declared body).  Each
#    502/503 case is tried 20 times, each 504 case 5 times, 4 at a time;
#    a case passes when every try got the exact status, the exact body and,
#    for 503, a Retry-After.
# 2. A chunked POST (300 KB, 100 bytes, 0 bytes) with Transfer-Encoding
#    spelled `chunked`, `Chunked`, `CHUNKED`, `gzip, chunked` reaches the
#    app byte for byte with its true CONTENT_LENGTH, and without
#    HTTP_TRANSFER_ENCODING whenever the launcher spooled it (R17), through
#    Apache, and through nginx where nginx accepts the request (nginx itself
#    answers 501 to `gzip, chunked`: checked as the server's own behaviour).
# 3. Run by hand: CONTENT_LENGTH=12x with a body on stdin gives the exact
#    400, the launcher reads stdin to its EOF and exits, the app is never
#    contacted (R13, R20).
#
#   bash tests/it/deliver.sh [BINARY]        (default ./cgi2scgi)
#   KEEP=1 bash tests/it/deliver.sh ...      keep the private directory
#
# Root, Debian 12; installs what is missing (apache2, nginx, fcgiwrap,
# python3, util-linux).  About 25 s.  Ends with "N passed, N failed";
# exits non-zero if any failed.  Helpers: deliver-app.py (the SCGI app),
# deliver-client.py (the raw-socket HTTP client, and the stdin feeder).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$IT_DIR/matrix-servers.sh"

it_bin "${1:-}"
need_root "the servers run the CGIs as www-data"
need_pkg apache2 nginx fcgiwrap python3 util-linux || exit 2

mk_tree
own_launcher
at_exit mx_stop_all_children	# fcgiwrap's preforked processes

O=$T/out
R=$T/run
mkdir -p "$R" "$O" "$T/st" "$T/srv" "$T/direct"
chmod 755 "$R" "$T/st" "$T/srv" "$T/direct"
CLIENT=$IT_DIR/deliver-client.py
EV=$T/log/app.events
PAR=4

# dv_count ERE: lines of the app's event log matching ERE
dv_count() { grep -Ec -- "$1" "$EV" 2>/dev/null; }

# ---- the app: hang (504), sha (R17), trap (must never be contacted) --------
spawn app "$PY" "$IT_DIR/deliver-app.py" "$EV" "hang=$R/hang.sock" \
    "sha=$R/sha.sock" "trap=$R/trap.sock"
wait_grep "$EV" '^ready' 20 || { echo "deliver-app.py did not start:"; \
    tail -20 "$T/log/app.log"; exit 1; }
# a socket file nobody listens on (connect: ECONNREFUSED), for the 502
"$PY" -c 'import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
s.close()' "$R/dead.sock" || exit 1

# ---- the servers and their cgi-bin -------------------------------------------
SERVERS=(apache nginx)
SIZES=(0 20K 100K 1M)
declare -A BYTES=([0]=0 [20K]=20480 [100K]=102400 [1M]=1048576)
declare -A PORT ROOT ERRLOG COUNT
read -r PORT[apache] PORT[nginx] <<<"$(free_ports 2)"
ERRLOG=([apache]=$T/log/apache/apache-error.log
    [nginx]=$T/log/nginx-fcgiwrap.log)
for S in "${SERVERS[@]}"; do
	ROOT[$S]=$T/srv/$S/www
	c=${ROOT[$S]}/cgi-bin
	st=$T/st/$S
	mkdir -p "$c" "$st"
	chown www-data:www-data "$st"
	chmod 755 "$T/srv/$S" "${ROOT[$S]}" "$c" "$st"
	mkcgi "$c/e502.cgi" "socket = $R/dead.sock" "timeout = 10"
	# one CGI per size: the first try of each case is a start that fails,
	# the others fall inside retry_after
	for z in "${SIZES[@]}"; do
		mkcgi "$c/e503-$z.cgi" "socket = $st/app-$z.sock" \
		    "start = echo run >>$st/starts-$z; exit 1" "log = $st/start-$z.log" \
		    "directory = $st" "start_timeout = 10" "retry_after = 600" \
		    "timeout = 10"
	done
	mkcgi "$c/e504.cgi" "socket = $R/hang.sock" "timeout = 1"
	mkcgi "$c/sha.cgi" "socket = $R/sha.sock" "timeout = 30"
	if [ "$S" = apache ]; then
		cp "$MX_EXAMPLES/servers/apache.htaccess" "$c/.htaccess"
		chmod 644 "$c/.htaccess"
	fi
done
echo "private dir $T; binary $BIN"
mx_start_apache apache "${PORT[apache]}" "${ROOT[apache]}" apache-htaccess.conf ||
    exit 1
mx_start_nginx nginx "${PORT[nginx]}" "${ROOT[nginx]}" || exit 1
echo "servers up: apache (mod_cgid, .htaccess) :${PORT[apache]}, nginx + fcgiwrap :${PORT[nginx]}"

# ======================================================================
# 1. the launcher's own answers reach the client whole (R20, R12)

# dv_whole: the last case's tries were all whole (RES, TRIES, S, CASE)
dv_whole() {
	[ "${RES%%/*}" = "$TRIES" ] && return 0
	WHY="${RES#*; }; first failed try: $(head -1 "$O/details-$CASE" | cut -c1-400)"
	WHY+="; server log: $(grep -v '^\s*$' "${ERRLOG[$S]}" 2>/dev/null | tail -2 | cut -c1-300 | tr '\n' '|')"
	return 1
}

for S in "${SERVERS[@]}"; do
	echo
	echo "== $S: the launcher's own answers to POSTs of 0 to 1 MiB =="
	hang0=$(dv_count '^hang cl=')
	for code in 502 503 504; do
		TRIES=20
		[ "$code" = 504 ] && TRIES=5
		for z in "${SIZES[@]}"; do
			case $code in
			503) cgi=e503-$z.cgi ;;
			*) cgi=e$code.cgi ;;
			esac
			CASE=$S-$code-$z
			RES=$("$PY" "$CLIENT" errors "${PORT[$S]}" "/cgi-bin/$cgi/x" \
			    "${BYTES[$z]}" "$TRIES" "$PAR" "$code" "$O/details-$CASE")
			[ -n "$RES" ] || RES="0/$TRIES whole; client failed"
			COUNT[$CASE]=${RES%%;*}
			check "R20 R12: deliver $S $code $z: $RES" dv_whole
		done
	done
	n=0
	for z in "${SIZES[@]}"; do
		[ "$(cat "$T/st/$S/starts-$z" 2>/dev/null | wc -l)" = 1 ] && n=$((n + 1))
	done
	check "R20 $S 503: each case's start command ran once and failed (4 of 4), the later tries fell inside retry_after; both logged" \
	    all 'eq "$n" 4' 'has "${ERRLOG[$S]}" "cgi2scgi: .*start failed"' \
	    'has "${ERRLOG[$S]}" "cgi2scgi: .*recent failure"'
	hangs=$(($(dv_count '^hang cl=') - hang0))
	whole=0
	for z in "${SIZES[@]}"; do
		whole=$((whole + $(grep -Ec "^hang cl=${BYTES[$z]} got=${BYTES[$z]}\$" "$EV")))
	done
	check "R20 $S 504: the app got each of the 20 requests and read its body whole (it is the app's silence that makes the 504)" \
	    all 'eq "$hangs" 20' 'eq "$((whole - ${HANGWHOLE:-0}))" 20'
	HANGWHOLE=$whole
done

# ======================================================================
# 2. every spelling of chunked reaches the app byte for byte (R17)

# dv_app_got NAME LEN SHA TE...: the sha app's answer $O/NAME.body says
# CONTENT_LENGTH=LEN, received LEN bytes whose sha256 is SHA, and an
# HTTP_TRANSFER_ENCODING among TE... ("-": none)
dv_app_got() {
	local f=$O/$1.body len=$2 sha=$3 te t ok=
	shift 3
	te=$(sed -n 's/^HTTP_TRANSFER_ENCODING=//p' "$f" 2>/dev/null)
	for t in "$@"; do
		[ "$te" = "$t" ] && ok=1
	done
	if [ "$(sed -n 's/^CONTENT_LENGTH=//p' "$f" 2>/dev/null)" = "$len" ] &&
	    [ "$(sed -n 's/^received=//p' "$f" 2>/dev/null)" = "$len" ] &&
	    [ "$(sed -n 's/^sha256=//p' "$f" 2>/dev/null)" = "$sha" ] && [ -n "$ok" ]; then
		return 0
	fi
	WHY="the app got [$(tr '\n' ' ' <"$f" 2>/dev/null | cut -c1-300)], want CONTENT_LENGTH=$len received=$len sha256=$sha HTTP_TRANSFER_ENCODING in [$*]"
	return 1
}

# Each spelling, 300 KB (more than any server takes in with the headers:
# the CGI gets no length, the launcher spools), 100 bytes and 0 bytes (the
# body arrives with the headers).  Apache never passes a length with a
# chunked body: the launcher spools every one and never forwards
# HTTP_TRANSFER_ENCODING (R17).  nginx passes CONTENT_LENGTH=N along with
# HTTP_TRANSFER_ENCODING when the whole chunked body came with the headers
# (for 0 bytes it varies: empty or 0); the launcher then has a length and
# does not spool, but never forwards HTTP_TRANSFER_ENCODING either: the
# body it sends always has a length (Werkzeug would otherwise read none).
declare -A CHUNKED
TES=(chunked Chunked CHUNKED "gzip, chunked")
CHSIZES=(307211 100 0)
seed=0
for S in "${SERVERS[@]}"; do
	echo
	echo "== $S: chunked uploads, each spelling of Transfer-Encoding =="
	for te in "${TES[@]}"; do
		for len in "${CHSIZES[@]}"; do
			seed=$((seed + 1))
			cn=ch-$S-$seed
			sha0=$(dv_count '^conn sha')
			read -r code slen ssha rest <<<"$("$PY" "$CLIENT" chunked \
			    "${PORT[$S]}" /cgi-bin/sha.cgi/x "$te" "$len" "$seed" \
			    "$O/$cn.body")"
			conns=$(($(dv_count '^conn sha') - sha0))
			if [ "$S" = nginx ] && [ "$te" = "gzip, chunked" ]; then
				f0=$FAILED
				check "R17 nginx 'Transfer-Encoding: $te', $len bytes: nginx itself answers 501 (it accepts only \"chunked\"), the launcher is not run, the app not contacted" \
				    all 'eq "$code" 501' \
				    'has "$O/$cn.body" "501 Not Implemented"' \
				    'has "$O/$cn.body" "nginx"' 'eq "$conns" 0'
				CHUNKED[$S:$te:$len]="501 by nginx"
				[ "$FAILED" = "$f0" ] || CHUNKED[$S:$te:$len]="FAIL: $code"
				continue
			fi
			tes=(-)
			f0=$FAILED
			check "R17 $S 'Transfer-Encoding: $te', $len bytes: the app gets CONTENT_LENGTH=$len and the same $len bytes (sha256)$([ ${#tes[@]} = 1 ] && echo ', no HTTP_TRANSFER_ENCODING')" \
			    all 'eq "$code${rest:+ $rest}" 200' 'eq "$slen" "$len"' \
			    'eq "$conns" 1' 'dv_app_got "$cn" "$len" "$ssha" "${tes[@]}"'
			apte=$(sed -n 's/^HTTP_TRANSFER_ENCODING=//p' "$O/$cn.body")
			if [ "$FAILED" = "$f0" ]; then
				CHUNKED[$S:$te:$len]=ok
				[ "$apte" = - ] || CHUNKED[$S:$te:$len]="ok, TE fwd"
			else
				acl=$(sed -n 's/^CONTENT_LENGTH=//p' "$O/$cn.body")
				if [ "$code" = None ]; then
					CHUNKED[$S:$te:$len]="FAIL: no reply"
				elif [ "$code" != 200 ]; then
					CHUNKED[$S:$te:$len]="FAIL: $code"
				elif [ -n "$rest" ]; then
					CHUNKED[$S:$te:$len]="FAIL: 200 cut"
				elif [ "$acl" != "$len" ]; then
					CHUNKED[$S:$te:$len]="FAIL: app CL=$acl"
				elif ! grep -qx "received=$len" "$O/$cn.body" ||
				    ! grep -qx "sha256=$ssha" "$O/$cn.body"; then
					CHUNKED[$S:$te:$len]="FAIL: bytes differ"
				elif [ "$conns" != 1 ]; then
					CHUNKED[$S:$te:$len]="FAIL: $conns conns"
				else
					CHUNKED[$S:$te:$len]="FAIL: TE fwd"
				fi
			fi
		done
	done
done

# ======================================================================
# 3. run by hand: a bad CONTENT_LENGTH with a body (R13, R20)
echo
echo "== direct: CONTENT_LENGTH=12x with a body on stdin =="
mkcgi "$T/direct/bad.cgi" "socket = $R/trap.sock" "timeout = 5"
printf 'Status: 400 Bad Request\r\nContent-Type: text/plain\r\n\r\n400 Bad Request\n' \
    >"$O/400.want"
trap0=$(dv_count '^conn trap')
t0=$(date +%s%N)
# 409600 bytes: 204800, 1 s of silence, 204800, EOF
"$PY" "$CLIENT" feed 409600 1 "$O/feed.report" |
    CGI_TIMEOUT=10 cgi_run SERVER_PROTOCOL=HTTP/1.1 REQUEST_METHOD=POST \
    CONTENT_LENGTH=12x CONTENT_TYPE=application/octet-stream \
    SERVER_NAME=localhost SERVER_PORT=80 REMOTE_ADDR=127.0.0.1 \
    SCRIPT_NAME=/cgi-bin/bad.cgi \
    "$T/direct/bad.cgi" >"$O/400.out" 2>"$O/400.err"
RC=${PIPESTATUS[1]}
ms=$((($(date +%s%N) - t0) / 1000000))
check "R13 R20 direct: CONTENT_LENGTH=12x with a body: exactly the 400 answer, exit status 1, the log line says bad CONTENT_LENGTH" \
    all 'same_file "$O/400.out" "$O/400.want"' 'eq "$RC" 1' \
    'has "$O/400.err" "^cgi2scgi: .*bad CONTENT_LENGTH"'
check "R13 R20 direct: the launcher read stdin to its EOF (409600 bytes across 1 s of silence), then exited, within 10 s (${ms} ms)" \
    all 'eq "$(cat "$O/feed.report" 2>/dev/null)" "wrote 409600"' \
    '[ "$RC" != 124 ] || { WHY="killed by timeout 10"; false; }' \
    '[ "$ms" -ge 1000 ] || { WHY="exited after $ms ms, before the end of stdin"; false; }'
check "R13 direct: the app is never contacted" eq "$(dv_count '^conn trap')" "$trap0"

# ======================================================================
echo
check "no launcher process left at the end (each drain ended)" \
    no_launchers_left 15

echo
echo "== what the client got: whole answers / tries =="
printf '%-8s %-5s' server code
for z in "${SIZES[@]}"; do printf '%-14s' "$z"; done
echo
for S in "${SERVERS[@]}"; do
	for code in 502 503 504; do
		printf '%-8s %-5s' "$S" "$code"
		for z in "${SIZES[@]}"; do
			v=${COUNT[$S-$code-$z]:-?}
			printf '%-14s' "${v% whole}"
		done
		echo
	done
done
echo
echo "== chunked uploads: what reached the app (TE fwd: HTTP_TRANSFER_ENCODING forwarded) =="
printf '%-8s %-18s' server Transfer-Encoding
for len in "${CHSIZES[@]}"; do printf '%-16s' "$len bytes"; done
echo
for S in "${SERVERS[@]}"; do
	for te in "${TES[@]}"; do
		printf '%-8s %-18s' "$S" "'$te'"
		for len in "${CHSIZES[@]}"; do printf '%-16s' "${CHUNKED[$S:$te:$len]:-?}"; done
		echo
	done
done
echo
elapsed
summary
