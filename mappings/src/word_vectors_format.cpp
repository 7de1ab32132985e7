#include "latentjam/mappings/word_vectors_format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>

namespace latentjam::mappings::wvformat {

bool indexable_for_ngrams(std::string_view word) {
  if (word.size() < 3) return false;
  return std::all_of(word.begin(), word.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

std::vector<NGram> ngrams(std::string_view word) {
  std::string marked;
  marked.reserve(word.size() + 2);
  marked.push_back('<');
  marked.append(word);
  marked.push_back('>');
  std::vector<NGram> out;
  for (std::size_t n = 3; n <= 4; ++n) {
    for (std::size_t i = 0; i + n <= marked.size(); ++i) {
      // Mixing n into the hash keeps "abc" as a 3-gram apart from any 4-gram bucket by chance.
      out.push_back(
          {fnv1a(std::string_view(marked).substr(i, n)) ^ (n * 0x9E3779B97F4A7C15ull), i == 0});
    }
  }
  return out;
}

std::vector<std::uint64_t> ngram_hashes(std::string_view word) {
  std::vector<std::uint64_t> out;
  for (const NGram& g : ngrams(word)) out.push_back(g.hash);
  return out;
}

float quantize_unit(const float* v, std::uint32_t dim, std::int8_t* out) {
  double norm = 0.0;
  for (std::uint32_t i = 0; i < dim; ++i) norm += double(v[i]) * v[i];
  norm = std::sqrt(norm);
  double max_abs = 0.0;
  for (std::uint32_t i = 0; i < dim; ++i) max_abs = std::max(max_abs, std::fabs(v[i] / norm));
  if (norm == 0.0 || max_abs == 0.0) {
    std::fill(out, out + dim, std::int8_t{0});
    return 0.0f;
  }
  const double scale = max_abs / 127.0;
  for (std::uint32_t i = 0; i < dim; ++i) {
    out[i] = static_cast<std::int8_t>(std::lround(v[i] / norm / scale));
  }
  return static_cast<float>(scale);
}

namespace {

std::uint64_t align8(std::uint64_t x) {
  return (x + 7) & ~std::uint64_t{7};
}

std::uint32_t next_pow2(std::uint64_t x) {
  std::uint32_t p = 1;
  while (p < x) p <<= 1;
  return p;
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

std::string write_file(const std::string& path, std::uint32_t dim, std::uint32_t vocabulary_size,
                       const std::vector<WordRecord>& words, std::uint32_t ngram_max_rank) {
  const auto count = static_cast<std::uint32_t>(words.size());

  // Strings and entries.
  std::vector<WordEntry> entries(count);
  std::string strings;
  for (std::uint32_t i = 0; i < count; ++i) {
    entries[i] = {static_cast<std::uint32_t>(strings.size()),
                  static_cast<std::uint32_t>(words[i].word.size()), words[i].rank, 0};
    strings.append(words[i].word);
  }

  // Hash table at load factor <= 0.5 so that probes stay short.
  const std::uint32_t slot_count = next_pow2(std::uint64_t{count} * 2 + 1);
  std::vector<std::uint32_t> slots(slot_count, 0);
  for (std::uint32_t i = 0; i < count; ++i) {
    std::uint64_t s = fnv1a(words[i].word) & (slot_count - 1);
    while (slots[s] != 0) {
      const WordEntry& e = entries[slots[s] - 1];
      if (std::string_view(strings).substr(e.string_offset, e.length) == words[i].word) break;
      s = (s + 1) & (slot_count - 1);
    }
    if (slots[s] == 0) slots[s] = i + 1;  // a duplicate word keeps its first (most frequent) id
  }

  // N-gram index (CSR): count, prefix-sum, fill. About 8 buckets per indexed word (a word has ~15
  // n-grams, many shared) keeps unrelated n-grams from colliding often. One posting per (bucket,
  // word): a word repeating an n-gram ("bobbob") is listed once so that scores count distinct
  // shared n-grams.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;  // (bucket, word id)
  std::uint64_t indexed = 0;
  for (std::uint32_t i = 0; i < count; ++i) {
    if (words[i].rank < ngram_max_rank && indexable_for_ngrams(words[i].word)) ++indexed;
  }
  const std::uint32_t ngram_buckets =
      std::clamp<std::uint32_t>(next_pow2(indexed * 8), 1024u, 1u << 20);
  for (std::uint32_t i = 0; i < count; ++i) {
    if (words[i].rank >= ngram_max_rank || !indexable_for_ngrams(words[i].word)) continue;
    for (std::uint64_t h : ngram_hashes(words[i].word)) {
      pairs.emplace_back(static_cast<std::uint32_t>(h & (ngram_buckets - 1)), i);
    }
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  std::vector<std::uint32_t> ngram_offsets(ngram_buckets + 1, 0);
  for (const auto& [b, w] : pairs) ++ngram_offsets[b + 1];
  for (std::uint32_t b = 0; b < ngram_buckets; ++b) ngram_offsets[b + 1] += ngram_offsets[b];
  std::vector<std::uint32_t> postings(pairs.size());
  for (std::size_t k = 0; k < pairs.size(); ++k) postings[k] = pairs[k].second;
  pairs.clear();
  pairs.shrink_to_fit();

  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.version = kVersion;
  h.dim = dim;
  h.count = count;
  h.vocabulary_size = vocabulary_size;
  h.slot_count = slot_count;
  h.ngram_buckets = ngram_buckets;
  h.ngram_words = static_cast<std::uint32_t>(indexed);
  std::uint64_t at = sizeof(Header);
  h.words_offset = at;
  at = align8(at + sizeof(WordEntry) * count);
  h.strings_offset = at;
  h.strings_size = strings.size();
  at = align8(at + strings.size());
  h.slots_offset = at;
  at = align8(at + 4ull * slot_count);
  h.scales_offset = at;
  at = align8(at + 4ull * count);
  h.vectors_offset = at;
  at = align8(at + std::uint64_t{dim} * count);
  h.ngram_offsets_offset = at;
  at = align8(at + 4ull * (ngram_buckets + 1));
  h.ngram_postings_offset = at;
  h.ngram_postings_count = postings.size();
  at = align8(at + 4ull * postings.size());
  h.file_size = at;

  // Written to a temporary name and renamed, so a crash never leaves a half-written file behind
  // under the final name (fetch_vectors.sh skips work when the final file exists).
  const std::string tmp = path + ".tmp";
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(tmp.c_str(), "wb"));
  if (!f) return "cannot create " + tmp;
  auto put = [&](const void* data, std::uint64_t size, std::uint64_t offset) {
    return std::fseek(f.get(), static_cast<long>(offset), SEEK_SET) == 0 &&
           std::fwrite(data, 1, size, f.get()) == size;
  };
  std::vector<float> scales(count);
  for (std::uint32_t i = 0; i < count; ++i) scales[i] = words[i].scale;
  bool ok = put(&h, sizeof h, 0) &&
            put(entries.data(), sizeof(WordEntry) * count, h.words_offset) &&
            put(strings.data(), strings.size(), h.strings_offset) &&
            put(slots.data(), 4ull * slot_count, h.slots_offset) &&
            put(scales.data(), 4ull * count, h.scales_offset);
  for (std::uint32_t i = 0; ok && i < count; ++i) {
    ok = put(words[i].codes, dim, h.vectors_offset + std::uint64_t{dim} * i);
  }
  ok = ok && put(ngram_offsets.data(), 4ull * (ngram_buckets + 1), h.ngram_offsets_offset) &&
       put(postings.data(), 4ull * postings.size(), h.ngram_postings_offset);
  // Pad to file_size so the reader can check the size exactly.
  const char zeros[8] = {};
  const std::uint64_t end = h.ngram_postings_offset + 4ull * postings.size();
  ok = ok && put(zeros, h.file_size - end, end);
  if (!ok || std::fflush(f.get()) != 0) return "cannot write " + tmp;
  f.reset();
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return "cannot rename " + tmp + " to " + path;
  return {};
}

}  // namespace latentjam::mappings::wvformat
