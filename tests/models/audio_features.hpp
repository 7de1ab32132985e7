// Measurements a listener would make of a drum sound, computed from the samples, so that the tests
// assert properties of the audio rather than stored results.
#pragma once

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <numeric>
#include <vector>

#include "../../tools/realism/fft.hpp"

namespace latentjam::models::testing {

inline float peak(const std::vector<float>& x) {
  float p = 0.0f;
  for (float v : x) p = std::max(p, std::abs(v));
  return p;
}

inline double mean(const std::vector<float>& x) {
  return x.empty() ? 0.0 : std::accumulate(x.begin(), x.end(), 0.0) / x.size();
}

inline double rms(const std::vector<float>& x) {
  double s = 0.0;
  for (float v : x) s += double(v) * v;
  return x.empty() ? 0.0 : std::sqrt(s / x.size());
}

using latentjam::analysis::fft;

// Magnitude-weighted mean frequency over Hann-windowed frames, each frame weighted by its energy
// (so the loud attack and body count more than the quiet tail), in Hz.
inline double spectral_centroid(const std::vector<float>& x, double sample_rate) {
  constexpr std::size_t kFrame = 2048, kHop = 1024;
  double weighted = 0.0, total = 0.0;
  std::vector<std::complex<double>> buf(kFrame);
  for (std::size_t start = 0; start + kFrame / 4 < x.size(); start += kHop) {
    for (std::size_t i = 0; i < kFrame; ++i) {
      const double w = 0.5 - 0.5 * std::cos(2.0 * M_PI * i / kFrame);
      buf[i] = start + i < x.size() ? x[start + i] * w : 0.0;
    }
    fft(buf);
    for (std::size_t k = 1; k < kFrame / 2; ++k) {
      const double m = std::abs(buf[k]);
      weighted += m * m * (k * sample_rate / kFrame);
      total += m * m;
    }
  }
  return total > 0.0 ? weighted / total : 0.0;
}

// Envelope in dB relative to the peak: the maximum |x| over `window`-sample blocks.
inline std::vector<double> envelope_db(const std::vector<float>& x, std::size_t window) {
  const double p = std::max(peak(x), 1e-12f);
  std::vector<double> env;
  for (std::size_t s = 0; s < x.size(); s += window) {
    float m = 0.0f;
    for (std::size_t i = s; i < std::min(x.size(), s + window); ++i)
      m = std::max(m, std::abs(x[i]));
    env.push_back(20.0 * std::log10(std::max(double(m), 1e-12) / p));
  }
  return env;
}

// Seconds from the peak until the envelope last falls below -40 dB.
inline double decay_time_40db(const std::vector<float>& x, double sample_rate) {
  const std::size_t window = static_cast<std::size_t>(0.002 * sample_rate);
  const auto env = envelope_db(x, window);
  const std::size_t top = std::max_element(env.begin(), env.end()) - env.begin();
  std::size_t last = top;
  for (std::size_t i = top; i < env.size(); ++i) {
    if (env[i] > -40.0) last = i;
  }
  return double(last + 1 - top) * window / sample_rate;
}

// Seconds from the peak to the last 2 ms block above `threshold_db` (negative, relative to the
// peak): how long the sound rings out to that level.
inline double decay_time(const std::vector<float>& x, double sample_rate, double threshold_db) {
  const std::size_t window = static_cast<std::size_t>(0.002 * sample_rate);
  const auto env = envelope_db(x, window);
  const std::size_t top = std::max_element(env.begin(), env.end()) - env.begin();
  std::size_t last = top;
  for (std::size_t i = top; i < env.size(); ++i) {
    if (env[i] > threshold_db) last = i;
  }
  return double(last + 1 - top) * window / sample_rate;
}

// Onsets: a block whose energy rises 9 dB above the quietest of the previous 20 ms and is within
// 30 dB of the loudest block, at least 40 ms after the previous onset.
inline int count_onsets(const std::vector<float>& x, double sample_rate) {
  const std::size_t window = static_cast<std::size_t>(0.004 * sample_rate);
  const auto env = envelope_db(x, window);
  int count = 0;
  std::size_t last = 0;
  bool any = false;
  for (std::size_t i = 5; i < env.size(); ++i) {
    const double before = *std::min_element(env.begin() + (i - 5), env.begin() + i);
    if (env[i] > -30.0 && env[i] - before > 9.0 &&
        (!any || (i - last) * window > 0.04 * sample_rate)) {
      ++count;
      last = i;
      any = true;
    }
  }
  return count;
}

inline double stddev(const std::vector<double>& v) {
  const double m = std::accumulate(v.begin(), v.end(), 0.0) / v.size();
  double s = 0.0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / v.size());
}

}  // namespace latentjam::models::testing
