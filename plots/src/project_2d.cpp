// PCA to two dimensions, for drawing latent vectors as a map.
#include <Eigen/Dense>
#include <cmath>

#include "latentjam/plots/plots.hpp"

namespace latentjam::plots {
namespace {

bool valid(const std::vector<std::vector<float>>& rows) {
  if (rows.empty() || rows.front().empty()) return false;
  for (const auto& row : rows) {
    if (row.size() != rows.front().size()) return false;
    for (float v : row) {
      if (!std::isfinite(v)) return false;
    }
  }
  return true;
}

}  // namespace

std::vector<std::array<double, 2>> project_2d(const std::vector<std::vector<float>>& rows) {
  try {
    if (!valid(rows)) return {};
    const auto n = static_cast<Eigen::Index>(rows.size());
    const auto d = static_cast<Eigen::Index>(rows.front().size());
    Eigen::MatrixXd centred(n, d);
    for (Eigen::Index i = 0; i < n; ++i) {
      for (Eigen::Index j = 0; j < d; ++j) centred(i, j) = rows[i][j];
    }
    centred.rowwise() -= centred.colwise().mean();

    std::vector<std::array<double, 2>> out(rows.size(), {0.0, 0.0});
    if (n < 2) return out;
    // The right singular vectors of the centred data are the principal axes, largest first.
    const Eigen::BDCSVD<Eigen::MatrixXd> svd(centred, Eigen::ComputeThinV);
    const Eigen::MatrixXd& axes = svd.matrixV();
    for (Eigen::Index a = 0; a < std::min<Eigen::Index>(2, axes.cols()); ++a) {
      Eigen::VectorXd axis = axes.col(a);
      // An axis and its negation are equally principal; pick one for a stable picture.
      Eigen::Index largest = 0;
      axis.cwiseAbs().maxCoeff(&largest);
      if (axis(largest) < 0.0) axis = -axis;
      const Eigen::VectorXd projected = centred * axis;
      for (Eigen::Index i = 0; i < n; ++i) out[i][a] = projected(i);
    }
    return out;
  } catch (...) {  // only memory, in practice; the header promises an empty result, not a throw
    return {};
  }
}

}  // namespace latentjam::plots
