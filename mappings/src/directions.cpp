#include "latentjam/mappings/directions.hpp"

#include <cmath>

#include "latentjam/mappings/prompt.hpp"

namespace latentjam::mappings {

Result<std::vector<float>> variation_direction(std::string_view target, const TextEncoder& encoder,
                                               const Mapping* mapping) {
  if (!mapping || mapping->example_count() == 0) return fail("label some sounds first");
  if (target.size() > kMaxPromptBytes) {
    return fail("text longer than " + std::to_string(kMaxPromptBytes) + " bytes");
  }
  if (tokenize_words(target).empty()) return fail("empty variation text");
  if (encoder.dim() != mapping->embedding_dim()) {
    return fail("the mapping was trained with a different text encoder; relabel or retrain");
  }
  std::vector<float> d = mapping->predict(encoder.embed(target));
  const auto& reference = mapping->mean_label_prediction();
  for (std::size_t i = 0; i < d.size(); ++i) d[i] -= reference[i];
  return d;
}

Result<std::vector<float>> vary(const std::vector<float>& current, std::string_view target,
                                float amount, const TextEncoder& encoder, const Mapping* mapping) {
  if (!std::isfinite(amount) || amount < 0.0f || amount > kMaxVariationAmount) {
    return fail("variation amount must be from 0 to " +
                std::to_string(static_cast<int>(kMaxVariationAmount)));
  }
  auto d = variation_direction(target, encoder, mapping);
  if (!d) return fail(d.error());
  if (current.size() != d.value().size()) return fail("current latent has the wrong size");
  std::vector<float> out(current);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] += amount * d.value()[i];
  return out;
}

}  // namespace latentjam::mappings
