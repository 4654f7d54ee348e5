#!/bin/bash
# Shared hosts are hostile (issue 10): each hazard reproduced as the CGI's
# user (www-data), with another real user as the neighbour (the system user
# cgi2scgi-nb, created when missing and kept), directly as a CGI and, where
# what the client sees matters, through lighttpd (mod_cgi) and Apache 2.4
# (mod_cgid).
#
#   bash tests/it/hostile.sh [BINARY]        (default ./cgi2scgi)
#   KEEP=1 bash tests/it/hostile.sh ...      keep the private directory
#
# 1 R31  a lock file planted by the neighbour (forged records), a lock file
#        of our own that others may write, a log path that is the
#        neighbour's symlink
# 2 R40  a 'started PID' record believed only until its own deadline
# 3 R17  a chunked upload that stalls
# 4 R35a the launcher run with fd 0, 1 or 2 closed; --start >&- 2>&-
# 5 R4   a NUL byte in a config, a config past 16 KiB in all, a
#        CGI2SCGI_SOCKET given twice
# 6 R6   --check warns about shared directories
# 7 R10/R21 20,000 variables; a stdout nobody reads
#
# The lock and log hazards use a 0777 directory that both users can write
# ($T/shared): with a 1777 one, the kernel's fs.protected_regular and
# fs.protected_symlinks (when set) would refuse the open before the
# launcher could look, hiding what is tested.  The 16 KiB limit counts the
# config text and the paths joined from it (R4), so the same 16,100-byte
# file is run from a short directory (it fits) and a deep one (it does not).
# About 10 s.  Ends with "N passed, N failed"; exits non-zero if any
# failed.  Every process is stopped by pid; the neighbour's files are
# removed at the end.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$IT_DIR/servers.sh"

it_bin "${1:-}"
need_root "the CGIs run as www-data, the neighbour as another user"
need_pkg lighttpd apache2 curl python3 util-linux passwd || exit 2

NB=cgi2scgi-nb			# the neighbour
if ! id "$NB" >/dev/null 2>&1; then
	useradd --system --user-group --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin "$NB" || exit 2
fi
CU=www-data			# the CGI's user
CU_UID=$(id -u $CU)
CU_GID=$(id -g $CU)

mk_tree
own_launcher			# L, the launcher, as shebang lines name it
# the neighbour's files go at exit, even with KEEP=1
at_exit 'find "$T" -depth -user "$NB" -delete 2>/dev/null'

O=$T/out			# what each run wrote
E=$T/expect			# expected bytes
CGI=$T/cgi-bin			# served by lighttpd and Apache
SH=$T/shared			# 0777: both users write here
mkdir -p "$T/run" "$T/a" "$CGI" "$T/www" "$T/log" "$O" "$E" "$SH" "$T/s1777" \
    "$T/wd"
chmod 755 "$T/run" "$T/a" "$CGI" "$T/www" "$O"
chmod 777 "$T/log" "$SH"
chmod 1777 "$T/s1777"
chown "$CU:" "$T/wd"
chmod 700 "$T/wd"
# the app runs as the CGI's user too: with the module it imports
it_copy 644 hostile-app.py scgi_server.py hostile-exec.py rawexec.py
APP=$T/it/hostile-app.py
error_bodies "$E"
FETCH_TIMEOUT=20		# fetch (lib.sh's): curl's --max-time

# ---- helpers -------------------------------------------------------------------

CU_EXEC=(setpriv --reuid="$CU_UID" --regid="$CU_GID" --clear-groups)
as_cu() { timeout 30 "${CU_EXEC[@]}" "$@"; }	# as the CGI's user, 30 s at most
cu_check() { as_cu env -i PATH=/usr/bin:/bin "$@"; }	# ... in a clean environment
as_nb() { runuser -u "$NB" -- "$@"; }

# appdir NAME: A = $T/a/NAME, the CGI user's own directory (0700); the pid
# file of an app started there is stopped at exit
appdir() {
	A=$T/a/$1
	mkdir -p "$A"
	chown "$CU:" "$A"
	chmod 700 "$A"
	PIDFILES+=("$A/app.pid")
}

# cfg FILE LINE...: a shebang config "#!$L" then the lines, the CGI user's, 0755
cfg() {
	local f=$1
	shift
	{ echo "#!$L"; printf '%s\n' "$@"; } >"$f"
	chown "$CU:" "$f"
	chmod 755 "$f"
}

