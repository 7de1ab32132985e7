#include "latentjam/mappings/mapping.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <numeric>

namespace latentjam::mappings {

using Eigen::MatrixXf;
using Eigen::VectorXf;

namespace {

class MlpRegressor final : public Regressor {
 public:
  explicit MlpRegressor(std::shared_ptr<const Mlp> mlp) : mlp_(std::move(mlp)) {}
  std::size_t input_dim() const override { return mlp_->input_dim(); }
  std::size_t output_dim() const override { return mlp_->output_dim(); }
  std::vector<float> predict(std::span<const float> input) const override {
    return mlp_->predict(input);
  }

 private:
  std::shared_ptr<const Mlp> mlp_;
};

// Nadaraya-Watson over cosine similarity to the distinct label embeddings (mapping.hpp).
class KernelRegressor final : public Regressor {
 public:
  // labels: one unit-length (or zero) row per distinct label; latents: the mean latent of each.
  KernelRegressor(MatrixXf labels, MatrixXf latents, VectorXf mean, float temperature)
      : labels_(std::move(labels)),
        latents_(std::move(latents)),
        mean_(std::move(mean)),
        inverse_temperature_(1.0f / temperature) {}

  std::size_t input_dim() const override { return static_cast<std::size_t>(labels_.cols()); }
  std::size_t output_dim() const override { return static_cast<std::size_t>(latents_.cols()); }

  std::vector<float> predict(std::span<const float> input) const override {
    if (input.size() != input_dim()) return {mean_.data(), mean_.data() + mean_.size()};
    VectorXf x = Eigen::Map<const VectorXf>(input.data(), labels_.cols());
    const float norm = x.norm();
    if (norm > 0.0f) x /= norm;
    const VectorXf y = latents_.transpose() * weights(labels_ * x);
    return {y.data(), y.data() + y.size()};
  }

  // Softmax of similarities / temperature, shifted by the maximum so that exp never overflows.
  VectorXf weights(const VectorXf& similarity) const {
    VectorXf w = ((similarity.array() - similarity.maxCoeff()) * inverse_temperature_).exp();
    return w / w.sum();
  }

  // Mean of predict() over the labels, each counted `counts[g]` times: one matrix product for all
  // labels instead of one prediction each (a retrain at 1000 examples stays a few milliseconds).
  VectorXf mean_label_prediction(const std::vector<std::size_t>& counts) const {
    const MatrixXf similarity = labels_ * labels_.transpose();  // distinct x distinct
    VectorXf mixture = VectorXf::Zero(labels_.rows());          // summed weights of all labels
    double total = 0.0;
    for (Eigen::Index g = 0; g < labels_.rows(); ++g) {
      const float c = static_cast<float>(counts[static_cast<std::size_t>(g)]);
      mixture += c * weights(similarity.row(g).transpose());
      total += c;
    }
    return latents_.transpose() * (mixture / static_cast<float>(total));
  }

 private:
  MatrixXf labels_;   // distinct labels x embedding
  MatrixXf latents_;  // distinct labels x latent
  VectorXf mean_;
  float inverse_temperature_;
};

// The canonical order: by embedding, then latent, value by value. Equal examples are
// interchangeable, so any order among them gives the same sums.
std::vector<std::size_t> canonical_order(const std::vector<TrainingExample>& examples) {
  std::vector<std::size_t> order(examples.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto& x = examples[a];
    const auto& y = examples[b];
    if (x.embedding != y.embedding) return x.embedding < y.embedding;
    return x.latent < y.latent;
  });
  return order;
}

Status check(const std::vector<TrainingExample>& examples) {
  const std::size_t d_in = examples[0].embedding.size(), d_out = examples[0].latent.size();
  if (d_in == 0 || d_out == 0) return fail("training inputs and targets must not be empty");
  for (const auto& e : examples) {
    if (e.embedding.size() != d_in || e.latent.size() != d_out)
      return fail("training examples have different sizes");
    for (float v : e.embedding)
      if (!std::isfinite(v)) return fail("training data contains NaN or infinity");
    for (float v : e.latent)
      if (!std::isfinite(v)) return fail("training data contains NaN or infinity");
  }
  return Ok{};
}

std::shared_ptr<const KernelRegressor> fit_kernel(const std::vector<TrainingExample>& sorted,
                                                  const VectorXf& mean, float temperature,
                                                  std::vector<std::size_t>* counts) {
  const auto d_in = static_cast<Eigen::Index>(sorted[0].embedding.size());
  const auto d_out = static_cast<Eigen::Index>(sorted[0].latent.size());
  // Equal embeddings are adjacent in canonical order: one row per distinct label.
  std::vector<std::pair<std::size_t, std::size_t>> groups;  // [first, last)
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (i == 0 || sorted[i].embedding != sorted[i - 1].embedding)
      groups.push_back({i, i + 1});
    else
      groups.back().second = i + 1;
  }
  const auto k = static_cast<Eigen::Index>(groups.size());
  MatrixXf labels(k, d_in), latents(k, d_out);
  for (Eigen::Index g = 0; g < k; ++g) {
    const auto [first, last] = groups[static_cast<std::size_t>(g)];
    VectorXf e = Eigen::Map<const VectorXf>(sorted[first].embedding.data(), d_in);
    const float norm = e.norm();
    labels.row(g) = norm > 0.0f ? (e / norm).eval() : e;
    VectorXf sum = VectorXf::Zero(d_out);
    for (std::size_t i = first; i < last; ++i)
      sum += Eigen::Map<const VectorXf>(sorted[i].latent.data(), d_out);
    latents.row(g) = sum / static_cast<float>(last - first);
    counts->push_back(last - first);
  }
  return std::make_shared<const KernelRegressor>(std::move(labels), std::move(latents), mean,
                                                 temperature);
}

}  // namespace

