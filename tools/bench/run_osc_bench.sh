#!/usr/bin/env bash
# Runs the end-to-end OSC benchmark (latentjam and scsynth side by side on a JACK dummy server)
# and the audio callback benchmark. Usage: tools/bench/run_osc_bench.sh [build dir]
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
cmake --build "$build" --target latentjam osc_bench bench_engine -j"$(nproc)" >/dev/null
server=latentjam-bench
"$here/tests/jack_server.sh" start "$server" 48000 256 >/dev/null
trap '"$here/tests/jack_server.sh" stop "$server"' EXIT
export JACK_DEFAULT_SERVER=$server
extra=()
[ -f "$here/data/word-vectors.bin" ] && extra+=(--word-vectors)
"$build/tools/bench/osc_bench" "$build/latentjam" --scsynth "$(command -v scsynth)" "${extra[@]}"
echo
"$build/tools/bench/bench_engine" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
