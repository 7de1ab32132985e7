#include "builtin_common.hpp"

#include <cmath>
#include <string>

#include "rng.hpp"

namespace latentjam::models::synth {

Latent standard_normal_latent(std::size_t size, std::uint64_t seed) {
  // Mix the seed first so that neighbouring seeds (0, 1, 2, ...) give unrelated latents.
  Rng rng(Rng(seed ^ 0x6C61746A616D7A00ull).next());
  Latent z(size);
  for (float& v : z) v = static_cast<float>(rng.normal());
  return z;
}

Status check_request(std::span<const Latent> batch, std::size_t latent_size,
                     const RenderContext& context) {
  if (!(context.sample_rate >= 8000.0 && context.sample_rate <= 384000.0)) {
    return fail("sample rate " + std::to_string(context.sample_rate) +
                " Hz is outside 8000..384000 Hz");
  }
  if (!(context.tempo_bpm >= 20.0 && context.tempo_bpm <= 400.0)) {
    return fail("tempo " + std::to_string(context.tempo_bpm) + " bpm is outside 20..400 bpm");
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].size() != latent_size) {
      return fail("latent " + std::to_string(i) + " has " + std::to_string(batch[i].size()) +
                  " values, expected " + std::to_string(latent_size));
    }
    for (float v : batch[i]) {
      if (!std::isfinite(v))
        return fail("latent " + std::to_string(i) + " contains NaN or infinity");
    }
  }
  return Ok{};
}

}  // namespace latentjam::models::synth
