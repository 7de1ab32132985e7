// Building, checking and finishing the learned drum model (TorchScript source in
// drum_model_source.hpp). Only the trainer sees this; the daemon loads the saved file like any
// nn~ / RAVE-style model (models/torchscript_decoder.hpp).
#pragma once

#include <torch/script.h>

#include <cstdint>
#include <string>

#include "latentjam/base/result.hpp"

namespace latentjam::train {

struct DrumModelShape {
  std::int64_t sample_rate = 48000;  // the engine's default rate: no resampling when playing
  std::int64_t hit_length = 32768;   // samples per hit: 0.68 s at 48 kHz
  std::int64_t latent_size = 8;
  std::int64_t hidden = 160;
  std::int64_t encoder_hidden = 128;
  std::int64_t knots = 24;        // time points of the envelopes, log-spaced
  std::int64_t noise_bands = 32;  // mel bands of the noise shaping
  std::int64_t sine_count = 6;
  std::int64_t transient_length = 512;
};

// The kind tag saved in every model this trainer writes; --from accepts these and upgrades the
// earlier versions' (the same weights): version 1 had a slower noise path (same sound, see
// shaped_noise), version 2 an unfiltered transient (an upgraded one sounds a little darker in its
// first 10 ms; fine-tuning adapts it).
inline constexpr const char* kDrumModelKind = "latentjam-drum-vae-3";
inline constexpr const char* kDrumModelKindV2 = "latentjam-drum-vae-2";
inline constexpr const char* kDrumModelKindV1 = "latentjam-drum-vae-1";
// The transient's low-pass (see drum_model_source.hpp).
inline constexpr double kTransientCutoffHz = 6000.0;

// A fresh, untrained model; the same seed gives the same initial weights.
torch::jit::Module make_drum_model(const DrumModelShape& shape, std::uint64_t seed);

// A model written by make_drum_model() and saved, to fine-tune; fails with a reason for anything
// else (another kind of TorchScript file, a newer version, a broken file).
Result<torch::jit::Module> load_drum_model(const std::string& path);

// A model of the first version rebuilt with the current code: the same weights, buffers and
// sound; the buffers of the fast noise path added.
torch::jit::Module upgrade_drum_model(const torch::jit::Module& old_model);

// The shape recorded in a model.
DrumModelShape shape_of(const torch::jit::Module& model);

// Fits the whitening of the public latent to the posterior means of the training sounds (rows of
// `means`, raw latent space): decode(u) then maps a standard normal u into the region the sounds
// occupy. A little ridge keeps the scale invertible with fewer sounds than dimensions.
void fit_latent_whitening(torch::jit::Module& model, const at::Tensor& means);

// Fits the prior (prior() in the source) to the posterior means of the sounds (rows of `means`,
// raw latent space, after fit_latent_whitening): a kernel of width `bandwidth` on each.
void fit_prior(torch::jit::Module& model, const at::Tensor& means, double bandwidth);

// The parameters to optimise (requires_grad set on).
std::vector<at::Tensor> trainable_parameters(torch::jit::Module& model);

}  // namespace latentjam::train
