// The measurements the audio pictures draw: short-time spectra and loudness envelopes.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace latentjam::plots {

inline constexpr std::size_t kFftSize = 1024;
inline constexpr std::size_t kHop = 256;

// Magnitudes in dB of bins 0..kFftSize/2 of the Hann-windowed frame of kFftSize samples starting
// at `start` (zeros past the end). A full-scale sine on a bin reads 0 dB; silence reads -200 dB.
std::vector<double> spectrum_db(std::span<const float> x, std::size_t start);

// RMS level in dB of consecutive windows of `window` samples (the last one may be shorter), never
// below floor_db so that silence does not drag averages to minus infinity.
std::vector<double> rms_envelope_db(std::span<const float> x, std::size_t window, double floor_db);

}  // namespace latentjam::plots
