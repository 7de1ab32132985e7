// The prompt grammar: a few fixed forms that give performers predictable moves, on top of the
// text -> latent mapping (f below). Keywords are case-insensitive; terms are embedded whole
// (no nesting: "between very boomy and bright" interpolates f("very boomy") and f("bright")).
//
//   between A and B          (1 - t) f(A) + t f(B), t = 0.5
//   between A and B at T     the same with t = T, 0 <= T <= 1
//   very X / really X        centre + 1.5 (f(X) - centre)        (kIntensifyVery)
//   extremely X / super X    centre + 2.0 (f(X) - centre)        (kIntensifyExtremely)
//   a bit X / slightly X /   from + 0.35 (f(X) - from)           (kSoftenAmount)
//   a little X               `from` is the current sound when the caller passes it, else centre
//   A and B [and C ...]      mean of f(A), f(B), ...
//   A:0.7 B:0.3              sum_i w_i f(A_i) / sum_i w_i; a term may be several words
//                            ("deep boomy:2 crisp:1"); weights are numbers in [0, 10], not all 0
//   anything else            f(whole text)
//
// `centre` is the dataset centre: the mean latent of the voice's examples (Mapping::centre()).
// Mixing the latents (rather than the embeddings) keeps "between A and B" on the straight line
// between the two sounds the performer already heard.
//
// Bounds: at most kMaxPromptBytes (256) bytes and kMaxPromptTerms (8) terms. Errors (as
// Result errors, in words): empty prompt, too long, "between" without "A and B", a `between`
// position or a weight that is not a number in range, a weighted list with a term lacking a
// weight, a modifier with nothing after it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "latentjam/base/result.hpp"
#include "latentjam/mappings/mapping.hpp"
#include "latentjam/mappings/text_encoder.hpp"

namespace latentjam::mappings {

inline constexpr std::size_t kMaxPromptBytes = 256;
inline constexpr std::size_t kMaxPromptTerms = 8;
inline constexpr float kIntensifyVery = 1.5f;
inline constexpr float kIntensifyExtremely = 2.0f;
inline constexpr float kSoftenAmount = 0.35f;
inline constexpr float kMaxPromptWeight = 10.0f;

struct PromptTerm {
  std::string text;
  float weight = 1.0f;  // normalised: the weights of a prompt's terms sum to 1
};

struct ParsedPrompt {
  enum class Kind {
    Text,       // one term, embedded whole
    Between,    // two terms, weights 1 - t and t; amount = t
    Intensify,  // one term; amount = extrapolation factor (> 1)
    Soften,     // one term; amount = step toward it (< 1)
    Mix,        // "A and B" or "A:w B:w": weighted mean of the terms
  };
  Kind kind = Kind::Text;
  std::vector<PromptTerm> terms;
  float amount = 1.0f;
};

Result<ParsedPrompt> parse_prompt(std::string_view text);

// Turns a parsed prompt into a latent with the voice's mapping. `current_latent` (may be null) is
// where "a bit X" starts from; without it, the dataset centre.
Result<std::vector<float>> resolve_prompt(const ParsedPrompt& prompt, const TextEncoder& encoder,
                                          const Mapping& mapping,
                                          const std::vector<float>& dataset_centre_latent,
                                          const std::vector<float>* current_latent = nullptr);

}  // namespace latentjam::mappings
