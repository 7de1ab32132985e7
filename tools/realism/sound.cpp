// Loading one-shots and describing them: the same path for real and generated hits.
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <numbers>

#include "fft.hpp"
#include "latentjam/models/resampler.hpp"
#include "realism.hpp"

namespace latentjam::realism {
namespace {

constexpr std::size_t kFrame = 1024, kHop = 512;
constexpr std::size_t kFrames = (kWindow - kFrame) / kHop + 1;  // 45 frames of 10.7 ms hops
constexpr int kBands = 24;
constexpr double kLowHz = 30.0, kHighHz = 16000.0;  // below the Nyquist of 44.1 kHz material
// Time segments of the log-mel features, in frames: attack, early body, late body, tail.
constexpr std::size_t kSegments[] = {0, 2, 6, 15, kFrames};
constexpr int kSegmentCount = 4;
constexpr int kScalarCount = 9;
constexpr double kFloorDb = -80.0;  // relative to the loudest band energy of the hit

double peak_of(std::span<const float> x) {
  float p = 0.0f;
  for (float v : x) p = std::max(p, std::abs(v));
  return p;
}

using analysis::fft;

double hz_to_mel(double hz) {
  return 2595.0 * std::log10(1.0 + hz / 700.0);
}
double mel_to_hz(double mel) {
  return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0);
}

// Triangular mel filters over the FFT bins: kBands x (kFrame / 2 + 1).
const Eigen::MatrixXd& mel_filters() {
  static const Eigen::MatrixXd filters = [] {
    const std::size_t bins = kFrame / 2 + 1;
    Eigen::MatrixXd f = Eigen::MatrixXd::Zero(kBands, bins);
    std::vector<double> edges(kBands + 2);
    for (int i = 0; i < kBands + 2; ++i) {
      const double m =
          hz_to_mel(kLowHz) + (hz_to_mel(kHighHz) - hz_to_mel(kLowHz)) * i / (kBands + 1);
      edges[i] = mel_to_hz(m);
    }
    for (int b = 0; b < kBands; ++b) {
      for (std::size_t k = 0; k < bins; ++k) {
        const double hz = double(k) * kRate / double(kFrame);
        const double up = (hz - edges[b]) / (edges[b + 1] - edges[b]);
        const double down = (edges[b + 2] - hz) / (edges[b + 2] - edges[b + 1]);
        f(b, k) = std::max(0.0, std::min(up, down));
      }
      // Narrow low bands may fall between bins: give them the nearest bin.
      if (f.row(b).sum() <= 0.0) {
        f(b, static_cast<std::size_t>(std::lround(edges[b + 1] * kFrame / kRate))) = 1.0;
      }
    }
    return f;
  }();
  return filters;
}

// The last 2 ms block (from the peak on) whose maximum is above threshold_db relative to the peak.
double decay_seconds(std::span<const float> x, double threshold_db) {
  const std::size_t block = static_cast<std::size_t>(0.002 * kRate);
  const double p = peak_of(x);
  if (p <= 0.0) return 0.0;
  const double level = p * std::pow(10.0, threshold_db / 20.0);
  const std::size_t top =
      std::max_element(x.begin(), x.end(),
                       [](float a, float b) { return std::abs(a) < std::abs(b); }) -
      x.begin();
  std::size_t last = top;
  for (std::size_t s = top; s < x.size(); s += block) {
    for (std::size_t i = s; i < std::min(x.size(), s + block); ++i) {
      if (std::abs(x[i]) > level) {
        last = s + block;
        break;
      }
    }
  }
  return double(std::min(last, x.size()) - top) / kRate;
}

}  // namespace

std::size_t onset_index(std::span<const float> x) {
  const double p = peak_of(x);
  if (p <= 0.0) return 0;
  const double level = p * 0.01;  // -40 dB
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (std::abs(x[i]) >= level) return i;
  }
  return 0;
}

