#!/bin/bash
# A real framework app end to end (issue 9, item 4): a Flask app
# (tests/it/flask-app.py, Debian python3-flask) under uWSGI, SCGI over TCP,
# started on demand by the launcher, as a shebang app.cgi behind
#   Apache 2.4 mod_cgid (examples/servers/apache-htaccess.conf, .htaccess)
#   nginx + fcgiwrap      (examples/servers/nginx-fcgiwrap.conf, fcgiwrap.sh)
# then the same cases against the same uWSGI behind Apache's own
# mod_proxy_scgi (ProxyPass /pxi/ scgi://127.0.0.1:PORT/), reported as a
# comparison (same / differs), not counted as checks.
#
#   bash tests/it/flask.sh [BINARY]        (default ./cgi2scgi)
#   KEEP=1 bash tests/it/flask.sh ...      keep the private directory
#
# Per server, what the client sees: an urlencoded form POST; a multipart
# form with several files (per-file sha256); cookies set by the app and sent
# back from a cookie jar; url_for redirects, relative and _external (host,
# port, scheme, SCRIPT_NAME prefix); HEAD (no body, the GET's headers); a
# conditional GET (ETag, Last-Modified: 304); a streamed generator (the
# first chunk arrives before the generator ends); a 30 MiB answer
# (send_file and a generator, sha256); 100 response headers.
#
# Root, Debian 12; installs what is missing.  One line per check, ok or FAIL
# with the requirement id (SPEC.md); ends with "N passed, N failed" and
# exits non-zero if any failed.  About 15 s.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$IT_DIR/matrix-servers.sh"

it_bin "${1:-}"
need_root "the servers run the CGIs as www-data"

# fl_need PKG...: need_pkg, tried again (bounded) while another apt-get or
# dpkg holds the lock
fl_need() {
	local i
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		need_pkg "$@" && return 0
		echo "(installing failed, maybe the dpkg lock is held; again in 10 s)" >&2
		sleep 10
	done
	return 1
}
fl_need apache2 nginx fcgiwrap uwsgi uwsgi-plugin-python3 python3-flask \
    curl python3 util-linux || { echo "cannot install the packages" >&2; exit 2; }

mk_tree
own_launcher
at_exit mx_stop_all_children	# fcgiwrap's preforked processes

EXS=$MX_EXAMPLES/servers
O=$T/out
D=$T/data
APPD=$T/app
RUN=$T/run		# uWSGI's pid file, log, lock: www-data's
mkdir -p "$O" "$D" "$APPD" "$RUN" "$T/srv" "$T/log"
chmod 755 "$D" "$APPD" "$T/srv"
chmod 777 "$T/log"
chown www-data:www-data "$RUN"
cp "$IT_DIR/flask-app.py" "$APPD/"
chmod 644 "$APPD/flask-app.py"
PIDFILES+=("$RUN/uwsgi.pid")

