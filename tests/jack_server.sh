#!/usr/bin/env bash
# Starts or stops a private JACK server with the dummy driver for the tests (CTest fixture).
# Usage: tests/jack_server.sh start|stop NAME [RATE] [PERIOD]
set -euo pipefail
action=$1
name=$2
rate=${3:-48000}
period=${4:-64}
pidfile="${TMPDIR:-/tmp}/latentjam-jackd-$name.pid"

case "$action" in
  start)
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      kill "$(cat "$pidfile")" || true
    fi
    # No realtime scheduling by default (tests check behaviour, not timing); LATENTJAM_JACK_REALTIME=1
    # asks for it (soak runs), which works where the user may use SCHED_FIFO (root here).
    realtime=--no-realtime
    [ "${LATENTJAM_JACK_REALTIME:-0}" = 1 ] && realtime=--realtime
    JACK_NO_AUDIO_RESERVATION=1 setsid jackd "$realtime" -n "$name" -d dummy -r "$rate" -p "$period" \
      >"${TMPDIR:-/tmp}/latentjam-jackd-$name.log" 2>&1 &
    echo $! >"$pidfile"
    # jack_wait returns as soon as the server answers.
    if ! JACK_DEFAULT_SERVER="$name" jack_wait -s "$name" -w -t 15 >/dev/null; then
      echo "jackd did not start:" >&2
      tail -20 "${TMPDIR:-/tmp}/latentjam-jackd-$name.log" >&2
      exit 1
    fi
    echo "jackd '$name' running (dummy driver, $rate Hz, $period frames)"
    ;;
  stop)
    if [ -f "$pidfile" ]; then
      pid=$(cat "$pidfile")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$pidfile"
    fi
    ;;
  *)
    echo "usage: $0 start|stop NAME [RATE] [PERIOD]" >&2
    exit 2
    ;;
esac
