// A voice's text -> latent mapping: an immutable snapshot the engine publishes through
// std::shared_ptr<const Mapping> (readers never see a half-trained model).
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "latentjam/mappings/mlp.hpp"
#include "latentjam/models/result.hpp"

namespace latentjam::mappings {

struct TrainingExample {
  std::vector<float> embedding;  // TextEncoder::embed(label)
  std::vector<float> latent;     // the sound the label was given to
};

class Mapping {
 public:
  Mapping(std::shared_ptr<const Mlp> mlp, std::vector<float> centre,
          std::vector<float> mean_label_prediction, std::size_t example_count, TrainReport report);

  // The latent for a text embedding (embedding_dim() values).
  std::vector<float> predict(const std::vector<float>& embedding) const;

  // Mean latent of the examples: the dataset centre used by "very X" and the variation direction.
  const std::vector<float>& centre() const { return centre_; }
  // Mean over the examples of predict(embedding of the label): the reference point of the
  // StyleCLIP-style direction (directions.hpp).
  const std::vector<float>& mean_label_prediction() const { return mean_label_prediction_; }

  std::size_t example_count() const { return example_count_; }
  std::size_t embedding_dim() const { return mlp_->input_dim(); }
  std::size_t latent_dim() const { return mlp_->output_dim(); }
  const Mlp& mlp() const { return *mlp_; }
  const TrainReport& report() const { return report_; }

 private:
  std::shared_ptr<const Mlp> mlp_;
  std::vector<float> centre_;
  std::vector<float> mean_label_prediction_;
  std::size_t example_count_;
  TrainReport report_;
};

// Trains a mapping from the examples (at least one; all embeddings one size, all latents one size).
// `previous` (may be null) is used for warm start and rollback (mlp.hpp). Fails with
// "label some sounds first" when there are no examples.
Result<std::shared_ptr<const Mapping>> train_mapping(const std::vector<TrainingExample>& examples,
                                                     const Mapping* previous,
                                                     const TrainOptions& options = {});

}  // namespace latentjam::mappings
