#!/usr/bin/env bash
# The test command of the README: installs what is missing (Debian packages, the word vectors),
# builds everything with zero warnings allowed, and runs every test through CTest.
# Usage: tools/test.sh [extra ctest arguments]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

tools/setup.sh
build_dir=${LATENTJAM_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS="-Werror" >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
cd "$build_dir"
ctest --output-on-failure --timeout 600 "$@"
