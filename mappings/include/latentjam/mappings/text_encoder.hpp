// Text -> vector. Every encoder lower-cases ASCII, strips punctuation and splits on white space the
// same way (tokenize_words), so the same prompt means the same words whichever encoder runs it.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "latentjam/base/result.hpp"

namespace latentjam::mappings {

class TextEncoder {
 public:
  virtual ~TextEncoder();
  virtual std::size_t dim() const = 0;
  // Thread-safe, never throws. Empty or all-punctuation text gives a zero vector of dim().
  virtual std::vector<float> embed(std::string_view text) const = 0;
  virtual std::string name() const = 0;
};

// Lower-cases ASCII letters and splits into words. A word is a run of letters, digits, bytes >=
// 0x80 (UTF-8 is kept as is) and the inner characters '-' and '\'' ("laid-back", "don't"); every
// other byte separates words. Leading/trailing '-' and '\'' are dropped.
std::vector<std::string> tokenize_words(std::string_view text);

// The encoder that needs no data: signed feature hashing of words (weight 1) and their character
// 3-grams (total weight 1 per word) into `dim` buckets, L2-normalised. Texts sharing words or word
// pieces get similar vectors; nothing is known about synonyms.
std::unique_ptr<TextEncoder> make_hashing_encoder(std::size_t dim = 100);

// Cosine similarity; 0 when either vector is zero or the sizes differ.
float cosine(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace latentjam::mappings
