#include "latentjam/models/post_process.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "audio_features.hpp"

namespace latentjam::models {
namespace {

AudioBuffer decaying_tone_with_dc(std::size_t n) {
  AudioBuffer x(n);
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = 0.3f + 2.0f * std::exp(-static_cast<float>(i) / 4000.0f) *
                      std::sin(2 * M_PI * 200.0 * i / 48000.0);
  }
  return x;
}

TEST(PostProcess, OneShotIsNormalisedCenteredAndFaded) {
  AudioBuffer x = decaying_tone_with_dc(3 * 48000);
  ASSERT_TRUE(post_process(x, {}).ok());
  EXPECT_NEAR(testing::peak(x), 0.8913f, 1e-4f);
  EXPECT_LT(std::abs(testing::mean(x)), 1e-4);
  EXPECT_EQ(x.back(), 0.0f);
  EXPECT_EQ(x.front(), 0.0f);
  EXPECT_LE(x.size(), 72000u);  // cut at 1.5 s
}

TEST(PostProcess, OneShotTailIsTrimmedAfterItDiesAway) {
  AudioBuffer x(48000, 0.0f);
  for (std::size_t i = 0; i < 4800; ++i) x[i] = std::sin(2 * M_PI * 1000.0 * i / 48000.0);
  ASSERT_TRUE(post_process(x, {}).ok());
  // The tone, the high-pass filter's own short ring-out and the fade; not the 0.9 s of silence.
  EXPECT_LT(x.size(), 4800u + 4800u);
}

TEST(PostProcess, LoopIsOnlyCenteredAndScaled) {
  // No filter and no fade: either would click where the loop wraps around.
  AudioBuffer x = decaying_tone_with_dc(96000);
  AudioBuffer expected = x;
  remove_mean(expected);
  normalise_peak(expected, 0.8912509f);
  PostProcessOptions options;
  options.loop = true;
  ASSERT_TRUE(post_process(x, options).ok());
  ASSERT_EQ(x.size(), expected.size());
  for (std::size_t i = 0; i < x.size(); i += 97) ASSERT_NEAR(x[i], expected[i], 1e-5f) << i;
  EXPECT_LT(std::abs(testing::mean(x)), 1e-4);
}

TEST(PostProcess, RejectsWhatCannotBePlayed) {
  AudioBuffer empty;
  EXPECT_FALSE(post_process(empty, {}).ok());
  AudioBuffer silent(1000, 0.0f);
  auto s = post_process(silent, {});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().find("silent"), std::string::npos);
  AudioBuffer nan(1000, 0.1f);
  nan[500] = std::nanf("");
  auto n = post_process(nan, {});
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.error().find("NaN"), std::string::npos);
}

}  // namespace
}  // namespace latentjam::models
