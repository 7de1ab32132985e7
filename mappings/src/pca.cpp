#include "latentjam/mappings/pca.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

namespace latentjam::mappings {

Result<PcaBasis> PcaBasis::fit(const std::vector<std::vector<float>>& samples,
                               std::size_t components) {
  if (samples.size() < 2) return fail("PCA needs at least two sampled latents");
  const auto dim = static_cast<Eigen::Index>(samples[0].size());
  if (dim == 0) return fail("PCA needs non-empty latents");
  const auto n = static_cast<Eigen::Index>(samples.size());
  Eigen::MatrixXd x(n, dim);
  for (Eigen::Index r = 0; r < n; ++r) {
    if (static_cast<Eigen::Index>(samples[r].size()) != dim) {
      return fail("sampled latents have different sizes");
    }
    for (Eigen::Index c = 0; c < dim; ++c) x(r, c) = samples[r][c];
  }
  if (!x.allFinite()) return fail("sampled latents contain NaN or infinity");
  const Eigen::RowVectorXd mean = x.colwise().mean();
  x.rowwise() -= mean;
  const Eigen::MatrixXd cov = (x.transpose() * x) / static_cast<double>(n - 1);
  // Symmetric: eigenvalues come back ascending, so the top components are at the end.
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(cov);
  if (eig.info() != Eigen::Success) return fail("PCA eigen decomposition failed");

  PcaBasis b;
  b.mean_.assign(mean.data(), mean.data() + dim);
  const std::size_t keep =
      std::min({components, static_cast<std::size_t>(dim), static_cast<std::size_t>(n - 1)});
  for (std::size_t k = 0; k < keep; ++k) {
    const Eigen::Index col = dim - 1 - static_cast<Eigen::Index>(k);
    Eigen::VectorXd v = eig.eigenvectors().col(col);
    Eigen::Index largest = 0;
    v.cwiseAbs().maxCoeff(&largest);
    if (v[largest] < 0) v = -v;
    b.components_.emplace_back(v.data(), v.data() + dim);
    b.sigmas_.push_back(static_cast<float>(std::sqrt(std::max(eig.eigenvalues()[col], 0.0))));
  }
  return b;
}

std::vector<float> PcaBasis::apply(const std::vector<float>& anchor,
                                   std::span<const float> positions) const {
  std::vector<float> out(anchor);
  if (anchor.size() != dim()) return out;
  for (std::size_t k = 0; k < positions.size() && k < components(); ++k) {
    const float s = std::isfinite(positions[k]) ? std::clamp(positions[k], 0.0f, 1.0f) : 0.5f;
    const float offset = (s - 0.5f) * 2.0f * kSliderSigmas * sigmas_[k];
    for (std::size_t i = 0; i < out.size(); ++i) out[i] += offset * components_[k][i];
  }
  return out;
}

std::vector<float> PcaBasis::xy(const std::vector<float>& anchor, float x, float y) const {
  const float p[2] = {x, y};
  return apply(anchor, p);
}

std::vector<float> PcaBasis::positions(const std::vector<float>& anchor,
                                       const std::vector<float>& latent) const {
  std::vector<float> out(components(), 0.5f);
  if (anchor.size() != dim() || latent.size() != dim()) return out;
  for (std::size_t k = 0; k < components(); ++k) {
    if (sigmas_[k] <= 0.0f) continue;
    double proj = 0.0;
    for (std::size_t i = 0; i < dim(); ++i) proj += (latent[i] - anchor[i]) * components_[k][i];
    out[k] =
        std::clamp(static_cast<float>(0.5 + proj / (2.0 * kSliderSigmas * sigmas_[k])), 0.0f, 1.0f);
  }
  return out;
}

}  // namespace latentjam::mappings
