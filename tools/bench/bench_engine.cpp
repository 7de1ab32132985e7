// The audio callback's cost: Mixer::process for 64-frame buffers at 48 kHz with four voices
// playing (three one-shot voices re-triggered, the loop voice swapping every bar with a
// crossfade) while a render thread decodes built-in drums on the other core. Reports the
// median and p99.9 time per callback and as a share of the buffer period (target p99.9 <= 10 %).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "latentjam/engine/mixer.hpp"
#include "latentjam/models/decoder.hpp"

using namespace latentjam;

namespace {

engine::Sound* decoded(models::DecoderPtr decoder, std::uint64_t id, int voice,
                       std::uint64_t seed) {
  auto latent = decoder->sample_prior(seed);
  auto audio = decoder->decode({&latent, 1}, {48000.0, 120.0});
  auto* s = new engine::Sound;
  s->id = id;
  s->voice = voice;
  s->loop_beats = decoder->info().kind == models::SoundKind::Loop ? decoder->info().loop_beats : 0;
  s->samples = std::move(audio.value().front());
  return s;
}

void BM_AudioCallback64(benchmark::State& state) {
  const bool decodes_running = state.range(0) != 0;
  engine::Mixer mixer(48000.0, 120.0, 4.0);
  const char* names[] = {"kick", "snare", "hat", "loop"};
  std::vector<models::DecoderPtr> decoders;
  for (auto* n : names) decoders.push_back(models::make_builtin_decoder(n));
  std::uint64_t id = 1;
  for (int v = 0; v < 4; ++v)
    mixer.post({engine::AudioMessage::Kind::SetSound, v, 0, decoded(decoders[v], id++, v, v)});

  std::atomic<bool> stop{false};
  std::thread renderer;
  if (decodes_running) {
    renderer = std::thread([&] {
      std::uint64_t seed = 100;
      while (!stop.load()) {
        auto latent = decoders[seed % 4]->sample_prior(seed);
        benchmark::DoNotOptimize(decoders[seed % 4]->decode({&latent, 1}, {48000.0, 120.0}));
        ++seed;
      }
    });
  }
  std::vector<float> out(64 * 2);
  std::vector<double> ns;
  ns.reserve(1 << 20);
  std::uint64_t callbacks = 0;
  for (auto _ : state) {
    // Every 1500 callbacks (2 s): a new loop (crossfade at the bar) and new one-shots.
    if (callbacks % 1500 == 0) {
      for (int v = 0; v < 4; ++v)
        mixer.post({engine::AudioMessage::Kind::SetSound, v, 0,
                    decoded(decoders[v], id++, v, callbacks + v)});
    }
    if (callbacks % 40 == 0)  // a hit every ~53 ms on each one-shot voice: hits overlap
      for (int v = 0; v < 3; ++v)
        mixer.post({engine::AudioMessage::Kind::Trigger, v, 0.9f, nullptr, 0});
    auto t0 = std::chrono::steady_clock::now();
    mixer.process(out.data(), 64, 2);
    auto t1 = std::chrono::steady_clock::now();
    ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
    if (++callbacks % 256 == 0) mixer.collect_garbage();
  }
  stop = true;
  if (renderer.joinable()) renderer.join();
  std::sort(ns.begin(), ns.end());
  const double period_ns = 64.0 / 48000.0 * 1e9;
  const double p50 = ns[ns.size() / 2];
  const double p999 = ns[static_cast<std::size_t>(0.999 * double(ns.size() - 1))];
  state.counters["p50_us"] = p50 / 1e3;
  state.counters["p99.9_us"] = p999 / 1e3;
  state.counters["p99.9_share_of_period_pct"] = 100.0 * p999 / period_ns;
  state.counters["max_us"] = ns.back() / 1e3;
}
BENCHMARK(BM_AudioCallback64)->Arg(0)->Arg(1)->Iterations(200000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
