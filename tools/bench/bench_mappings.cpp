// Benchmarks of mappings/ (DESIGN.md §8: retrain after an edit at 100 examples, p99 <= 20 ms; word
// vectors load <= 0.5 s). Each benchmark records every iteration's time and reports p50/p99 (ms) as
// counters, because the targets are percentiles, not means.
//
// Data: 100-d unit-length inputs and 64-d Gaussian latents drawn at random. Random targets have no
// structure for the network to find, so this is the slow case: real labels are easier to fit and
// stop earlier on the loss target.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "latentjam/mappings/mapping.hpp"
#include "latentjam/mappings/prompt.hpp"
#include "latentjam/mappings/word_vectors.hpp"

namespace lm = latentjam::mappings;

namespace {

constexpr std::size_t kEmbedding = 100;
constexpr std::size_t kLatent = 64;

lm::TrainingExample random_example(std::mt19937& rng) {
  std::normal_distribution<float> g;
  lm::TrainingExample e;
  e.embedding.resize(kEmbedding);
  e.latent.resize(kLatent);
  double norm = 0.0;
  for (float& x : e.embedding) {
    x = g(rng);
    norm += double(x) * x;
  }
  for (float& x : e.embedding) x = static_cast<float>(x / std::sqrt(norm));
  for (float& x : e.latent) x = g(rng);
  return e;
}

std::vector<lm::TrainingExample> random_examples(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<lm::TrainingExample> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(random_example(rng));
  return out;
}

class Percentiles {
 public:
  void add(double seconds) { ms_.push_back(seconds * 1e3); }
  void report(benchmark::State& state) {
    if (ms_.empty()) return;
    std::sort(ms_.begin(), ms_.end());
    auto at = [&](double q) {
      return ms_[std::min(ms_.size() - 1, static_cast<std::size_t>(q * (ms_.size() - 1) + 0.5))];
    };
    state.counters["p50_ms"] = at(0.50);
    state.counters["p99_ms"] = at(0.99);
    state.counters["max_ms"] = ms_.back();
  }

 private:
  std::vector<double> ms_;
};

template <class F>
void timed(benchmark::State& state, Percentiles& p, F&& body) {
  const auto t0 = std::chrono::steady_clock::now();
  body();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  state.SetIterationTime(s);
  p.add(s);
}

// A retrain after one add: n - 1 examples plus one of 16 different new examples each iteration
// (so the timings are a distribution, not one repeated case). Every retrain is from scratch: a
// mapping is a pure function of its examples. kind 0 = kernel (the default), 1 = the paper's MLP.
void BM_RetrainAfterAdd(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  lm::MappingOptions options;
  options.kind = state.range(1) == 0 ? lm::MappingKind::Kernel : lm::MappingKind::Mlp;
  auto base = random_examples(n - 1, 1);
  const auto extra = random_examples(16, 2);
  Percentiles p;
  std::size_t k = 0, iterations = 0;
  for (auto _ : state) {
    auto data = base;
    data.push_back(extra[k++ % extra.size()]);
    timed(state, p, [&] {
      auto m = lm::train_mapping(data, options);
      iterations += m.value()->report().iterations;
      benchmark::DoNotOptimize(m);
    });
  }
  p.report(state);
  state.counters["adam_iterations"] =
      static_cast<double>(iterations) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_RetrainAfterAdd)
    ->ArgNames({"examples", "mlp"})
    ->Args({10, 0})
    ->Args({100, 0})
    ->Args({1000, 0})
    ->Args({10, 1})
    ->Args({100, 1})
    ->Args({1000, 1})
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0);

// Exactly `iterations` Adam steps (no early stop): the like-for-like comparison with
// tools/bench/mlp_peer.py, which trains the same network the same way with python3-torch.
void BM_TrainFixedIterations(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto data = random_examples(n, 3);
  lm::MappingOptions o;
  o.kind = lm::MappingKind::Mlp;
  o.mlp.max_iterations = static_cast<std::size_t>(state.range(1));
  o.mlp.target_loss = 0.0f;
  o.mlp.tolerance = 0.0f;
  Percentiles p;
  for (auto _ : state) {
    timed(state, p, [&] { benchmark::DoNotOptimize(lm::train_mapping(data, o)); });
  }
  p.report(state);
}
BENCHMARK(BM_TrainFixedIterations)
    ->ArgNames({"examples", "iterations"})
    ->Args({10, 200})
    ->Args({100, 200})
    ->Args({1000, 200})
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(1.0);

std::string vectors_path() {
  if (const char* env = std::getenv("LATENTJAM_WORD_VECTORS"); env && *env) return env;
  const std::string full = std::string(LATENTJAM_SOURCE_DIR) + "/data/word-vectors.bin";
  if (std::filesystem::exists(full)) return full;
  return std::string(LATENTJAM_SOURCE_DIR) + "/tests/data/word-vectors-subset.bin";
}

// Opening the memory-mapped word vectors (header and index validation; pages come in lazily).
void BM_WordVectorLoad(benchmark::State& state) {
  const std::string path = vectors_path();
  Percentiles p;
  for (auto _ : state) {
    timed(state, p, [&] {
      auto enc = lm::open_word_vectors(path);
      if (!enc) state.SkipWithError(enc.error().c_str());
      benchmark::DoNotOptimize(enc);
    });
  }
  p.report(state);
  state.SetLabel(path);
}
BENCHMARK(BM_WordVectorLoad)->UseManualTime()->Unit(benchmark::kMillisecond)->MinTime(1.0);

// Prompt text -> latent: parse, embed every term (with the n-gram fallback for "thwacky"), run the
// MLP of a voice with 100 examples, mix.
void BM_PromptToLatent(benchmark::State& state) {
  auto enc = std::move(lm::open_word_vectors(vectors_path())).value();
  auto mapping = lm::train_mapping(random_examples(100, 4)).value();
  const std::vector<std::string> prompts = {
      "boomy deep", "between punchy tight and thwacky squishy at 0.3", "extremely crisp",
      "dark:0.7 sizzling bright:0.3", "a bit laid-back and swung"};
  Percentiles p;
  std::size_t k = 0;
  for (auto _ : state) {
    const std::string& text = prompts[k++ % prompts.size()];
    timed(state, p, [&] {
      auto parsed = lm::parse_prompt(text);
      auto latent = lm::resolve_prompt(parsed.value(), *enc, *mapping, mapping->centre());
      benchmark::DoNotOptimize(latent);
    });
  }
  p.report(state);
}
BENCHMARK(BM_PromptToLatent)->UseManualTime()->Unit(benchmark::kMicrosecond)->MinTime(1.0);

}  // namespace

BENCHMARK_MAIN();
