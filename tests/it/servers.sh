# Launchers for the servers of the integration tests.  Source after lib.sh,
# once mk_tree made $T.  Each start_* writes a private config under $T,
# starts the server in the foreground in the background (spawn), waits until
# it accepts, and sets a *_PID variable; `stop $X_PID` ends it.

APACHE_MODS=/usr/lib/apache2/modules

# start_uwsgi NAME SOCKET...: the echo app on each SCGI socket
start_uwsgi() {
	local name=$1 s a=()
	shift
	for s in "$@"; do
		a+=(--scgi-socket "$s")
	done
	spawn "$name" uwsgi --plugin python3 "${a[@]}" \
	    --wsgi-file "$IT_DIR/echo.py" --chdir "$T" \
	    --master --processes 2 --die-on-term --need-app \
	    --post-buffering 0 --limit-post 0 --buffer-size 65535 \
	    --socket-timeout 30 --chmod-socket=666 --disable-logging
	UWSGI_PID=$SPAWNED
	case $1 in
	/*) wait_unix "$1" 30 ;;
	*) wait_port "${1%:*}" "${1##*:}" 30 ;;
	esac || { echo "uwsgi did not start:"; tail -20 "$T/log/$name.log"; return 1; }
}

# start_raw NAME LISTEN...: rawscgi.py, logging to $T/log/NAME.events
start_raw() {
	local name=$1 s a=()
	shift
	for s in "$@"; do
		a+=(--listen "$s")
	done
	spawn "$name" "$PY" "$IT_DIR/rawscgi.py" --name "$name" \
	    --log "$T/log/$name.events" "${a[@]}"
	RAW_PID=$SPAWNED
	wait_grep "$T/log/$name.events" "^ready" 20 ||
	    { echo "rawscgi $name did not start:"; tail -20 "$T/log/$name.log"; return 1; }
}

# start_lighttpd PORT: mod_cgi for $T/cgi-bin (shebang *.cgi and the bare
# binary configured by setenv.add-environment); CGIs run as www-data
start_lighttpd() {
	local port=$1 d=$T/lighttpd
	mkdir -p "$d"
	cat >"$d/lighttpd.conf" <<EOF
server.document-root = "$T/www"
server.bind = "127.0.0.1"
server.port = $port
server.username = "www-data"
server.groupname = "www-data"
server.errorlog = "$T/log/lighttpd-error.log"
server.breakagelog = "$T/log/lighttpd-cgi-stderr.log"
server.modules = ( "mod_alias", "mod_setenv", "mod_cgi" )
server.max-request-size = 0
server.stream-request-body = 2
server.stream-response-body = 2
mimetype.assign = ( "" => "application/octet-stream" )
alias.url = ( "/cgi-bin/" => "$T/cgi-bin/" )
\$HTTP["url"] =~ "^/cgi-bin/" {
	cgi.assign = ( ".cgi" => "", "/cgi2scgi" => "" )
}
\$HTTP["url"] =~ "^/cgi-bin/app\\.cgi/buffered/" {
	server.stream-request-body = 0
}
\$HTTP["url"] =~ "^/cgi-bin/cgi2scgi(/|\$)" {
	setenv.add-environment = (
		"CGI2SCGI_SOCKET" => "$T/run/echo.sock",
		"CGI2SCGI_TIMEOUT" => "30"
	)
}
EOF
	: >"$T/log/lighttpd-error.log"
	: >"$T/log/lighttpd-cgi-stderr.log"
	chmod 666 "$T/log/lighttpd-error.log" "$T/log/lighttpd-cgi-stderr.log"
	lighttpd -tt -f "$d/lighttpd.conf" >"$T/log/lighttpd-test.log" 2>&1 ||
	    { echo "lighttpd config error:"; cat "$T/log/lighttpd-test.log"; return 1; }
	spawn lighttpd lighttpd -D -f "$d/lighttpd.conf"
	LIGHTTPD_PID=$SPAWNED
	wait_port 127.0.0.1 "$port" 20 ||
	    { echo "lighttpd did not start:"; tail -20 "$T/log/lighttpd.log" \
	      "$T/log/lighttpd-error.log"; return 1; }
}

# start_apache PORT: Apache 2.4, mpm_event + mod_cgid, CGIs as www-data:
#   /cgi-bin/  ScriptAlias of $T/cgi-bin (the bare binary configured by SetEnv)
#   /ht/       $T/www/ht, CGI enabled by .htaccess (AddHandler cgi-script)
start_apache() {
	local port=$1 d=$T/apache m
	mkdir -p "$d/run"
	{
		for m in mpm_event authz_core mime cgid alias env dir; do
			echo "LoadModule ${m}_module $APACHE_MODS/mod_$m.so"
		done
		cat <<EOF
ServerRoot "$d"
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile "$d/run/httpd.pid"
DefaultRuntimeDir "$d/run"
ScriptSock "$d/run/cgid.sock"
ErrorLog "$T/log/apache-error.log"
LogLevel warn
User www-data
Group www-data
Timeout 60
KeepAlive Off
StartServers 1
ServerLimit 2
ThreadsPerChild 16
MaxRequestWorkers 32
MinSpareThreads 4
MaxSpareThreads 32
TypesConfig /etc/mime.types
DocumentRoot "$T/www"
<Directory />
	AllowOverride None
	Require all denied
</Directory>
<Directory "$T/www">
	AllowOverride All
	Require all granted
</Directory>
ScriptAlias /cgi-bin/ "$T/cgi-bin/"
<Directory "$T/cgi-bin">
	AllowOverride None
	Options None
	Require all granted
</Directory>
<Location "/cgi-bin/cgi2scgi">
	SetEnv CGI2SCGI_SOCKET "$T/run/echo.sock"
	SetEnv CGI2SCGI_TIMEOUT 30
</Location>
EOF
	} >"$d/httpd.conf"
	apache2 -t -f "$d/httpd.conf" >"$T/log/apache-test.log" 2>&1 ||
	    { echo "apache config error:"; cat "$T/log/apache-test.log"; return 1; }
	spawn apache apache2 -f "$d/httpd.conf" -DFOREGROUND
	APACHE_PID=$SPAWNED
	wait_port 127.0.0.1 "$port" 20 ||
	    { echo "apache did not start:"; tail -20 "$T/log/apache.log" \
	      "$T/log/apache-error.log"; return 1; }
}
