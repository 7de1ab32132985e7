// Small, portable random numbers for the built-in decoders.
// std::normal_distribution is implementation-defined, so a latent saved on one machine would decode
// differently on another; these generators give the same stream everywhere.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <span>

namespace latentjam::models::synth {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}

  // splitmix64: one add and three multiply-xorshifts per value, good enough for audio noise.
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  // [0, 1)
  float uniform() { return static_cast<float>(next() >> 40) * (1.0f / 16777216.0f); }
  // [-1, 1)
  float bipolar() { return uniform() * 2.0f - 1.0f; }

  // Box-Muller; both uniforms are strictly inside (0, 1) so the log is finite.
  double normal() {
    const double u1 = (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53;
    const double u2 = (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  std::uint64_t state_;
};

// FNV-1a over the bytes of the latent: the noise of a sound is a function of its latent, so the
// same latent always gives the same samples, with no global random state.
inline std::uint64_t hash_latent(std::span<const float> latent, std::uint64_t salt) {
  std::uint64_t h = 0xCBF29CE484222325ull ^ salt;
  for (float v : latent) {
    std::uint32_t bits = 0;
    std::memcpy(&bits, &v, sizeof bits);
    for (int i = 0; i < 4; ++i) {
      h ^= (bits >> (8 * i)) & 0xFFu;
      h *= 0x100000001B3ull;
    }
  }
  return h;
}

}  // namespace latentjam::models::synth
