#!/usr/bin/env bash
# The run command of the README: installs what is missing, builds, and starts the daemon with its
# defaults (built-in drum decoders, the default word vectors, the default audio device, or the null
# device with a WAV recording in the session folder when there is no sound card).
# Extra arguments go to build/latentjam (see build/latentjam --help).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

tools/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target latentjam
exec build/latentjam "$@"