# start lines for app dir $A: a real app (hostile-app.py NAME on
# CGI2SCGI_SOCKET), or a start that fails; each run counted in $A/starts
app_start() {
	echo "start = echo run >>$A/starts; echo started-by-launcher; echo \$\$ >$A/app.pid; exec $PY $APP --name $1 --log $A/app.events --listen \"\$CGI2SCGI_SOCKET\""
}
fail_start() { echo "start = echo run >>$A/starts; exit 1"; }
runs() { cat "$A/starts" 2>/dev/null | wc -l; }
nruns() {	# nruns WANT: start ran WANT times in $A
	local n
	n=$(runs)
	[ "$n" = "$1" ] && return 0
	WHY="start ran $n time(s), want $1"
	return 1
}

# forged_lock NAME AS RECORD WHAT LINE...: app dir NAME, socket S=$SH/NAME.sock
# whose lock file AS (as_nb, as_cu) created first, mode 0666, holding "EPOCH
# RECORD" (copied to $O/NAME.lock0); $CGI/NAME.cgi (the socket, app_start,
# the LINEs) run once, what it did printed as WHAT's
forged_lock() {
	local n=$1 as=$2 rec=$3 what=$4
	shift 4
	appdir "$n"
	S=$SH/$n.sock
	"$as" sh -c 'printf "%s %s\n" "$1" "$2" >"$3" && chmod 666 "$3"' sh \
	    "$(date +%s)" "$rec" "$S.lock"
	cp "$S.lock" "$O/$n.lock0"
	cfg "$CGI/$n.cgi" "socket = $S" "$(app_start "$n")" "$@"
	run "$n" -- "$CGI/$n.cgi"
	ran "$n" "$what"
}

# stop the app of app dir $A (by the pid it wrote), if any
stop_app() {
	local p
	p=$(cat "$A/app.pid" 2>/dev/null)
	[ -n "$p" ] && stop "$p"
	return 0
}

now_f() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now_f)" 'BEGIN { printf "%.2f", b - a }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# run NAME [VAR=value...] -- CMD...: lib.sh's cgi (stdin $STDIN, stdout
# ${OUTF:-$O/NAME.out}, stderr $O/NAME.err), CMD as the CGI's user; with
# CLOSE=0, 1 or 2 that descriptor is closed just before CMD is executed.
# Killed after ${BOUND:-30} s (RC 124).  Sets RC, SECS.
run() {
	local CGI_PRE=("${CU_EXEC[@]}") t0
	case ${CLOSE:-} in
	0) CGI_PRE+=(/bin/sh -c 'exec "$@" 0<&-' sh) ;;
	1) CGI_PRE+=(/bin/sh -c 'exec "$@" 1>&-' sh) ;;
	2) CGI_PRE+=(/bin/sh -c 'exec "$@" 2>&-' sh) ;;
	2to1) CGI_PRE+=(/bin/sh -c 'exec "$@" 2>&1' sh) ;;	# one pipe
	alrm) CGI_PRE+=("$PY" -c 'import os, signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
os.execv(sys.argv[1], sys.argv[1:])') ;;	# SIGALRM blocked
	esac
	t0=$(now_f)
	CGI_TIMEOUT=${BOUND:-30} cgi "$@"
	SECS=$(since "$t0")
}
# ran NAME WHAT: print what the last run NAME did
ran() { echo "   $2: exit $RC after $SECS s: $(head -1 "$O/$1.out" | cat -v)"; }

ra_ok() {	# ra_ok VALUE MAX: a Retry-After of 1..MAX
	[ -n "$1" ] && [ "$1" -ge 1 ] && [ "$1" -le "$2" ] && return 0
	WHY="Retry-After [$1], want 1..$2"
	return 1
}
# is503 FILE MAX: FILE is the launcher's whole 503 answer, Retry-After 1..MAX
is503() {
	local ra
	ra=$(sed -n 's/^Retry-After: \([0-9]*\)\r$/\1/p' "$1")
	ra_ok "$ra" "$2" || return 1
	printf 'Status: 503 Service Unavailable\r\nRetry-After: %s\r\nContent-Type: text/plain\r\n\r\n503 Service Unavailable\n' \
	    "$ra" >"$1.want"
	same_file "$1" "$1.want"
}
# log_is NAME TAG WHAT: $O/NAME.err is exactly one line "cgi2scgi: TAG: WHAT"
# (TAG and WHAT extended regexps)
log_is() {
	local n
	n=$(wc -l <"$O/$1.err")
	if [ "$n" = 1 ] && grep -Eq -- "^cgi2scgi: $2: $3\$" "$O/$1.err"; then
		return 0
	fi
	WHY="stderr ($n lines), want one line 'cgi2scgi: $2: $3': [$(head -c 300 "$O/$1.err" | tr '\n' '|' | cat -v)]"
	return 1
}
rc_is() {	# rc_is WANT
	[ "$RC" = "$1" ] && return 0
	WHY="exit status $RC, want $1$([ "$RC" = 124 ] && echo ' (killed by the bound)')"
	return 1
}
fast() {	# fast BOUND: SECS < BOUND
	lt "$SECS" "$1" && return 0
	WHY="took $SECS s, bound $1 s"
	return 1
}
re() { printf '%s' "$1" | sed 's/[].[*^$()+?{}|\\/]/\\&/g'; }	# ERE-quoted

