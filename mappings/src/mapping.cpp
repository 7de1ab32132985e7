#include "latentjam/mappings/mapping.hpp"

namespace latentjam::mappings {

Mapping::Mapping(std::shared_ptr<const Mlp> mlp, std::vector<float> centre,
                 std::vector<float> mean_label_prediction, std::size_t example_count,
                 TrainReport report)
    : mlp_(std::move(mlp)),
      centre_(std::move(centre)),
      mean_label_prediction_(std::move(mean_label_prediction)),
      example_count_(example_count),
      report_(std::move(report)) {}

std::vector<float> Mapping::predict(const std::vector<float>& embedding) const {
  return mlp_->predict(embedding);
}

Result<std::shared_ptr<const Mapping>> train_mapping(const std::vector<TrainingExample>& examples,
                                                     const Mapping* previous,
                                                     const TrainOptions& options) {
  if (examples.empty()) return fail("label some sounds first");
  std::vector<std::vector<float>> inputs, targets;
  inputs.reserve(examples.size());
  targets.reserve(examples.size());
  for (const auto& e : examples) {
    inputs.push_back(e.embedding);
    targets.push_back(e.latent);
  }
  TrainReport report;
  auto mlp =
      MlpTrainer(options).train(inputs, targets, previous ? &previous->mlp() : nullptr, &report);
  if (!mlp) return fail(mlp.error());

  const std::size_t dim = targets[0].size();
  std::vector<float> centre(dim, 0.0f), mean_prediction(dim, 0.0f);
  const float inv = 1.0f / static_cast<float>(examples.size());
  for (std::size_t j = 0; j < examples.size(); ++j) {
    const std::vector<float> predicted = mlp.value()->predict(inputs[j]);
    for (std::size_t i = 0; i < dim; ++i) {
      centre[i] += targets[j][i] * inv;
      mean_prediction[i] += predicted[i] * inv;
    }
  }
  return std::make_shared<const Mapping>(std::move(mlp).value(), std::move(centre),
                                         std::move(mean_prediction), examples.size(),
                                         std::move(report));
}

}  // namespace latentjam::mappings
