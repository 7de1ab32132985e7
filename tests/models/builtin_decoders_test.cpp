// Properties of the built-in drum decoders over the whole prior: they sound like the drum they are
// named after, they vary, and they are deterministic.
#include <gtest/gtest.h>

#include <thread>

#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include "audio_features.hpp"
#include "latentjam/models/decoder.hpp"

namespace latentjam::models {
namespace {

using testing::count_onsets;
using testing::decay_time_40db;
using testing::spectral_centroid;

constexpr int kPriorSamples = 200;
constexpr double kRate = 48000.0;

struct Features {
  std::vector<double> centroid, decay, seconds;
  std::vector<int> onsets;
};

// Decodes kPriorSamples latents of the prior and checks what every one of them must satisfy.
Features survey(const std::string& name, const RenderContext& context = {},
                int count = kPriorSamples) {
  const DecoderPtr decoder = make_builtin_decoder(name);
  EXPECT_NE(decoder, nullptr);
  Features f;
  if (!decoder) return f;
  std::vector<Latent> batch;
  for (int s = 0; s < count; ++s) batch.push_back(decoder->sample_prior(s));
  auto audio = decoder->decode(batch, context);
  EXPECT_TRUE(audio.ok()) << (audio.ok() ? "" : audio.error());
  if (!audio) return f;
  EXPECT_EQ(audio->size(), batch.size());
  for (const AudioBuffer& a : audio.value()) {
    SCOPED_TRACE(name + " latent " + std::to_string(f.centroid.size()));
    EXPECT_LE(testing::peak(a), 1.0f);
    EXPECT_GT(testing::peak(a), 0.5f);
    EXPECT_GT(testing::rms(a), 0.01);  // never silent
    EXPECT_LT(std::abs(testing::mean(a)), 2e-3);
    EXPECT_TRUE(std::all_of(a.begin(), a.end(), [](float v) { return std::isfinite(v); }));
    f.centroid.push_back(spectral_centroid(a, context.sample_rate));
    f.decay.push_back(decay_time_40db(a, context.sample_rate));
    f.seconds.push_back(a.size() / context.sample_rate);
    f.onsets.push_back(count_onsets(a, context.sample_rate));
  }
  return f;
}

void expect_one_shot_edges(const std::string& name) {
  const DecoderPtr decoder = make_builtin_decoder(name);
  for (int s = 0; s < 20; ++s) {
    const Latent z = decoder->sample_prior(1000 + s);
    auto audio = decoder->decode({&z, 1}, {});
    ASSERT_TRUE(audio.ok());
    const AudioBuffer& a = audio->front();
    EXPECT_EQ(a.back(), 0.0f) << "tail must fade to exact zero";
    EXPECT_LT(std::abs(a.front()), 0.05f) << "no click at the start";
    EXPECT_LE(a.size(), static_cast<std::size_t>(1.5 * kRate));
  }
}

TEST(BuiltinDecoders, NamesAndFactory) {
  const auto names = builtin_decoder_names();
  ASSERT_EQ(names, (std::vector<std::string>{"kick", "snare", "hat", "loop"}));
  for (const auto& n : names) {
    const DecoderPtr d = make_builtin_decoder(n);
    ASSERT_NE(d, nullptr) << n;
    EXPECT_EQ(d->info().name, n);
    EXPECT_GE(d->info().latent_size, 64u);
    EXPECT_EQ(d->info().kind, n == "loop" ? SoundKind::Loop : SoundKind::OneShot);
  }
  EXPECT_EQ(make_builtin_decoder("loop")->info().loop_beats, 4.0);
  EXPECT_EQ(make_builtin_decoder("cowbell"), nullptr);
}

TEST(BuiltinDecoders, PriorIsStandardNormalAndSeeded) {
  const DecoderPtr d = make_builtin_decoder("kick");
  EXPECT_EQ(d->sample_prior(7), d->sample_prior(7));
  EXPECT_NE(d->sample_prior(7), d->sample_prior(8));
  double sum = 0.0, sq = 0.0;
  int n = 0;
  for (int s = 0; s < 200; ++s) {
    for (float v : d->sample_prior(s)) {
      sum += v;
      sq += double(v) * v;
      ++n;
    }
  }
  EXPECT_NEAR(sum / n, 0.0, 0.05);
  EXPECT_NEAR(std::sqrt(sq / n), 1.0, 0.05);
}

// Drum-like ranges for every sound of the prior, and how much they must vary across it.
struct OneShotRanges {
  double centroid_min, centroid_max, decay_min, decay_max;
  double centroid_spread, decay_spread;  // minimum standard deviations
};

void expect_one_shot(const char* voice, const OneShotRanges& r) {
  const Features f = survey(voice);
  for (std::size_t i = 0; i < f.centroid.size(); ++i) {
    EXPECT_GT(f.centroid[i], r.centroid_min) << voice;
    EXPECT_LT(f.centroid[i], r.centroid_max) << voice;
    EXPECT_GT(f.decay[i], r.decay_min) << voice;
    EXPECT_LT(f.decay[i], r.decay_max) << voice;
  }
  EXPECT_GT(testing::stddev(f.centroid), r.centroid_spread) << voice;
  EXPECT_GT(testing::stddev(f.decay), r.decay_spread) << voice;
  expect_one_shot_edges(voice);
}

TEST(BuiltinDecoders, KickIsLowShortAndVaried) {
  expect_one_shot("kick", {30.0, 400.0, 0.08, 1.5, 15.0, 0.08});
}

TEST(BuiltinDecoders, SnareIsMidBandAndVaried) {
  expect_one_shot("snare", {500.0, 10000.0, 0.05, 1.0, 500.0, 0.05});
}

TEST(BuiltinDecoders, HatIsHighAndVaried) {
  // Closed and open hats both occur, hence the decay spread.
  expect_one_shot("hat", {5000.0, 1e9, 0.01, 1.0, 300.0, 0.08});
}

TEST(BuiltinDecoders, VoicesAreOrderedByBrightness) {
  const auto median = [](std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
  };
  const double kick = median(survey("kick").centroid);
  const double snare = median(survey("snare").centroid);
  const double hat = median(survey("hat").centroid);
  EXPECT_LT(kick * 5, snare);
  EXPECT_LT(snare * 1.5, hat);
}

TEST(BuiltinDecoders, LoopIsOneBarAtTempoWithAGroove) {
  for (double tempo : {90.0, 120.0, 174.0}) {
    RenderContext context;
    context.tempo_bpm = tempo;
    const Features f = survey("loop", context, tempo == 120.0 ? kPriorSamples : 50);
    const double bar = 4 * 60.0 / tempo;
    std::vector<double> onsets;
    for (std::size_t i = 0; i < f.seconds.size(); ++i) {
      EXPECT_NEAR(f.seconds[i], bar, 1.0 / kRate);
      EXPECT_GE(f.onsets[i], 3) << "a bar has at least kick, snare and something else";
      EXPECT_LE(f.onsets[i], 24);
      onsets.push_back(f.onsets[i]);
    }
    EXPECT_GT(testing::stddev(onsets), 1.0) << "patterns differ across the prior";
    EXPECT_GT(testing::stddev(f.centroid), 200.0);
  }
}

TEST(BuiltinDecoders, LoopFollowsSampleRate) {
  const DecoderPtr d = make_builtin_decoder("loop");
  const Latent z = d->sample_prior(3);
  auto a = d->decode({&z, 1}, {44100.0, 100.0});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->front().size(), static_cast<std::size_t>(std::llround(4 * 0.6 * 44100.0)));
}

TEST(BuiltinDecoders, IdenticalLatentsGiveIdenticalSamples) {
  for (const auto& name : builtin_decoder_names()) {
    const DecoderPtr a = make_builtin_decoder(name);
    const DecoderPtr b = make_builtin_decoder(name);  // a separate instance, same fixed map
    const Latent z = a->sample_prior(42);
    auto x = a->decode({&z, 1}, {});
    auto y = b->decode({&z, 1}, {});
    ASSERT_TRUE(x.ok() && y.ok());
    EXPECT_EQ(x->front(), y->front()) << name;
  }
}

TEST(BuiltinDecoders, DistinctLatentsSoundDifferent) {
  for (const auto& name : builtin_decoder_names()) {
    const DecoderPtr d = make_builtin_decoder(name);
    int different = 0;
    for (int s = 0; s < 20; ++s) {
      const Latent z1 = d->sample_prior(2 * s), z2 = d->sample_prior(2 * s + 1);
      auto x = d->decode({&z1, 1}, {});
      auto y = d->decode({&z2, 1}, {});
      ASSERT_TRUE(x.ok() && y.ok());
      const double c1 = spectral_centroid(x->front(), kRate),
                   c2 = spectral_centroid(y->front(), kRate);
      const double d1 = decay_time_40db(x->front(), kRate), d2 = decay_time_40db(y->front(), kRate);
      // Audibly different: 10 % in brightness or 15 % in length (or a different bar for loops).
      if (std::abs(c1 - c2) > 0.1 * std::max(c1, c2) ||
          std::abs(d1 - d2) > 0.15 * std::max(d1, d2) ||
          count_onsets(x->front(), kRate) != count_onsets(y->front(), kRate)) {
        ++different;
      }
    }
    EXPECT_GE(different, 16) << name;
  }
}

TEST(BuiltinDecoders, SmallLatentMovesChangeTheSoundSmoothly) {
  // Entangled, but continuous: a small step along one dimension is a small change in sound.
  const DecoderPtr d = make_builtin_decoder("kick");
  Latent z = d->sample_prior(5);
  auto x = d->decode({&z, 1}, {});
  z[0] += 0.01f;
  auto y = d->decode({&z, 1}, {});
  ASSERT_TRUE(x.ok() && y.ok());
  EXPECT_NE(x->front(), y->front());
  const double c1 = spectral_centroid(x->front(), kRate), c2 = spectral_centroid(y->front(), kRate);
  EXPECT_NEAR(c1, c2, 0.05 * c1);
}

TEST(BuiltinDecoders, NoSingleDimensionIsAKnob) {
  // Moving one latent dimension changes several features at once, and which ones depends on where
  // in the latent space you start.
  const DecoderPtr d = make_builtin_decoder("snare");
  int both = 0;
  for (int s = 0; s < 10; ++s) {
    Latent z = d->sample_prior(s);
    auto x = d->decode({&z, 1}, {});
    z[s] += 1.5f;
    auto y = d->decode({&z, 1}, {});
    ASSERT_TRUE(x.ok() && y.ok());
    const double dc =
        std::abs(spectral_centroid(x->front(), kRate) - spectral_centroid(y->front(), kRate));
    const double dd =
        std::abs(decay_time_40db(x->front(), kRate) - decay_time_40db(y->front(), kRate));
    if (dc > 20.0 && dd > 0.002) ++both;
  }
  EXPECT_GE(both, 5);
}

TEST(BuiltinDecoders, DecodingIsDeterministicAcrossThreads) {
  for (const auto& name : builtin_decoder_names()) {
    const DecoderPtr d = make_builtin_decoder(name);
    std::vector<Latent> batch;
    for (int s = 0; s < 8; ++s) batch.push_back(d->sample_prior(100 + s));
    auto reference = d->decode(batch, {});
    ASSERT_TRUE(reference.ok());
    std::vector<std::vector<AudioBuffer>> results(4);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < results.size(); ++t) {
      threads.emplace_back([&, t] {
        auto r = d->decode(batch, {});
        if (r) results[t] = std::move(r).value();
      });
    }
    for (auto& t : threads) t.join();
    for (const auto& r : results) EXPECT_EQ(r, reference.value()) << name;
  }
}

