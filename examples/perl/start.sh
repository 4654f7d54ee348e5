#!/bin/sh
# Start the Perl SCGI app, daemonized, listening on $CGI2SCGI_SOCKET.
# cgi2scgi sets that variable when it runs this as its `start` command (see
# app.cgi.in); run by hand, set it yourself:
#   CGI2SCGI_SOCKET=/tmp/perl.sock APP_RUN=/tmp ./start.sh
# Writes app.pid and app.log in $APP_RUN (default: the socket's directory).
# It exits 0 once the app listens, non-zero when it cannot start.
# Stop the app with: kill "$(cat "$APP_RUN/app.pid")"
# app.pl has no idle exit: it runs until stopped (an app that wants to
# scale to zero can exit by itself when unused; cgi2scgi starts it again).
set -e
here=$(cd "$(dirname "$0")" && pwd)
sock=${CGI2SCGI_SOCKET:?CGI2SCGI_SOCKET must name the socket to listen on}
run=${APP_RUN:-$(dirname "$sock")}
exec perl "$here/app.pl" --socket "$sock" --daemon \
    --pidfile "$run/app.pid" --log "$run/app.log"
