// Factories of the built-in decoders, gathered by builtin_decoders.cpp.
#pragma once

#include "latentjam/models/decoder.hpp"

namespace latentjam::models::synth {

DecoderPtr make_kick_decoder();
DecoderPtr make_snare_decoder();
DecoderPtr make_hat_decoder();
DecoderPtr make_loop_decoder();

}  // namespace latentjam::models::synth
