#!/usr/bin/env bash
# Issue 10, item 4: tools/clients/latentjam.pd run by the real Pd vanilla (Debian puredata-core:
# oscformat, netsend -u -b, oscparse; no GUI, no audio) against a fresh daemon. The patch's demo
# sends subscribe, random, label, prompt, trigger and examples, each when the previous one is
# answered, printing every reply; the test reads those and checks the daemon's own state.
# Usage: tests/clients/pd_test.sh BUILD/latentjam
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/lib.sh"

lj_require pd puredata-core
lj_start "${1:-}"

out="$LJ_TMP/pd.txt"
timeout 60 pd -nogui -nosound -nomidi -stderr \
  -send "latentjam-connect 127.0.0.1 $LJ_PORT" -send "latentjam-demo 1" \
  -open "$root/tools/clients/latentjam.pd" >"$out" 2>&1 </dev/null
status=$?
grep -E '^latentjam: (done|fail|jam (examples\.reply|label text|prompt text))' "$out"
[ "$status" -eq 0 ] || lj_fail "pd exited with status $status (124: timed out: a step was never answered)"
if grep -qE '^latentjam: fail' "$out"; then lj_fail "the daemon answered /fail to the patch"; fi
if grep -qE '^error:|couldn.t create' "$out"; then grep -E '^error:|couldn.t create' "$out" >&2; lj_fail "Pd reported an error"; fi

# Pd prints a symbol's space as "\ ".
lj_check_output "$out" \
  '^latentjam: done /jam/subscribe [0-9]+' \
  '^latentjam: done /jam/random [0-9]+' \
  '^latentjam: done /jam/label [0-9]+' \
  '^latentjam: done /jam/prompt [0-9]+' \
  '^latentjam: done /jam/trigger kick' \
  '^latentjam: jam examples\.reply kick [0-9]+ boomy\\? deep' \
  '^latentjam: jam label text boomy\\? deep' \
  '^latentjam: jam prompt text boomy'
lj_expect_seen '/done ss "/jam/trigger" "kick"' 5 "the trigger reached the daemon"
lj_expect_seen '/jam/prompt/text s "boomy"' 5 "the prompt reached the daemon"
lj_check_examples kick "boomy deep"
echo "PASS: Pd snippet"
