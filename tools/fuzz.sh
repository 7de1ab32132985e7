#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang, instrumented with ASan and UBSan (build-fuzz/),
# and runs each for a bounded time, starting from its committed corpus (fuzz/corpus/TARGET/).
# Part of the README's test command (tools/test.sh). Inputs found on the way go to a scratch
# corpus in build-fuzz/; --merge adds the ones that reach new code to the committed corpus. A crash
# stops with its input in build-fuzz/artifacts/ (replay: build-fuzz/fuzz/TARGET FILE).
# Usage: tools/fuzz.sh [--seconds N (default 20)] [--merge] [TARGET...]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

seconds=20
merge=0
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --merge) merge=1; shift ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_osc_packet fuzz_session_store fuzz_config)

cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
  -DCMAKE_CXX_COMPILER=clang++ -DLATENTJAM_FUZZ=ON -DLATENTJAM_TORCH=OFF -DLATENTJAM_TESTS=OFF \
  -DLATENTJAM_BENCHMARKS=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]}"

mkdir -p build-fuzz/artifacts
export ASAN_OPTIONS="detect_leaks=1" UBSAN_OPTIONS="halt_on_error=1 print_stacktrace=1"
for target in "${targets[@]}"; do
  corpus=fuzz/corpus/${target#fuzz_}
  scratch=build-fuzz/corpus/${target#fuzz_}
  mkdir -p "$scratch"
  echo "== $target for ${seconds}s from $(ls "$corpus" | wc -l) committed inputs"
  log=build-fuzz/$target.log
  status=0
  "build-fuzz/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix=build-fuzz/artifacts/ "$scratch" "$corpus" >"$log" 2>&1 ||
    status=$?
  grep -E "^(stat::number_of_executed_units|stat::new_units_added|INFO: seed corpus)" "$log" || true
  if [ "$status" != 0 ]; then
    tail -n 60 "$log" >&2
    echo "$target: FAILED (status $status); the input is in build-fuzz/artifacts/" >&2
    exit 1
  fi
  if [ "$merge" = 1 ]; then
    "build-fuzz/fuzz/$target" -merge=1 "$corpus" "$scratch" 2>&1 | tail -n 1
  fi
done
