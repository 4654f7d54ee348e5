#!/bin/bash
# bench/e2e.sh CGI2SCGI: end to end through Apache 2.4 (mpm_event), the
# same SCGI app (bench/scgisrv) behind two front ends on one server, and
# Apache's own CGI floor:
#
#   /cgi-bin/app    mod_cgid runs cgi2scgi (a CGI per request)
#   /scgi/          mod_proxy_scgi talks SCGI to the app itself
#   /cgi-bin/relay  mod_cgid runs bench/relay (the minimal relay) -> app
#   /cgi-bin/floor  mod_cgid runs bench/floor (fixed answer, no app)
#
# ab (apache2-utils), no keep-alive, BENCH_E2E_C concurrent clients,
# BENCH_E2E_N requests a run, the four alternated BENCH_E2E_ROUNDS times;
# prints the median requests per second and latency of each and the
# ratios.  About 30 s.  Exits 0 whatever the figures; 1 only if it could
# not run.
set -u
N=${BENCH_E2E_N:-600}
C=${BENCH_E2E_C:-4}
ROUNDS=${BENCH_E2E_ROUNDS:-3}
MODS=/usr/lib/apache2/modules
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$(realpath "${1:-./cgi2scgi}") || exit 1

for t in apache2 ab; do
	command -v $t >/dev/null || { echo "e2e: $t missing"; exit 1; }
done
[ -e $MODS/mod_proxy_scgi.so ] || { echo "e2e: no mod_proxy_scgi"; exit 1; }

