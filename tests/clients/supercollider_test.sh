#!/usr/bin/env bash
# Issue 10, item 4: tools/clients/latentjam.scd run by the real sclang (Debian supercollider-language,
# headless: no server boot, Qt offscreen) against a fresh daemon. Passes when the snippet read a
# /done for random, label, prompt, trigger and the example list, and the daemon's own state agrees.
# Usage: tests/clients/supercollider_test.sh BUILD/latentjam
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/lib.sh"

lj_require sclang supercollider-language
lj_start "${1:-}"

# sclang's Qt needs no display with the offscreen platform; its QtWebEngine refuses to start as root
# with Chromium's sandbox, which a headless sclang does not need.
out="$LJ_TMP/sclang.txt"
LATENTJAM_HOST=127.0.0.1 LATENTJAM_PORT=$LJ_PORT LATENTJAM_EXIT=1 \
  QT_QPA_PLATFORM=offscreen QTWEBENGINE_DISABLE_SANDBOX=1 XDG_RUNTIME_DIR="$LJ_TMP" \
  timeout 120 sclang "$root/tools/clients/latentjam.scd" >"$out" 2>&1 </dev/null
status=$?
grep -E '^latentjam' "$out"
if [ "$status" -ne 0 ]; then
  tail -40 "$out" >&2
  lj_fail "sclang exited with status $status (124: timed out)"
fi

lj_check_output "$out" \
  '^latentjam reply: /done /jam/subscribe [0-9]+' \
  '^latentjam reply: /done /jam/random [0-9]+' \
  '^latentjam reply: /done /jam/label [0-9]+' \
  '^latentjam reply: /done /jam/prompt [0-9]+' \
  '^latentjam reply: /done /jam/trigger kick' \
  '^latentjam reply: /jam/examples.reply kick [0-9]+ boomy deep' \
  '^latentjam push: /jam/label/text boomy deep' \
  '^latentjam push: /jam/prompt/text boomy'
lj_expect_seen '/done ss "/jam/trigger" "kick"' 5 "the trigger reached the daemon"
lj_expect_seen '/jam/prompt/text s "boomy"' 5 "the prompt reached the daemon"
lj_check_examples kick "boomy deep"
echo "PASS: SuperCollider snippet"
