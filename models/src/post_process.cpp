#include "latentjam/models/post_process.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace latentjam::models {

bool all_finite(const AudioBuffer& audio) {
  return std::all_of(audio.begin(), audio.end(), [](float v) { return std::isfinite(v); });
}

void highpass(AudioBuffer& audio, double cutoff_hz, double sample_rate) {
  if (cutoff_hz <= 0.0 || sample_rate <= 0.0) return;
  // Bilinear-transformed RC high-pass: removes DC and sub-sonic drift without touching a 40 Hz kick
  // much (about -0.9 dB at 40 Hz for a 20 Hz cutoff).
  const double k = std::tan(3.14159265358979323846 * cutoff_hz / sample_rate);
  const float b = static_cast<float>(1.0 / (1.0 + k));
  const float a = static_cast<float>((1.0 - k) / (1.0 + k));
  float x_prev = 0.0f, y_prev = 0.0f;
  for (float& v : audio) {
    const float y = b * (v - x_prev) + a * y_prev;
    x_prev = v;
    y_prev = y;
    v = y;
  }
}

void remove_mean(AudioBuffer& audio) {
  if (audio.empty()) return;
  const double mean = std::accumulate(audio.begin(), audio.end(), 0.0) / audio.size();
  for (float& v : audio) v -= static_cast<float>(mean);
}

float peak_of(const AudioBuffer& audio) {
  float peak = 0.0f;
  for (float v : audio) peak = std::max(peak, std::abs(v));
  return peak;
}

void trim_tail(AudioBuffer& audio, float below_db, std::size_t keep_after,
               std::size_t max_samples) {
  const float threshold = peak_of(audio) * std::pow(10.0f, below_db / 20.0f);
  std::size_t last = audio.size();
  while (last > 0 && std::abs(audio[last - 1]) <= threshold) --last;
  const std::size_t end = std::min({audio.size(), last + keep_after, max_samples});
  audio.resize(std::max<std::size_t>(end, 1));
}

void fade_edges(AudioBuffer& audio, std::size_t fade_in, std::size_t fade_out) {
  const std::size_t n = audio.size();
  fade_in = std::min(fade_in, n);
  fade_out = std::min(fade_out, n);
  // Raised-cosine fades: no corner in the envelope, so no click of their own.
  for (std::size_t i = 0; i < fade_in; ++i) {
    const double x = static_cast<double>(i) / fade_in;
    audio[i] *= static_cast<float>(0.5 - 0.5 * std::cos(3.14159265358979323846 * x));
  }
  for (std::size_t i = 0; i < fade_out; ++i) {
    // i = 0 is the last sample, which becomes exactly zero.
    const double x = static_cast<double>(i) / fade_out;
    audio[n - 1 - i] *= static_cast<float>(0.5 - 0.5 * std::cos(3.14159265358979323846 * x));
  }
}

void normalise_peak(AudioBuffer& audio, float peak) {
  const float current = peak_of(audio);
  if (current <= 0.0f) return;
  const float gain = peak / current;
  for (float& v : audio) v *= gain;
}

Status post_process(AudioBuffer& audio, const PostProcessOptions& options) {
  if (audio.empty()) return fail("decoded audio is empty");
  if (!all_finite(audio)) return fail("decoded audio contains NaN or infinity");
  // Judged before any processing: a model that outputs 1e-9 is broken, not quiet.
  if (peak_of(audio) < 1e-6f) return fail("decoded audio is silent");
  const double sr = options.sample_rate;
  if (options.loop) {
    remove_mean(audio);
  } else {
    const auto ms = [sr](double v) { return static_cast<std::size_t>(std::lround(v * 1e-3 * sr)); };
    highpass(audio, options.highpass_hz, sr);
    const auto max_samples = options.max_seconds > 0.0
                                 ? static_cast<std::size_t>(options.max_seconds * sr)
                                 : audio.size();
    trim_tail(audio, options.trim_below_db, ms(options.fade_out_ms), max_samples);
    remove_mean(audio);
    fade_edges(audio, ms(options.fade_in_ms), ms(options.fade_out_ms));
  }
  if (peak_of(audio) < 1e-6f) return fail("decoded audio is silent");
  normalise_peak(audio, options.peak);
  return Ok{};
}

}  // namespace latentjam::models
