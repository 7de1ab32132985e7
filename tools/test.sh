#!/usr/bin/env bash
# The test command of the README: installs what is missing (Debian packages, the word vectors),
# builds everything with warnings as errors, runs every test through CTest, then builds the
# concurrent parts under ThreadSanitizer and the parsers and audio mixer under AddressSanitizer
# with UndefinedBehaviorSanitizer, and runs those tests again (the daemon itself too, built with
# each sanitizer, for the shutdown-under-flood, fast-lane and browser-transport tests).
# Last, the libFuzzer targets of fuzz/ run for a bounded time (tools/fuzz.sh).
# Usage: tools/test.sh [extra ctest arguments]      LATENTJAM_SKIP_SANITIZERS=1 skips the sanitizer
# builds, LATENTJAM_SKIP_FUZZ=1 the fuzzing (LATENTJAM_FUZZ_SECONDS=N per target, default 30).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

tools/setup.sh
jobs=$(nproc)
build_dir=${LATENTJAM_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS="-Werror" >/dev/null
cmake --build "$build_dir" -j"$jobs"
(cd "$build_dir" && ctest --output-on-failure --timeout 600 "$@")

if [ "${LATENTJAM_SKIP_SANITIZERS:-0}" != 1 ]; then
  # LibTorch is left out of the sanitizer builds: it is not instrumented and dominates build time.
  sanitized() {  # name, sanitizer, test targets...
    local name=$1 sanitizer=$2
    shift 2
    cmake -S . -B "build-$name" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLATENTJAM_SANITIZE="$sanitizer" \
      -DLATENTJAM_TORCH=OFF -DLATENTJAM_BENCHMARKS=OFF >/dev/null
    # The daemon too: engine_daemon_shutdown_test runs it, so its shutdown is checked sanitized.
    cmake --build "build-$name" -j"$jobs" --target latentjam "$@"
    local target
    for target in "$@"; do
      echo "== $target under $sanitizer sanitizer"
      "$(find "build-$name/tests" -type f -name "$target" | head -n 1)" --gtest_brief=1
    done
  }
  export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
  sanitized tsan thread engine_render_pipeline_test engine_mixer_test engine_trainer_process_test \
    engine_training_worker_test engine_daemon_shutdown_test engine_daemon_hits_test \
    engine_daemon_web_test
  export ASAN_OPTIONS="detect_leaks=1" UBSAN_OPTIONS="halt_on_error=1 print_stacktrace=1"
  sanitized asan address control_command_table_test control_osc_packet_test control_midi_map_test engine_mixer_test \
    engine_render_pipeline_test models_builtin_test mappings_mlp_test mappings_dataset_test \
    mappings_prompt_test mappings_reading_test mappings_text_encoder_test train_progress_test \
    engine_daemon_shutdown_test engine_daemon_web_test
fi

# The fuzz targets (OSC packets, the session journal and snapshot, the configuration) with clang's
# libFuzzer under ASan and UBSan, a bounded time each from their committed corpora.
if [ "${LATENTJAM_SKIP_FUZZ:-0}" != 1 ]; then
  tools/fuzz.sh --seconds "${LATENTJAM_FUZZ_SECONDS:-30}"
fi
