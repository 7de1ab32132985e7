#include <algorithm>
#include <array>
#include <cmath>

#include "drum_voices.hpp"
#include "dsp.hpp"
#include "rng.hpp"

namespace latentjam::models::synth {

namespace {
// Frequency ratios of the TR-808's six cymbal oscillators (205.3, 304.4, 369.6, 522.7, 540, 800
// Hz).
constexpr std::array<float, 6> kMetalRatios = {1.0f, 1.4826f, 1.8003f, 2.5459f, 2.6303f, 3.8966f};
}  // namespace

HatParams hat_params(std::span<const float> u) {
  HatParams p{};
  p.base_hz = expo(u[0], 280.0f, 620.0f);
  p.spread = lin(u[1], 0.8f, 1.25f);
  p.decay_s = expo(u[2], 0.04f, 0.9f);
  p.highpass_hz = expo(u[3], 4500.0f, 9000.0f);
  p.band_hz = expo(u[4], 6500.0f, 12000.0f);
  p.band_q = lin(u[5], 0.6f, 1.8f);
  p.metal_mix = lin(u[6], 0.3f, 0.9f);
  p.drive = expo(u[7], 1.0f, 3.0f);
  p.transient = lin(u[8], 0.0f, 0.6f);
  return p;
}

AudioBuffer render_hat(const HatParams& p, double sr, std::uint64_t noise_seed) {
  const double seconds = std::min(static_cast<double>(p.decay_s) + 0.02, kMaxOneShotSeconds);
  AudioBuffer out(static_cast<std::size_t>(seconds * sr));
  Rng noise(noise_seed);
  std::array<Phasor, 6> oscillators;
  std::array<float, 6> increments;
  for (std::size_t k = 0; k < 6; ++k) {
    // `spread` stretches the partials apart or together around the first: a different metal.
    const float ratio = 1.0f + (kMetalRatios[k] - 1.0f) * p.spread;
    increments[k] = static_cast<float>(p.base_hz * ratio / sr);
    oscillators[k] = Phasor(noise.uniform());
  }
  Decay env(p.decay_s, sr);
  Decay transient_env(0.01, sr);
  Svf band(p.band_hz, p.band_q, sr);
  Svf high1(p.highpass_hz, 0.707, sr);
  Svf high2(p.highpass_hz, 0.707, sr);  // fourth order: the 808 sound has almost nothing below
  const SoftClip clip(p.drive);
  const float noise_mix = 1.0f - p.metal_mix;
  for (std::size_t i = 0; i < out.size(); ++i) {
    float metal = 0.0f;
    for (std::size_t k = 0; k < 6; ++k)
      metal += oscillators[k].advance(increments[k]) < 0.5f ? 1.0f : -1.0f;
    const float source = p.metal_mix * metal * (1.0f / 6.0f) + noise_mix * noise.bipolar();
    const float shaped = band.process(clip(source)).band;
    const float gain = env.next() + p.transient * transient_env.next();
    out[i] = high2.process(high1.process(shaped * gain).high).high;
  }
  return out;
}

}  // namespace latentjam::models::synth
