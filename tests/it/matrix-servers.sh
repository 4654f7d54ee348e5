# Launchers for the servers of matrix.sh.  Source after lib.sh, once mk_tree
# made $T.  Every server is started from the example configuration in
# examples/servers/ (rendered: @PORT@, @ROOT@, ... replaced), in the
# foreground in the background (spawn), with a clean environment, on
# 127.0.0.1; each mx_start_* waits until it accepts.  Everything a server
# writes lives in $T/srv/NAME (pid files, sockets, temp files) and $T/log.

MX_EXAMPLES=$(cd "$IT_DIR/../../examples" && pwd)
MX_ENV=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    LANG=C.UTF-8)
MX_PARENTS=()	# pids whose children must be stopped too (fcgiwrap's preforks)

# mx_render TEMPLATE OUT NAME=value...: copy TEMPLATE to OUT with each
# @NAME@ replaced by its value
mx_render() {
	local src=$1 out=$2 kv args=()
	shift 2
	for kv in "$@"; do
		args+=(-e "s|@${kv%%=*}@|${kv#*=}|g")
	done
	sed "${args[@]}" "$src" >"$out" || return 1
	if grep -q '@[A-Z_0-9]*@' "$out"; then
		echo "unreplaced placeholder in $out: $(grep -o '@[A-Z_0-9]*@' "$out" | head -1)"
		return 1
	fi
}

# mx_dir NAME: sets MXD=$T/srv/NAME; makes $MXD/run, owned by www-data
# (sockets of workers), and the log directory $T/log/NAME
mx_dir() {
	MXD=$T/srv/$1
	mkdir -p "$MXD/run" "$T/log/$1"
	chown www-data:www-data "$MXD/run"
	chmod 755 "$T/srv" "$MXD" "$MXD/run"
	chmod 777 "$T/log/$1"	# servers open their logs as their user
}

