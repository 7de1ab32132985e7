// Decoders backed by a scripted PyTorch module (.ts/.pt), run with LibTorch on CUDA or the CPU.
// Only available when latentjam is built with LATENTJAM_TORCH (link latentjam_models_torch).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "latentjam/base/result.hpp"
#include "latentjam/models/decoder.hpp"

namespace latentjam::models {

struct TorchLoadOptions {
  // The model's sample rate when the module has no `sr` / `sampling_rate` attribute; 0 means "use
  // 44100", the most common rate of published drum models.
  double sample_rate_hint = 0.0;
  bool prefer_cuda = true;  // CUDA when LibTorch sees a GPU; the CPU otherwise
  // One-shot unless told otherwise; a loop is fitted to `loop_beats` at the session tempo.
  std::optional<SoundKind> kind;
  double loop_beats = 4.0;
  // How long a one-shot of a RAVE-style model is decoded for, before trimming (frames = this * sr /
  // ratio, rounded up).
  double one_shot_seconds = 1.0;
};

// Loads and checks a module, moves it to the chosen device and runs one warm-up decode, so that a
// module that loads but cannot decode fails here (and the previous model keeps playing) rather than
// at the first note. Two conventions are recognised:
//  - RAVE / nn~: a `decode` method and a `decode_params` buffer [latent_channels, ratio,
//    out_channels, out_ratio]; decode([batch, latent, frames]) -> [batch, channels, samples]. The
//    sample rate comes from `sr` or `sampling_rate`; a `prior` method, when present, is used by
//    sample_prior(). An integer `one_shot_frames` attribute (latentjam's trainer writes 1: one
//    latent frame is one whole hit) sets how many frames a one-shot is decoded for.
//  - plain: forward(z[batch, dim]) -> [batch, samples] or [batch, channels, samples]. The latent
//  size
//    comes from an integer `latent_size` attribute, or else is found by trying 128, 512, 256, 100,
//    64, 32, 16 and 8 in that order.
// Channels are mixed to mono. Never throws; every failure is an Error with a reason for /fail.
Result<DecoderPtr> load_torchscript_decoder(const std::string& path,
                                            const TorchLoadOptions& options = {});

}  // namespace latentjam::models
