#include <algorithm>
#include <cmath>

#include "drum_voices.hpp"
#include "dsp.hpp"
#include "rng.hpp"

namespace latentjam::models::synth {

SnareParams snare_params(std::span<const float> u) {
  SnareParams p{};
  p.tone_hz = expo(u[0], 150.0f, 270.0f);
  p.mode_ratio = lin(u[1], 1.45f, 1.85f);
  p.pitch_drop = lin(u[2], 1.0f, 1.6f);
  p.tone_decay_s = expo(u[3], 0.06f, 0.32f);
  p.noise_decay_s = expo(u[4], 0.12f, 0.7f);
  p.noise_hz = expo(u[5], 1500.0f, 6500.0f);
  p.noise_q = lin(u[6], 0.4f, 1.4f);
  p.noise_highpass_hz = expo(u[7], 300.0f, 1500.0f);
  p.tone_mix = lin(u[8], 0.15f, 0.5f);
  p.snap = lin(u[9], 0.0f, 0.5f);
  p.drive = expo(u[10], 1.0f, 3.5f);
  return p;
}

AudioBuffer render_snare(const SnareParams& p, double sr, std::uint64_t noise_seed) {
  const double seconds = std::min(
      static_cast<double>(std::max(p.tone_decay_s, p.noise_decay_s)) + 0.02, kMaxOneShotSeconds);
  AudioBuffer out(static_cast<std::size_t>(seconds * sr));
  Rng noise(noise_seed);
  Phasor head1, head2(0.1f);
  Decay drop(0.03, sr);
  Decay tone_env(p.tone_decay_s, sr);
  Decay mode2_env(p.tone_decay_s * 0.6, sr);  // the upper mode dies first, as on a real head
  Decay noise_env(p.noise_decay_s, sr);
  Decay snap_env(0.012, sr);
  Svf wires_band(p.noise_hz, p.noise_q, sr);
  Svf wires_high(p.noise_highpass_hz, 0.707, sr);
  Svf snap_filter(4000.0, 0.8, sr);
  const SoftClip clip(p.drive);
  const float inv_sr = static_cast<float>(1.0 / sr);
  const float drop_range = p.tone_hz * (p.pitch_drop - 1.0f);
  const float noise_mix = 1.0f - p.tone_mix;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const float f = p.tone_hz + drop_range * drop.next();
    const float tone = fast_sin(head1.advance(f * inv_sr)) * tone_env.next() +
                       0.5f * fast_sin(head2.advance(f * p.mode_ratio * inv_sr)) * mode2_env.next();
    const float white = noise.bipolar();
    const float wires = wires_high.process(wires_band.process(white).band * 3.0f).high;
    const float snap = snap_filter.process(white).band * snap_env.next() * p.snap * 3.0f;
    out[i] = clip(p.tone_mix * tone + noise_mix * wires * noise_env.next() + snap);
  }
  return out;
}

}  // namespace latentjam::models::synth
