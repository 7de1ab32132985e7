// Band-limited resampling of whole buffers: a model's sample rate to the engine's, and a loop to
// the length of a bar at the session tempo.
#pragma once

#include <cstddef>
#include <span>

#include "latentjam/models/decoder.hpp"

namespace latentjam::models {

// Windowed-sinc (Kaiser, 16 zero crossings each side) interpolation to exactly `output_length`
// samples spanning the same time as `input`. When shrinking, the kernel's cutoff is lowered so that
// nothing above the new Nyquist folds back. `periodic` treats the input as one cycle of a loop
// (taps wrap around instead of reading silence), so a resampled loop stays seamless.
AudioBuffer resample_to_length(std::span<const float> input, std::size_t output_length,
                               bool periodic = false);

// From one sample rate to another; the output has round(size * to / from) samples.
AudioBuffer resample(std::span<const float> input, double from_rate, double to_rate);

}  // namespace latentjam::models
