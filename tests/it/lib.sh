# The harness of the cgi2scgi integration tests, shared by every suite
# (run.sh, ondemand.sh, matrix.sh, edge.sh).  Source it from bash.
#
# Everything lives in a private directory $T (mktemp -d).  Every background
# process is started with `spawn` and remembered by pid; the EXIT trap kills
# exactly those pids (and launchers still running from our private copy of
# the binary), then removes $T.
#
# A suite starts:
#	set -u
#	. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#	it_bin "${1:-}"		# BIN, PATH
#	need_root "why"; need_pkg PKG...
#	mk_tree; own_launcher	# $T, the EXIT trap, the clock; L
# and ends with `elapsed; summary`.

PY=/usr/bin/python3		# Debian's: uwsgi-plugin-python3 embeds it
IT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

PASSED=0
FAILED=0
SKIPPED=0
FAILS=()
PIDS=()
PIDFILES=()	# pid files of daemons started for us (by a `start` command)
LAUNCHER_EXES=()	# private copies of the binary: stray launchers are killed
EXIT_HOOKS=()	# commands run at exit before the pids are stopped (at_exit)
CGI_PRE=()	# cgi: the command a CGI is run under (none)
APT_UPDATED=
IT_STARTED=$(date +%s)

# ---- preamble ----------------------------------------------------------------

# it_bin [BINARY]: BIN = BINARY (default ./cgi2scgi), absolute (exit 2 if it
# is not executable); export a known PATH
it_bin() {
	BIN=${1:-./cgi2scgi}
	case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
	if [ ! -x "$BIN" ]; then
		echo "no executable binary at $BIN" >&2
		exit 2
	fi
	export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
}

# need_root WHY: exit 2 unless run as root
need_root() {
	[ "$(id -u)" = 0 ] && return 0
	echo "run as root: $1" >&2
	exit 2
}

# ---- packages -------------------------------------------------------------