std::string_view mapping_kind_name(MappingKind kind) {
  return kind == MappingKind::Mlp ? "mlp" : "kernel";
}

Result<MappingKind> parse_mapping_kind(std::string_view name) {
  if (name == "kernel") return MappingKind::Kernel;
  if (name == "mlp") return MappingKind::Mlp;
  return fail("mapping kind must be kernel or mlp, not \"" + std::string(name) + "\"");
}

Mapping::Mapping(std::shared_ptr<const Regressor> regressor, MappingKind kind,
                 std::vector<float> centre, std::vector<float> mean_label_prediction,
                 std::size_t example_count, TrainReport report)
    : regressor_(std::move(regressor)),
      kind_(kind),
      centre_(std::move(centre)),
      mean_label_prediction_(std::move(mean_label_prediction)),
      example_count_(example_count),
      report_(std::move(report)) {}

std::vector<float> Mapping::predict(const std::vector<float>& embedding) const {
  return regressor_->predict(embedding);
}

Result<std::shared_ptr<const Mapping>> train_mapping(const std::vector<TrainingExample>& examples,
                                                     const MappingOptions& options) {
  if (examples.empty()) return fail("label some sounds first");
  if (Status s = check(examples); !s.ok()) return fail(s.error());
  if (options.kind == MappingKind::Kernel &&
      !(options.temperature > 0.0f && std::isfinite(options.temperature)))
    return fail("the kernel temperature must be a positive number");

  std::vector<TrainingExample> sorted;
  sorted.reserve(examples.size());
  for (std::size_t i : canonical_order(examples)) sorted.push_back(examples[i]);

  const auto d_out = static_cast<Eigen::Index>(sorted[0].latent.size());
  VectorXf mean = VectorXf::Zero(d_out);
  for (const auto& e : sorted) mean += Eigen::Map<const VectorXf>(e.latent.data(), d_out);
  mean /= static_cast<float>(sorted.size());

  TrainReport report;
  std::shared_ptr<const Regressor> regressor;
  VectorXf mean_prediction = VectorXf::Zero(d_out);
  if (options.kind == MappingKind::Kernel) {
    std::vector<std::size_t> counts;
    auto kernel = fit_kernel(sorted, mean, options.temperature, &counts);
    mean_prediction = kernel->mean_label_prediction(counts);
    regressor = std::move(kernel);
  } else {
    std::vector<std::vector<float>> inputs, targets;
    inputs.reserve(sorted.size());
    targets.reserve(sorted.size());
    for (const auto& e : sorted) {
      inputs.push_back(e.embedding);
      targets.push_back(e.latent);
    }
    auto mlp = MlpTrainer(options.mlp).train(inputs, targets, nullptr, &report);
    if (!mlp) return fail(mlp.error());
    regressor = std::make_shared<const MlpRegressor>(std::move(mlp).value());
    for (const auto& e : sorted) {
      const std::vector<float> p = regressor->predict(e.embedding);
      mean_prediction += Eigen::Map<const VectorXf>(p.data(), d_out);
    }
    mean_prediction /= static_cast<float>(sorted.size());
  }
  return std::make_shared<const Mapping>(
      std::move(regressor), options.kind, std::vector<float>(mean.data(), mean.data() + d_out),
      std::vector<float>(mean_prediction.data(), mean_prediction.data() + d_out), sorted.size(),
      std::move(report));
}

}  // namespace latentjam::mappings
