#include "latentjam/mappings/text_encoder.hpp"

#include <cmath>
#include <cstdint>

#include "latentjam/mappings/word_vectors_format.hpp"

namespace latentjam::mappings {

TextEncoder::~TextEncoder() = default;

std::vector<std::string> tokenize_words(std::string_view text) {
  auto is_word_byte = [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
  };
  std::vector<std::string> words;
  std::string current;
  auto flush = [&] {
    while (!current.empty() && (current.back() == '-' || current.back() == '\'')) {
      current.pop_back();
    }
    if (!current.empty()) words.push_back(std::move(current));
    current.clear();
  };
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_word_byte(c)) {
      current.push_back((c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : char(c));
    } else if ((c == '-' || c == '\'') && !current.empty()) {
      current.push_back(char(c));  // inner joiner; trailing ones are trimmed by flush
    } else {
      flush();
    }
  }
  flush();
  return words;
}

float cosine(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return 0.0f;
  double ab = 0.0, aa = 0.0, bb = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    ab += double(a[i]) * b[i];
    aa += double(a[i]) * a[i];
    bb += double(b[i]) * b[i];
  }
  if (aa == 0.0 || bb == 0.0) return 0.0f;
  return static_cast<float>(ab / std::sqrt(aa * bb));
}

namespace {

class HashingEncoder final : public TextEncoder {
 public:
  explicit HashingEncoder(std::size_t dim) : dim_(dim == 0 ? 1 : dim) {}
  std::size_t dim() const override { return dim_; }
  std::string name() const override { return "hashing-" + std::to_string(dim_); }

  std::vector<float> embed(std::string_view text) const override {
    std::vector<float> v(dim_, 0.0f);
    for (const std::string& word : tokenize_words(text)) {
      add(v, wvformat::fnv1a(word), 1.0f);
      const auto grams = wvformat::ngram_hashes(word);
      for (std::uint64_t h : grams) add(v, h, 1.0f / static_cast<float>(grams.size()));
    }
    double norm = 0.0;
    for (float x : v) norm += double(x) * x;
    if (norm > 0.0) {
      for (float& x : v) x = static_cast<float>(x / std::sqrt(norm));
    }
    return v;
  }

 private:
  // Signed hashing: the sign bit comes from a different part of the hash than the bucket, so
  // collisions cancel out on average instead of piling up.
  void add(std::vector<float>& v, std::uint64_t h, float weight) const {
    const float sign = (h >> 63) ? -1.0f : 1.0f;
    v[(h >> 7) % dim_] += sign * weight;
  }

  std::size_t dim_;
};

}  // namespace

std::unique_ptr<TextEncoder> make_hashing_encoder(std::size_t dim) {
  return std::make_unique<HashingEncoder>(dim);
}

}  // namespace latentjam::mappings