# ---- data -------------------------------------------------------------------
head -c 10000 /dev/urandom >"$D/small.bin"
BIGN=31457280		# 30 MiB
head -c $BIGN /dev/urandom >"$D/big.bin"
chmod 644 "$D"/*.bin
BIGSHA=$(sha256sum <"$D/big.bin" | cut -d' ' -f1)
: >"$D/up-empty"
printf 'line 1\r\n--not-a-boundary\r\n\r\nZo\303\253 & co = 100%%\n' >"$D/up-text"
head -c 204800 /dev/urandom >"$D/up-200k"
head -c 5242880 /dev/urandom >"$D/up-5m"
SECRET=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
TOK=$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')
sha() { sha256sum <"$1" | cut -d' ' -f1; }
# what /upload must answer for the multipart form sent by `cases`
UPLOAD_WANT=$(printf '{"files": [
 {"field": "f1", "filename": "empty.txt", "size": 0, "sha256": "%s"},
 {"field": "f2", "filename": "notes.txt", "size": %s, "sha256": "%s"},
 {"field": "f3", "filename": "a.bin", "size": 204800, "sha256": "%s"},
 {"field": "f3", "filename": "b.bin", "size": 5242880, "sha256": "%s"}],
 "form": {"title": ["hello w\\u00f6rld"], "n": ["1", "2"]}}' \
    "$(sha "$D/up-empty")" "$(stat -c %s "$D/up-text")" "$(sha "$D/up-text")" \
    "$(sha "$D/up-200k")" "$(sha "$D/up-5m")")

read -r P_APACHE P_NGINX P_NGINX0 P_UWSGI <<<"$(free_ports 4)"
echo "private dir $T; binary $BIN"
echo "apache :$P_APACHE  nginx :$P_NGINX (as shipped :$P_NGINX0)  uwsgi (SCGI) :$P_UWSGI"

# ---- app.cgi: the Flask app under uWSGI, started on demand --------------------
# mkapp DIR: DIR/app.cgi, the shebang config; both servers' copies name the
# same uWSGI and the same lock, so it is started once for all
mkapp() {
	cat >"$1/app.cgi" <<EOF
#!$L
# the Flask app under uWSGI, SCGI over TCP, started on demand
socket = 127.0.0.1:$P_UWSGI
lock = $RUN/uwsgi.lock
start = echo run >>$RUN/starts; exec uwsgi --plugin python3 --scgi-socket "\$CGI2SCGI_SOCKET" --wsgi-file $APPD/flask-app.py --need-app --master --processes 2 --die-on-term --buffer-size 65535 --socket-timeout 30 --disable-logging --daemonize $RUN/uwsgi.log --pidfile $RUN/uwsgi.pid
env = FLASK_DATA=$D
env = FLASK_SECRET=$SECRET
log = $RUN/start.log
start_timeout = 30
timeout = 60
EOF
	chmod 755 "$1/app.cgi"
}

# ---- Apache: mod_cgid by .htaccess (the example), plus mod_proxy_scgi ----------
AD=$T/srv/apache
MODS=/usr/lib/apache2/modules
mkdir -p "$AD/www/cgi-bin"
chmod 755 "$AD" "$AD/www" "$AD/www/cgi-bin"
mkapp "$AD/www/cgi-bin"
cp "$EXS/apache.htaccess" "$AD/www/cgi-bin/.htaccess"
# cgi-cl/: the same, with the Content-Length of CGIs trusted again (Apache
# drops it since 2.4.59, CVE-2024-24795)
mkdir -p "$AD/www/cgi-cl"
chmod 755 "$AD/www/cgi-cl"
mkapp "$AD/www/cgi-cl"
{ cat "$EXS/apache.htaccess"; echo 'SetEnv ap_trust_cgilike_cl 1'; } >"$AD/www/cgi-cl/.htaccess"
chmod 644 "$AD/www/cgi-bin/.htaccess" "$AD/www/cgi-cl/.htaccess"
mx_start_apache apache "$P_APACHE" "$AD/www" apache-htaccess.conf "" "$(cat <<EOF
# ---- added by tests/it/flask.sh: the same uWSGI behind mod_proxy_scgi
LoadModule proxy_module $MODS/mod_proxy.so
LoadModule proxy_scgi_module $MODS/mod_proxy_scgi.so
LoadModule setenvif_module $MODS/mod_setenvif.so
# SetEnv in cgi-cl/.htaccess
LoadModule env_module $MODS/mod_env.so
# as documented: SCRIPT_NAME is the whole path, no PATH_INFO (RFC 3875 3.3)
ProxyPass /px/ scgi://127.0.0.1:$P_UWSGI/
# proxy-scgi-pathinfo: PATH_INFO is what follows the ProxyPass prefix
ProxyPass /pxi/ scgi://127.0.0.1:$P_UWSGI/
SetEnvIf Request_URI ^/pxi/ proxy-scgi-pathinfo
<LocationMatch "^/pxi?/">
	Require all granted
</LocationMatch>
EOF
)" || exit 2

# ---- nginx + fcgiwrap (the examples) -------------------------------------------
# the example as shipped listens on P_NGINX0 (observations); a copy of its
# server block on P_NGINX is the one checked. The example carries what a
# framework app needs, found by this suite: HTTP_HOST as the client sent it
# (Debian 12's fastcgi_params sends HTTP_HOST $host, which has no port) and
# a fastcgi_buffer_size for response header blocks over 4 KiB
# fl_nginx_conf SHIPPED OUT: that config, from the example rendered
fl_nginx_conf() {
	{
		sed '$d' "$1"
		awk '/^\tserver \{/,/^\t\}/' "$1" |
		    sed -e "s/listen 127\.0\.0\.1:$P_NGINX0;/listen 127.0.0.1:$P_NGINX;/"
		echo '}'
	} >"$2"
	[ "$(tail -n 1 "$1")" = "}" ] &&
	    [ "$(grep -c '^[[:space:]]*fastcgi_param HTTP_HOST \$http_host if_not_empty;' "$2")" = 2 ] &&
	    [ "$(grep -c "listen 127.0.0.1:$P_NGINX;" "$2")" = 1 ] &&
	    [ "$(grep -c 'fastcgi_buffer_size 32k;' "$2")" = 2 ] && return 0
	echo "could not derive the nginx config from the example"
	return 1
}
ND=$T/srv/nginx
mkdir -p "$ND/www/cgi-bin"
chmod 755 "$ND" "$ND/www" "$ND/www/cgi-bin"
mkapp "$ND/www/cgi-bin"
mx_start_nginx nginx "$P_NGINX0" "$ND/www" fl_nginx_conf &&
    mx_wait nginx "$P_NGINX" || exit 2

# ---- helpers ------------------------------------------------------------------------
# fetch (lib.sh's): 60 s at most, headers $O/NAME.hdr with their CRs removed
FETCH_TIMEOUT=60
FETCH_STRIP_CR=1
# sha_get NAME URL: GET URL (60 s at most) without keeping the body: its
# sha256 in GOT, the headers (CRs removed) in $O/NAME.hdr
sha_get() {
	GOT=$(curl -sS --max-time 60 -D "$O/$1.hdr0" "$2" | sha256sum | cut -d' ' -f1)
	tr -d '\r' <"$O/$1.hdr0" >"$O/$1.hdr"
}
# raw_head NAME PORT PATH: a HEAD of PATH on 127.0.0.1:PORT, read raw
# (flask-client.py): the status line, the headers (CRs removed) and
# "body-bytes N", what came after them, in $O/NAME.hdr
raw_head() {
	"$PY" "$IT_DIR/flask-client.py" raw "$2" HEAD "$3" "$O/$1.raw"
	"$PY" "$IT_DIR/flask-client.py" split "$O/$1.raw" | tr -d '\r' >"$O/$1.hdr"
}
# hdr NAME HEADER: the value of HEADER (the last one) in $O/NAME.hdr
hdr() { sed -n "s/^$2: *//Ip" "$O/$1.hdr" | tail -1; }
# json_is FILE JSON: FILE holds JSON equal (as data) to JSON
json_is() {
	local out
	out=$("$PY" - "$1" "$2" <<'EOF'
import json, sys
raw = open(sys.argv[1], "rb").read()
try:
    got = json.loads(raw)
except ValueError:
    print("not JSON: %r" % raw[:300])
    sys.exit(1)
want = json.loads(sys.argv[2])
if got != want:
    print("got %s want %s" % (json.dumps(got, sort_keys=True)[:600],
                              json.dumps(want, sort_keys=True)[:600]))
    sys.exit(1)
EOF
) && return 0
	WHY=$out
	return 1
}
# jfield FILE KEY: a string field of the JSON object in FILE
jfield() {
	"$PY" -c 'import json, sys
print(json.load(open(sys.argv[1])).get(sys.argv[2]))' "$1" "$2" 2>/dev/null
}
body_is() {	# body_is NAME TEXT: the body is exactly TEXT
	local got
	got=$(cat "$O/$1.body")
	eq "$got" "$2"
}
cl_ok() {	# cl_ok HDRFILE N: no Content-Length (the server dropped it), or N
	local v
	v=$(sed -n 's/^Content-Length: *//Ip' "$1")
	[ -z "$v" ] || [ "$v" = "$2" ] && return 0
	WHY="Content-Length [$v], want $2 or none"
	return 1
}
empty_body() {	# empty_body NAME
	[ ! -s "$O/$1.body" ] && return 0
	WHY="body of $(stat -c %s "$O/$1.body") bytes: $(head -c 100 "$O/$1.body" | cat -v)"
	return 1
}

