#include "latentjam/models/resampler.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace latentjam::models {

namespace {

constexpr int kZeroCrossings = 16;
constexpr int kTableSteps = 512;  // kernel samples per zero crossing; linear interpolation between
constexpr double kKaiserBeta = 8.0;  // about -80 dB side lobes
constexpr double kPi = 3.14159265358979323846;

double bessel_i0(double x) {
  double sum = 1.0, term = 1.0;
  for (int k = 1; k < 30; ++k) {
    term *= (x / (2.0 * k)) * (x / (2.0 * k));
    sum += term;
  }
  return sum;
}

// sinc(x) * kaiser(x / kZeroCrossings) for x in [0, kZeroCrossings], tabulated once: evaluating sin
// and a Bessel function per tap would cost more than the whole rest of a decode.
const std::vector<float>& kernel_table() {
  static const std::vector<float> table = [] {
    std::vector<float> t(kZeroCrossings * kTableSteps + 2, 0.0f);
    const double norm = bessel_i0(kKaiserBeta);
    for (int i = 0; i <= kZeroCrossings * kTableSteps; ++i) {
      const double x = static_cast<double>(i) / kTableSteps;
      const double sinc = i == 0 ? 1.0 : std::sin(kPi * x) / (kPi * x);
      const double r = x / kZeroCrossings;
      const double window = bessel_i0(kKaiserBeta * std::sqrt(std::max(0.0, 1.0 - r * r))) / norm;
      t[i] = static_cast<float>(sinc * window);
    }
    return t;
  }();
  return table;
}

}  // namespace

AudioBuffer resample_to_length(std::span<const float> input, std::size_t output_length,
                               bool periodic) {
  AudioBuffer out(output_length, 0.0f);
  const auto n = static_cast<long long>(input.size());
  if (n == 0 || output_length == 0) return out;
  const std::vector<float>& table = kernel_table();
  const double step = static_cast<double>(n) / output_length;  // input samples per output sample
  const double cutoff = std::min(1.0, 1.0 / step);             // relative to the input's Nyquist
  const double reach = kZeroCrossings / cutoff;                // kernel half-width in input samples
  const double table_scale = cutoff * kTableSteps;
  for (std::size_t j = 0; j < output_length; ++j) {
    const double t = j * step;
    const auto first = static_cast<long long>(std::ceil(t - reach));
    const auto last = static_cast<long long>(std::floor(t + reach));
    double acc = 0.0;
    for (long long k = first; k <= last; ++k) {
      long long index = k;
      if (periodic) {
        index %= n;
        if (index < 0) index += n;
      } else if (k < 0 || k >= n) {
        continue;
      }
      const double pos = std::abs(t - static_cast<double>(k)) * table_scale;
      const auto i = static_cast<std::size_t>(pos);
      if (i + 1 >= table.size()) continue;
      const double frac = pos - static_cast<double>(i);
      const double w = table[i] + (table[i + 1] - table[i]) * frac;
      acc += w * input[static_cast<std::size_t>(index)];
    }
    out[j] = static_cast<float>(acc * cutoff);
  }
  return out;
}

AudioBuffer resample(std::span<const float> input, double from_rate, double to_rate) {
  if (from_rate <= 0.0 || to_rate <= 0.0) return AudioBuffer(input.begin(), input.end());
  const auto length = static_cast<std::size_t>(
      std::llround(static_cast<double>(input.size()) * to_rate / from_rate));
  if (length == input.size()) return AudioBuffer(input.begin(), input.end());
  return resample_to_length(input, length);
}

}  // namespace latentjam::models
