# Shared by the client tests (sourced, bash): starts latentjam on a free UDP port with a private
# session folder, subscribes an observer (oscdump, from liblo-tools) to it so that the test can see
# every reply and state change the daemon sends, and stops both on exit.
#
#   . "$(dirname "$0")/lib.sh"
#   lj_start BINARY            # daemon on $LJ_PORT, observer on $LJ_OBS_PORT, files in $LJ_TMP
#   lj_expect_seen TEXT SECONDS WHAT   # wait until the observer has received TEXT, else fail
#   lj_query_examples VOICE    # ask the daemon for the voice's examples (answer in the observer)

lj_fail() {
  echo "FAIL: $*" >&2
  exit 1
}

lj_require() {  # lj_require COMMAND PACKAGE
  command -v "$1" >/dev/null 2>&1 || lj_fail "'$1' is not installed (Debian package $2; tools/setup.sh installs it)"
}

lj_free_port() {  # a UDP port nobody uses right now on 127.0.0.1
  /usr/bin/python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

lj_cleanup() {
  local status=$?
  if [ -n "${LJ_DAEMON_PID:-}" ] && kill -0 "$LJ_DAEMON_PID" 2>/dev/null; then
    kill -TERM "$LJ_DAEMON_PID" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$LJ_DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$LJ_DAEMON_PID" 2>/dev/null
  fi
  if [ -n "${LJ_OBS_PID:-}" ]; then kill "$LJ_OBS_PID" 2>/dev/null; fi
  wait 2>/dev/null
  if [ "$status" -ne 0 ] && [ -n "${LJ_TMP:-}" ]; then
    echo "--- daemon log (last 30 lines)" >&2
    tail -30 "$LJ_TMP/daemon.log" >&2 2>/dev/null
    echo "--- observer (last 30 lines)" >&2
    tail -30 "$LJ_TMP/observer.txt" >&2 2>/dev/null
  fi
  [ -n "${LJ_TMP:-}" ] && rm -rf "$LJ_TMP"
  exit "$status"
}

# Waits until the observer's log contains TEXT (a fixed string), polling for at most SECONDS.
lj_wait_seen() {
  local text=$1 seconds=$2 deadline
  deadline=$((SECONDS + seconds))
  until grep -qF -- "$text" "$LJ_TMP/observer.txt"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    kill -0 "$LJ_DAEMON_PID" 2>/dev/null || lj_fail "the daemon exited"
    sleep 0.05
  done
}

lj_expect_seen() {
  lj_wait_seen "$1" "$2" || lj_fail "$3: the daemon never sent $1 (waited $2 s)"
  echo "ok: $3 ($1)"
}

lj_start() {
  local binary=$1
  [ -n "$binary" ] && [ -x "$binary" ] || lj_fail "no daemon at '$binary': pass build/latentjam as the first argument"
  lj_require oscsend liblo-tools
  lj_require oscdump liblo-tools
  LJ_TMP=$(mktemp -d)
  trap lj_cleanup EXIT
  trap 'exit 130' INT TERM
  LJ_PORT=$(lj_free_port)
  LJ_OBS_PORT=$(lj_free_port)
  "$binary" --osc-port "$LJ_PORT" --audio none --session-dir "$LJ_TMP/session" \
    --text-encoder hashing >"$LJ_TMP/daemon.log" 2>&1 &
  LJ_DAEMON_PID=$!
  oscdump -L "$LJ_OBS_PORT" >"$LJ_TMP/observer.txt" 2>&1 &
  LJ_OBS_PID=$!
  # Ready when it answers: subscribe the observer until the /done comes back (bounded).
  local deadline=$((SECONDS + 30))
  until grep -qF '/done si "/jam/subscribe"' "$LJ_TMP/observer.txt"; do
    kill -0 "$LJ_DAEMON_PID" 2>/dev/null || lj_fail "the daemon exited before answering"
    [ "$SECONDS" -lt "$deadline" ] || lj_fail "the daemon did not answer /jam/subscribe within 30 s"
    oscsend 127.0.0.1 "$LJ_PORT" /jam/subscribe i "$LJ_OBS_PORT"
    sleep 0.1
  done
  echo "daemon ready on udp port $LJ_PORT (observer on $LJ_OBS_PORT)"
}

# Checks the daemon's own state after a snippet ran: the kick's examples list the label it made.
lj_check_examples() {
  local voice=$1 label=$2
  local before deadline line
  before=$(grep -cF "/jam/examples.reply" "$LJ_TMP/observer.txt")
  oscsend 127.0.0.1 "$LJ_PORT" /jam/examples s "$voice"
  deadline=$((SECONDS + 10))
  until [ "$(grep -cF "/jam/examples.reply" "$LJ_TMP/observer.txt")" -gt "$before" ]; do
    [ "$SECONDS" -lt "$deadline" ] || lj_fail "no /jam/examples.reply from the daemon within 10 s"
    sleep 0.05
  done
  line=$(grep -F "/jam/examples.reply" "$LJ_TMP/observer.txt" | tail -1)
  echo "daemon: $line"
  case "$line" in
    *"\"$voice\""*"\"$label\""*) echo "ok: the daemon's $voice examples list \"$label\"" ;;
    *) lj_fail "the daemon's $voice examples do not list \"$label\": $line" ;;
  esac
}

# Checks that the snippet's own output (FILE) shows each reply it had to read.
lj_check_output() {
  local file=$1
  shift
  local pattern
  for pattern in "$@"; do
    grep -qE -- "$pattern" "$file" || lj_fail "the snippet did not print a reply matching /$pattern/"
    echo "ok: snippet read $(grep -E -- "$pattern" "$file" | head -1)"
  done
}
