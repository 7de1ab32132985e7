// LibTorch is loaded only when something needs it (a TorchScript decoder or the Sentence-BERT
// encoder): it brings ~300 shared libraries whose loading alone takes most of a second, which
// a daemon that plays built-in drums with word vectors should not pay at start-up. The TorchScript
// code lives in a plugin, liblatentjam_torch.so, next to the executable.
#pragma once

#include <memory>
#include <string>

#include "latentjam/base/result.hpp"
#include "latentjam/mappings/text_encoder.hpp"
#include "latentjam/models/torchscript_decoder.hpp"

namespace latentjam::engine {

struct TorchPlugin {
  Result<models::DecoderPtr> (*load_decoder)(const std::string& path,
                                             const models::TorchLoadOptions& options);
  Result<std::unique_ptr<mappings::TextEncoder>> (*open_sbert)(const std::string& module_path,
                                                               const std::string& vocab_path);
};

// Loads the plugin on first use (thread-safe); an Error says why it is not there.
Result<const TorchPlugin*> torch_plugin();

}  // namespace latentjam::engine

// The plugin's one exported symbol.
extern "C" const latentjam::engine::TorchPlugin* latentjam_torch_plugin();
