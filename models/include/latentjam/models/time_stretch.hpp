// Changes a sound's length without changing its pitch (Rubber Band, offline), so that a loop a
// model renders at its own length can be fitted to the session's bar.
#pragma once

#include <cstddef>
#include <span>

#include "latentjam/models/decoder.hpp"

namespace latentjam::models {

// Exactly `length` samples of `input` played faster or slower at the same pitch.
AudioBuffer stretch_to_length(std::span<const float> input, std::size_t length, double sample_rate);

}  // namespace latentjam::models
