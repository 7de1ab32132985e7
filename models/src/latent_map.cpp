#include "latent_map.hpp"

#include <cmath>

#include "rng.hpp"

namespace latentjam::models::synth {

namespace {
// Gains chosen so that, for z ~ N(0, I), hidden pre-activations have a standard deviation of about
// 1.3 (tanh used in its curved region, not saturated) and the outputs' pre-sigmoid values
// about 1.5, which spreads the units over roughly (0.05, 0.95) without piling them up at the ends.
constexpr double kHiddenGain = 1.3;
constexpr double kOutputGain = 2.2;
constexpr double kBiasSpread = 0.3;
}  // namespace

LatentMap::LatentMap(std::size_t latent_size, std::size_t outputs, std::uint64_t seed,
                     std::size_t hidden)
    : latent_size_(latent_size), outputs_(outputs), hidden_(hidden) {
  Rng rng(seed);
  const double s1 = kHiddenGain / std::sqrt(static_cast<double>(latent_size));
  const double s2 = kOutputGain / std::sqrt(static_cast<double>(hidden));
  w1_.resize(hidden * latent_size);
  for (auto& w : w1_) w = static_cast<float>(rng.normal() * s1);
  b1_.resize(hidden);
  for (auto& b : b1_) b = static_cast<float>(rng.normal() * kBiasSpread);
  w2_.resize(outputs * hidden);
  for (auto& w : w2_) w = static_cast<float>(rng.normal() * s2);
  b2_.resize(outputs);
  for (auto& b : b2_) b = static_cast<float>(rng.normal() * kBiasSpread);
}

void LatentMap::apply(std::span<const float> latent, std::span<float> units) const {
  float h[256];
  std::vector<float> heap;
  float* hp = h;
  if (hidden_ > 256) {
    heap.resize(hidden_);
    hp = heap.data();
  }
  for (std::size_t j = 0; j < hidden_; ++j) {
    const float* w = &w1_[j * latent_size_];
    float acc = b1_[j];
    for (std::size_t i = 0; i < latent_size_; ++i) acc += w[i] * latent[i];
    hp[j] = std::tanh(acc);
  }
  for (std::size_t o = 0; o < outputs_; ++o) {
    const float* w = &w2_[o * hidden_];
    float acc = b2_[o];
    for (std::size_t j = 0; j < hidden_; ++j) acc += w[j] * hp[j];
    units[o] = 1.0f / (1.0f + std::exp(-acc));
  }
}

std::vector<float> LatentMap::apply(std::span<const float> latent) const {
  std::vector<float> units(outputs_);
  apply(latent, units);
  return units;
}

}  // namespace latentjam::models::synth
