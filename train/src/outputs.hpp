// What the trainer leaves for the performer after training: the model file, WAV renders of every
// sound's reconstruction and of random draws, the loss log and the pictures (docs/pictures.md).
#pragma once

#include <torch/script.h>

#include <functional>
#include <string>
#include <vector>

#include "latentjam/base/result.hpp"
#include "sound_folder.hpp"

namespace latentjam::train {

struct LossRow {
  long step;
  double loss, spectral, envelope, kl;
  double validation;  // spectral + envelope on the held-out sounds; NaN when not measured
};

struct OutputsRequest {
  std::string out_dir;
  std::string model_path;
  const std::vector<Hit>* hits;
  const std::vector<std::string>* skipped;
  const std::vector<LossRow>* history;
  int prior_draws;
  std::uint64_t seed;
  bool pictures;
};

// Writes everything; `stage` is told "pictures" and "exporting" as they start. The model file is
// written last, through a temporary name, so a model.ts that exists is complete.
Status write_outputs(torch::jit::Module& model, const OutputsRequest& request,
                     const std::function<void(const char*)>& stage);

}  // namespace latentjam::train