# need_pkg PKG...: install the missing Debian packages; an `apt-get update`
# that fails (a mirror in sync) does not stop the install from the lists we have
need_pkg() {
	local p missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		    missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "missing packages: ${missing[*]} (not root: cannot install)" >&2
		return 1
	fi
	echo "installing: ${missing[*]}" >&2
	if [ -z "$APT_UPDATED" ]; then
		apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 ||
		    echo "(apt-get update failed; installing from the current lists)" >&2
		APT_UPDATED=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
	    install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# ---- private tree and cleanup ----------------------------------------------

# mk_tree: create $T (world-readable: web server children run as www-data),
# set the EXIT trap, start the clock of `elapsed`
mk_tree() {
	# in /tmp, not $TMPDIR: www-data must reach it and unix socket paths
	# must stay short
	T=$(mktemp -d /tmp/cgi2scgi-it.XXXXXX) || exit 1
	chmod 755 "$T"
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	IT_STARTED=$(date +%s)
}

# elapsed: print "(N s)", the time since mk_tree
elapsed() { echo "($(($(date +%s) - IT_STARTED)) s)"; }

# at_exit CMD: eval CMD at exit, before the remembered pids are stopped
at_exit() { EXIT_HOOKS+=("$1"); }

# own_launcher: L = a private copy of $BIN, $T/bin/cgi2scgi; its processes
# still running at exit are killed
own_launcher() {
	mkdir -p "$T/bin"
	chmod 755 "$T/bin"
	L=$T/bin/cgi2scgi
	cp "$BIN" "$L"
	chmod 755 "$L"
	LAUNCHER_EXES+=("$L")
}

# it_copy MODE FILE...: copy tests/it/FILE... to $T/it with MODE, where
# www-data can read them (helpers it runs: the start command, the apps)
it_copy() {
	local m=$1 f
	shift
	mkdir -p "$T/it"
	chmod 755 "$T/it"
	for f in "$@"; do
		cp "$IT_DIR/$f" "$T/it/$f"
		chmod "$m" "$T/it/$f"
	done
}

# pids_of_exe FILE...: pids of the processes whose executable is one of FILE...
pids_of_exe() {
	local p exe f
	for p in /proc/[0-9]*; do
		exe=$(readlink "$p/exe" 2>/dev/null) || continue
		for f in "$@"; do
			[ "$exe" = "$f" ] && echo "${p#/proc/}"
		done
	done
	return 0
}

# cleanup: the EXIT trap: hooks, then the pids (and pid files) TERM then KILL,
# stray launchers KILL, then $T removed (kept with KEEP=1)
cleanup() {
	local rc=$? p f h
	trap - EXIT INT TERM
	for h in "${EXIT_HOOKS[@]}"; do
		eval "$h"
	done
	for f in "${PIDFILES[@]}"; do
		p=$(cat "$f" 2>/dev/null) && [ -n "$p" ] && PIDS+=("$p")
	done
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		wait_gone "$p" 5 || kill -KILL "$p" 2>/dev/null
	done
	if [ ${#LAUNCHER_EXES[@]} -gt 0 ]; then
		for p in $(pids_of_exe "${LAUNCHER_EXES[@]}"); do
			kill -KILL "$p" 2>/dev/null
		done
	fi
	if [ -n "${T:-}" ] && [ -d "$T" ]; then
		if [ -n "${KEEP:-}" ]; then
			echo "kept $T" >&2
		else
			rm -rf "$T"
		fi
	fi
	exit "$rc"
}

# spawn NAME CMD...: run CMD in the background, output to $T/log/NAME.log;
# sets SPAWNED to its pid and remembers it for cleanup
spawn() {
	local name=$1
	shift
	mkdir -p "$T/log"
	"$@" >>"$T/log/$name.log" 2>&1 </dev/null &
	SPAWNED=$!
	PIDS+=("$SPAWNED")
}

# poll SECONDS CMD...: run CMD every 0.05 s until it succeeds, SECONDS at most
poll() {
	local n=$(($1 * 20))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}

# pid_gone PID: PID no longer exists (a zombie counts as gone, and is reaped)
pid_gone() {
	[ -e "/proc/$1" ] || return 0
	[ "$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null)" = Z ] ||
	    return 1
	wait "$1" 2>/dev/null
	return 0
}

# wait_gone PID SECONDS: wait until PID no longer exists (zombie counts as gone)
wait_gone() { poll "$2" pid_gone "$1"; }

# stop PID: TERM, bounded wait, then KILL
stop() {
	local pid=$1
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	wait_gone "$pid" 10 || { kill -KILL "$pid" 2>/dev/null; wait_gone "$pid" 5; }
	wait "$pid" 2>/dev/null
	local p keep=()
	for p in "${PIDS[@]}"; do
		[ "$p" = "$pid" ] || keep+=("$p")
	done
	PIDS=("${keep[@]}")
	return 0
}

# ---- ports and sockets -------------------------------------------------------

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now
free_port() {
	"$PY" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# free_ports N: N distinct free ports on 127.0.0.1, on one line
free_ports() {
	"$PY" - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

# free_port6: a free port on [::1], or nothing when there is no IPv6 loopback
free_port6() {
	"$PY" -c 'import socket
try:
    s = socket.socket(socket.AF_INET6)
    s.bind(("::1", 0))
    print(s.getsockname()[1])
except OSError:
    pass'
}

# wait_unix PATH SECONDS: until a unix socket at PATH accepts
wait_unix() {
	"$PY" - "$1" "$2" <<'EOF'
import socket, sys, time
path, end = sys.argv[1], time.time() + float(sys.argv[2])
while time.time() < end:
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(path)
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
    finally:
        s.close()
sys.exit(1)
EOF
}

# wait_port HOST PORT SECONDS: until HOST:PORT accepts
wait_port() {
	"$PY" - "$1" "$2" "$3" <<'EOF'
import socket, sys, time
host, port, end = sys.argv[1], int(sys.argv[2]), time.time() + float(sys.argv[3])
while time.time() < end:
    try:
        socket.create_connection((host, port), 1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
EOF
}

# wait_file PATH SECONDS: until PATH exists
wait_file() { poll "$2" test -e "$1"; }

# wait_grep FILE PATTERN SECONDS: until grep -E PATTERN FILE matches
wait_grep() { poll "$3" grep -sEq -- "$2" "$1"; }

# ---- CGIs and clients ------------------------------------------------------

# mkcgi FILE LINE...: FILE is "#!$L" then the lines (a shebang config), mode 755
mkcgi() {
	local f=$1
	shift
	{ echo "#!$L"; printf '%s\n' "$@"; } >"$f"
	chmod 755 "$f"
}

# cgi_run [VAR=value...] CMD...: CMD in a clean environment (PATH,
# GATEWAY_INTERFACE=CGI/1.1, the VARs), killed after ${CGI_TIMEOUT:-60} s
cgi_run() {
	timeout "${CGI_TIMEOUT:-60}" env -i PATH=/usr/bin:/bin \
	    GATEWAY_INTERFACE=CGI/1.1 "$@"
}

# cgi NAME [VAR=value...] -- CMD...: run CMD as a server runs a CGI (cgi_run
# with a GET's variables, then the VARs), under the command in the array
# CGI_PRE if any (e.g. local CGI_PRE=(setpriv ...)); stdin from $STDIN
# (default /dev/null); stdout in $OUTF (default $O/NAME.out), stderr in
# $O/NAME.err, exit status in RC
cgi() {
	local n=$1 envs=()
	shift
	while [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	shift
	cgi_run SERVER_PROTOCOL=HTTP/1.1 REQUEST_METHOD=GET SERVER_NAME=localhost \
	    SERVER_PORT=80 REMOTE_ADDR=127.0.0.1 SCRIPT_NAME=/cgi-bin/t.cgi \
	    "${envs[@]}" "${CGI_PRE[@]}" "$@" <"${STDIN:-/dev/null}" \
	    >"${OUTF:-$O/$n.out}" 2>"$O/$n.err"
	RC=$?
}

# fetch NAME URL [curl args...]: curl URL, ${FETCH_TIMEOUT:-120} s at most:
# body $O/NAME.body, headers $O/NAME.hdr (their CRs removed when
# FETCH_STRIP_CR is set), curl's stderr $O/NAME.curl; sets CODE, CURLRC
# (curl's exit status), SECS (float), EFF (the last URL, after redirects
# followed), RA (Retry-After or empty)
fetch() {
	local n=$1 u=$2 w
	shift 2
	w=$(curl -sS --max-time "${FETCH_TIMEOUT:-120}" -o "$O/$n.body" \
	    -D "$O/$n.hdr" -w '%{http_code} %{time_total} %{url_effective}' \
	    "$@" "$u" 2>"$O/$n.curl")
	CURLRC=$?
	CODE=${w%% *}
	w=${w#* }
	SECS=${w%% *}
	EFF=${w#* }
	if [ -n "${FETCH_STRIP_CR:-}" ] && [ -e "$O/$n.hdr" ]; then
		tr -d '\r' <"$O/$n.hdr" >"$O/$n.hdr0" && mv "$O/$n.hdr0" "$O/$n.hdr"
	fi
	RA=$(sed -n 's/^[Rr]etry-[Aa]fter: *\([0-9]*\).*/\1/p' "$O/$n.hdr" \
	    2>/dev/null | head -1)
}

# fetch_many N NAME URL [curl args...]: N requests at once, each "@i@" of URL
# replaced by 1..N, 60 s at most: $O/NAME-I.body, $O/NAME-I.code (status),
# $O/NAME-I.curl; sets CODES (the N statuses in order, concatenated)
fetch_many() {
	local n=$1 name=$2 u=$3 i p pids=()
	shift 3
	for i in $(seq "$n"); do
		curl -sS --max-time 60 -o "$O/$name-$i.body" -w '%{http_code}' \
		    "$@" "${u//@i@/$i}" >"$O/$name-$i.code" 2>"$O/$name-$i.curl" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p"
	done
	CODES=$(for i in $(seq "$n"); do cat "$O/$name-$i.code"; done)
}

# http_stream NAME PORT PATH: httpc.py checks that 127.0.0.1:PORT PATH
# relays live (its first chunk arrives before the flag $O/flag-NAME that
# lets the app send the second exists); output $O/NAME-stream.out, status RC
http_stream() {
	"$PY" "$IT_DIR/httpc.py" stream "$2" "$3?f=$O/flag-$1" "$O/flag-$1" \
	    >"$O/$1-stream.out" 2>&1
	RC=$?
}

# error_bodies DIR: for 400 500 502 503 504, DIR/CODE is the launcher's whole
# error answer and DIR/CODE.body its body, what a client gets (R20)
error_bodies() {
	local r
	for r in "400 Bad Request" "500 Internal Server Error" "502 Bad Gateway" \
	    "503 Service Unavailable" "504 Gateway Timeout"; do
		printf 'Status: %s\r\nContent-Type: text/plain\r\n\r\n%s\n' "$r" "$r" \
		    >"$1/${r%% *}"
		printf '%s\n' "$r" >"$1/${r%% *}.body"
	done
}

# expect_sha NAME...: $E/sha-NAME = "SIZE SHA256" of $D/NAME (echo.py's /sha)
expect_sha() {
	local f
	for f in "$@"; do
		echo "$(stat -c %s "$D/$f") $(sha256sum <"$D/$f" | cut -d' ' -f1)" \
		    >"$E/sha-$f"
	done
}

# launchers: pids of our private launchers (LAUNCHER_EXES) running now
launchers() { pids_of_exe "${LAUNCHER_EXES[@]}"; }

# nlines FILE: its number of lines (0 when it does not exist)
nlines() { cat "$1" 2>/dev/null | wc -l; }

# ---- assertions ------------------------------------------------------------

# check NAME CMD...: run CMD, count pass/fail
check() {
	local name=$1
	shift
	if "$@"; then
		PASSED=$((PASSED + 1))
		printf 'ok   %s\n' "$name"
	else
		FAILED=$((FAILED + 1))
		FAILS+=("$name")
		printf 'FAIL %s\n' "$name"
		if [ -n "${WHY:-}" ]; then
			printf '     %s\n' "$WHY"
		fi
	fi
	WHY=
}

# skip NAME: count and print a check not run
skip() {
	SKIPPED=$((SKIPPED + 1))
	printf 'skip %s\n' "$1"
}

# assertion helpers: set WHY on failure, for the report
eq() {	# eq GOT WANT
	[ "$1" = "$2" ] && return 0
	WHY="got [$(printf '%s' "$1" | head -c 300 | cat -v)] want [$(printf '%s' "$2" | head -c 300 | cat -v)]"
	return 1
}
same_file() {	# same_file GOT WANT
	cmp -s "$1" "$2" && return 0
	WHY="$1 differs from $2: got [$(head -c 300 "$1" 2>/dev/null | cat -v)]"
	return 1
}
has() {	# has FILE ERE: FILE has a line matching
	grep -Eq -- "$2" "$1" 2>/dev/null && return 0
	WHY="no line matching /$2/ in $1: [$(head -c 400 "$1" 2>/dev/null | cat -v)]"
	return 1
}
hasnt() {	# hasnt FILE ERE
	grep -Eq -- "$2" "$1" 2>/dev/null || return 0
	WHY="unexpected line /$2/ in $1: [$(grep -E -- "$2" "$1" | head -3 | cat -v)]"
	return 1
}
all() {	# all 'CMD1' 'CMD2' ...: every command string succeeds
	local c
	for c in "$@"; do
		eval "$c" || return 1
	done
	return 0
}

complete() {	# complete NAME: the last fetch got a whole response (curl exit 0)
	[ "$CURLRC" = 0 ] && return 0
	WHY="curl exit $CURLRC: $(head -c 200 "$O/$1.curl")"
	return 1
}
env_line() {	# env_line NAME LINE: $O/NAME.body has the line LINE
	grep -qxF -- "$2" "$O/$1.body" && return 0
	WHY="no line [$2] in $1: $(head -c 300 "$O/$1.body" | tr '\n' '|')"
	return 1
}
stream_ok() {	# stream_ok NAME: the last httpc.py (http_stream) succeeded (RC)
	[ "$RC" = 0 ] && return 0
	WHY=$(head -c 300 "$O/$1.out")
	return 1
}
alive() {	# alive PID: PID is a running process
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null && return 0
	WHY="process '$1' is gone"
	return 1
}
pid_alive() {	# pid_alive FILE: FILE names a running process
	local p
	p=$(cat "$1" 2>/dev/null)
	alive "$p" && return 0
	WHY="pid file $1 [${p:-missing}] names no running process"
	return 1
}
no_launchers_left() {	# no_launchers_left SECONDS: bounded wait for none left
	local n=$(($1 * 10)) left
	while [ "$n" -gt 0 ]; do
		left=$(launchers)
		[ -z "$left" ] && return 0
		sleep 0.1
		n=$((n - 1))
	done
	WHY="launcher processes still running: $(for p in $left; do
	    tr '\0' ' ' </proc/$p/cmdline; echo -n "(pid $p) "; done)"
	return 1
}

# trap_mark [NAME], then trap_same [NAME]: the listener NAME (default trap:
# start_raw trap), whose events are in $T/log/NAME.events ("conn" lines), got
# no connection in between
trap_count() { grep -c '^conn' "$T/log/${1:-trap}.events" 2>/dev/null; }
trap_mark() { printf -v "TRAP0_${1:-trap}" %s "$(trap_count "${1:-trap}")"; }
trap_same() {
	local name=${1:-trap} n m
	m=TRAP0_$name
	n=$(trap_count "$name")
	[ "$n" = "${!m}" ] && return 0
	WHY="the $name listener got $((n - ${!m})) connection(s): $(grep '^conn' \
	    "$T/log/$name.events" | tail -n $((n - ${!m})) | head -3 | tr '\n' '|')"
	return 1
}

# res_table ARRAY LABEL W0 W ROWS COLS [KEY]: print a table of the
# associative array named ARRAY: a head line, LABEL then each name of the
# array named COLS, then a line per name of the array named ROWS: the name,
# then per column ARRAY[ROW:COL] (KEY col-row: ARRAY[COL:ROW]), "-" where
# unset; the first column W0 wide, the others W
res_table() {
	local -n rt_a=$1 rt_rows=$5 rt_cols=$6
	local label=$2 w0=$3 w=$4 key=${7:-row-col} r c
	printf '%-*s' "$w0" "$label"
	for c in "${rt_cols[@]}"; do printf '%-*s' "$w" "$c"; done
	echo
	for r in "${rt_rows[@]}"; do
		printf '%-*s' "$w0" "$r"
		for c in "${rt_cols[@]}"; do
			if [ "$key" = col-row ]; then
				printf '%-*s' "$w" "${rt_a[$c:$r]:--}"
			else
				printf '%-*s' "$w" "${rt_a[$r:$c]:--}"
			fi
		done
		echo
	done
}

# summary: the "N passed, N failed" line (and what failed); false if any did
summary() {
	echo
	if [ "$SKIPPED" -gt 0 ]; then
		echo "($SKIPPED skipped)"
	fi
	if [ "$FAILED" -gt 0 ]; then
		printf 'failed: %s\n' "${FAILS[@]}"
	fi
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

# ---- app state directories (ondemand, deploy, idle, hostile) ---------------------

# appdir NAME: a fresh state dir $T/a/NAME, writable by www-data; sets A
appdir() {
	A=$T/a/$1
	mkdir -p "$A"
	chmod 777 "$A"
}
starts() { nlines "$A/starts"; }	# runs of the start command of app dir $A
nstarts() {	# nstarts WANT: the start command of app dir $A ran WANT times
	local n
	n=$(starts)
	[ "$n" = "$1" ] && return 0
	WHY="start ran $n times, want $1"
	return 1
}
code_is() {	# code_is NAME WANT: the last fetch (NAME) got HTTP WANT
	[ "$CODE" = "$2" ] && return 0
	WHY="HTTP $CODE, want $2: $(head -c 200 "$O/$1.body" 2>/dev/null | cat -v)"
	return 1
}
# kill_apps: kill -KILL each pid listed in the app dirs' "pids" and "app.pid"
# files whose command line still names our private tree (a pid reused by
# another process since is left alone); for at_exit
kill_apps() {
	local f p
	for f in "$T"/a/*/pids "$T"/a/*/app.pid; do
		[ -f "$f" ] || continue
		for p in $(cat "$f" 2>/dev/null); do
			case $p in *[!0-9]* | '') continue ;; esac
			tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | grep -qF "$T/" &&
			    kill -KILL "$p" 2>/dev/null
		done
	done
	return 0
}
