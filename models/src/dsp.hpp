// Per-sample building blocks of the drum synthesisers. Header-only so the inner loops inline; each
// is a few multiply-adds because a one-shot must render in well under 2 ms.
#pragma once

#include <algorithm>
#include <cmath>

namespace latentjam::models::synth {

inline constexpr double kPi = 3.14159265358979323846;

// sin(2*pi*phase) for phase in [0, 1). A folded 9th-order Taylor polynomial: error below 4e-6,
// about five times cheaper than std::sin, and it keeps the oscillators' phase accumulators simple.
inline float fast_sin(float phase) {
  float t = phase - 0.5f;  // sin(2*pi*phase) = -sin(2*pi*t), t in [-0.5, 0.5)
  if (t > 0.25f) t = 0.5f - t;
  if (t < -0.25f) t = -0.5f - t;
  const float a = static_cast<float>(2.0 * kPi) * t;
  const float a2 = a * a;
  const float s =
      a *
      (1.0f + a2 * (-1.0f / 6 + a2 * (1.0f / 120 + a2 * (-1.0f / 5040 + a2 * (1.0f / 362880)))));
  return -s;
}

// Pade approximant of tanh, exact at +-3 where it reaches +-1; smooth enough for saturation.
inline float fast_tanh(float x) {
  if (x > 3.0f) return 1.0f;
  if (x < -3.0f) return -1.0f;
  const float x2 = x * x;
  return x * (27.0f + x2) / (27.0f + 9.0f * x2);
}

// Saturation whose gain at full scale stays 1, so drive changes colour more than loudness.
class SoftClip {
 public:
  explicit SoftClip(float drive)
      : drive_(std::max(drive, 0.01f)), norm_(1.0f / fast_tanh(drive_)) {}
  float operator()(float x) const { return fast_tanh(drive_ * x) * norm_; }

 private:
  float drive_;
  float norm_;
};

// Phase accumulator in cycles, wrapped to [0, 1); increments must be in [0, 1).
class Phasor {
 public:
  explicit Phasor(float start = 0.0f) : phase_(start) {}
  float advance(float increment) {
    const float p = phase_;
    phase_ += increment;  // increments stay below 0.5 (Nyquist), so one subtraction wraps
    if (phase_ >= 1.0f) phase_ -= 1.0f;
    return p;
  }

 private:
  float phase_;
};

// Exponential decay towards zero; `seconds_to_minus_60_db` is the musician's "decay time".
class Decay {
 public:
  Decay(double seconds_to_minus_60_db, double sample_rate)
      : factor_(static_cast<float>(
            std::exp(-6.907755278982137 / std::max(seconds_to_minus_60_db * sample_rate, 1.0)))) {}
  float next() {
    const float v = value_;
    value_ *= factor_;
    return v;
  }

 private:
  float value_ = 1.0f;
  float factor_;
};

// Topology-preserving-transform state-variable filter (Zavalishin / Simper): stable under any
// cutoff, gives low, band and high outputs from one state.
class Svf {
 public:
  struct Out {
    float low, band, high;
  };

  Svf(double cutoff_hz, double q, double sample_rate) {
    const double fc = std::clamp(cutoff_hz, 10.0, 0.45 * sample_rate);
    const double g = std::tan(kPi * fc / sample_rate);
    k_ = static_cast<float>(1.0 / std::max(q, 0.05));
    a1_ = static_cast<float>(1.0 / (1.0 + g * (g + k_)));
    a2_ = static_cast<float>(g) * a1_;
    a3_ = static_cast<float>(g) * a2_;
  }

  Out process(float v0) {
    const float v3 = v0 - ic2_;
    const float v1 = a1_ * ic1_ + a2_ * v3;
    const float v2 = ic2_ + a2_ * ic1_ + a3_ * v3;
    ic1_ = 2.0f * v1 - ic1_;
    ic2_ = 2.0f * v2 - ic2_;
    return {v2, v1, v0 - k_ * v1 - v2};
  }

 private:
  float k_, a1_, a2_, a3_;
  float ic1_ = 0.0f, ic2_ = 0.0f;
};

// Linear interpolation of a unit value into a range, and its logarithmic sibling for frequencies
// and times, where equal steps should sound equal.
inline float lin(float unit, float lo, float hi) {
  return lo + (hi - lo) * unit;
}
inline float expo(float unit, float lo, float hi) {
  return lo * std::pow(hi / lo, unit);
}

}  // namespace latentjam::models::synth
