// The three drum synthesisers shared by the one-shot decoders and the loop. Each voice has a
// parameter struct in musical units, a function that reads it from latent-map units in (0, 1), and
// a renderer that returns one raw hit at full velocity (not yet normalised or faded: see
// post_process).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "latentjam/models/decoder.hpp"

namespace latentjam::models::synth {

// Sine body with a fast downward pitch sweep, a held then decaying amplitude, a band-passed noise
// click for the beater, saturation and a tone low-pass.
struct KickParams {
  float start_hz, end_hz, sweep_s, hold_s, decay_s;
  float click_level, click_hz, drive, tone_hz;
};
inline constexpr std::size_t kKickUnits = 9;
KickParams kick_params(std::span<const float> units);
AudioBuffer render_kick(const KickParams& p, double sample_rate, std::uint64_t noise_seed);

// Two drum-head modes with a small pitch drop, plus band- and high-passed noise for the wires, a
// snap transient and saturation.
struct SnareParams {
  float tone_hz, mode_ratio, pitch_drop, tone_decay_s;
  float noise_decay_s, noise_hz, noise_q, noise_highpass_hz, tone_mix, snap, drive;
};
inline constexpr std::size_t kSnareUnits = 11;
SnareParams snare_params(std::span<const float> units);
AudioBuffer render_snare(const SnareParams& p, double sample_rate, std::uint64_t noise_seed);

// Six inharmonic square oscillators (the TR-808 recipe) mixed with noise, band-passed and
// high-passed, with a bright attack transient.
struct HatParams {
  float base_hz, spread, decay_s, highpass_hz, band_hz, band_q, metal_mix, drive, transient;
};
inline constexpr std::size_t kHatUnits = 9;
HatParams hat_params(std::span<const float> units);
AudioBuffer render_hat(const HatParams& p, double sample_rate, std::uint64_t noise_seed);

// One-shots never ring longer than this (the post-processing cuts and fades there).
inline constexpr double kMaxOneShotSeconds = 1.5;

}  // namespace latentjam::models::synth