# listen NAME ADDR [--trap]: hostile-app.py (as root; socket 0666), events
# in $T/log/NAME.events; its pid in NAME_PID
listen() {
	local name=$1 addr=$2
	shift 2
	spawn "$name" "$PY" "$APP" --name "$name" --log "$T/log/$name.events" \
	    --listen "$addr" "$@"
	eval "${name}_PID=$SPAWNED"
	wait_grep "$T/log/$name.events" '^ready' 20 ||
	    { echo "$name did not start:"; tail -5 "$T/log/$name.log"; exit 1; }
}

# ---- servers and listeners ------------------------------------------------------
read -r LPORT APORT <<<"$(free_ports 2)"
echo "private dir $T; binary $BIN; neighbour $NB ($(id -u $NB)), CGI user $CU ($CU_UID)"
echo "fs.protected_regular=$(cat /proc/sys/fs/protected_regular 2>/dev/null) fs.protected_symlinks=$(cat /proc/sys/fs/protected_symlinks 2>/dev/null)"
listen trap "$T/run/trap.sock" --trap	# must never be contacted
listen obs "$T/run/obs.sock"		# a running app that records everything
OBSEV=$T/log/obs.events
start_lighttpd "$LPORT" || exit 1
start_apache "$APORT" || exit 1
LU=http://127.0.0.1:$LPORT/cgi-bin
AU=http://127.0.0.1:$APORT/cgi-bin
LERR=$T/log/lighttpd-cgi-stderr.log
AERR=$T/log/apache-error.log
echo "servers up: lighttpd :$LPORT, apache :$APORT"

# ====================================================================================
echo
echo "== 1. the neighbour's lock file, a lock others may write, the neighbour's log link (R31) =="

# 1a: a lock file the neighbour created first (0666) with a forged failure
forged_lock f1 as_nb "failed 0" "neighbour's lock, forged 'EPOCH failed 0'" \
    "start_timeout = 3" "retry_after = 10" "timeout = 5"
check "R31 neighbour's lock file (0666, forged 'EPOCH failed 0'): exactly the 500 answer" \
    same_file "$O/f1.out" "$E/500"
check "R31/R21 ... one log line 'cgi2scgi: FILE: lock file not ours'" \
    log_is f1 "$(re "$CGI/f1.cgi")" "lock file not ours"
check "R31 ... start never ran, the lock file left as the neighbour wrote it" \
    all 'nruns 0' 'same_file "$S.lock" "$O/f1.lock0"' \
    'eq "$(stat -c %U "$S.lock")" "$NB"'
fetch f1l "$LU/f1.cgi/x"
echo "   lighttpd: HTTP $CODE after $SECS s"
check "R31/R20 lighttpd: the client gets HTTP 500, body exactly '500 Internal Server Error'" \
    all 'code_is f1l 500' 'same_file "$O/f1l.body" "$E/500.body"' 'nruns 0'
check "R21 lighttpd: 'lock file not ours' in the server's CGI error log" \
    has "$LERR" "cgi2scgi: $(re "$CGI/f1.cgi"): lock file not ours"
stop_app

# 1b: the same with a forged start under way
forged_lock f2 as_nb "started 12345" \
    "neighbour's lock, forged 'EPOCH started 12345'" \
    "start_timeout = 3" "retry_after = 10" "timeout = 5"
check "R31 neighbour's lock file (0666, forged 'EPOCH started 12345'): exactly the 500 answer" \
    same_file "$O/f2.out" "$E/500"
check "R31/R21 ... one log line 'lock file not ours'" \
    log_is f2 "$(re "$CGI/f2.cgi")" "lock file not ours"
fetch f2a "$AU/f2.cgi/x"
echo "   apache: HTTP $CODE after $SECS s"
check "R31/R20 apache: the client gets HTTP 500, body exactly '500 Internal Server Error'; start never ran" \
    all 'code_is f2a 500' 'same_file "$O/f2a.body" "$E/500.body"' 'nruns 0'
