#!/bin/sh
# The `stop` command of the lifecycle tests (tests/it/deploy.sh): appends
# "PID EPOCH SID" to $STATE/stops (SID its session), saves its environment
# in $STATE/stop-env.PID, then sends SIGTERM to the pid in $STATE/app.pid,
# unless STOP_NOOP is set (a stop that stops nothing, R42).  Exits with
# STOP_RC (default 0): the launcher must not care (R42).
: "${STATE:?}"
read -r stat </proc/$$/stat
set -- ${stat##*) }
echo "$$ $(date +%s.%N) $4" >>"$STATE/stops"
env >"$STATE/stop-env.$$"
echo "stop $$"	# to the log file
if [ -z "${STOP_NOOP:-}" ]; then
	pid=$(cat "$STATE/app.pid" 2>/dev/null)
	[ -n "$pid" ] && kill -TERM "$pid"
fi
exit "${STOP_RC:-0}"
