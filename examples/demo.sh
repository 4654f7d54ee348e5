#!/bin/bash
# cgi2scgi demo: lighttpd on 127.0.0.1:8080 runs cgi-bin/app.cgi, a shebang
# config for cgi2scgi, in front of the hello WSGI app under uWSGI.
#
#   bash examples/demo.sh               the demo starts uWSGI itself
#   bash examples/demo.sh --on-demand   cgi2scgi starts it on the first request
#                                       (the `start` line of app.cgi)
#   PORT=8081 bash examples/demo.sh     another port
#
# It curls the app once, then waits for Ctrl-C (when stdin is a terminal) and
# stops everything it started.  Non-interactive (or DEMO_ONCE=1): it stops at
# once and exits 0 when the answer was right.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
PORT=${PORT:-8080}
on_demand=
case ${1:-} in
--on-demand) on_demand=1 ;;
'') ;;
*) sed -n '2,13s/^# \{0,1\}//p' "$0"; exit 2 ;;
esac
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

if [ -t 1 ]; then
	say() { printf '\033[1m%s\033[0m\n' "$*"; }
else
	say() { printf '%s\n' "$*"; }
fi

# ---- packages and binary ------------------------------------------------------
missing=()
for p in lighttpd uwsgi uwsgi-plugin-python3 musl-tools curl make; do
	dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "demo: please install: ${missing[*]}" >&2
		exit 1
	fi
	say "installing ${missing[*]}"
	apt-get update -qq &&
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends "${missing[@]}" || exit 1
fi
if [ ! -x "$repo/cgi2scgi" ]; then
	say "building cgi2scgi"
	make -C "$repo" || exit 1
fi

# ---- private tree ------------------------------------------------------------------
D=$(mktemp -d /tmp/cgi2scgi-demo.XXXXXX) || exit 1
LPID=
cleanup() {
	local p
	trap - EXIT INT TERM
	echo
	say "stopping"
	if [ -n "$LPID" ]; then
		kill -TERM "$LPID" 2>/dev/null
		wait "$LPID" 2>/dev/null
	fi
	p=$(cat "$D/run/uwsgi.pid" 2>/dev/null)
	if [ -n "$p" ]; then
		kill -TERM "$p" 2>/dev/null
		for _ in $(seq 100); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null
	fi
	rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# everything the web server's user runs or reads lives here (a repository
# under /root would be out of its reach)
mkdir -p "$D/bin" "$D/hello" "$D/cgi-bin" "$D/www" "$D/run" "$D/log"
chmod 755 "$D" "$D/bin" "$D/hello" "$D/cgi-bin" "$D/www"
chmod 777 "$D/run" "$D/log"		# the app may run as www-data (--on-demand)
cp "$repo/cgi2scgi" "$D/bin/cgi2scgi"
cp "$here/hello/app.py" "$here/hello/start.sh" "$D/hello/"
chmod 755 "$D/bin/cgi2scgi" "$D/hello/start.sh"
chmod 644 "$D/hello/app.py"
sed -e "s|@CGI2SCGI@|$D/bin/cgi2scgi|" -e "s|@RUN@|$D/run|g" \
    -e "s|@HELLO@|$D/hello|g" "$here/hello/app.cgi.in" >"$D/cgi-bin/app.cgi"
if [ -n "$on_demand" ]; then
	sed -i 's|^#start = |start = |' "$D/cgi-bin/app.cgi"
fi
chmod 755 "$D/cgi-bin/app.cgi"

port_busy() {
	/usr/bin/python3 -c 'import socket, sys
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()
except OSError:
    sys.exit(1)' "$1"
}
if port_busy "$PORT"; then
	echo "demo: 127.0.0.1:$PORT is in use; try PORT=8081 bash $0" >&2
	exit 1
fi

# ---- the app -------------------------------------------------------------------
if [ -z "$on_demand" ]; then
	say "starting the app: hello/start.sh (uWSGI on $D/run/hello.sock)"
	CGI2SCGI_SOCKET=$D/run/hello.sock HELLO_RUN=$D/run "$D/hello/start.sh" ||
	    exit 1
	for _ in $(seq 200); do
		[ -S "$D/run/hello.sock" ] && break
		sleep 0.05
	done
else
	say "the app is down: cgi2scgi will start it on the first request"
fi

# ---- the web server -------------------------------------------------------------
user=
[ "$(id -u)" = 0 ] && user='server.username = "www-data"
server.groupname = "www-data"'
cat >"$D/lighttpd.conf" <<EOF
server.document-root = "$D/www"
server.bind = "127.0.0.1"
server.port = $PORT
$user
server.errorlog = "$D/log/error.log"
server.modules = ( "mod_alias", "mod_cgi" )
server.stream-request-body = 2
server.stream-response-body = 2
alias.url = ( "/cgi-bin/" => "$D/cgi-bin/" )
\$HTTP["url"] =~ "^/cgi-bin/" {
	cgi.assign = ( ".cgi" => "" )
}
EOF
lighttpd -D -f "$D/lighttpd.conf" >"$D/log/lighttpd.out" 2>&1 </dev/null &
LPID=$!
for _ in $(seq 200); do
	port_busy "$PORT" && break
	sleep 0.05
done

URL=http://127.0.0.1:$PORT/cgi-bin/app.cgi/hello?name=world
echo
say "lighttpd runs $D/cgi-bin/app.cgi:"
sed 's/^/    /' "$D/cgi-bin/app.cgi"
echo
say "URL:  $URL"
say "try:  curl '$URL'"
echo
out=$(curl -sS --max-time 60 "$URL")
rc=$?
echo "$out"
case $out in
*"Hello from a WSGI app behind cgi2scgi"*) ok=0 ;;
*)
	ok=1
	echo "demo: unexpected answer; lighttpd error log:" >&2
	tail -5 "$D/log/error.log" >&2
	;;
esac
[ $rc = 0 ] || ok=1

if [ -t 0 ] && [ -z "${DEMO_ONCE:-}" ]; then
	echo
	say "serving on 127.0.0.1:$PORT; press Ctrl-C to stop"
	wait "$LPID"
fi
exit $ok
