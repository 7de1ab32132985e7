#include "signal.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>

#include "fft.hpp"

namespace latentjam::plots {

std::vector<double> spectrum_db(std::span<const float> x, std::size_t start) {
  // Periodic Hann: the spectrogram's frames overlap by 3/4 and sum to a constant.
  static const std::vector<double> window = [] {
    std::vector<double> w(kFftSize);
    for (std::size_t i = 0; i < kFftSize; ++i) {
      w[i] = 0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * i / kFftSize);
    }
    return w;
  }();
  std::vector<std::complex<double>> frame(kFftSize);
  for (std::size_t i = 0; i < kFftSize && start + i < x.size(); ++i) {
    frame[i] = x[start + i] * window[i];
  }
  analysis::fft(frame);
  // A sine of amplitude A gives a peak of A * sum(window) / 2 = A * kFftSize / 4.
  const double scale = 4.0 / kFftSize;
  std::vector<double> db(kFftSize / 2 + 1);
  for (std::size_t k = 0; k < db.size(); ++k) {
    db[k] = 20.0 * std::log10(std::max(std::abs(frame[k]) * scale, 1e-10));
  }
  return db;
}

std::vector<double> rms_envelope_db(std::span<const float> x, std::size_t window, double floor_db) {
  window = std::max<std::size_t>(window, 1);
  std::vector<double> db;
  db.reserve(x.size() / window + 1);
  for (std::size_t start = 0; start < x.size(); start += window) {
    const std::size_t end = std::min(x.size(), start + window);
    double sum = 0.0;
    for (std::size_t i = start; i < end; ++i) sum += double(x[i]) * x[i];
    const double rms = std::sqrt(sum / (end - start));
    db.push_back(std::max(floor_db, 20.0 * std::log10(std::max(rms, 1e-12))));
  }
  return db;
}

}  // namespace latentjam::plots