TEST(BuiltinDecoders, RejectsBadRequestsWithoutThrowing) {
  const DecoderPtr d = make_builtin_decoder("snare");
  const Latent short_latent(10, 0.0f);
  auto r = d->decode({&short_latent, 1}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("expected 64"), std::string::npos) << r.error();

  Latent nan_latent = d->sample_prior(1);
  nan_latent[3] = std::nanf("");
  r = d->decode({&nan_latent, 1}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("NaN"), std::string::npos);

  const Latent z = d->sample_prior(1);
  EXPECT_FALSE(d->decode({&z, 1}, {0.0, 120.0}).ok());
  EXPECT_FALSE(make_builtin_decoder("loop")->decode({&z, 1}, {48000.0, 0.0}).ok());

  auto empty = d->decode({}, {});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(BuiltinDecoders, ExtremeLatentsStaySafe) {
  // Extrapolating sliders and prompts push latents far outside the prior.
  for (const auto& name : builtin_decoder_names()) {
    const DecoderPtr d = make_builtin_decoder(name);
    for (float scale : {0.0f, 8.0f, -30.0f}) {
      Latent z = d->sample_prior(9);
      for (float& v : z) v *= scale;
      auto a = d->decode({&z, 1}, {});
      ASSERT_TRUE(a.ok()) << name << " " << a.error();
      EXPECT_LE(testing::peak(a->front()), 1.0f);
      EXPECT_GT(testing::rms(a->front()), 0.005);
    }
  }
}

#if defined(__SSE__)
// The synthesisers flush denormals while they decode (their decays would otherwise crawl through
// the denormal range, several times slower: BENCHMARKS.md, "Decoders"), and leave the caller's
// floating-point mode as it was; the result is the same whatever mode the caller had.
TEST(BuiltinDecoders, FlushDenormalsOnlyWhileDecoding) {
  constexpr unsigned kFtzDaz = 0x8040;
  for (const char* name : {"kick", "snare", "hat", "loop"}) {
    const DecoderPtr d = make_builtin_decoder(name);
    const Latent z = d->sample_prior(77);
    const unsigned before = _mm_getcsr();
    ASSERT_EQ(before & kFtzDaz, 0u) << "the test expects the default mode";
    auto plain = d->decode({&z, 1}, {});
    EXPECT_EQ(_mm_getcsr(), before) << name << ": decode changed the caller's mode";
    _mm_setcsr(before | kFtzDaz);
    auto flushed = d->decode({&z, 1}, {});
    EXPECT_EQ(_mm_getcsr(), before | kFtzDaz) << name;
    _mm_setcsr(before);
    ASSERT_TRUE(plain.ok() && flushed.ok());
    EXPECT_EQ(plain->front(), flushed->front()) << name;
  }
}
#endif

}  // namespace
}  // namespace latentjam::models