Result<AudioBuffer> load_one_shot(const std::string& path) {
  SF_INFO info{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  if (!file) return fail("cannot read " + path + ": " + sf_strerror(nullptr));
  if (info.channels < 1 || info.samplerate < 8000 || info.frames <= 0) {
    sf_close(file);
    return fail(path + ": not a usable sound (" + std::to_string(info.channels) + " channels, " +
                std::to_string(info.samplerate) + " Hz, " + std::to_string(info.frames) +
                " frames)");
  }
  std::vector<float> interleaved(static_cast<std::size_t>(info.frames) * info.channels);
  const sf_count_t got = sf_readf_float(file, interleaved.data(), info.frames);
  sf_close(file);
  AudioBuffer mono(static_cast<std::size_t>(std::max<sf_count_t>(got, 0)));
  for (std::size_t i = 0; i < mono.size(); ++i) {
    double s = 0.0;
    for (int c = 0; c < info.channels; ++c) s += interleaved[i * info.channels + c];
    mono[i] = static_cast<float>(s / info.channels);
  }
  if (peak_of(mono) <= 0.0) return fail(path + ": silent");
  const double rate = info.samplerate;
  const std::size_t margin = static_cast<std::size_t>(0.001 * rate);
  const std::size_t onset = onset_index(mono);
  const std::size_t start = onset > margin ? onset - margin : 0;
  const std::size_t end = std::min(mono.size(), start + static_cast<std::size_t>(1.6 * rate));
  const std::span<const float> cut(mono.data() + start, end - start);
  if (rate == kRate) return AudioBuffer(cut.begin(), cut.end());
  return models::resample(cut, rate, kRate);
}

std::size_t feature_count() {
  return std::size_t(kBands) * kSegmentCount + kScalarCount;
}

std::vector<std::string> feature_names() {
  std::vector<std::string> names;
  // "energy 240 Hz 21-64 ms": a band's centre and a segment's span after the onset, so that a
  // report of which features give a voice away reads without this file at hand.
  const double frame_ms = 1000.0 * double(kHop) / kRate;
  for (int s = 0; s < kSegmentCount; ++s) {
    for (int b = 0; b < kBands; ++b) {
      const double lo = hz_to_mel(kLowHz), hi = hz_to_mel(kHighHz);
      const double centre = mel_to_hz(lo + (hi - lo) * double(b + 1) / double(kBands + 1));
      char name[64];
      std::snprintf(name, sizeof name, "energy %.0f Hz %.0f-%.0f ms", centre,
                    frame_ms * double(kSegments[s]), frame_ms * double(kSegments[s + 1]));
      names.emplace_back(name);
    }
  }
  for (const char* n : {"log_centroid", "log_rolloff85", "flatness_attack", "flatness_body",
                        "log_attack_ms", "log_rise_ms", "log_decay20", "log_decay40", "zcr"}) {
    names.emplace_back(n);
  }
  return names;
}

Sound analyse(std::span<const float> audio) {
  Sound sound;
  sound.features.assign(feature_count(), 0.0);
  // Trim at the onset (1 ms before it, as load_one_shot does) and normalise the peak to 1.
  const std::size_t margin = static_cast<std::size_t>(0.001 * kRate);
  const std::size_t onset = onset_index(audio);
  const std::size_t start = onset > margin ? onset - margin : 0;
  const double p = peak_of(audio);
  if (p <= 0.0) return sound;
  std::vector<float> x(kLongWindow, 0.0f);
  for (std::size_t i = 0; i < kLongWindow && start + i < audio.size(); ++i) {
    x[i] = static_cast<float>(audio[start + i] / p);
  }
  const std::span<const float> window(x.data(), kWindow);

  // Envelope descriptors.
  Descriptors& d = sound.descriptors;
  const std::size_t on = onset_index(x);
  const std::size_t top =
      std::max_element(x.begin(), x.end(),
                       [](float a, float b) { return std::abs(a) < std::abs(b); }) -
      x.begin();
  const double xp = peak_of(x);
  std::size_t half = on;
  while (half < x.size() && std::abs(x[half]) < 0.5 * xp) ++half;
  d.attack_ms = 1000.0 * double(top > on ? top - on : 0) / kRate;
  d.rise_ms = 1000.0 * double(half > on ? half - on : 0) / kRate;
  d.onset_step = d.rise_ms <= 0.3;
  d.decay_s = decay_seconds(x, -40.0);
  double energy = 0.0;
  for (std::size_t i = 0; i < kWindow; ++i) energy += double(x[i]) * double(x[i]);
  d.loudness_db = 10.0 * std::log10(std::max(energy / double(kWindow), 1e-12));

  // Log-mel spectrogram of the first 0.5 s.
  const Eigen::MatrixXd& filters = mel_filters();
  Eigen::MatrixXd mel(kBands, kFrames);
  std::vector<std::complex<double>> buf(kFrame);
  Eigen::VectorXd power(kFrame / 2 + 1);
  double centroid_num = 0, centroid_den = 0;
  Eigen::VectorXd total_power = Eigen::VectorXd::Zero(kFrame / 2 + 1);
  double flat_attack = 0, flat_body = 0;
  for (std::size_t f = 0; f < kFrames; ++f) {
    for (std::size_t i = 0; i < kFrame; ++i) {
      const double w = 0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * double(i) / kFrame);
      buf[i] = window[f * kHop + i] * w;
    }
    fft(buf);
    for (std::size_t k = 0; k <= kFrame / 2; ++k) power(k) = std::norm(buf[k]);
    mel.col(f) = filters * power;
    total_power += power;
    // Spectral flatness (geometric over arithmetic mean) up to 16 kHz, in the attack (first two
    // frames) and the body (the next eight).
    if (f < 10) {
      const std::size_t top_bin = static_cast<std::size_t>(kHighHz * kFrame / kRate);
      double log_sum = 0, sum = 0;
      for (std::size_t k = 1; k < top_bin; ++k) {
        log_sum += std::log(power(k) + 1e-12);
        sum += power(k);
      }
      const double flat =
          std::exp(log_sum / double(top_bin - 1)) / (sum / double(top_bin - 1) + 1e-12);
      (f < 2 ? flat_attack : flat_body) += flat / (f < 2 ? 2.0 : 8.0);
    }
  }
  for (std::size_t k = 1; k <= kFrame / 2; ++k) {
    const double hz = double(k) * kRate / kFrame;
    if (hz > kHighHz) break;
    centroid_num += total_power(k) * hz;
    centroid_den += total_power(k);
  }
  d.centroid_hz = centroid_den > 0 ? centroid_num / centroid_den : 0.0;
  double rolloff = kHighHz, running = 0;
  for (std::size_t k = 1; k <= kFrame / 2; ++k) {
    running += total_power(k);
    if (running >= 0.85 * centroid_den) {
      rolloff = double(k) * kRate / kFrame;
      break;
    }
  }

  const double loudest = std::max(mel.maxCoeff(), 1e-30);
  std::size_t n = 0;
  for (int s = 0; s < kSegmentCount; ++s) {
    for (int b = 0; b < kBands; ++b) {
      const double e = mel.row(b).segment(kSegments[s], kSegments[s + 1] - kSegments[s]).mean();
      sound.features[n++] = std::max(kFloorDb, 10.0 * std::log10(e / loudest + 1e-30)) / 10.0;
    }
  }
  std::size_t crossings = 0;
  const std::size_t zcr_len = static_cast<std::size_t>(0.1 * kRate);
  for (std::size_t i = 1; i < zcr_len; ++i) crossings += (x[i - 1] < 0) != (x[i] < 0);
  sound.features[n++] = std::log(std::max(d.centroid_hz, 20.0));
  sound.features[n++] = std::log(std::max(rolloff, 20.0));
  sound.features[n++] = flat_attack;
  sound.features[n++] = flat_body;
  sound.features[n++] = std::log(d.attack_ms + 0.05);
  sound.features[n++] = std::log(d.rise_ms + 0.05);
  sound.features[n++] = std::log(decay_seconds(x, -20.0) + 0.005);
  sound.features[n++] = std::log(d.decay_s + 0.005);
  sound.features[n++] = double(crossings) / double(zcr_len);
  return sound;
}

Eigen::MatrixXd feature_matrix(std::span<const Sound> sounds) {
  Eigen::MatrixXd m(static_cast<Eigen::Index>(sounds.size()),
                    static_cast<Eigen::Index>(feature_count()));
  for (std::size_t i = 0; i < sounds.size(); ++i) {
    for (std::size_t j = 0; j < feature_count(); ++j) {
      m(Eigen::Index(i), Eigen::Index(j)) = sounds[i].features[j];
    }
  }
  return m;
}

}  // namespace latentjam::realism
