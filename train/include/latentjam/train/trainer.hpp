// latentjam's trainer: fits a learned drum model (a small VAE whose decoder is a differentiable
// drum synthesiser, see train/src/drum_model_source.hpp) to a folder of one-shots, and writes a
// model file that the daemon plays like any nn~ / RAVE-style model, with WAV renders and pictures
// to listen to and look at first. Used by the latentjam-train tool; needs LibTorch.
//
// Thread-safety: train_drum_model() runs on the calling thread and uses LibTorch's intra-op
// threads (`threads`); the cancel flag may be set from any thread or a signal handler.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "latentjam/base/result.hpp"
#include "latentjam/train/progress.hpp"

namespace latentjam::train {

struct TrainOptions {
  std::string folder;   // the sounds; sub-folders are groups in the pictures
  std::string out_dir;  // created; model.ts, renders/, pictures/, loss.tsv go here
  std::string from;     // a model written by this trainer, to fine-tune; empty: start fresh
  long steps = 1500;
  double max_minutes = 0.0;  // stop early at this much training time and finish; 0: no limit
  int batch = 8;
  double learning_rate = 2e-3;
  double beta =
      0.01;  // weight of the KL term, reached after a warm-up over the first 40 % of steps
  double augment_semitones = 1.0;  // each sound also pitched down and up this much; 0: off
  std::uint64_t seed = 1;
  int threads = 2;
  int latent_size = 8;
  int prior_draws = 8;  // random draws rendered to renders/prior-NN.wav
  // Width of the prior's kernel around each sound's code, in the whitened latent (unit variance):
  // smaller stays closer to your sounds, larger wanders further between them.
  double prior_bandwidth = 0.25;
  bool pictures = true;
};

struct TrainCallbacks {
  std::function<void(const Event&)> on_event;  // stage, progress (about once a second)
  const std::atomic<bool>* cancel = nullptr;   // set: stop as soon as possible, write nothing
};

// The path of the written model file, or the reason there is none ("cancelled" when cancelled).
Result<std::string> train_drum_model(const TrainOptions& options, const TrainCallbacks& callbacks);

// Rewrites a model an earlier version of this trainer wrote with the current code (same weights
// and sound, faster decoding) as `out_file`; a model that is already current is copied as it is.
// With `prior_folder`, the prior is also fitted to the sounds in that folder (those it was trained
// on), a kernel of width `prior_bandwidth` on each; the latent and its whitening stay as they
// are, so sessions labelled with the model keep their meaning. The path written, or the reason
// nothing was.
Result<std::string> upgrade_model_file(const std::string& model_file, const std::string& out_file,
                                       const std::string& prior_folder = {},
                                       double prior_bandwidth = 0.25);

}  // namespace latentjam::train