declare -A RES OBS
CASES=(env path form upload cookies redirect redirect-ext head conditional stream big headers)
# ck CASE ID TEXT CMD...: in MODE check a check; in MODE compare (the
# mod_proxy_scgi path) a line "same" or "differs" with the reason, not counted
ck() {
	local c=$1 id=$2 text=$3
	shift 3
	if [ "$MODE" = check ]; then
		local f0=$FAILED
		check "$id $NAME: $text" "$@"
		if [ "$FAILED" != "$f0" ]; then
			RES[$NAME:$c]=FAIL
		elif [ -z "${RES[$NAME:$c]:-}" ]; then
			RES[$NAME:$c]=ok
		fi
	else
		if "$@"; then
			printf 'same    %s: %s\n' "$NAME" "$text"
			[ -z "${RES[$NAME:$c]:-}" ] && RES[$NAME:$c]=same
		else
			printf 'DIFFERS %s: %s\n        %s\n' "$NAME" "$text" "$WHY"
			RES[$NAME:$c]=differs
		fi
		WHY=
	fi
}

# ---- the cases ----------------------------------------------------------------------
# cases NAME PORT PREFIX MODE: every case against http://127.0.0.1:PORT,
# the app mounted at PREFIX (its SCRIPT_NAME)
cases() {
	NAME=$1
	local port=$2 X=$3
	MODE=$4
	local U=http://127.0.0.1:$port$X H=127.0.0.1:$port n=$1
	echo
	echo "== $NAME (http://$H$X) =="

	# what the app sees, and what url_for makes of it
	fetch $n-env "$U/env?a=1"
	ck env R10 "the app sees SCRIPT_NAME=$X, PATH_INFO=/env, Host $H; url_for gives $X/target and http://$H$X/target" \
	    all 'eq "$CODE" 200' 'eq "$(jfield $O/$n-env.body SCRIPT_NAME)" "$X"' \
	    'eq "$(jfield $O/$n-env.body PATH_INFO)" /env' \
	    'eq "$(jfield $O/$n-env.body HTTP_HOST)" "$H"' \
	    'eq "$(jfield $O/$n-env.body QUERY_STRING)" a=1' \
	    'eq "$(jfield $O/$n-env.body url_for_target)" "$X/target"' \
	    'eq "$(jfield $O/$n-env.body url_for_target_ext)" "http://$H$X/target"'

	# a URL variable, percent-encoded: decoded for the view; url_for
	# encodes it again, and that URL leads back to it
	fetch $n-p "$U/p/caf%C3%A9%20au%20lait+1"
	local pu code1=$CODE
	pu=$(jfield $O/$n-p.body url_for)
	fetch $n-p2 "http://$H$pu"
	ck path R10 "GET $X/p/caf%C3%A9%20au%20lait+1: the view gets \"café au lait+1\"; url_for gives $X/p/caf%C3%A9%20au%20lait+1, which leads back to it" \
	    all 'eq "$code1" 200' 'eq "$(jfield $O/$n-p.body name)" "café au lait+1"' \
	    'eq "$pu" "$X/p/caf%C3%A9%20au%20lait+1"' \
	    'eq "$CODE" 200' 'eq "$(jfield $O/$n-p2.body name)" "café au lait+1"'
	OBS[$NAME:path]="view got [$(jfield $O/$n-p.body name)], url_for [$pu]"

	# an urlencoded form
	fetch $n-form "$U/form" --data-urlencode 'name=Zoë & co' \
	    --data-urlencode 'multi=1' --data-urlencode 'multi=2' \
	    --data-urlencode 'sym=a+b=c%d;e' --data-urlencode 'empty='
	ck form R11 "urlencoded form POST: every field and value as sent" \
	    all 'eq "$CODE" 200' 'json_is $O/$n-form.body "{\"method\": \"POST\",
		\"content_type\": \"application/x-www-form-urlencoded\",
		\"form\": {\"name\": [\"Zo\\u00eb & co\"], \"multi\": [\"1\", \"2\"],
		\"sym\": [\"a+b=c%d;e\"], \"empty\": [\"\"]}}"'

	# a multipart form with several files, two in one field
	fetch $n-upload "$U/upload" -F 'title=hello wörld' -F n=1 -F n=2 \
	    -F "f1=@$D/up-empty;filename=empty.txt" \
	    -F "f2=@$D/up-text;filename=notes.txt;type=text/plain" \
	    -F "f3=@$D/up-200k;filename=a.bin" -F "f3=@$D/up-5m;filename=b.bin"
	ck upload R11 "multipart form, 4 files (0 B, text, 200 KiB, 5 MiB): each file's size and sha256 as the client's" \
	    all 'eq "$CODE" 200' 'json_is $O/$n-upload.body "$UPLOAD_WANT"'
	fetch $n-upload-ch "$U/upload" -H 'Transfer-Encoding: chunked' \
	    -F 'title=hello wörld' -F n=1 -F n=2 \
	    -F "f1=@$D/up-empty;filename=empty.txt" \
	    -F "f2=@$D/up-text;filename=notes.txt;type=text/plain" \
	    -F "f3=@$D/up-200k;filename=a.bin" -F "f3=@$D/up-5m;filename=b.bin"
	ck upload R17 "the same form sent chunked (Transfer-Encoding: chunked, no Content-Length): the same answer" \
	    all 'eq "$CODE" 200' 'json_is $O/$n-upload-ch.body "$UPLOAD_WANT"'

	# cookies: set by the app, kept in a jar, sent back
	rm -f "$O/$n.jar"
	fetch $n-login "$U/login?user=alice&flavor=mint" -c "$O/$n.jar"
	ck cookies R16 "cookies set by the app: 3 separate Set-Cookie lines (session, flavor with Path=$X/, visits)" \
	    all 'eq "$CODE" 200' 'eq "$(grep -ci "^set-cookie:" $O/$n-login.hdr)" 3' \
	    'has $O/$n-login.hdr "^[Ss]et-[Cc]ookie: session=[^;]+; HttpOnly; Path=/$"' \
	    'has $O/$n-login.hdr "^[Ss]et-[Cc]ookie: flavor=mint; HttpOnly; Path=$X/$"' \
	    'has $O/$n-login.hdr "^[Ss]et-[Cc]ookie: visits=1; Path=$X/$"'
	fetch $n-whoami "$U/whoami" -b "$O/$n.jar"
	ck cookies R10 "the cookie jar sent back: the app reads its session and both cookies" \
	    all 'eq "$CODE" 200' 'json_is $O/$n-whoami.body "{\"user\": \"alice\",
		\"flavor\": \"mint\", \"visits\": \"1\",
		\"cookies\": [\"flavor\", \"session\", \"visits\"]}"'

	# url_for redirects
	fetch $n-go "$U/go"
	ck redirect R16 "redirect(url_for()): 302, Location: $X/target?q=x" \
	    all 'eq "$CODE" 302' 'eq "$(hdr $n-go Location)" "$X/target?q=x"'
	fetch $n-go-l "$U/go" -L
	ck redirect R16 "followed: the client lands on http://$H$X/target?q=x" \
	    all 'eq "$CODE" 200' 'eq "$EFF" "http://$H$X/target?q=x"' \
	    'body_is $n-go-l "target reached, q=x"'
	fetch $n-goext "$U/go-ext"
	ck redirect-ext R10 "url_for(_external=True): 302, Location: http://$H$X/target?q=x" \
	    all 'eq "$CODE" 302' 'eq "$(hdr $n-goext Location)" "http://$H$X/target?q=x"'
	fetch $n-goext-h "$U/go-ext" -H 'Host: flask.example:8123'
	ck redirect-ext R10 "url_for(_external=True) with Host: flask.example:8123: Location http://flask.example:8123$X/target?q=x" \
	    all 'eq "$CODE" 302' \
	    'eq "$(hdr $n-goext-h Location)" "http://flask.example:8123$X/target?q=x"'
	fetch $n-goext-l "$U/go-ext" -L
	ck redirect-ext R16 "followed: the client lands on the target" \
	    all 'eq "$CODE" 200' 'body_is $n-goext-l "target reached, q=x"'

	# HEAD: send_file's headers, no body (raw bytes: curl -I would not
	# see a body sent anyway)
	fetch $n-file "$U/file"
	local etag lm
	etag=$(hdr $n-file ETag)
	lm=$(hdr $n-file Last-Modified)
	raw_head $n-head "$port" "$X/file"
	ck head R16 "HEAD (send_file): 200, no body; Content-Type, Content-Disposition, ETag, Last-Modified as the GET's; Content-Length 10000 if any" \
	    all 'has $O/$n-head.hdr "^HTTP/1\.1 200 "' 'has $O/$n-head.hdr "^body-bytes 0$"' \
	    'has $O/$n-head.hdr "^Content-Type: application/octet-stream$"' \
	    'has $O/$n-head.hdr "^Content-Disposition: inline; filename=small.bin$"' \
	    '[ -n "$etag" ] && has $O/$n-head.hdr "^ETag: $etag$"' \
	    '[ -n "$lm" ] && has $O/$n-head.hdr "^Last-Modified: $lm$"' \
	    'cl_ok $O/$n-head.hdr 10000'
	OBS[$NAME:head-file-cl]=$(sed -n 's/^Content-Length: //Ip' "$O/$n-head.hdr")
	raw_head $n-head2 "$port" "$X/env"
	ck head R16 "HEAD of a view (jsonify): 200, no body, Content-Type application/json" \
	    all 'has $O/$n-head2.hdr "^HTTP/1\.1 200 "' 'has $O/$n-head2.hdr "^body-bytes 0$"' \
	    'has $O/$n-head2.hdr "^Content-Type: application/json$"'
	OBS[$NAME:get-file-cl]=$(hdr $n-file Content-Length)
	OBS[$NAME:get-file-te]=$(hdr $n-file Transfer-Encoding)

	# conditional GET
	ck conditional R16 "GET /file (send_file, conditional): 200, the file byte for byte, ETag and Last-Modified" \
	    all 'eq "$CODE" 200' 'same_file $O/$n-file.body $D/small.bin' \
	    '[ -n "$etag" ] || { WHY="no ETag"; false; }' \
	    '[ -n "$lm" ] || { WHY="no Last-Modified"; false; }'
	fetch $n-file-inm "$U/file" -H "If-None-Match: $etag"
	ck conditional R16 "If-None-Match: the ETag: 304, no body, the same ETag" \
	    all 'eq "$CODE" 304' 'empty_body $n-file-inm' 'eq "$(hdr $n-file-inm ETag)" "$etag"'
	fetch $n-file-ims "$U/file" -H "If-Modified-Since: $lm"
	ck conditional R16 "If-Modified-Since: the Last-Modified: 304, no body" \
	    all 'eq "$CODE" 304' 'empty_body $n-file-ims'
	fetch $n-cond "$U/cond?v=7"
	local etag2
	etag2=$(hdr $n-cond ETag)
	fetch $n-cond-inm "$U/cond?v=7" -H "If-None-Match: $etag2"
	fetch $n-cond-other "$U/cond?v=7" -H 'If-None-Match: "other"'
	ck conditional R16 "make_conditional: 200 with an ETag, 304 to it (no body), 200 to another" \
	    all 'eq "$CODE" 200' '[ -n "$etag2" ]' 'body_is $n-cond-other "conditional body 7"' \
	    'grep -q "^HTTP/[0-9.]* 304" $O/$n-cond-inm.hdr || { WHY="not a 304: $(head -1 $O/$n-cond-inm.hdr)"; false; }' \
	    'empty_body $n-cond-inm'

	# a streamed generator: 4 chunks 0.5 s apart
	"$PY" "$IT_DIR/flask-client.py" stream "$port" "$X/stream?n=4&delay=0.5" 4 \
	    >"$O/$n-stream.out" 2>&1
	local rc=$?
	ck stream R15 "streamed generator: the first chunk arrives before the generator made its last (0.5 s apart)" \
	    all '[ "$rc" = 0 ] || { WHY=$(tr "\n" "|" <$O/$n-stream.out | head -c 600); false; }'
	OBS[$NAME:stream]="$(sed -n 's/^framing //p' "$O/$n-stream.out"); $(sed -n 's/^\(first chunk arrived .*\)/\1/p; s/^FAIL: //p' "$O/$n-stream.out")"

	# 30 MiB answers
	sha_get $n-big "$U/big"
	ck big R15 "30 MiB send_file: sha256 exact; Content-Length $BIGN if any" \
	    all 'eq "$GOT" "$BIGSHA"' 'cl_ok $O/$n-big.hdr $BIGN'
	OBS[$NAME:big]="Transfer-Encoding=$(hdr $n-big Transfer-Encoding) Content-Length=$(hdr $n-big Content-Length)"
	sha_get $n-bigg "$U/big-gen"
	ck big R15 "30 MiB from a generator (no Content-Length): sha256 exact" \
	    eq "$GOT" "$BIGSHA"
	OBS[$NAME:big-gen]="Transfer-Encoding=$(hdr $n-bigg Transfer-Encoding) Content-Length=$(hdr $n-bigg Content-Length)"

	# 100 headers (and a repeated one, and two cookies)
	fetch $n-hdrs "$U/headers?n=100&tok=$TOK"
	for i in $(seq 1 100); do printf 'X-H-%03d: %s-%03d\n' "$i" "$TOK" "$i"; done >"$O/want-hdrs"
	grep -i '^X-H-[0-9]*:' "$O/$n-hdrs.hdr" >"$O/$n-hdrs.got"
	ck headers R16 "100 response headers X-H-001..100: all arrive, in order, values exact" \
	    all 'eq "$CODE" 200' 'same_file $O/$n-hdrs.got $O/want-hdrs'
	local dup
	dup=$(sed -n 's/^X-Dup: //Ip' "$O/$n-hdrs.hdr" | paste -sd, | sed 's/, */,/g')
	ck headers R16 "a header sent twice (X-Dup: first, X-Dup: second) arrives with both values in order; 2 Set-Cookie lines" \
	    all 'eq "$dup" "first,second"' \
	    'eq "$(grep -ci "^set-cookie: c[12]=$TOK;" $O/$n-hdrs.hdr)" 2'
	OBS[$NAME:dup]="$(grep -ci '^X-Dup:' "$O/$n-hdrs.hdr") line(s): $(grep -i '^X-Dup:' "$O/$n-hdrs.hdr" | paste -sd'|')"
	# a large header block: 100 headers of 100 bytes
	fetch $n-hdrs-big "$U/headers?n=100&size=100&tok=$TOK"
	for i in $(seq 1 100); do
		printf 'X-H-%03d: %s-%03d' "$i" "$TOK" "$i"
		printf '%*s\n' $((100 - ${#TOK} - 4)) '' | tr ' ' .
	done >"$O/want-hdrs-big"
	grep -i '^X-H-[0-9]*:' "$O/$n-hdrs-big.hdr" >"$O/$n-hdrs-big.got"
	ck headers R16 "100 response headers of 100 bytes (an 11 KB header block): all arrive, values exact" \
	    all 'eq "$CODE" 200' 'same_file $O/$n-hdrs-big.got $O/want-hdrs-big'
	# observation: HTTP/1.0 without Host: what url_for(_external) makes
	fetch $n-nohost "$U/go-ext" -0 -H 'Host:'
	OBS[$NAME:nohost]="$CODE Location: $(hdr $n-nohost Location)"
	# the whole environ, for the comparison of what each path passes
	fetch $n-environ "$U/environ?e=1" -H 'X-Probe: 1'
}

# ======================================================================
echo
echo "== start on demand =="
fetch od-apache "http://127.0.0.1:$P_APACHE/cgi-bin/app.cgi/env"
check "R31 apache-cgid: the first request starts uWSGI (start ran once) and is answered by Flask" \
    all 'eq "$CODE" 200' 'eq "$(wc -l <$RUN/starts 2>/dev/null)" 1' \
    'eq "$(jfield $O/od-apache.body SCRIPT_NAME)" /cgi-bin/app.cgi'
check "R34 the started uWSGI runs detached as www-data (its pid file names a live master)" \
    all 'p=$(cat $RUN/uwsgi.pid 2>/dev/null); [ -n "$p" ] && kill -0 "$p" 2>/dev/null' \
    '[ "$(stat -c %U /proc/$(cat $RUN/uwsgi.pid))" = www-data ]' \
    '[ "$(ps -o sid= -p $(cat $RUN/uwsgi.pid) | tr -d " ")" != "$(ps -o sid= -p $$ | tr -d " ")" ]'
fetch od-nginx "http://127.0.0.1:$P_NGINX/cgi-bin/app.cgi/env"
check "R31 nginx-fcgiwrap: its app.cgi finds the same uWSGI up: answered, no second start" \
    all 'eq "$CODE" 200' 'eq "$(wc -l <$RUN/starts)" 1'

cases apache-cgid "$P_APACHE" /cgi-bin/app.cgi check
cases nginx-fcgiwrap "$P_NGINX" /cgi-bin/app.cgi check

echo
echo "== apache-cgid, .htaccess with SetEnv ap_trust_cgilike_cl 1 =="
X=/cgi-cl/app.cgi
raw_head cl-head "$P_APACHE" "$X/file"
check "R16 apache-cgid + ap_trust_cgilike_cl: HEAD (send_file) keeps the app's Content-Length 10000, no body" \
    all 'has $O/cl-head.hdr "^HTTP/1\.1 200 "' 'has $O/cl-head.hdr "^body-bytes 0$"' \
    'has $O/cl-head.hdr "^Content-Length: 10000$"'
sha_get cl-big "http://127.0.0.1:$P_APACHE$X/big"
check "R15 apache-cgid + ap_trust_cgilike_cl: 30 MiB send_file with the app's Content-Length $BIGN, sha256 exact" \
    all 'eq "$GOT" "$BIGSHA"' 'eq "$(hdr cl-big Content-Length)" $BIGN' \
    'hasnt $O/cl-big.hdr "^Transfer-Encoding:"'

echo
echo "== nginx-fcgiwrap, the example as shipped (observations) =="
fetch shipped-env "http://127.0.0.1:$P_NGINX0/cgi-bin/app.cgi/env"
fetch shipped-go "http://127.0.0.1:$P_NGINX0/cgi-bin/app.cgi/go-ext"
OBS[shipped]="the app sees HTTP_HOST=$(jfield $O/shipped-env.body HTTP_HOST) SERVER_NAME=$(jfield $O/shipped-env.body SERVER_NAME) SERVER_PORT=$(jfield $O/shipped-env.body SERVER_PORT); url_for(_external) -> $CODE Location: $(hdr shipped-go Location)"
fetch shipped-hdrs "http://127.0.0.1:$P_NGINX0/cgi-bin/app.cgi/headers?n=100&size=100&tok=$TOK"
OBS[shipped-hdrs]="100 headers of 100 bytes -> $CODE, $(grep -ci '^X-H-[0-9]*:' "$O/shipped-hdrs.hdr") of them; nginx: $(grep -o 'upstream sent too big header' "$T/log/nginx/nginx-error.log" | head -1)"
echo "${OBS[shipped]}"
echo "${OBS[shipped-hdrs]}"

echo
echo "== the same uWSGI behind Apache's mod_proxy_scgi (a comparison: same or DIFFERS, not counted) =="
# ProxyPass /px/ as documented: SCRIPT_NAME is the whole path, no PATH_INFO
fetch px-env "http://127.0.0.1:$P_APACHE/px/env"
OBS[px:env]="$CODE $(head -c 200 "$O/px-env.body")"
fetch px-go "http://127.0.0.1:$P_APACHE/px/go"
OBS[px:go]="$CODE Location: $(hdr px-go Location)"
fetch px-head "http://127.0.0.1:$P_APACHE/px/file"
OBS[px:file]="$CODE $(head -c 100 "$O/px-head.body")"
echo "ProxyPass /px/ (no proxy-scgi-pathinfo): GET /px/env -> ${OBS[px:env]}"
echo "ProxyPass /px/ (no proxy-scgi-pathinfo): GET /px/go -> ${OBS[px:go]}"
cases mod_proxy_scgi "$P_APACHE" /pxi compare

# ======================================================================
echo
check "R31 uWSGI was started once for the whole run" eq "$(wc -l <$RUN/starts)" 1
check "R21 no cgi2scgi error line in Apache's error log or fcgiwrap's stderr" \
    all 'hasnt $T/log/apache/apache-error.log "cgi2scgi:"' \
    'hasnt $T/log/nginx-fcgiwrap.log "cgi2scgi:"'
check "no launcher process left at the end" \
    all 'WHY=$(pids_of_exe "$L"); [ -z "$WHY" ]'

PATHS=(apache-cgid nginx-fcgiwrap mod_proxy_scgi)
echo
echo "== results (mod_proxy_scgi: same / differs from what the CGI path gives) =="
res_table RES case 14 16 CASES PATHS col-row
echo
echo "== observations =="
for p in "${PATHS[@]}"; do
	echo "$p:"
	echo "    GET /file (10000 B, send_file):        Transfer-Encoding=${OBS[$p:get-file-te]} Content-Length=${OBS[$p:get-file-cl]}"
	echo "    HEAD /file Content-Length:             ${OBS[$p:head-file-cl]:-none}"
	echo "    GET /big (30 MiB send_file):           ${OBS[$p:big]}"
	echo "    GET /big-gen (30 MiB generator):       ${OBS[$p:big-gen]}"
	echo "    streamed generator:                    ${OBS[$p:stream]}"
	echo "    GET .../p/caf%C3%A9%20au%20lait+1:     ${OBS[$p:path]}"
	echo "    X-Dup sent twice:                      ${OBS[$p:dup]}"
	echo "    HTTP/1.0, no Host, url_for(_external): ${OBS[$p:nohost]}"
done
echo "nginx as shipped: ${OBS[shipped]}"
echo "nginx as shipped: ${OBS[shipped-hdrs]}"
echo "environ keys only behind apache-cgid (cgi2scgi):  $(comm -23 <(cut -d= -f1 $O/apache-cgid-environ.body) <(cut -d= -f1 $O/mod_proxy_scgi-environ.body) | paste -sd' ')"
echo "environ keys only behind mod_proxy_scgi:          $(comm -13 <(cut -d= -f1 $O/apache-cgid-environ.body) <(cut -d= -f1 $O/mod_proxy_scgi-environ.body) | paste -sd' ')"
echo "environ keys only behind nginx-fcgiwrap (cgi2scgi): $(comm -13 <(cut -d= -f1 $O/apache-cgid-environ.body) <(cut -d= -f1 $O/nginx-fcgiwrap-environ.body) | paste -sd' ')"
echo "ProxyPass without proxy-scgi-pathinfo: /px/env -> ${OBS[px:env]}"
echo "                                        /px/go -> ${OBS[px:go]}"
echo "                                      /px/file -> ${OBS[px:file]}"
echo
elapsed
summary
