#include <algorithm>
#include <cmath>

#include "drum_voices.hpp"
#include "dsp.hpp"
#include "rng.hpp"

namespace latentjam::models::synth {

KickParams kick_params(std::span<const float> u) {
  KickParams p{};
  p.end_hz = expo(u[0], 38.0f, 72.0f);
  p.start_hz = p.end_hz * expo(u[1], 2.5f, 7.0f);
  p.sweep_s = expo(u[2], 0.008f, 0.06f);
  p.hold_s = expo(u[3], 0.002f, 0.04f);
  p.decay_s = expo(u[4], 0.22f, 1.3f);
  p.click_level = lin(u[5], 0.02f, 0.45f);
  p.click_hz = expo(u[6], 1200.0f, 5000.0f);
  p.drive = expo(u[7], 1.0f, 4.5f);
  p.tone_hz = expo(u[8], 700.0f, 6000.0f);
  return p;
}

AudioBuffer render_kick(const KickParams& p, double sr, std::uint64_t noise_seed) {
  const double seconds = std::min(p.hold_s + p.decay_s + 0.02, kMaxOneShotSeconds);
  AudioBuffer out(static_cast<std::size_t>(seconds * sr));
  Rng noise(noise_seed);
  Phasor phase(0.25f);               // start at the crest: a kick's first half-cycle is its punch
  Decay sweep(p.sweep_s * 6.9, sr);  // sweep_s is the time constant; Decay wants a -60 dB time
  Decay amp(p.decay_s, sr);
  Decay click_env(0.025, sr);
  Svf click_filter(p.click_hz, 1.2, sr);
  Svf tone(p.tone_hz, 0.707, sr);
  const SoftClip clip(p.drive);
  const auto hold = static_cast<std::size_t>(p.hold_s * sr);
  const float inv_sr = static_cast<float>(1.0 / sr);
  const float sweep_range = p.start_hz - p.end_hz;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const float f = p.end_hz + sweep_range * sweep.next();
    const float body = fast_sin(phase.advance(f * inv_sr)) * (i < hold ? 1.0f : amp.next());
    const float click =
        click_filter.process(noise.bipolar()).band * click_env.next() * p.click_level;
    out[i] = tone.process(clip(body + click)).low;
  }
  return out;
}

}  // namespace latentjam::models::synth
