// The render pipeline under contention: several threads submitting for several voices while an
// "audio thread" consumes. Built and run under ThreadSanitizer by tools/test.sh as well.
#include "latentjam/engine/render_pipeline.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

using namespace latentjam;
using namespace latentjam::engine;

namespace {

// A batching decoder for the batching test, beside the real built-in decoders used elsewhere.
class CountingDecoder final : public models::Decoder {
 public:
  explicit CountingDecoder(bool batches) {
    info_.name = "counting";
    info_.latent_size = 4;
    info_.prefers_batches = batches;
  }
  const models::DecoderInfo& info() const override { return info_; }
  models::Latent sample_prior(std::uint64_t seed) const override {
    return models::Latent(4, float(seed));
  }
  Result<std::vector<models::AudioBuffer>> decode(std::span<const models::Latent> batch,
                                                  const models::RenderContext&) const override {
    calls.fetch_add(1);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // a decode takes time
    std::vector<models::AudioBuffer> out;
    for (const auto& z : batch) out.emplace_back(64, z[0]);
    return out;
  }
  mutable std::atomic<int> calls{0};

 private:
  models::DecoderInfo info_;
};

}  // namespace

TEST(RenderPipeline, LatestWinsUnderConcurrentSubmitters) {
  Mixer mixer(48000, 120, 4);
  RenderPipeline pipeline(mixer, 2);
  auto kick = models::make_builtin_decoder("kick");
  ASSERT_TRUE(kick);
  std::atomic<bool> audio_running{true};
  std::thread audio([&] {
    std::vector<float> out(128);
    while (audio_running.load()) mixer.process(out.data(), 64, 2);
  });
  constexpr int kVoices = 4, kPerVoice = 300;
  std::vector<std::thread> submitters;
  for (int v = 0; v < kVoices; ++v)
    submitters.emplace_back([&, v] {
      for (int i = 1; i <= kPerVoice; ++i)
        pipeline.submit({v,
                         std::uint64_t(v * 10000 + i),
                         kick->sample_prior(std::uint64_t(i)),
                         kick,
                         {48000, 120},
                         RenderPipeline::now_ns()});
    });
  for (auto& t : submitters) t.join();
  pipeline.wait_idle();
  audio_running = false;
  audio.join();
  mixer.collect_garbage();
  const RenderStats stats = pipeline.stats();
  EXPECT_EQ(stats.submitted, std::uint64_t(kVoices * kPerVoice));
  EXPECT_EQ(stats.decoded + stats.superseded + stats.dropped + stats.failed, stats.submitted);
  EXPECT_EQ(stats.failed, 0u);
  EXPECT_GT(stats.superseded, 0u);
  for (int v = 0; v < kVoices; ++v)
    EXPECT_EQ(pipeline.last_delivered(v), std::uint64_t(v * 10000 + kPerVoice)) << "voice " << v;
  EXPECT_EQ(pipeline.take_latencies_ms().size(), stats.decoded);
}

TEST(RenderPipeline, VoicesSharingABatchingDecoderAreDecodedTogether) {
  Mixer mixer(48000, 120, 4);
  auto decoder = std::make_shared<CountingDecoder>(true);
  RenderPipeline pipeline(mixer, 1);
  // Keep the single worker busy so that requests for the other voices pile up behind it.
  pipeline.submit({0, 1, decoder->sample_prior(1), decoder, {48000, 120}, 0});
  for (int v = 1; v < 8; ++v)
    pipeline.submit({v, std::uint64_t(v + 1), decoder->sample_prior(v), decoder, {48000, 120}, 0});
  pipeline.wait_idle();
  const RenderStats stats = pipeline.stats();
  EXPECT_EQ(stats.decoded, 8u);
  EXPECT_LT(stats.batches, 8u) << "pending voices should share decode calls";
  EXPECT_EQ(decoder->calls.load(), int(stats.batches));
}

TEST(RenderPipeline, NonBatchingDecoderDecodesOneAtATime) {
  Mixer mixer(48000, 120, 4);
  auto decoder = std::make_shared<CountingDecoder>(false);
  RenderPipeline pipeline(mixer, 1);
  for (int v = 0; v < 4; ++v)
    pipeline.submit({v, std::uint64_t(v + 1), decoder->sample_prior(v), decoder, {48000, 120}, 0});
  pipeline.wait_idle();
  EXPECT_EQ(pipeline.stats().decoded, 4u);
  EXPECT_EQ(pipeline.stats().batches, 4u);
}
