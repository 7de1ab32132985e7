#include "latentjam/models/resampler.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "latentjam/models/post_process.hpp"
#include "latentjam/models/time_stretch.hpp"

namespace latentjam::models {
namespace {

AudioBuffer sine(double hz, double rate, std::size_t n) {
  AudioBuffer x(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = static_cast<float>(std::sin(2 * M_PI * hz * i / rate));
  return x;
}

TEST(Resampler, LengthIsExact) {
  const AudioBuffer x = sine(440.0, 44100.0, 44100);
  EXPECT_EQ(resample(x, 44100.0, 48000.0).size(), 48000u);
  EXPECT_EQ(resample(x, 44100.0, 22050.0).size(), 22050u);
  EXPECT_EQ(resample_to_length(x, 12345).size(), 12345u);
  EXPECT_TRUE(resample_to_length({}, 0).empty());
}

TEST(Resampler, UpsamplingKeepsTheWaveform) {
  const AudioBuffer x = sine(1000.0, 44100.0, 44100);
  const AudioBuffer y = resample(x, 44100.0, 48000.0);
  const AudioBuffer expected = sine(1000.0, 48000.0, 48000);
  double worst = 0.0;
  for (std::size_t i = 1000; i < 47000; ++i)
    worst = std::max(worst, double(std::abs(y[i] - expected[i])));
  EXPECT_LT(worst, 2e-3);
}

TEST(Resampler, DownsamplingRemovesWhatWouldAlias) {
  // 12 kHz cannot exist at 16 kHz; it must vanish rather than fold to 4 kHz.
  const AudioBuffer x = sine(12000.0, 48000.0, 48000);
  const AudioBuffer y = resample(x, 48000.0, 16000.0);
  AudioBuffer middle(y.begin() + 1000, y.end() - 1000);
  EXPECT_LT(peak_of(middle), 1e-3f);
  // ... while a 1 kHz tone passes unchanged in level.
  const AudioBuffer pass = resample(sine(1000.0, 48000.0, 48000), 48000.0, 16000.0);
  EXPECT_NEAR(peak_of(AudioBuffer(pass.begin() + 1000, pass.end() - 1000)), 1.0f, 0.01f);
}

TEST(Resampler, PeriodicInputStaysSeamless) {
  // Exactly 10 cycles: as a loop, the wrap from the end to the start is a continuation of the wave.
  const AudioBuffer x = sine(10.0, 1000.0, 1000);
  const AudioBuffer y = resample_to_length(x, 1500, /*periodic=*/true);
  const AudioBuffer expected = sine(10.0, 1500.0, 1500);
  for (std::size_t i : {0u, 1u, 2u, 1497u, 1498u, 1499u}) EXPECT_NEAR(y[i], expected[i], 2e-3) << i;
}

}  // namespace
}  // namespace latentjam::models

// Time-stretching (Rubber Band) keeps the pitch where resampling would shift it.
TEST(TimeStretch, FitsTheLengthAndKeepsThePitch) {
  const double rate = 22050.0;
  std::vector<float> tone(22050);
  for (std::size_t i = 0; i < tone.size(); ++i)
    tone[i] = 0.5f * std::sin(2.0 * M_PI * 440.0 * double(i) / rate);
  auto longer = latentjam::models::stretch_to_length(tone, 33075, rate);
  ASSERT_EQ(longer.size(), 33075u);
  // Count zero crossings in the middle second: a 440 Hz tone has 880 per second either way.
  auto crossings_per_second = [&](const std::vector<float>& x, std::size_t from, std::size_t n) {
    int c = 0;
    for (std::size_t i = from + 1; i < from + n; ++i) c += (x[i - 1] < 0) != (x[i] < 0);
    return double(c) * rate / double(n);
  };
  EXPECT_NEAR(crossings_per_second(longer, 5000, 20000), 880.0, 880.0 * 0.02);
  auto shorter = latentjam::models::stretch_to_length(tone, 11025, rate);
  ASSERT_EQ(shorter.size(), 11025u);
  EXPECT_NEAR(crossings_per_second(shorter, 1000, 9000), 880.0, 880.0 * 0.02);
}
