// Decode times of the models. Built-ins: one latent per iteration, a different latent of the prior
// each time, at 48 kHz and 120 bpm. TorchScript: the modules from tools/make_test_models.py, at the
// model's own rate so that the time is the module's plus post-processing, comparable with
// tools/bench/torch_decode_peer.py (see BENCHMARKS.md).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "latentjam/models/decoder.hpp"
#ifdef LATENTJAM_BENCH_TORCH
#include "latentjam/models/torchscript_decoder.hpp"
#endif

namespace lm = latentjam::models;

static void BM_BuiltinDecode(benchmark::State& state, const char* name) {
  const lm::DecoderPtr d = lm::make_builtin_decoder(name);
  std::vector<lm::Latent> latents;
  for (int s = 0; s < 64; ++s) latents.push_back(d->sample_prior(s));
  const lm::RenderContext context{48000.0, 120.0};
  std::size_t i = 0, samples = 0;
  for (auto _ : state) {
    auto out = d->decode({&latents[i++ % latents.size()], 1}, context);
    if (!out) state.SkipWithError(out.error().c_str());
    samples += out->front().size();
    benchmark::DoNotOptimize(out);
  }
  state.counters["samples"] = benchmark::Counter(static_cast<double>(samples) / state.iterations());
}
BENCHMARK_CAPTURE(BM_BuiltinDecode, kick, "kick")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_BuiltinDecode, snare, "snare")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_BuiltinDecode, hat, "hat")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_BuiltinDecode, loop, "loop")->Unit(benchmark::kMicrosecond);

#ifdef LATENTJAM_BENCH_TORCH
// Writes the test modules once per run; LATENTJAM_BENCH_MODELS names an existing folder instead.
static std::string model_dir() {
  static const std::string dir = [] {
    if (const char* env = std::getenv("LATENTJAM_BENCH_MODELS")) return std::string(env);
    const auto d = std::filesystem::temp_directory_path() /
                   ("latentjam-bench-models-" + std::to_string(::getpid()));
    const std::string cmd = "/usr/bin/python3 " LATENTJAM_SOURCE_DIR "/tools/make_test_models.py " +
                            d.string() + " >/dev/null 2>&1";
    return std::system(cmd.c_str()) == 0 ? d.string() : std::string();
  }();
  return dir;
}

// range(0): batch size. `rate` is the module's own rate, so no resampling is timed.
static void BM_TorchDecode(benchmark::State& state, const char* file, double rate) {
  lm::TorchLoadOptions options;
  options.prefer_cuda = std::getenv("LATENTJAM_BENCH_CPU") == nullptr;
  auto loaded = lm::load_torchscript_decoder(model_dir() + "/" + file, options);
  if (!loaded) {
    state.SkipWithError(loaded.error().c_str());
    return;
  }
  const lm::DecoderPtr d = loaded.value();
  std::vector<lm::Latent> batch;
  for (int s = 0; s < state.range(0); ++s) batch.push_back(d->sample_prior(s));
  for (auto _ : state) {
    auto out = d->decode(batch, {rate, 120.0});
    if (!out) state.SkipWithError(out.error().c_str());
    benchmark::DoNotOptimize(out);
  }
  state.SetLabel(d->info().device);
}
BENCHMARK_CAPTURE(BM_TorchDecode, plain, "plain.ts", 22050.0)
    ->Arg(1)
    ->Arg(4)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_TorchDecode, rave_like, "rave_like.ts", 44100.0)
    ->Arg(1)
    ->Arg(4)
    ->Unit(benchmark::kMicrosecond);
#endif

BENCHMARK_MAIN();
