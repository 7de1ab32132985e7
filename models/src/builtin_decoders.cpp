#include "builtin_voices.hpp"
#include "latentjam/models/decoder.hpp"

namespace latentjam::models {

std::vector<std::string> builtin_decoder_names() {
  return {"kick", "snare", "hat", "loop"};
}

DecoderPtr make_builtin_decoder(std::string_view name) {
  if (name == "kick") return synth::make_kick_decoder();
  if (name == "snare") return synth::make_snare_decoder();
  if (name == "hat") return synth::make_hat_decoder();
  if (name == "loop") return synth::make_loop_decoder();
  return nullptr;
}

}  // namespace latentjam::models
