// A small multilayer perceptron regressor (one tanh hidden layer) and its trainer, kept apart the
// way FluCoMa separates a model from its optimiser: an Mlp never changes after it is built, so it
// can be shared between threads freely; an MlpTrainer turns data (and optionally a previous Mlp)
// into a new Mlp.
//
// Normalisation, part of the model:
//  - inputs are centred on the training mean and divided by ONE common scale, the RMS of the
//    per-dimension standard deviations (floored at 1e-6). Per-dimension scaling would blow up
//    dimensions in which a handful of examples happen to agree, and make unseen texts land far
//    outside the training range; a common scale keeps the geometry of the embedding.
//  - outputs are standardised per dimension. A dimension with zero variance (always, with a single
//    example) has scale 0, so the network's output is ignored there and the mean is predicted:
//    with one example every text maps to that example's latent.
//
// Training: full-batch Adam on mean squared error (in standardised units) plus weight decay
// (L2 on the weights, not the biases), Xavier-uniform initialisation from a fixed seed (the same
// data and options always give the same model). Warm start: when the previous model has the same
// shape, its weights are re-expressed in the new normalisation (exactly: the first layer is linear
// in the input scale and offset, the last in the output ones), so training starts from the function
// the previous model computed and only has to absorb the edit. Divergence (a non-finite loss, or a
// loss above divergence_factor times the starting one) rolls back: the previous model is returned
// when there is one of the same shape, else an error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "latentjam/base/result.hpp"

namespace latentjam::mappings {

struct TrainOptions {
  std::size_t hidden = 32;               // hidden units
  float learning_rate = 0.01f;           // Adam step size
  float weight_decay = 1e-4f;            // L2 coefficient on weights (loss is a per-element mean)
  std::size_t max_iterations = 2000;     // cold start
  std::size_t max_warm_iterations = 60;  // warm start: a retrain at 100 examples stays ~8 ms
  float target_loss = 1e-4f;             // stop once the data loss is below this
  float tolerance = 1e-3f;  // ...or once 20 iterations improved it by less than this (relative)
  float divergence_factor = 1e4f;  // loss above this times the initial loss = diverged
  std::uint64_t seed = 1;
};

struct TrainReport {
  std::size_t iterations = 0;
  float initial_loss = 0.0f;
  float final_loss = 0.0f;
  bool warm_started = false;
  bool rolled_back = false;  // training diverged and the previous model was kept
  std::string note;          // why it rolled back, in words
};

class Mlp {
 public:
  struct Parameters;  // Eigen matrices; defined in mappings/src/mlp_parameters.hpp

  explicit Mlp(std::shared_ptr<const Parameters> parameters);

  std::size_t input_dim() const;
  std::size_t hidden_dim() const;
  std::size_t output_dim() const;

  // `input` must have input_dim() values; a wrong size gives an all-zero input (the mean output).
  std::vector<float> predict(std::span<const float> input) const;

  const Parameters& parameters() const { return *parameters_; }

 private:
  std::shared_ptr<const Parameters> parameters_;
};

class MlpTrainer {
 public:
  explicit MlpTrainer(TrainOptions options = {}) : options_(options) {}

  // inputs[i] -> targets[i]; all inputs one size, all targets one size, at least one pair.
  // `previous` (may be null) is the warm start and the rollback target.
  Result<std::shared_ptr<const Mlp>> train(const std::vector<std::vector<float>>& inputs,
                                           const std::vector<std::vector<float>>& targets,
                                           const Mlp* previous,
                                           TrainReport* report = nullptr) const;

  const TrainOptions& options() const { return options_; }

 private:
  TrainOptions options_;
};

}  // namespace latentjam::mappings