check "R21 apache: 'lock file not ours' in Apache's error log" \
    has "$AERR" "cgi2scgi: $(re "$CGI/f2.cgi"): lock file not ours"
stop_app

# 1c: our own lock file, but mode 0666
forged_lock own as_cu "started 0" "own lock file, mode 0666" \
    "start_timeout = 3" "timeout = 5"
check "R31 a lock file of the CGI's own user but mode 0666: exactly the 500 answer, start never ran" \
    all 'same_file "$O/own.out" "$E/500"' 'nruns 0'
check "R31/R21 ... one log line 'lock file writable by group or others'" \
    log_is own "$(re "$CGI/own.cgi")" "lock file writable by group or others"
stop_app

# 1d: log = a path where the neighbour put a symlink to a file of ours
echo precious >"$T/wd/precious"
chown "$CU:" "$T/wd/precious"
chmod 600 "$T/wd/precious"
cp "$T/wd/precious" "$O/precious0"
as_nb ln -s "$T/wd/precious" "$SH/start.log"
appdir sym1
cfg "$CGI/sym1.cgi" "socket = $A/app.sock" "$(app_start sym1)" \
    "log = $SH/start.log" "start_timeout = 3" "retry_after = 10" "timeout = 5"
run sym1 -- "$CGI/sym1.cgi"
ran sym1 "log is the neighbour's symlink"
check "R31 log path is the neighbour's symlink to a file of ours: 503 with Retry-After (1..10)" \
    is503 "$O/sym1.out" 10
check "R31/R21 ... one log line 'cannot open log: ELOOP'" \
    log_is sym1 "$(re "$CGI/sym1.cgi")" "cannot open log: ELOOP"
check "R31 ... the symlink's target not written, start never ran" \
    all 'same_file "$T/wd/precious" "$O/precious0"' 'nruns 0'
stop_app
appdir sym2
cfg "$CGI/sym2.cgi" "socket = $A/app.sock" "$(app_start sym2)" \
    "log = $SH/start.log" "start_timeout = 3" "retry_after = 10" "timeout = 5"
fetch sym2 "$LU/sym2.cgi/x"
echo "   lighttpd, same log link: HTTP $CODE after $SECS s, Retry-After $RA"
check "R31/R20 lighttpd: the client gets HTTP 503, Retry-After 1..10, body exactly '503 Service Unavailable'" \
    all 'code_is sym2 503' 'ra_ok "$RA" 10' 'same_file "$O/sym2.body" "$E/503.body"'
check "R31 lighttpd: 'cannot open log: ELOOP' logged; the target still not written, start never ran" \
    all 'has "$LERR" "cgi2scgi: $(re "$CGI/sym2.cgi"): cannot open log: ELOOP"' \
    'same_file "$T/wd/precious" "$O/precious0"' 'nruns 0'
stop_app

# ====================================================================================
echo
echo "== 2. a 'started PID' record is believed until its own deadline only (R40) =="
appdir r40
cfg "$CGI/r40.cgi" "socket = $A/app.sock" "$(app_start r40)" "start_timeout = 4" \
    "retry_after = 10" "timeout = 10"
as_cu sh -c 'umask 077; printf "%s started 12345\n" "$1" >"$2"' sh \
    "$(($(date +%s) - 3))" "$A/app.sock.lock"
check "R40 (setup) the record is the CGI user's own, mode 0600" \
    eq "$(stat -c %U:%a "$A/app.sock.lock")" "$CU:600"
fetch r40 "$LU/r40.cgi/x"
echo "   record 'EPOCH-3 started 12345', start_timeout 4, app down: HTTP $CODE after $SECS s"
check "R40 lighttpd: record 3 s old, start_timeout 4: the request starts the app itself: 200 from it" \
    all 'code_is r40 200' 'has "$O/r40.body" "^hello from r40 pid [0-9]+$"'
check "R40 ... start ran once, the record settled ('EPOCH started 0 0 0')" \
    all 'nruns 1' 'has "$A/app.sock.lock" "^[0-9]+ started 0 0 0$"'
check "R40 ... answered within 4 s (not start_timeout of waiting, then a 503)" fast 4
stop_app

