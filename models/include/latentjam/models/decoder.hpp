// The one interface every generative model implements: latent vector in, audio out.
// The engine never knows which implementation it is talking to.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "latentjam/base/result.hpp"

namespace latentjam::models {

using Latent = std::vector<float>;
using AudioBuffer = std::vector<float>;  // mono, at RenderContext::sample_rate

enum class SoundKind { OneShot, Loop };

struct DecoderInfo {
  std::string name;  // "kick", or the file a TorchScript decoder came from
  std::size_t latent_size = 0;
  SoundKind kind = SoundKind::OneShot;
  double loop_beats = 0.0;       // length of a loop in beats; 0 for one-shots
  std::string device = "cpu";    // "cpu" or "cuda"
  bool prefers_batches = false;  // decode() is cheaper per latent in batches (TorchScript)
};

// What the engine needs the audio to fit.
struct RenderContext {
  double sample_rate = 48000.0;
  double tempo_bpm = 120.0;  // loops are rendered (or stretched) to loop_beats at this tempo
};

class Decoder {
 public:
  virtual ~Decoder() = default;

  virtual const DecoderInfo& info() const = 0;

  // A latent drawn from the model's prior; the same seed always gives the same latent.
  virtual Latent sample_prior(std::uint64_t seed) const = 0;

  // Decodes a batch of latents (each of info().latent_size). Deterministic: the same latent gives
  // the same samples. Thread-safe: worker threads may call it concurrently. Never throws.
  virtual Result<std::vector<AudioBuffer>> decode(std::span<const Latent> batch,
                                                  const RenderContext& context) const = 0;
};

using DecoderPtr = std::shared_ptr<const Decoder>;

// The embedded drum decoders: "kick", "snare", "hat", "loop".
std::vector<std::string> builtin_decoder_names();
// nullptr when the name is not a built-in decoder.
DecoderPtr make_builtin_decoder(std::string_view name);

}  // namespace latentjam::models
