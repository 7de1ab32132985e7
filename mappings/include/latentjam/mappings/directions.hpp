// Text variation of the current sound (the paper's StyleCLIP-style "global direction", in the
// latent space w rather than in CLIP space):
//
//   d   = f(embed(target)) - mean_j f(embed(label_j))      (Mapping::mean_label_prediction())
//   new = current + amount * d
//
// The reference point is the average of what the labels map to, so d says "what `target` has that
// the labelled sounds on average do not", and it is added to whatever sound is playing. amount
// is 0..1 (the paper shows 0.3, 0.6, 0.9); above 1 extrapolates, up to kMaxVariationAmount.
// With one example the mapping is constant and d is zero: variation needs two different labels.
#pragma once

#include <string_view>
#include <vector>

#include "latentjam/base/result.hpp"
#include "latentjam/mappings/mapping.hpp"
#include "latentjam/mappings/text_encoder.hpp"

namespace latentjam::mappings {

inline constexpr float kMaxVariationAmount = 4.0f;

// `mapping` may be null (no examples yet): Error "label some sounds first".
Result<std::vector<float>> variation_direction(std::string_view target, const TextEncoder& encoder,
                                               const Mapping* mapping);

Result<std::vector<float>> vary(const std::vector<float>& current, std::string_view target,
                                float amount, const TextEncoder& encoder, const Mapping* mapping);

}  // namespace latentjam::mappings
