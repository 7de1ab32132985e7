// Multinomial logistic regression (standardised features, L2, full-batch Nesterov descent) and its
// cross-validation. No randomness except the seeded fold assignment.
#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "realism.hpp"

namespace latentjam::realism {
namespace {

std::uint64_t splitmix(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Fisher-Yates with a portable generator (std::shuffle's output differs between libraries).
template <class T>
void shuffle(std::vector<T>& v, std::uint64_t& state) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[splitmix(state) % i]);
}

Eigen::MatrixXd softmax_rows(Eigen::MatrixXd z) {
  for (Eigen::Index i = 0; i < z.rows(); ++i) {
    z.row(i).array() -= z.row(i).maxCoeff();
    z.row(i) = z.row(i).array().exp().matrix();
    z.row(i) /= z.row(i).sum();
  }
  return z;
}

}  // namespace

void LogisticRegression::fit(const Eigen::MatrixXd& x, std::span<const int> labels, int classes,
                             const ClassifierOptions& options) {
  const Eigen::Index n = x.rows(), d = x.cols();
  mean_ = x.colwise().mean();
  scale_ = ((x.rowwise() - mean_).array().square().colwise().sum() /
            double(std::max<Eigen::Index>(n, 1)))
               .sqrt()
               .max(1e-9)
               .matrix();
  Eigen::MatrixXd xs(n, d + 1);
  xs.leftCols(d) = (x.rowwise() - mean_).array().rowwise() / scale_.array();
  xs.col(d).setOnes();

  std::vector<int> counts(classes, 0);
  for (int l : labels) ++counts[l];
  Eigen::MatrixXd y = Eigen::MatrixXd::Zero(n, classes);
  Eigen::VectorXd w(n);
  int present = 0;
  for (int c : counts) present += c > 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    y(i, labels[i]) = 1.0;
    w(i) = options.balanced ? double(n) / (double(present) * counts[labels[i]]) : 1.0;
  }

  // Step size 1/L, L bounding the Hessian: 0.5 * max weight * |X|^2 / n + l2 (power iteration).
  Eigen::VectorXd v = Eigen::VectorXd::Ones(d + 1);
  double top = 0.0;
  for (int it = 0; it < 60; ++it) {
    const Eigen::VectorXd u = xs.transpose() * (xs * v);
    top = u.norm() / std::max(v.norm(), 1e-300);
    v = u / std::max(u.norm(), 1e-300);
  }
  const double lipschitz = 0.5 * w.maxCoeff() * 1.05 * top / double(n) + options.l2;
  const double step = 1.0 / lipschitz;

  Eigen::MatrixXd penalty = Eigen::MatrixXd::Ones(d + 1, classes);
  penalty.row(d).setZero();  // the bias is not penalised
  weights_ = Eigen::MatrixXd::Zero(d + 1, classes);
  Eigen::MatrixXd previous = weights_;
  for (int it = 0; it < options.iterations; ++it) {
    const double momentum = double(it) / double(it + 3);
    const Eigen::MatrixXd look = weights_ + momentum * (weights_ - previous);
    const Eigen::MatrixXd p = softmax_rows(xs * look);
    const Eigen::MatrixXd grad =
        xs.transpose() * ((p - y).array().colwise() * w.array()).matrix() / double(n) +
        options.l2 * look.cwiseProduct(penalty);
    previous = weights_;
    weights_ = look - step * grad;
  }
}

Eigen::MatrixXd LogisticRegression::probabilities(const Eigen::MatrixXd& x) const {
  const Eigen::Index d = x.cols();
  Eigen::MatrixXd xs(x.rows(), d + 1);
  xs.leftCols(d) = (x.rowwise() - mean_).array().rowwise() / scale_.array();
  xs.col(d).setOnes();
  return softmax_rows(xs * weights_);
}

std::vector<int> LogisticRegression::predict(const Eigen::MatrixXd& x) const {
  const Eigen::MatrixXd p = probabilities(x);
  std::vector<int> out(p.rows());
  for (Eigen::Index i = 0; i < p.rows(); ++i) p.row(i).maxCoeff(&out[i]);
  return out;
}

double balanced_accuracy(std::span<const int> truth, std::span<const int> predicted, int classes) {
  std::vector<int> right(classes, 0), total(classes, 0);
  for (std::size_t i = 0; i < truth.size(); ++i) {
    ++total[truth[i]];
    right[truth[i]] += predicted[i] == truth[i];
  }
  double sum = 0;
  int present = 0;
  for (int c = 0; c < classes; ++c) {
    if (total[c] == 0) continue;
    sum += double(right[c]) / total[c];
    ++present;
  }
  return present ? sum / present : 0.0;
}

double discriminator_accuracy(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b,
                              std::span<const int> groups_a, std::span<const int> groups_b,
                              int folds, std::uint64_t seed, const ClassifierOptions& options) {
  const Eigen::Index n = a.rows() + b.rows();
  Eigen::MatrixXd x(n, a.cols());
  x.topRows(a.rows()) = a;
  x.bottomRows(b.rows()) = b;
  std::vector<int> labels(n), fold(n, 0);
  for (Eigen::Index i = 0; i < n; ++i) labels[i] = i < a.rows() ? 0 : 1;

  // Stratified, grouped folds: per class, groups in seeded order go to the fold with the fewest
  // samples of that class so far.
  std::uint64_t state = seed;
  for (int cls = 0; cls < 2; ++cls) {
    const Eigen::Index offset = cls == 0 ? 0 : a.rows(), size = cls == 0 ? a.rows() : b.rows();
    const std::span<const int> groups = cls == 0 ? groups_a : groups_b;
    std::map<int, std::vector<Eigen::Index>> members;
    for (Eigen::Index i = 0; i < size; ++i) {
      members[groups.empty() ? int(i) : groups[i]].push_back(offset + i);
    }
    std::vector<std::vector<Eigen::Index>> order;
    for (auto& [id, m] : members) order.push_back(m);
    shuffle(order, state);
    std::stable_sort(order.begin(), order.end(),
                     [](const auto& p, const auto& q) { return p.size() > q.size(); });
    std::vector<std::size_t> filled(folds, 0);
    for (const auto& m : order) {
      const int f = int(std::min_element(filled.begin(), filled.end()) - filled.begin());
      filled[f] += m.size();
      for (Eigen::Index i : m) fold[i] = f;
    }
  }

  std::vector<int> predicted(n, -1);
  for (int f = 0; f < folds; ++f) {
    std::vector<Eigen::Index> train, test;
    for (Eigen::Index i = 0; i < n; ++i) (fold[i] == f ? test : train).push_back(i);
    if (test.empty()) continue;
    std::vector<int> train_labels;
    for (Eigen::Index i : train) train_labels.push_back(labels[i]);
    LogisticRegression model;
    model.fit(x(train, Eigen::all), train_labels, 2, options);
    const std::vector<int> p = model.predict(x(test, Eigen::all));
    for (std::size_t i = 0; i < test.size(); ++i) predicted[test[i]] = p[i];
  }
  return balanced_accuracy(labels, predicted, 2);
}

}  // namespace latentjam::realism