T=$(mktemp -d /tmp/cgi2scgi-e2e.XXXXXX) || exit 1
chmod 755 "$T"
APP= APACHE=
cleanup() {
	[ -n "$APACHE" ] && kill "$APACHE" 2>/dev/null && wait "$APACHE" 2>/dev/null
	[ -n "$APP" ] && kill "$APP" 2>/dev/null && wait "$APP" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# a free port: 20000-29999, not answering
busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=$((20000 + $$ % 10000))
while busy $port; do port=$((port + 1)); done

mkdir -p "$T/run" "$T/cgi-bin" "$T/www"
cp "$BIN" "$T/cgi-bin/app"
cp "$HERE/floor" "$HERE/relay" "$T/cgi-bin/"
chmod 755 "$T/cgi-bin/app" "$T/cgi-bin/floor" "$T/cgi-bin/relay"
"$HERE/scgisrv" "$T/app.sock" 2>"$T/app.log" &
APP=$!

{
	for m in mpm_event authz_core cgid alias env proxy proxy_scgi; do
		echo "LoadModule ${m}_module $MODS/mod_$m.so"
	done
	cat <<EOF
ServerRoot "$T"
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile "$T/run/httpd.pid"
DefaultRuntimeDir "$T/run"
ScriptSock "$T/run/cgid.sock"
ErrorLog "$T/error.log"
LogLevel warn
User www-data
Group www-data
KeepAlive Off
StartServers 2
ServerLimit 2
ThreadsPerChild 25
MaxRequestWorkers 50
MinSpareThreads 25
MaxSpareThreads 50
DocumentRoot "$T/www"
<Directory />
	AllowOverride None
	Require all denied
</Directory>
ScriptAlias /cgi-bin/ "$T/cgi-bin/"
<Directory "$T/cgi-bin">
	Options None
	Require all granted
</Directory>
<LocationMatch "^/cgi-bin/(app|relay)">
	SetEnv CGI2SCGI_SOCKET "$T/app.sock"
</LocationMatch>
ProxyPass "/scgi/" "unix:$T/app.sock|scgi://localhost/"
<Location "/scgi/">
	Require all granted
</Location>
EOF
} >"$T/httpd.conf"
apache2 -t -f "$T/httpd.conf" >"$T/test.log" 2>&1 ||
	{ echo "e2e: apache config error:"; cat "$T/test.log"; exit 1; }
apache2 -f "$T/httpd.conf" -DFOREGROUND >"$T/apache.log" 2>&1 &
APACHE=$!
for i in $(seq 100); do busy $port && break; sleep 0.1; done

CGI=http://127.0.0.1:$port/cgi-bin/app/hello
PROXY=http://127.0.0.1:$port/scgi/hello
FLOOR=http://127.0.0.1:$port/cgi-bin/floor
RELAY=http://127.0.0.1:$port/cgi-bin/relay
for u in $CGI $PROXY $FLOOR $RELAY; do
	out=$(ab -q -n 50 -c 2 "$u" 2>&1)	# warm up, and check
	if ! grep -q '^Non-2xx responses' <<<"$out" &&
	    grep -q '^Complete requests: *50$' <<<"$out" &&
	    grep -q '^Failed requests: *0$' <<<"$out"; then
		continue
	fi
	echo "e2e: $u does not answer 200:"
	grep -E 'requests|responses' <<<"$out"
	tail -5 "$T/error.log"
	exit 1
done

# ab once: "RPS MEAN_MS P50_MS" (mean: across all concurrent requests)
run() {
	ab -q -n "$N" -c "$C" "$1" 2>&1 | awk '
		/^Requests per second:/ { rps = $4 }
		/^Time per request:.*\(mean\)$/ { mean = $4 }
		/^Failed requests:/ { failed = $3 }
		/^Non-2xx responses:/ { failed += $3 }
		/^  50%/ { p50 = $2 }
		END { printf "%s %s %s %d\n", rps, mean, p50, failed }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo
echo "end to end: Apache $(apache2 -v | sed -n 's/^Server version: Apache\///p' |
	cut -d' ' -f1) mpm_event, ab -n $N -c $C, no keep-alive, $ROUNDS rounds"
: >"$T/cgi"; : >"$T/proxy"; : >"$T/floor"; : >"$T/relay"
t0=$(date +%s)
for r in $(seq "$ROUNDS"); do
	run $CGI >>"$T/cgi"
	run $PROXY >>"$T/proxy"
	run $RELAY >>"$T/relay"
	run $FLOOR >>"$T/floor"
done
bad=$(cat "$T/cgi" "$T/proxy" "$T/relay" "$T/floor" | awk '{ n += $4 } END { print n + 0 }')
printf '  %-40s %10s %8s\n' "front end (median of rounds)" "req/s" "p50 ms"
for m in cgi proxy relay floor; do
	case $m in
	cgi) name="mod_cgid + cgi2scgi -> app" ;;
	proxy) name="mod_proxy_scgi -> app" ;;
	relay) name="mod_cgid + bench/relay -> app" ;;
	floor) name="mod_cgid + bench/floor (CGI floor)" ;;
	esac
	printf '  %-40s %10s %8s\n' "$name" \
	    "$(cut -d' ' -f1 "$T/$m" | median)" "$(cut -d' ' -f3 "$T/$m" | median)"
done
a=$(cut -d' ' -f1 "$T/cgi" | median)
b=$(cut -d' ' -f1 "$T/proxy" | median)
f=$(cut -d' ' -f1 "$T/floor" | median)
m=$(cut -d' ' -f1 "$T/relay" | median)
awk -v a="$a" -v b="$b" -v f="$f" -v m="$m" 'BEGIN {
	printf "  %-40s %9.3fx\n", "req/s: cgi2scgi / mod_proxy_scgi", a / b
	printf "  %-40s %9.2fx\n", "req/s: cgi2scgi / minimal relay", a / m
	printf "  %-40s %9.2fx\n", "req/s: cgi2scgi / CGI floor", a / f }'
[ "$bad" -gt 0 ] && echo "  $bad requests FAILED (see $T/error.log)"
echo "  ($(( $(date +%s) - t0 )) s; load after: $(cut -d' ' -f1-3 /proc/loadavg))"
exit 0