mx_wait() {	# NAME PORT: until 127.0.0.1:PORT accepts, else show the logs
	wait_port 127.0.0.1 "$2" 20 && return 0
	echo "$1 did not start:"
	tail -n 20 "$T/log/$1.log" "$T/log/$1"/*error.log 2>/dev/null
	return 1
}

# mx_children PID: the pids of PID's children
mx_children() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(awk '{print $4}' "$p/stat" 2>/dev/null)" = "$1" ] && echo "${p#/proc/}"
	done
	return 0
}

# mx_stop_all_children: stop every MX_PARENTS pid and its children
# (fcgiwrap's preforked processes outlive their parent, and the parent forks
# a new one whenever one dies: it is stopped first)
mx_stop_all_children() {
	local p c kids=()
	for p in "${MX_PARENTS[@]}"; do
		kill -STOP "$p" 2>/dev/null || continue
		for c in $(mx_children "$p"); do
			kids+=("$c")
			kill -TERM "$c" 2>/dev/null
		done
		kill -TERM "$p" 2>/dev/null
		kill -CONT "$p" 2>/dev/null
	done
	for c in "${kids[@]}"; do
		wait_gone "$c" 5 || kill -KILL "$c" 2>/dev/null
	done
	return 0
}

# mx_start_lighttpd NAME PORT ROOT
mx_start_lighttpd() {
	local name=$1 port=$2 root=$3
	mx_dir "$name"
	mx_render "$MX_EXAMPLES/servers/lighttpd.conf" "$MXD/lighttpd.conf" \
	    PORT="$port" ROOT="$root" RUN="$MXD/run" LOGS="$T/log/$name" \
	    USER=www-data || return 1
	lighttpd -tt -f "$MXD/lighttpd.conf" >"$T/log/$name-test.log" 2>&1 ||
	    { echo "lighttpd config error:"; cat "$T/log/$name-test.log"; return 1; }
	spawn "$name" "${MX_ENV[@]}" lighttpd -D -f "$MXD/lighttpd.conf"
	mx_wait "$name" "$port"
}

# mx_start_apache NAME PORT ROOT TEMPLATE [SUEXEC_USER [EXTRA]]: apache2 from
# examples/servers/TEMPLATE (apache-htaccess.conf, apache-suexec.conf); the
# text EXTRA, if any, appended to the config (after an empty line)
mx_start_apache() {
	local name=$1 port=$2 root=$3 tpl=$4 sx=${5:-} extra=${6:-}
	mx_dir "$name"
	local kv=(PORT="$port" ROOT="$root" RUN="$MXD/run" LOGS="$T/log/$name"
	    USER=www-data)
	[ -n "$sx" ] && kv+=(SUEXEC_USER="$sx" SUEXEC_GROUP="$sx")
	mx_render "$MX_EXAMPLES/servers/$tpl" "$MXD/httpd.conf" "${kv[@]}" || return 1
	[ -z "$extra" ] || printf '\n%s\n' "$extra" >>"$MXD/httpd.conf"
	"${MX_ENV[@]}" apache2 -t -f "$MXD/httpd.conf" >"$T/log/$name-test.log" 2>&1 ||
	    { echo "apache config error:"; cat "$T/log/$name-test.log"; return 1; }
	spawn "$name" "${MX_ENV[@]}" apache2 -f "$MXD/httpd.conf" -DFOREGROUND
	mx_wait "$name" "$port"
}

# mx_start_busybox NAME PORT ROOT
mx_start_busybox() {
	local name=$1 port=$2 root=$3
	mx_dir "$name"
	mx_render "$MX_EXAMPLES/servers/busybox-httpd.sh" "$MXD/busybox-httpd.sh" \
	    PORT="$port" ROOT="$root" USER=www-data || return 1
	spawn "$name" "${MX_ENV[@]}" sh "$MXD/busybox-httpd.sh"
	mx_wait "$name" "$port"
}

# mx_start_mini NAME PORT ROOT
mx_start_mini() {
	local name=$1 port=$2 root=$3
	mx_dir "$name"
	mx_render "$MX_EXAMPLES/servers/mini_httpd.conf" "$MXD/mini_httpd.conf" \
	    PORT="$port" ROOT="$root" RUN="$MXD/run" LOGS="$T/log/$name" \
	    USER=www-data || return 1
	spawn "$name" "${MX_ENV[@]}" mini_httpd -D -C "$MXD/mini_httpd.conf"
	mx_wait "$name" "$port"
}

# mx_start_nginx NAME PORT ROOT [DERIVE]: fcgiwrap (as www-data, on a unix
# socket) and nginx in front of it; with DERIVE, nginx runs the config that
# the command `DERIVE EXAMPLE OUT` derives from the rendered example
# ($MXD/shipped.conf) into OUT ($MXD/nginx.conf)
mx_start_nginx() {
	local name=$1 port=$2 root=$3 derive=${4:-} conf
	mx_dir "$name"
	conf=$MXD/nginx.conf
	[ -n "$derive" ] && conf=$MXD/shipped.conf
	mx_render "$MX_EXAMPLES/servers/fcgiwrap.sh" "$MXD/fcgiwrap.sh" \
	    RUN="$MXD/run" USER=www-data || return 1
	mx_render "$MX_EXAMPLES/servers/nginx-fcgiwrap.conf" "$conf" \
	    PORT="$port" ROOT="$root" RUN="$MXD/run" LOGS="$T/log/$name" \
	    USER=www-data || return 1
	if [ -n "$derive" ]; then
		"$derive" "$conf" "$MXD/nginx.conf" || return 1
	fi
	spawn "$name-fcgiwrap" "${MX_ENV[@]}" sh "$MXD/fcgiwrap.sh"
	MX_PARENTS+=("$SPAWNED")
	wait_unix "$MXD/run/fcgiwrap.sock" 20 ||
	    { echo "fcgiwrap did not start:"; tail -20 "$T/log/$name-fcgiwrap.log"; return 1; }
	"${MX_ENV[@]}" nginx -t -c "$MXD/nginx.conf" >"$T/log/$name-test.log" 2>&1 ||
	    { echo "nginx config error:"; cat "$T/log/$name-test.log"; return 1; }
	spawn "$name" "${MX_ENV[@]}" nginx -c "$MXD/nginx.conf" -g 'daemon off;'
	mx_wait "$name" "$port"
}

# mx_start_haproxy NAME PORT B1 B2: TCP mode in front of two SCGI backends
mx_start_haproxy() {
	local name=$1 port=$2 b1=$3 b2=$4
	mx_dir "$name"
	mx_render "$MX_EXAMPLES/servers/haproxy.cfg" "$MXD/haproxy.cfg" \
	    PORT="$port" B1="$b1" B2="$b2" || return 1
	"${MX_ENV[@]}" haproxy -c -f "$MXD/haproxy.cfg" >"$T/log/$name-test.log" 2>&1 ||
	    { echo "haproxy config error:"; cat "$T/log/$name-test.log"; return 1; }
	spawn "$name" "${MX_ENV[@]}" haproxy -db -f "$MXD/haproxy.cfg"
	mx_wait "$name" "$port"
}
