#!/usr/bin/env bash
# Soak test: the daemon on a JACK dummy server at 64 frames / 48 kHz with four voices playing,
# under a steady stream of prompts, slider moves and triggers, for DURATION seconds (default 600).
# Prints the xruns, callback load and render latency the daemon reports at the end, next to the
# xruns the dummy JACK server has on its own (its timer in a VM misses periods with no client at
# all), counted over BASELINE seconds (default 60) before the daemon starts.
# Usage: tools/soak.sh [DURATION] [build dir]     (LATENTJAM_SOAK_BASELINE=seconds)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
duration=${1:-600}
build=${2:-$here/build}
port=${LATENTJAM_SOAK_PORT:-9345}
reply_port=$((port + 1))
server=latentjam-soak
session=$(mktemp -d)
LATENTJAM_JACK_REALTIME=1 "$here/tests/jack_server.sh" start "$server" 48000 64 >/dev/null
export JACK_DEFAULT_SERVER=$server
jack_log="${TMPDIR:-/tmp}/latentjam-jackd-$server.log"
baseline=${LATENTJAM_SOAK_BASELINE:-60}
before=$(grep -c XRun "$jack_log" || true)
sleep "$baseline"
idle_xruns=$(( $(grep -c XRun "$jack_log" || true) - before ))
before=$(grep -c XRun "$jack_log" || true)
"$build/latentjam" --osc-port "$port" --audio jack --buffer 64 --session-dir "$session" \
  --log-level warning 2>"$session/daemon.log" &
daemon=$!
oscdump -L "$reply_port" >"$session/replies.log" 2>&1 &
dump=$!
cleanup() {
  kill "$daemon" "$dump" 2>/dev/null || true
  wait "$daemon" 2>/dev/null || true
  "$here/tests/jack_server.sh" stop "$server"
  rm -rf "$session"
}
trap cleanup EXIT
send() { oscsend localhost "$port" "$@"; }
for _ in $(seq 100); do  # until the daemon answers
  send /jam/subscribe i "$reply_port" && grep -q subscribe "$session/replies.log" && break
  sleep 0.1
done
for v in kick snare hat loop; do send /jam/random s "$v"; done
send /jam/random si kick 1; send /jam/label ss "boomy deep" kick
send /jam/random si kick 2; send /jam/label ss "tight clicky" kick
send /jam/random si loop 3; send /jam/label ss "laid back" loop
send /jam/random si loop 4; send /jam/label ss "busy driving" loop
prompts=("boomy" "clicky" "between boomy and clicky" "very tight" "a bit boomy")
loop_prompts=("laid back" "driving" "between laid back and busy" "very busy")
end=$((SECONDS + duration))
i=0
while [ $SECONDS -lt $end ]; do
  send /jam/prompt ss "${prompts[$((i % 5))]}" kick
  send /jam/slider/$((1 + i % 8)) f "0.$((RANDOM % 10))"
  send /jam/trigger sf kick 0.9; send /jam/trigger sf snare 0.8; send /jam/trigger sf hat 0.6
  [ $((i % 10)) -eq 0 ] && send /jam/prompt ss "${loop_prompts[$((i / 10 % 4))]}" loop
  i=$((i + 1))
  sleep 0.1
done
send /jam/status
sleep 0.5
server_xruns=$(( $(grep -c XRun "$jack_log" || true) - before ))
echo "soak: ${duration} s, $i rounds of prompt + slider + 3 triggers (+ a loop prompt every 10)"
echo "JACK dummy server alone: $idle_xruns xruns in ${baseline} s; during the soak: $server_xruns"
grep "status.reply" "$session/replies.log" | tail -n 1