# ====================================================================================
echo
echo "== 3. a chunked upload that stalls (R17) =="
appdir chunk
cfg "$A/chunk.cgi" "socket = $T/run/trap.sock" "timeout = 2"
mkfifo "$O/up.fifo"
spawn upw /bin/sh -c 'exec 3>"$1"; printf abc >&3; exec sleep 40' sh "$O/up.fifo"
upw=$SPAWNED
trap_mark
STDIN=$O/up.fifo BOUND=10 run chunk REQUEST_METHOD=POST \
    HTTP_TRANSFER_ENCODING=chunked -- "$A/chunk.cgi"
ran chunk "3 bytes then a stall, timeout = 2"
check "R17 chunked upload (no CONTENT_LENGTH) stalled after 3 bytes, timeout 2: exactly the 504 answer" \
    same_file "$O/chunk.out" "$E/504"
check "R17 ... the launcher exits within 10 s (exit 1)" rc_is 1
check "R17/R21 ... one log line 'timeout: the client stopped sending'" \
    log_is chunk "$(re "$A/chunk.cgi")" "timeout: the client stopped sending"
check "R17 ... the app is never contacted (trap listener)" trap_same
stop "$upw"

# ====================================================================================
echo
echo "== 4. descriptors 0, 1, 2 closed (R35a) =="
appdir fds
cfg "$A/obs.cgi" "socket = $T/run/obs.sock" "timeout = 5"
CLOSE=1 run fd1 PATH_INFO=/fd1 -- "$A/obs.cgi"
wait_grep "$OBSEV" "^done name=obs path=/fd1 " 10	# the app logs once we are gone
ev=$(grep ' path=/fd1 ' "$OBSEV" | tr '\n' '|')
echo "   fd 1 closed: exit $RC; app saw: $ev"
check "R35a fd 1 closed: the app sees a normal request and answers (exit 0)" \
    all 'rc_is 0' 'has "$OBSEV" "^conn name=obs pid=[0-9]+ path=/fd1 cl=0 "' \
    'has "$OBSEV" "^done name=obs path=/fd1 body=0 "'
check "R35a fd 1 closed: the response is not written back into the app's socket" \
    has "$OBSEV" "^done name=obs path=/fd1 body=0 after=0 first=-$"
CLOSE=0 run fd0 PATH_INFO=/fd0 -- "$A/obs.cgi"
wait_grep "$OBSEV" "^done name=obs path=/fd0 " 10
echo "   fd 0 closed: exit $RC: $(tail -1 "$O/fd0.out")"
check "R35a fd 0 closed: a GET works (200 relayed, exit 0)" \
    all 'rc_is 0' 'has "$O/fd0.out" "^hello from obs pid [0-9]+$"'
check "R35a fd 0 closed: the app sees CONTENT_LENGTH 0 and no body" \
    all 'has "$OBSEV" "^conn name=obs pid=[0-9]+ path=/fd0 cl=0 "' \
    'has "$OBSEV" "^done name=obs path=/fd0 body=0 after=0 "'

appdir fd2
cfg "$A/fd2.cgi" "socket = $A/app.sock" "$(fail_start)" "retry_after = 600" \
    "start_timeout = 3" "timeout = 5"
for i in 1 2 3 4; do
	CLOSE=2 run "fd2-$i" -- "$A/fd2.cgi"
done
echo "   fd 2 closed, failing start, 4 requests: starts $(runs); lock: [$(head -c 200 "$A/app.sock.lock" | tr '\n' '|' | cat -v)]"
check "R35a fd 2 closed, start failing, retry_after 600: 4 requests, each a 503, exactly 1 start" \
    all 'nruns 1' 'for i in 1 2 3 4; do is503 "$O/fd2-$i.out" 600 || return 1; done'
check "R35a/R32 ... the lock record still parses: one line '^EPOCH failed 0 1 0\$'" \
    all 'eq "$(wc -l <"$A/app.sock.lock")" 1' 'has "$A/app.sock.lock" "^[0-9]+ failed 0 1 0$"'

appdir cli
cfg "$A/app.cgi" "socket = $A/app.sock" "$(app_start cli)" "start_timeout = 10"
(cd "$A" && cu_check /bin/sh -c 'exec ./app.cgi --start >&- 2>&-')
RC=$?
echo "   ./app.cgi --start >&- 2>&-: exit $RC; starts $(runs)"
check "R35a ./app.cgi --start >&- 2>&-: exit 0, the app up (accepts), start ran once" \
    all 'rc_is 0' 'wait_unix "$A/app.sock" 5 || { WHY="$A/app.sock does not accept"; false; }' \
    'nruns 1'
stop_app

