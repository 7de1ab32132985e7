// Built into liblatentjam_torch.so only: hands the TorchScript entry points to the daemon.
#include "latentjam/engine/torch_plugin.hpp"
#include "latentjam/mappings/sbert.hpp"

extern "C" __attribute__((visibility("default"))) const latentjam::engine::TorchPlugin*
latentjam_torch_plugin() {
  static const latentjam::engine::TorchPlugin plugin{&latentjam::models::load_torchscript_decoder,
                                                     &latentjam::mappings::open_sbert};
  return &plugin;
}
