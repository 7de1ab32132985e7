// The learned drum model's costs: one optimiser step of training (forward, backward, Adam) and a
// decode through the engine's TorchScript path, per hit and batched. The model is
// models/pretrained/kick.ts unless LATENTJAM_BENCH_DRUM_MODEL names another file; the batch is
// synthetic decaying noise (the cost does not depend on the sounds). tools/bench/train_peer.py
// times the same step in python3-torch; BENCHMARKS.md has the commands and the numbers.
// The allocator is set up as in the daemon and the trainer (keep_freed_memory_for_reuse) unless
// LATENTJAM_BENCH_MALLOC_DEFAULTS is set, to see what glibc's defaults cost.
#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <cstdlib>
#include <string>

#include "latentjam/models/allocator.hpp"
#include "latentjam/models/torchscript_decoder.hpp"

namespace {

std::string model_path() {
  if (const char* env = std::getenv("LATENTJAM_BENCH_DRUM_MODEL")) return env;
  return LATENTJAM_SOURCE_DIR "/models/pretrained/kick.ts";
}

at::Tensor decaying_noise(std::int64_t batch, std::int64_t length) {
  torch::manual_seed(1);
  const at::Tensor t = torch::arange(length, at::kFloat) / 44100.0;
  return torch::randn({batch, length}) * torch::exp(-t / 0.1);
}

// range(0): batch; range(1): intra-op threads.
void BM_TrainStep(benchmark::State& state) {
  at::set_num_threads(static_cast<int>(state.range(1)));
  torch::jit::Module m;
  try {
    m = torch::jit::load(model_path());
  } catch (const c10::Error& e) {
    state.SkipWithError(("cannot load " + model_path()).c_str());
    return;
  }
  m.train();
  std::vector<at::Tensor> params;
  for (const auto& p : m.named_parameters(false)) {
    at::Tensor t = p.value;
    t.set_requires_grad(true);
    params.push_back(t);
  }
  torch::optim::Adam adam(params, torch::optim::AdamOptions(1e-3));
  const at::Tensor x = decaying_noise(state.range(0), m.attr("hit_length").toInt());
  for (auto _ : state) {
    adam.zero_grad();
    const at::Tensor terms = m.run_method("train_loss", x, 0.01).toTensor();
    terms[0].backward();
    adam.step();
  }
}
BENCHMARK(BM_TrainStep)->Args({8, 1})->Args({8, 2})->Unit(benchmark::kMillisecond)->UseRealTime();

// range(0): batch. Through load_torchscript_decoder, as the daemon plays it: one intra-op thread,
// the output resampled to 48 kHz and post-processed.
void BM_DrumDecode(benchmark::State& state) {
  latentjam::models::TorchLoadOptions options;
  options.prefer_cuda = std::getenv("LATENTJAM_BENCH_CPU") == nullptr;
  auto loaded = latentjam::models::load_torchscript_decoder(model_path(), options);
  if (!loaded) {
    state.SkipWithError(loaded.error().c_str());
    return;
  }
  const auto& d = loaded.value();
  std::vector<latentjam::models::Latent> batch;
  for (int s = 0; s < state.range(0); ++s) batch.push_back(d->sample_prior(s));
  for (auto _ : state) {
    auto out = d->decode(batch, {48000.0, 120.0});
    if (!out) state.SkipWithError(out.error().c_str());
    benchmark::DoNotOptimize(out);
  }
  state.SetLabel(d->info().device);
}
BENCHMARK(BM_DrumDecode)->Arg(1)->Arg(3)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  if (std::getenv("LATENTJAM_BENCH_MALLOC_DEFAULTS") == nullptr)
    latentjam::models::keep_freed_memory_for_reuse();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
