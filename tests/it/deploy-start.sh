#!/bin/sh
# The `start` command of the lifecycle tests (tests/it/deploy.sh).  Set by
# `env` lines of the shebang config:
#   STATE  writable directory: "starts" gets one line per run ("PID EPOCH")
#   KIND   uwsgi     uWSGI as examples/hello/start.sh runs it: a master and
#                    one worker, --die-on-term, daemonized, pid file
#                    $STATE/app.pid (the master's), log $STATE/uwsgi.log
#          py        deploy-app.py in the foreground (its own pid file)
#          stubborn  deploy-app.py --stubborn: ignores SIGTERM (R42)
#   IT     directory of deploy-wsgi.py and deploy-app.py
#   DELAY  seconds to sleep before the app starts (optional)
# A file $STATE/fail makes the start fail (exit 1) after it is counted.
: "${STATE:?}" "${KIND:?}" "${IT:?}" "${CGI2SCGI_SOCKET:?}"
echo "$$ $(date +%s.%N)" >>"$STATE/starts"
echo "start $$ ($KIND)"	# to the log file
if [ -e "$STATE/fail" ]; then
	echo "start $$: failing on purpose ($STATE/fail)"
	exit 1
fi
[ -n "${DELAY:-}" ] && sleep "$DELAY"
case $KIND in
uwsgi)
	exec uwsgi --plugin python3 --scgi-socket "$CGI2SCGI_SOCKET" \
	    --chmod-socket=666 --wsgi-file "$IT/deploy-wsgi.py" --need-app \
	    --master --processes 1 --die-on-term \
	    --daemonize "$STATE/uwsgi.log" --pidfile "$STATE/app.pid"
	;;
py)
	exec python3 "$IT/deploy-app.py"
	;;
stubborn)
	exec python3 "$IT/deploy-app.py" --stubborn
	;;
esac
echo "unknown KIND $KIND"
exit 2