# ====================================================================================
echo
echo "== 5. config files: a NUL byte, past 16 KiB in all; a variable given twice (R4) =="
appdir nul
printf '#!%s\nsocket = %s\n# a comment with a NUL \000 in it\n%s\ndirectory = %s\ntimeout = 5\n' \
    "$L" "$A/app.sock" "$(app_start nul)" "$A" >"$A/nul.cgi"
chown "$CU:" "$A/nul.cgi"
chmod 755 "$A/nul.cgi"
run nul -- "$A/nul.cgi"
echo "   NUL byte on line 3: exit $RC: $(head -1 "$O/nul.out" | cat -v); $(cat -v "$O/nul.err" | head -1)"
check "R4 a NUL byte on line 3, more lines after it: exactly the 500 answer, start never ran" \
    all 'same_file "$O/nul.out" "$E/500"' 'nruns 0'
check "R4/R21 ... one log line 'cgi2scgi: FILE:3: NUL byte'" \
    log_is nul "$(re "$A/nul.cgi"):3" "NUL byte"
(cd "$A" && cu_check ./nul.cgi --check) >"$O/nulc.out" 2>"$O/nulc.err"
RC=$?
check "R4/R6 ... --check exits non-zero, naming line 3" \
    all '[ "$RC" != 0 ] || { WHY="exit 0: $(cat "$O/nulc.out" | tr "\n" "|")"; false; }' \
    'has "$O/nulc.err" "nul\.cgi:3: NUL byte"'

# a config of 16,100 bytes (comments, a start line, a relative directory
# line): in a short directory its text and the paths joined from it fit the
# 16 KiB store, and start runs in the directory named; the same text in a
# deep directory (a hosting panel's home) passes 16 KiB in all: the file's
# path, the directory joined to it, the lock path joined to the socket
appdir big
deep=$A/home/clients/c0123456789/sites/www.example-hosting-customer.com/public_html/apps/shop-frontend-production/releases/current/cgi-bin
mkdir -p "$A/run" "$A/app" "$deep/app"
chown -R "$CU:" "$A"
for d in "$A" "$deep"; do
	"$PY" - "$d/big.cgi" "$L" "$A" <<'EOF'
import sys
f, l, a = sys.argv[1:4]
head = ("#!%s\nsocket = %s/run/app.sock\nstart = pwd >>%s/cwds; exit 1\n"
        "retry_after = 0\n" % (l, a, a))
