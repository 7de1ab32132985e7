#include "latentjam/mappings/mlp.hpp"

#include <cmath>
#include <limits>

#include "mlp_parameters.hpp"

namespace latentjam::mappings {

using Eigen::MatrixXf;
using Eigen::VectorXf;

Mlp::Mlp(std::shared_ptr<const Parameters> parameters) : parameters_(std::move(parameters)) {}

std::size_t Mlp::input_dim() const {
  return static_cast<std::size_t>(parameters_->w1.cols());
}
std::size_t Mlp::hidden_dim() const {
  return static_cast<std::size_t>(parameters_->w1.rows());
}
std::size_t Mlp::output_dim() const {
  return static_cast<std::size_t>(parameters_->w2.rows());
}

std::vector<float> Mlp::predict(std::span<const float> input) const {
  const Parameters& p = *parameters_;
  VectorXf x = VectorXf::Zero(p.w1.cols());
  if (input.size() == input_dim()) {
    x = (Eigen::Map<const VectorXf>(input.data(), x.size()) - p.input_mean) / p.input_scale;
  }
  const VectorXf h = (p.w1 * x + p.b1).array().tanh().matrix();
  const VectorXf y = p.output_mean + p.output_scale.cwiseProduct(p.w2 * h + p.b2);
  return {y.data(), y.data() + y.size()};
}

namespace {

// splitmix64: a tiny, portable generator, so a seed means the same weights on every platform.
class SplitMix {
 public:
  explicit SplitMix(std::uint64_t seed) : state_(seed) {}
  float uniform(float lo, float hi) {
    state_ += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return lo + (hi - lo) * static_cast<float>(static_cast<double>(z >> 40) / 16777216.0);
  }

