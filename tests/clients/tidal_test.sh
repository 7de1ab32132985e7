#!/usr/bin/env bash
# Issue 10, item 4: the TidalCycles snippets (Debian libghc-tidal-dev: Tidal 1.7, hosc, ghc) against
# a fresh daemon: tools/clients/latentjam-tidal.hs under runghc, then BootTidal-latentjam.hs loaded
# by ghci as an editor would, with a few lines typed into it. Each must read /done for random,
# label, prompt and trigger and the example list, and its Tidal pattern must reach the daemon as
# /jam/trigger messages (counted in the daemon's replies, which an observer receives).
# Usage: tests/clients/tidal_test.sh BUILD/latentjam
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/lib.sh"

lj_require runghc ghc
lj_require ghci ghc
ghc-pkg field tidal version >/dev/null 2>&1 || lj_fail "Tidal is not installed (Debian package libghc-tidal-dev; tools/setup.sh installs it)"
lj_start "${1:-}"

count() { grep -cF -- "$1" "$LJ_TMP/observer.txt"; }
wait_count() {  # wait_count TEXT N SECONDS WHAT: the observer has seen TEXT at least N times
  local deadline=$((SECONDS + $3))
  until [ "$(count "$1")" -ge "$2" ]; do
    [ "$SECONDS" -lt "$deadline" ] || lj_fail "$4: $1 seen $(count "$1") times, expected at least $2"
    sleep 0.05
  done
  echo "ok: $4 ($(count "$1") x $1)"
}

echo "--- runghc tools/clients/latentjam-tidal.hs"
out="$LJ_TMP/runghc.txt"
LATENTJAM_HOST=127.0.0.1 LATENTJAM_PORT=$LJ_PORT timeout 180 runghc "$root/tools/clients/latentjam-tidal.hs" \
  >"$out" 2>&1 </dev/null
status=$?
cat "$out"
[ "$status" -eq 0 ] || lj_fail "latentjam-tidal.hs exited with status $status (124: timed out)"
lj_check_output "$out" \
  '^latentjam reply: /done /jam/random [0-9]+' \
  '^latentjam reply: /done /jam/label [0-9]+' \
  '^latentjam reply: /done /jam/prompt [0-9]+' \
  '^latentjam reply: /done /jam/trigger kick' \
  '^latentjam reply: /jam/examples.reply kick [0-9]+ boomy deep'
# One kick from the request above, the rest (and every snare) from the Tidal pattern.
wait_count '/done ss "/jam/trigger" "kick"' 3 5 "Tidal's pattern played kicks"
wait_count '/done ss "/jam/trigger" "snare"' 1 5 "Tidal's pattern played the snare"
lj_check_examples kick "boomy deep"

echo "--- ghci -ghci-script tools/clients/BootTidal-latentjam.hs"
out="$LJ_TMP/ghci.txt"
LATENTJAM_HOST=127.0.0.1 LATENTJAM_PORT=$LJ_PORT timeout 180 \
  ghci -v0 -ghci-script "$root/tools/clients/BootTidal-latentjam.hs" >"$out" 2>&1 <<'GHCI'
jamRandom "hat"
jamLabel "tight clicky" "hat"
jamPrompt "clicky" "hat"
jamHit "hat" 0.8
jamExamples "hat"
d1 $ s "hat*8" # velocity 0.6
threadDelay 1500000
hush
GHCI
status=$?
cat "$out"
[ "$status" -eq 0 ] || lj_fail "ghci with BootTidal-latentjam.hs exited with status $status (124: timed out)"
if grep -qE '<interactive>|error:' "$out"; then lj_fail "ghci reported an error loading or running BootTidal-latentjam.hs"; fi
lj_check_output "$out" \
  '^latentjam reply: /done /jam/random [0-9]+' \
  '^latentjam reply: /done /jam/label [0-9]+' \
  '^latentjam reply: /done /jam/prompt [0-9]+' \
  '^latentjam reply: /done /jam/trigger hat' \
  '^latentjam reply: /jam/examples.reply hat [0-9]+ tight clicky'
wait_count '/done ss "/jam/trigger" "hat"' 3 5 "d1 played hats"
lj_check_examples hat "tight clicky"
echo "PASS: TidalCycles snippets"