tail = "directory = app\n"
com = "# " + "-" * 77 + "\n"
n = 16100 - len(head) - len(tail)
body = com * (n // len(com))
if n > len(body):
    body += "#" * (n - len(body) - 1) + "\n"
txt = head + body + tail
assert len(txt) == 16100, len(txt)
open(f, "w").write(txt)
EOF
	chown "$CU:" "$d/big.cgi"
	chmod 755 "$d/big.cgi"
done
# what the store must hold: the text and its NUL, the file's path, DIR/app,
# SOCKET.lock (each with its NUL)
sock=$A/run/app.sock
need=$((16101 + ${#deep} + 9 + ${#deep} + 5 + ${#sock} + 6))
run big -- "$A/big.cgi"
echo "   16,100 bytes in $A: exit $RC: $(head -1 "$O/big.out" | cat -v); start ran in [$(tr '\n' ' ' <"$A/cwds" 2>/dev/null)]"
check "R4 a 16,100-byte config whose joined paths fit 16 KiB: start runs once, in the directory named (directory = app)" \
    all 'is503 "$O/big.out" 1' 'eq "$(cat "$A/cwds" 2>/dev/null)" "$A/app"'
run bigdeep -- "$deep/big.cgi"
echo "   the same 16,100 bytes in a ${#deep}-byte directory ($need bytes in all): exit $RC: $(head -1 "$O/bigdeep.out" | cat -v); $(cat -v "$O/bigdeep.err" | head -1)"
check "R4 the same config in a deep directory ($need bytes in all, over 16,384): exactly the 500 answer" \
    same_file "$O/bigdeep.out" "$E/500"
check "R4/R21 ... one log line naming the limit 'config too big (16 KiB in all)'" \
    log_is bigdeep "$(re "$deep/big.cgi")(:[0-9]+)?" "config too big \\(16 KiB in all\\)"
check "R4 ... never a start, in any directory" \
    eq "$(tr '\n' ' ' <"$A/cwds" 2>/dev/null)" "$A/app "
cu_check "$deep/big.cgi" --check >"$O/bigc.out" 2>"$O/bigc.err"
RC=$?
check "R4/R6 ... \$deep/big.cgi --check (the path the server runs) exits non-zero, naming the limit" \
    all '[ "$RC" != 0 ] || { WHY="exit 0: $(tail -2 "$O/bigc.out" | tr "\n" "|")"; false; }' \
    'has "$O/bigc.err" "config too big \(16 KiB in all\)"'
# not asserted: from its own directory (the README's ./app.cgi --check) the
# joined paths are shorter, so the same file may pass there
(cd "$deep" && cu_check ./big.cgi --check) >"$O/bigcr.out" 2>"$O/bigcr.err"
echo "   note: (cd \$deep; ./big.cgi --check) exits $?: $(tail -1 "$O/bigcr.out")$(head -1 "$O/bigcr.err")"

# CGI2SCGI_SOCKET twice: the first wins (as for the SCGI header, R10)
trap_mark
as_cu "$PY" "$T/it/rawexec.py" "$L" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET \
    SCRIPT_NAME=/cgi-bin/cgi2scgi PATH_INFO=/dup "CGI2SCGI_SOCKET=$T/run/obs.sock" \
    "CGI2SCGI_SOCKET=$T/run/trap.sock" CGI2SCGI_TIMEOUT=5 \
    </dev/null >"$O/dup.out" 2>"$O/dup.err"
RC=$?
echo "   CGI2SCGI_SOCKET=obs then =trap: exit $RC: $(tail -1 "$O/dup.out")"
check "R4/R2 CGI2SCGI_SOCKET twice in the environment: the first wins (its app answers)" \
    all 'rc_is 0' 'has "$O/dup.out" "^hello from obs pid [0-9]+$"' \
    'has "$OBSEV" "^conn name=obs pid=[0-9]+ path=/dup "'
check "R4/R2 ... the second socket (trap) is never contacted" trap_same
trap_mark
as_cu "$PY" "$T/it/hostile-exec.py" "$L" --check -- PATH=/usr/bin:/bin \
    "CGI2SCGI_SOCKET=$T/run/obs.sock" "CGI2SCGI_SOCKET=$T/run/trap.sock" \
    </dev/null >"$O/dupc.out" 2>"$O/dupc.err"
RC=$?
check "R4/R6 ... and for --check: prints the first, 'app: accepting', exit 0, trap untouched" \
    all 'rc_is 0' 'has "$O/dupc.out" "^socket = $(re "$T/run/obs.sock")$"' \
    'hasnt "$O/dupc.out" "trap\.sock"' 'has "$O/dupc.out" "^app: accepting$"' \
    trap_same

# ====================================================================================
echo
echo "== 6. --check warns about directories others may write (R6) =="
appdir r6
cfg "$A/s1777.cgi" "socket = $T/s1777/app.sock" "log = $T/s1777/start.log" "start = true"
cfg "$A/s0777.cgi" "socket = $SH/r6.sock" "log = $SH/r6.log" "start = true"
cfg "$A/priv.cgi" "socket = $A/app.sock" "log = $A/start.log" "start = true"
for r6 in s1777 s0777 priv; do
	(cd "$A" && cu_check "./$r6.cgi" --check) >"$O/r6-$r6.out" 2>"$O/r6-$r6.err"
	RC=$?
	if [ $r6 = priv ]; then
		break
	fi
	d=$T/s1777/
	[ $r6 = s0777 ] && d=$SH/
	check "R6 --check, socket, lock and log in a ${r6#s} directory: a warning for each, exit 0" \
	    all 'rc_is 0' \
	    'has "$O/r6-$r6.out" "^warning: the socket is in $(re "$d")"' \
	    'has "$O/r6-$r6.out" "^warning: the lock is in $(re "$d")"' \
	    'has "$O/r6-$r6.out" "^warning: the log is in $(re "$d")"' \
	    'has "$O/r6-$r6.out" "^app: "'
done
check "R6 --check, all three in a private 0700 directory: no warning, exit 0" \
    all 'rc_is 0' 'hasnt "$O/r6-priv.out" "warning:"' 'has "$O/r6-priv.out" "^app: "'

# ====================================================================================
echo
echo "== 7. 20,000 variables; a stdout nobody reads (R10, R21) =="
appdir vars
cfg "$A/obs.cgi" "socket = $T/run/obs.sock" "timeout = 5"
many=()
for i in $(seq 20000); do many+=("HTTP_X_HOSTILE_$i=v$i"); done
trap_mark obs
BOUND=20 run vars20k "${many[@]}" PATH_INFO=/vars20k -- "$A/obs.cgi"
ran vars20k "20,000 extra variables"
check "R10/R21 20,000 extra variables: exactly the 500 answer, the app not contacted" \
    all 'same_file "$O/vars20k.out" "$E/500"' 'trap_same obs'
check "R21 ... one log line 'header too big (1 MiB, 4096 variables)'" \
    log_is vars20k "$(re "$A/obs.cgi")" "header too big \\(1 MiB, 4096 variables\\)"
BOUND=20 run vars3k "${many[@]:0:3000}" PATH_INFO=/vars3k -- "$A/obs.cgi"
ran vars3k "3,000 extra variables"
check "R10 3,000 extra variables: the request works (200 from the app, which got them all)" \
    all 'rc_is 0' 'has "$O/vars3k.out" "^Status: 200 OK"' \
    'has "$O/vars3k.out" "^hello from obs pid [0-9]+$"' \
    'n=$(sed -n "s/^conn name=obs .* path=\/vars3k .*vars=\([0-9]*\)$/\1/p" "$OBSEV"); [ "${n:-0}" -gt 3000 ] || { WHY="the app got ${n:-no} variables"; false; }'
unset many

mkfifo "$O/down.fifo"
spawn downr /bin/sh -c 'exec sleep 40 <"$1"' sh "$O/down.fifo"	# never reads
downr=$SPAWNED
cfg "$A/stall.cgi" "socket = $T/run/obs.sock" "timeout = 1"
OUTF=$O/down.fifo BOUND=10 run stall PATH_INFO=/big QUERY_STRING=n=4194304 -- \
    "$A/stall.cgi"
echo "   4 MiB answer, stdout a FIFO nobody reads, timeout = 1: exit $RC after $SECS s; app: $(grep '^big ' "$OBSEV" | tail -1)"
check "R21/R1 a 4 MiB answer to a stdout nobody reads, timeout 1: the launcher exits within 10 s (exit 1)" \
    rc_is 1
check "R21 ... one log line 'timeout: the server stopped reading'" \
    log_is stall "$(re "$A/stall.cgi")" "timeout: the server stopped reading"

# stderr on the same unread pipe (mini_httpd): the handler's own log line
# blocks too; SIGALRM's default action must still end the launcher
CLOSE=2to1 OUTF=$O/down.fifo BOUND=10 run stall2 PATH_INFO=/big \
    QUERY_STRING=n=4194304 -- "$A/stall.cgi"
echo "   the same with stderr on that pipe too: exit $RC after $SECS s"
check "R1/R22 ... with stderr on the same unread pipe (mini_httpd): still ends within 10 s, non-zero" \
    all '[ "$RC" != 0 ] && [ "$RC" != 124 ] || { WHY="exit $RC (124: hung until the bound)"; false; }'
# SIGALRM blocked by whoever ran the launcher: the mask is emptied at entry
CLOSE=alrm OUTF=$O/down.fifo BOUND=10 run stall3 PATH_INFO=/big \
    QUERY_STRING=n=4194304 -- "$A/stall.cgi"
echo "   the same with SIGALRM blocked at exec: exit $RC after $SECS s"
check "R1/R37 ... with SIGALRM blocked at exec: still ends within 10 s (exit 1), logged" \
    all 'rc_is 1' 'log_is stall3 "$(re "$A/stall.cgi")" "timeout: the server stopped reading"'
stop "$downr"

echo
echo "== 8. a configuration error on a body without a length (R20) =="
# the 500 must be delivered: the body is read to its end (mod_cgid and
# fcgiwrap reset the client when a CGI exits with its body unread)
( head -c 300000 /dev/zero |
    CGI_TIMEOUT=20 cgi_run REQUEST_METHOD=POST HTTP_TRANSFER_ENCODING=chunked \
    PATH_INFO=/x "$L" >"$O/cfgte.out" 2>"$O/cfgte.err"
    echo "${PIPESTATUS[0]}" >"$O/cfgte.head" )
echo "   no socket configured, 300,000 chunked bytes: $(head -1 "$O/cfgte.out" | cat -v); the writer exited $(cat "$O/cfgte.head") (141: SIGPIPE, body unread)"
check "R20 no socket, a body without a length: exactly the 500, and the whole body read (the writer saw no broken pipe)" \
    all 'same_file "$O/cfgte.out" "$E/500"' 'eq "$(cat "$O/cfgte.head")" 0'

# ====================================================================================
echo
h_left=$(launchers)
check "no launcher left running" \
    all '[ -z "$h_left" ] || { WHY="launchers still running: $h_left"; false; }'
stop "$LIGHTTPD_PID"
stop "$APACHE_PID"
elapsed
summary
