#!/bin/sh
# The `start` command of the start-on-demand tests: records that it ran, its
# environment and its open descriptors, then daemonizes uWSGI with echo.py
# on $CGI2SCGI_SOCKET (one process, no master: kill -9 of the pid in
# $STATE/uwsgi.pid takes the whole app down).
# Needs STATE (a writable directory) and ECHO (echo.py), from `env` lines.
set -e
: "${STATE:?}" "${ECHO:?}" "${CGI2SCGI_SOCKET:?}"
echo "$$" >>"$STATE/starts"
env >"$STATE/start-env.$$"
# to stdout, the `log` file: no redirection that would add descriptors
echo "fds of start $$:"
ls -l "/proc/$$/fd/"
echo "end of fds"
exec uwsgi --plugin python3 --scgi-socket "$CGI2SCGI_SOCKET" \
    --wsgi-file "$ECHO" --need-app --die-on-term --post-buffering 0 \
    --buffer-size 65535 --socket-timeout 30 --chmod-socket=666 \
    --disable-logging --daemonize "$STATE/uwsgi.log" --pidfile "$STATE/uwsgi.pid"
