// What the four built-in decoders share: latent size, prior, request checks and the decode loop.
#pragma once

#include <cstdint>
#include <exception>
#include <span>
#include <vector>

#include "latentjam/models/flush_denormals.hpp"
#include "latentjam/models/decoder.hpp"

namespace latentjam::models::synth {

inline constexpr std::size_t kBuiltinLatentSize = 64;

// z ~ N(0, I), the same for the same seed on every platform.
Latent standard_normal_latent(std::size_t size, std::uint64_t seed);

// Rejects what a decoder cannot render: wrong latent sizes, NaN/infinite values, sample rates or
// tempos outside what an audio interface or a musician would use.
Status check_request(std::span<const Latent> batch, std::size_t latent_size,
                     const RenderContext& context);

// Checks the request, then renders each latent with `render_one` (Latent -> Result<AudioBuffer>),
// turning any exception into an Error so that decode() never throws.
template <class RenderOne>
Result<std::vector<AudioBuffer>> decode_each(std::span<const Latent> batch, std::size_t latent_size,
                                             const RenderContext& context, RenderOne&& render_one) {
  const ScopedFlushDenormals flush;
  try {
    if (auto status = check_request(batch, latent_size, context); !status) {
      return fail(status.error());
    }
    std::vector<AudioBuffer> out;
    out.reserve(batch.size());
    for (const Latent& latent : batch) {
      Result<AudioBuffer> audio = render_one(latent);
      if (!audio) return fail(audio.error());
      out.push_back(std::move(audio).value());
    }
    return out;
  } catch (const std::exception& e) {
    return fail(std::string("decode failed: ") + e.what());
  } catch (...) {
    return fail("decode failed: unknown exception");
  }
}

}  // namespace latentjam::models::synth
