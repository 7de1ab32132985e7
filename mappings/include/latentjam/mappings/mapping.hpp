// A voice's text -> latent mapping: an immutable snapshot the engine publishes through
// std::shared_ptr<const Mapping> (readers never see a half-trained model).
//
// A mapping is a pure function of its set of examples: train_mapping sorts the examples into a
// canonical order before fitting and never starts from an earlier mapping, so the same examples
// give the same mapping bit for bit, whatever the order, history or timing of the edits that made
// them, and a reloaded session predicts exactly what it predicted before it was saved.
//
// Two regressors (MappingKind), chosen by the probe-word benchmark (docs/mappings.md,
// BENCHMARKS.md):
//  - Kernel (default): Nadaraya-Watson regression over label-embedding similarity. Examples with
//  the
//    same label embedding are averaged first; a text's latent is the mean of the label latents
//    weighted by softmax(cosine(text, label) / temperature). A word lands nearest the example whose
//    label it resembles most, exactly as often as the embedding itself says so; between two similar
//    labels it blends their sounds. Training is closed-form (no iterations): fast and history-free.
//  - Mlp: the paper's one-hidden-layer MLP (mlp.hpp), trained cold from a fixed seed.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "latentjam/base/result.hpp"
#include "latentjam/mappings/mlp.hpp"

namespace latentjam::mappings {

struct TrainingExample {
  std::vector<float> embedding;  // TextEncoder::embed(label)
  std::vector<float> latent;     // the sound the label was given to
};

enum class MappingKind { Kernel, Mlp };

// "kernel" / "mlp".
std::string_view mapping_kind_name(MappingKind kind);
Result<MappingKind> parse_mapping_kind(std::string_view name);

inline constexpr float kDefaultKernelTemperature = 0.02f;

struct MappingOptions {
  MappingKind kind = MappingKind::Kernel;
  // Kernel: softmax temperature over cosine similarities, > 0. Smaller = closer to "nearest label";
  // at 0.02 a label 0.02 more similar than another weighs e = 2.7 times as much, 0.1 more e^5.
  // Chosen on the tune split of the probe benchmark (docs/mappings.md).
  float temperature = kDefaultKernelTemperature;
  TrainOptions mlp;  // Mlp only
};

// A fitted text -> latent function (immutable; any thread may call predict).
class Regressor {
 public:
  virtual ~Regressor() = default;
  virtual std::size_t input_dim() const = 0;
  virtual std::size_t output_dim() const = 0;
  // `input` must have input_dim() values; a wrong size predicts the mean of the examples.
  virtual std::vector<float> predict(std::span<const float> input) const = 0;
};

class Mapping {
 public:
  Mapping(std::shared_ptr<const Regressor> regressor, MappingKind kind, std::vector<float> centre,
          std::vector<float> mean_label_prediction, std::size_t example_count, TrainReport report);

  // The latent for a text embedding (embedding_dim() values).
  std::vector<float> predict(const std::vector<float>& embedding) const;

  // Mean latent of the examples: the dataset centre used by "very X" and the variation direction.
  const std::vector<float>& centre() const { return centre_; }
  // Mean over the examples of predict(embedding of the label): the reference point of the
  // StyleCLIP-style direction (directions.hpp).
  const std::vector<float>& mean_label_prediction() const { return mean_label_prediction_; }

  std::size_t example_count() const { return example_count_; }
  std::size_t embedding_dim() const { return regressor_->input_dim(); }
  std::size_t latent_dim() const { return regressor_->output_dim(); }
  MappingKind kind() const { return kind_; }
  const TrainReport& report() const { return report_; }

 private:
  std::shared_ptr<const Regressor> regressor_;
  MappingKind kind_;
  std::vector<float> centre_;
  std::vector<float> mean_label_prediction_;
  std::size_t example_count_;
  TrainReport report_;
};

// Fits a mapping to the examples (at least one; all embeddings one size, all latents one size,
// all finite). Fails with "label some sounds first" when there are none.
Result<std::shared_ptr<const Mapping>> train_mapping(const std::vector<TrainingExample>& examples,
                                                     const MappingOptions& options = {});

}  // namespace latentjam::mappings
