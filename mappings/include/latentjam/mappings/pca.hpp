// The 8 sliders and the XY pad of a voice (GANSpace idea): principal components of latents sampled
// from the voice's decoder prior (the caller samples, e.g. 2000 latents; this code never touches a
// decoder), with their standard deviations.
//
// Slider i at position s in 0..1 moves the latent from the anchor (the current sound when the
// sliders were last reset) by (s - 0.5) * 2 * kSliderSigmas * sigma_i along component i: 0.5 is
// the anchor exactly, 0 and 1 are kSliderSigmas (3) standard deviations either way, which covers
// 99.7 % of the prior along that component. The XY pad is the first two components, same mapping.
// Component signs are fixed (largest-magnitude coordinate positive) so the same samples always
// give the same slider directions.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "latentjam/base/result.hpp"

namespace latentjam::mappings {

inline constexpr std::size_t kSliderCount = 8;
inline constexpr float kSliderSigmas = 3.0f;

class PcaBasis {
 public:
  // Needs at least 2 samples of one size; keeps min(components, dim, samples - 1) components.
  static Result<PcaBasis> fit(const std::vector<std::vector<float>>& samples,
                              std::size_t components = kSliderCount);

  std::size_t dim() const { return mean_.size(); }
  std::size_t components() const { return sigmas_.size(); }
  const std::vector<float>& mean() const { return mean_; }
  const std::vector<float>& component(std::size_t i) const { return components_[i]; }  // unit
  float sigma(std::size_t i) const { return sigmas_[i]; }

  // anchor + sum_i (s_i - 0.5) * 2 * kSliderSigmas * sigma_i * component_i. Positions beyond
  // components() are ignored; each is clamped to 0..1 (a non-finite position counts as 0.5).
  std::vector<float> apply(const std::vector<float>& anchor,
                           std::span<const float> positions) const;
  // The XY pad: positions of the first two sliders.
  std::vector<float> xy(const std::vector<float>& anchor, float x, float y) const;
  // Where the sliders stand for `latent` relative to `anchor` (inverse of apply, clamped).
  std::vector<float> positions(const std::vector<float>& anchor,
                               const std::vector<float>& latent) const;

 private:
  std::vector<float> mean_;
  std::vector<std::vector<float>> components_;
  std::vector<float> sigmas_;
};

}  // namespace latentjam::mappings
