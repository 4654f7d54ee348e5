#!/bin/sh
# The `start` command of the on-demand tests (tests/it/ondemand.sh).  Set by
# `env` lines of the shebang config:
#   STATE  writable directory: "starts" gets one line per run
#          ("PID EPOCH SID": the script, when it began, its session),
#          app.pid the pid of the app
#   KIND   uwsgi   exec uWSGI (one process, no master) on $CGI2SCGI_SOCKET
#          perl    exec the Perl SCGI app (ondemand-scgi.pl)
#          sloppy  `uwsgi ... &` without any redirection, then exit 0
#          daemon  the Perl app in the background (after DELAY), fds
#                  redirected, then exit 0 at once: a daemonizing start
#   DELAY  seconds to sleep before the app binds (optional)
#   IT     directory of ondemand-wsgi.py and ondemand-scgi.pl
: "${STATE:?}" "${KIND:?}" "${IT:?}" "${CGI2SCGI_SOCKET:?}"
read -r stat </proc/$$/stat
set -- ${stat##*) }
echo "$$ $(date +%s.%N) $4" >>"$STATE/starts"
echo "start $$ in $(pwd)"	# to the log file
pwd >"$STATE/start-cwd.$$"
# what start itself got: environment and signal state (R36, R37)
env >"$STATE/start-env.$$"
grep '^Sig' /proc/self/status >"$STATE/start-status.$$"
if [ "$KIND" = daemon ]; then
	(
		[ -n "${DELAY:-}" ] && sleep "$DELAY"
		exec perl "$IT/ondemand-scgi.pl"
	) </dev/null >/dev/null 2>&1 &
	echo "$!" >"$STATE/app.pid"
	exit 0
fi
[ -n "${DELAY:-}" ] && sleep "$DELAY"
case $KIND in
uwsgi)
	echo "$$" >"$STATE/app.pid"
	exec uwsgi --plugin python3 --scgi-socket "$CGI2SCGI_SOCKET" \
	    --wsgi-file "$IT/ondemand-wsgi.py" --need-app --die-on-term \
	    --chmod-socket=666 --disable-logging --listen 1024 --socket-timeout 30
	;;
perl)
	echo "$$" >"$STATE/app.pid"
	exec perl "$IT/ondemand-scgi.pl"
	;;
sloppy)
	uwsgi --plugin python3 --scgi-socket "$CGI2SCGI_SOCKET" \
	    --wsgi-file "$IT/ondemand-wsgi.py" --need-app --die-on-term \
	    --chmod-socket=666 --disable-logging --listen 1024 --socket-timeout 30 &
	echo "$!" >"$STATE/app.pid"
	exit 0
	;;
esac
echo "unknown KIND $KIND"
exit 2