 private:
  std::uint64_t state_;
};

// Adam moment estimates for one parameter block.
struct AdamState {
  MatrixXf m, v;
  explicit AdamState(const MatrixXf& like)
      : m(MatrixXf::Zero(like.rows(), like.cols())), v(MatrixXf::Zero(like.rows(), like.cols())) {}
};

void adam_step(MatrixXf& param, const MatrixXf& grad, AdamState& s, float lr, float bias1,
               float bias2) {
  constexpr float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
  s.m.array() = b1 * s.m.array() + (1.0f - b1) * grad.array();
  s.v.array() = b2 * s.v.array() + (1.0f - b2) * grad.array().square();
  param.array() -= (lr / bias1) * s.m.array() / ((s.v.array() / bias2).sqrt() + eps);
}

}  // namespace

Result<std::shared_ptr<const Mlp>> MlpTrainer::train(const std::vector<std::vector<float>>& inputs,
                                                     const std::vector<std::vector<float>>& targets,
                                                     const Mlp* previous,
                                                     TrainReport* report_out) const {
  TrainReport report;
  if (inputs.empty() || inputs.size() != targets.size()) {
    return fail("training needs as many targets as inputs, and at least one of each");
  }
  const auto n = static_cast<Eigen::Index>(inputs.size());
  const auto d_in = static_cast<Eigen::Index>(inputs[0].size());
  const auto d_out = static_cast<Eigen::Index>(targets[0].size());
  if (d_in == 0 || d_out == 0) return fail("training inputs and targets must not be empty");
  MatrixXf x(d_in, n), t(d_out, n);  // one example per column
  for (Eigen::Index j = 0; j < n; ++j) {
    if (static_cast<Eigen::Index>(inputs[j].size()) != d_in ||
        static_cast<Eigen::Index>(targets[j].size()) != d_out) {
      return fail("training examples have different sizes");
    }
    x.col(j) = Eigen::Map<const VectorXf>(inputs[j].data(), d_in);
    t.col(j) = Eigen::Map<const VectorXf>(targets[j].data(), d_out);
  }
  if (!x.allFinite() || !t.allFinite()) return fail("training data contains NaN or infinity");

  auto p = std::make_shared<Mlp::Parameters>();
  p->input_mean = x.rowwise().mean();
  const MatrixXf xc = x.colwise() - p->input_mean;
  const float input_var = xc.squaredNorm() / static_cast<float>(n * d_in);
  p->input_scale = std::max(std::sqrt(input_var), 1e-6f);
  p->output_mean = t.rowwise().mean();
  const MatrixXf tc = t.colwise() - p->output_mean;
  p->output_scale = (tc.rowwise().squaredNorm() / static_cast<float>(n)).cwiseSqrt();
  // Dimensions that never vary get scale 0 (predict the mean); the others are floored so that a
  // tiny but non-zero spread does not produce huge standardised targets.
  const float max_scale = p->output_scale.maxCoeff();
  for (Eigen::Index i = 0; i < d_out; ++i) {
    float& s = p->output_scale[i];
    s = s <= 1e-7f * std::max(max_scale, 1.0f) ? 0.0f : s;
  }
  const MatrixXf xs = xc / p->input_scale;
  MatrixXf ts(d_out, n);
  for (Eigen::Index i = 0; i < d_out; ++i) {
    const float s = p->output_scale[i];
    ts.row(i) = s > 0.0f ? (tc.row(i) / s).eval() : Eigen::RowVectorXf::Zero(n).eval();
  }

  const auto hidden = static_cast<Eigen::Index>(std::max<std::size_t>(options_.hidden, 1));
  const bool warm = previous && static_cast<Eigen::Index>(previous->input_dim()) == d_in &&
                    static_cast<Eigen::Index>(previous->hidden_dim()) == hidden &&
                    static_cast<Eigen::Index>(previous->output_dim()) == d_out;
  if (warm) {
    // Re-express the previous function in the new normalisation (see the header).
    const Mlp::Parameters& q = previous->parameters();
    p->w1 = q.w1 * (p->input_scale / q.input_scale);
    p->b1 = q.b1 + q.w1 * ((p->input_mean - q.input_mean) / q.input_scale);
    p->w2.resize(d_out, hidden);
    p->b2.resize(d_out);
    for (Eigen::Index i = 0; i < d_out; ++i) {
      const float s = p->output_scale[i];
      if (s > 0.0f) {
        p->w2.row(i) = q.w2.row(i) * (q.output_scale[i] / s);
        p->b2[i] = (q.output_scale[i] * q.b2[i] + q.output_mean[i] - p->output_mean[i]) / s;
      } else {
        p->w2.row(i).setZero();
        p->b2[i] = 0.0f;
      }
    }
  } else {
    // Xavier-uniform, halved: small initial weights keep the untrained directions quiet.
    SplitMix rng(options_.seed);
    const float a1 = 0.5f * std::sqrt(6.0f / static_cast<float>(d_in + hidden));
    const float a2 = 0.5f * std::sqrt(6.0f / static_cast<float>(hidden + d_out));
    p->w1 = MatrixXf::NullaryExpr(hidden, d_in, [&] { return rng.uniform(-a1, a1); });
    p->w2 = MatrixXf::NullaryExpr(d_out, hidden, [&] { return rng.uniform(-a2, a2); });
    p->b1 = VectorXf::Zero(hidden);
    p->b2 = VectorXf::Zero(d_out);
  }
  report.warm_started = warm;

  // Full-batch Adam. Matrices are kept as MatrixXf so that one adam_step serves every block.
  MatrixXf w1 = p->w1, w2 = p->w2, b1 = p->b1, b2 = p->b2;
  AdamState s_w1(w1), s_w2(w2), s_b1(b1), s_b2(b2);
  const float lambda = options_.weight_decay;
  const float inv_count = 1.0f / static_cast<float>(n * d_out);
  // Work buffers, allocated once: a retrain is a few hundred small products.
  MatrixXf z(hidden, n), y(d_out, n), dy(d_out, n), dz(hidden, n);
  MatrixXf g_w1(hidden, d_in), g_w2(d_out, hidden), g_b1(hidden, 1), g_b2(d_out, 1);
  auto data_loss = [&]() {
    z.noalias() = w1 * xs;
    z.colwise() += b1.col(0);
    z = z.array().tanh();
    y.noalias() = w2 * z;
    y.colwise() += b2.col(0);
    dy = y - ts;
    return 0.5f * dy.squaredNorm() * inv_count;
  };

  const std::size_t max_iter = warm ? options_.max_warm_iterations : options_.max_iterations;
  float loss = data_loss();
  report.initial_loss = loss;
  const float diverged_above =
      options_.divergence_factor * std::max(loss, std::numeric_limits<float>::min());
  float window_start_loss = loss;
  float bias1 = 1.0f, bias2 = 1.0f;
  std::size_t it = 0;
  bool diverged = !std::isfinite(loss);
  while (!diverged && it < max_iter && loss > options_.target_loss) {
    // Backward pass (z holds tanh activations, dy the residuals, from data_loss()).
    dy *= inv_count;
    g_w2.noalias() = dy * z.transpose();
    g_w2 += lambda * w2;
    g_b2 = dy.rowwise().sum();
    dz.noalias() = w2.transpose() * dy;
    dz.array() *= 1.0f - z.array().square();
    g_w1.noalias() = dz * xs.transpose();
    g_w1 += lambda * w1;
    g_b1 = dz.rowwise().sum();
    bias1 *= 0.9f;
    bias2 *= 0.999f;
    adam_step(w1, g_w1, s_w1, options_.learning_rate, 1.0f - bias1, 1.0f - bias2);
    adam_step(w2, g_w2, s_w2, options_.learning_rate, 1.0f - bias1, 1.0f - bias2);
    adam_step(b1, g_b1, s_b1, options_.learning_rate, 1.0f - bias1, 1.0f - bias2);
    adam_step(b2, g_b2, s_b2, options_.learning_rate, 1.0f - bias1, 1.0f - bias2);
    ++it;
    loss = data_loss();
    if (!std::isfinite(loss) || loss > diverged_above) diverged = true;
    if (it % 20 == 0) {
      if (window_start_loss - loss < options_.tolerance * window_start_loss) break;
      window_start_loss = loss;
    }
  }
  report.iterations = it;
  report.final_loss = loss;

  if (diverged) {
    report.rolled_back = true;
    report.note = "training diverged (loss " + std::to_string(loss) + " after " +
                  std::to_string(it) + " iterations)";
    if (report_out) *report_out = report;
    // Only a model of the same shape can stand in for this data (a changed encoder or latent size
    // makes the previous one meaningless).
    if (warm) {
      report.note += "; kept the previous model";
      if (report_out) *report_out = report;
      // The caller owns `previous` through a shared_ptr somewhere; hand back a copy of its
      // parameters so that the returned pointer stays valid on its own.
      return std::make_shared<const Mlp>(
          std::make_shared<const Mlp::Parameters>(previous->parameters()));
    }
    return fail(report.note + "; no previous model of this shape to keep");
  }
  p->w1 = w1;
  p->w2 = w2;
  p->b1 = b1.col(0);
  p->b2 = b2.col(0);
  if (report_out) *report_out = report;
  return std::make_shared<const Mlp>(std::move(p));
}

}  // namespace latentjam::mappings
