// What the four built-in decoders share: latent size, prior, request checks and the decode loop.
#pragma once

#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include <cstdint>
#include <exception>
#include <span>
#include <vector>

#include "latentjam/models/decoder.hpp"

namespace latentjam::models::synth {

inline constexpr std::size_t kBuiltinLatentSize = 64;

// z ~ N(0, I), the same for the same seed on every platform.
Latent standard_normal_latent(std::size_t size, std::uint64_t seed);

// Rejects what a decoder cannot render: wrong latent sizes, NaN/infinite values, sample rates or
// tempos outside what an audio interface or a musician would use.
Status check_request(std::span<const Latent> batch, std::size_t latent_size,
                     const RenderContext& context);

// Flushes denormal floats to zero while it lives, and restores the caller's mode after. The
// synthesisers' envelopes and filters decay exponentially through the denormal range, where every
// operation costs ~100 cycles; flushing made decodes 1.3-2.3 times faster (BENCHMARKS.md). The
// result stays deterministic: only values below 1e-38 change, to zero.
class ScopedFlushDenormals {
 public:
#if defined(__SSE__)
  ScopedFlushDenormals() : saved_(_mm_getcsr()) {
    _mm_setcsr(saved_ | kFlushToZero | kDenormalsAreZero);
  }
  ~ScopedFlushDenormals() {
    _mm_setcsr(saved_);
  }

 private:
  static constexpr unsigned kFlushToZero = 0x8000;       // MXCSR.FTZ
  static constexpr unsigned kDenormalsAreZero = 0x0040;  // MXCSR.DAZ
  unsigned saved_;
#endif
};

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
