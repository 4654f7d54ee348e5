# Helpers for the cgi2scgi integration tests.  Source it from bash.
#
# Everything lives in a private directory $T (mktemp -d).  Every background
# process is started with `spawn` and remembered by pid; the EXIT trap kills
# exactly those pids (and launchers still running from our private copy of
# the binary), then removes $T.

PY=/usr/bin/python3		# Debian's: uwsgi-plugin-python3 embeds it
IT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

PASSED=0
FAILED=0
SKIPPED=0
FAILS=()
PIDS=()
PIDFILES=()	# pid files of daemons started for us (by a `start` command)
LAUNCHER_EXES=()	# private copies of the binary: stray launchers are killed
APT_UPDATED=

# ---- packages -------------------------------------------------------------

# need_pkg PKG...: install the Debian packages that are missing
need_pkg() {
	local p missing=()
	for p in "$@"; do
		dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "missing packages: ${missing[*]} (not root: cannot install)" >&2
		return 1
	fi
	echo "installing: ${missing[*]}" >&2
	if [ -z "$APT_UPDATED" ]; then
		apt-get update -qq >&2 || return 1
		APT_UPDATED=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends "${missing[@]}" >&2
}

# ---- private tree and cleanup ----------------------------------------------

# mk_tree: create $T (world-readable: web server children run as www-data)
mk_tree() {
	# in /tmp, not $TMPDIR: www-data must reach it and unix socket paths
	# must stay short
	T=$(mktemp -d /tmp/cgi2scgi-it.XXXXXX) || exit 1
	chmod 755 "$T"
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# pids of processes whose executable is one of the files $1...
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

cleanup() {
	local rc=$? p f
	trap - EXIT INT TERM
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

# wait_gone PID SECONDS: wait until PID no longer exists (zombie counts as gone)
wait_gone() {
	local pid=$1 n=$(($2 * 20)) st
	while [ "$n" -gt 0 ]; do
		[ -e "/proc/$pid" ] || return 0
		st=$(awk '/^State:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
		[ "$st" = Z ] && { wait "$pid" 2>/dev/null; return 0; }
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}

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
wait_file() {
	local n=$(($2 * 20))
	while [ "$n" -gt 0 ]; do
		[ -e "$1" ] && return 0
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}

# wait_grep FILE PATTERN SECONDS: until grep -E PATTERN FILE matches
wait_grep() {
	local n=$(($3 * 20))
	while [ "$n" -gt 0 ]; do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}

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
