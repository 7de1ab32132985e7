// Issue 8, "keep what the embedding knows": on the probe benchmark (tests/data/sound_probes.tsv)
// with the real word vectors, the default mapping lands a probe nearest its expected label's sound
// at least 98 % as often as the embedding alone puts it nearest that label, on both splits, for
// random latents and for the built-in decoders' latents, with one and two sounds per label.
// The rates themselves are in BENCHMARKS.md (tools: word_bench).
#include <gtest/gtest.h>

#include <filesystem>

#include "latentjam/mappings/word_vectors.hpp"
#include "mapping_rate.hpp"
#include "test_helpers.hpp"

namespace latentjam::bench {
namespace {

namespace lm = latentjam::mappings;

class MappingRate : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string path = lm::testing::full_vectors();
    if (!std::filesystem::exists(path)) {
      if (lm::testing::ci()) FAIL() << "CI=true and the word vectors are missing at " << path;
      GTEST_SKIP() << "no word vectors at " << path << " (run tools/fetch_vectors.sh)";
    }
    auto enc = lm::open_word_vectors(path);
    ASSERT_TRUE(enc.ok()) << enc.error();
    encoder = std::move(enc).value();
    auto b = read_probe_benchmark(lm::testing::source_dir() + "/tests/data/sound_probes.tsv");
    ASSERT_TRUE(b.ok()) << b.error();
    bench = std::move(b).value();
  }

  std::unique_ptr<lm::TextEncoder> encoder;
  ProbeBenchmark bench;
};

TEST_F(MappingRate, TheDefaultMappingKeepsWhatTheEmbeddingKnows) {
  const auto tune = embedding_report(*encoder, bench, Split::kTune);
  const auto held = embedding_report(*encoder, bench, Split::kHeldout);
  ASSERT_GT(tune.total, 100u);
  ASSERT_GT(held.total, 100u);
  struct Case {
    LatentSource latents;
    std::size_t per_label;
  };
  for (const Case c : {Case{LatentSource::kRandom, 1}, Case{LatentSource::kDecoder, 1},
                       Case{LatentSource::kDecoder, 2}}) {
    MappingRateOptions o;  // the default mapping: what the daemon uses
    o.latents = c.latents;
    o.examples_per_label = c.per_label;
    auto r = mapping_rates(*encoder, bench, o);
    ASSERT_TRUE(r.ok()) << r.error();
    const std::string what = std::string(latent_source_name(c.latents)) + " latents, " +
                             std::to_string(c.per_label) + " per label";
    EXPECT_GE(r.value().tune.rate(), 0.98 * tune.rate())
        << what << ": tune " << r.value().tune.rate() << " vs embedding " << tune.rate();
    EXPECT_GE(r.value().heldout.rate(), 0.98 * held.rate())
        << what << ": heldout " << r.value().heldout.rate() << " vs embedding " << held.rate();
  }
}

// A mapping that ignored the text would land every probe on one label: the rate must be far above
// what a constant guess gets, or the comparison above would mean nothing.
TEST_F(MappingRate, IsFarAboveGuessing) {
  MappingRateOptions o;
  auto r = mapping_rates(*encoder, bench, o);
  ASSERT_TRUE(r.ok()) << r.error();
  double chance = 0.0;
  std::size_t n = 0;
  for (const auto& p : bench.probes) {
    chance += 1.0 / static_cast<double>(bench.find_set(p.set)->labels.size());
    ++n;
  }
  chance /= static_cast<double>(n);
  EXPECT_GT(r.value().heldout.rate(), 2.0 * chance);
}

TEST_F(MappingRate, UnknownVoiceIsAnError) {
  ProbeBenchmark odd = bench;
  odd.sets[0].voice = "theremin";
  MappingRateOptions o;
  o.latents = LatentSource::kDecoder;
  auto r = mapping_rates(*encoder, odd, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("theremin"), std::string::npos);
}

}  // namespace
}  // namespace latentjam::bench
