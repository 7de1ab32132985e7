// The fixed, seeded, non-linear map from a latent to a synthesiser's knobs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace latentjam::models::synth {

// A random two-layer tanh network followed by a sigmoid, frozen by its seed. Every output depends
// on every latent dimension, the way a GAN's mapping network does, so no single latent dimension is
// a knob: the PCA sliders and the learned text mapping have real work to do. Outputs are "units" in
// (0, 1), spread over most of that interval across the standard normal prior; each voice scales
// them to its musical ranges.
class LatentMap {
 public:
  LatentMap(std::size_t latent_size, std::size_t outputs, std::uint64_t seed,
            std::size_t hidden = 32);

  std::size_t latent_size() const { return latent_size_; }
  std::size_t outputs() const { return outputs_; }

  // `latent` has latent_size() values, `units` outputs() values.
  void apply(std::span<const float> latent, std::span<float> units) const;
  std::vector<float> apply(std::span<const float> latent) const;

 private:
  std::size_t latent_size_, outputs_, hidden_;
  std::vector<float> w1_, b1_, w2_, b2_;  // row-major: w1_[h * latent_size_ + i]
};

}  // namespace latentjam::models::synth
