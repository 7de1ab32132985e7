#!/usr/bin/env bash
# The run command of the README: installs what is missing, builds, and starts the daemon with its
# defaults (the learned kick, snare and hat of models/pretrained and the built-in loop, the default
# word vectors, the default audio device, or the null device with a WAV recording in the session
# folder when there is no sound card), with the browser surface on http://127.0.0.1:8080/
# (LATENTJAM_WEB_PORT=N picks another port, 0 turns it off). A build without LibTorch plays the
# built-in synthesisers. Extra arguments go to build/latentjam (see build/latentjam --help).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

tools/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target latentjam
pretrained=()
# The learned voices need the LibTorch plugin; a model named in the configuration or with --model
# still wins over them.
[ -f build/liblatentjam_torch.so ] && pretrained=(--pretrained "$here/models/pretrained")
exec build/latentjam "${pretrained[@]}" --web-port "${LATENTJAM_WEB_PORT:-8080}" "$@"
