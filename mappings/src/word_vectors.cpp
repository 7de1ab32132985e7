#include "latentjam/mappings/word_vectors.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <span>

#include "latentjam/mappings/word_vectors_format.hpp"

namespace latentjam::mappings {

namespace {

namespace wv = wvformat;

constexpr float kSifA = 1e-3f;
constexpr std::size_t kFallbackNeighbours = 5;
constexpr float kFallbackMinSimilarity = 0.25f;
constexpr std::size_t kFallbackShortlist = 64;  // raw-score leaders re-scored by Jaccard
constexpr float kUnknownWeight = 0.25f;
constexpr double kPrefixBoost = 2.0;

// Owns the mapping; unmaps on destruction.
struct Mapping {
  void* base = nullptr;
  std::size_t size = 0;
  ~Mapping() {
    if (base) munmap(base, size);
  }
};

class MappedWordVectors final : public WordVectorEncoder {
 public:
  MappedWordVectors(std::unique_ptr<Mapping> map, std::string path)
      : map_(std::move(map)), path_(std::move(path)) {
    const auto* bytes = static_cast<const std::uint8_t*>(map_->base);
    std::memcpy(&h_, bytes, sizeof h_);
    words_ = reinterpret_cast<const wv::WordEntry*>(bytes + h_.words_offset);
    strings_ = reinterpret_cast<const char*>(bytes + h_.strings_offset);
    slots_ = reinterpret_cast<const std::uint32_t*>(bytes + h_.slots_offset);
    scales_ = reinterpret_cast<const float*>(bytes + h_.scales_offset);
    codes_ = reinterpret_cast<const std::int8_t*>(bytes + h_.vectors_offset);
    ngram_offsets_ = reinterpret_cast<const std::uint32_t*>(bytes + h_.ngram_offsets_offset);
    postings_ = reinterpret_cast<const std::uint32_t*>(bytes + h_.ngram_postings_offset);
    // H_N = ln N + Euler-Mascheroni + 1/(2N), accurate to 1e-6 for the sizes involved.
    const double n = std::max<std::uint32_t>(h_.vocabulary_size, 1);
    harmonic_ = std::log(n) + 0.5772156649 + 1.0 / (2.0 * n);
    ngram_words_ = std::max<std::uint32_t>(h_.ngram_words, 1);
  }

  std::size_t dim() const override { return h_.dim; }
  std::string name() const override { return "word-vectors:" + path_; }
  std::size_t size() const override { return h_.count; }
  std::string_view word_at(std::size_t index) const override {
    return index < h_.count ? entry_word(static_cast<std::uint32_t>(index)) : std::string_view();
  }

  std::optional<std::uint32_t> rank(std::string_view word) const override {
    const auto id = find(word);
    if (!id) return std::nullopt;
    return words_[*id].rank;
  }

  WordLookup lookup(std::string_view word) const override {
    WordLookup out;
    if (auto id = find(word)) {
      out.vector = unit_vector(*id);
      out.weight = sif_weight(words_[*id].rank);
      out.in_vocabulary = true;
      return out;
    }
    // The package has no one-letter words ("a", "i", "s"): they are articles, pronouns or the tail
    // of "drum's", never a sound word, so they count for nothing rather than as a random vector
    // ("a punchy kick" means "punchy kick").
    if (word.size() == 1) {
      out.vector.assign(h_.dim, 0.0f);
      return out;
    }
    // "laid-back" may be missing while "laid" and "back" are known: average the parts.
    if (word.find_first_of("-'") != std::string_view::npos) {
      std::vector<float> sum(h_.dim, 0.0f);
      float total = 0.0f;
      std::size_t start = 0;
      while (start <= word.size()) {
        std::size_t end = word.find_first_of("-'", start);
        if (end == std::string_view::npos) end = word.size();
        if (end > start) {
          WordLookup part = lookup(word.substr(start, end - start));
          for (std::size_t i = 0; i < sum.size(); ++i) sum[i] += part.weight * part.vector[i];
          total += part.weight;
        }
        start = end + 1;
      }
      if (total > 0.0f) {
        out.vector = normalised(std::move(sum));
        out.weight = total / 2.0f;
        return out;
      }
    }
    return fallback(word);
  }

  std::vector<float> embed(std::string_view text) const override {
    std::vector<float> sum(h_.dim, 0.0f);
    for (const std::string& word : tokenize_words(text)) {
      const WordLookup w = lookup(word);
      for (std::size_t i = 0; i < sum.size(); ++i) sum[i] += w.weight * w.vector[i];
    }
    return normalised(std::move(sum));
  }

 private:
  std::string_view entry_word(std::uint32_t id) const {
    return {strings_ + words_[id].string_offset, words_[id].length};
  }

  std::optional<std::uint32_t> find(std::string_view word) const {
    const std::uint32_t mask = h_.slot_count - 1;
    for (std::uint64_t s = wv::fnv1a(word) & mask;; s = (s + 1) & mask) {
      const std::uint32_t v = slots_[s];
      if (v == 0) return std::nullopt;
      if (entry_word(v - 1) == word) return v - 1;
    }
  }

  std::vector<float> unit_vector(std::uint32_t id) const {
    std::vector<float> v(h_.dim);
    const std::int8_t* q = codes_ + std::size_t{id} * h_.dim;
    for (std::uint32_t i = 0; i < h_.dim; ++i) v[i] = q[i] * scales_[id];
    return v;
  }

  float sif_weight(std::uint32_t rank) const {
    const double p = 1.0 / ((rank + 1.0) * harmonic_);
    return static_cast<float>(kSifA / (kSifA + p));
  }

  static std::vector<float> normalised(std::vector<float> v) {
    double norm = 0.0;
    for (float x : v) norm += double(x) * x;
    if (norm > 0.0) {
      const double inv = 1.0 / std::sqrt(norm);
      for (float& x : v) x = static_cast<float>(x * inv);
    }
    return v;
  }

  // Unique n-gram buckets of a word with their weight multiplier (kPrefixBoost for the n-grams
  // at the start of the word, 1 otherwise).
  std::vector<std::pair<std::uint32_t, double>> buckets(std::string_view word) const {
    std::vector<std::pair<std::uint32_t, double>> out;
    for (const wv::NGram& g : wv::ngrams(word)) {
      out.emplace_back(static_cast<std::uint32_t>(g.hash & (h_.ngram_buckets - 1)),
                       g.prefix ? kPrefixBoost : 1.0);
    }
    // Sorted by bucket, larger multiplier first, then one entry per bucket.
    std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
      return x.first < y.first || (x.first == y.first && x.second > y.second);
    });
    out.erase(std::unique(out.begin(), out.end(),
                          [](const auto& x, const auto& y) { return x.first == y.first; }),
              out.end());
    return out;
  }

  // Rare n-grams say more about a word than "ing" does.
  double idf(std::uint32_t bucket) const {
    const double df = ngram_offsets_[bucket + 1] - ngram_offsets_[bucket];
    return df == 0.0 ? 0.0 : std::log(1.0 + ngram_words_ / df);
  }

  WordLookup fallback(std::string_view word) const {
    WordLookup out;
    out.vector.assign(h_.dim, 0.0f);
    // Scratch score per word id, reused across calls on this thread (embed is called from several
    // worker threads at once).
    thread_local std::vector<float> score;
    thread_local std::vector<std::uint32_t> touched;
    if (score.size() < h_.count) score.assign(h_.count, 0.0f);
    touched.clear();

    double query_weight = 0.0;
    for (const auto& [b, boost] : buckets(word)) {
      const double w = idf(b) * boost;
      query_weight += w;
      for (std::uint32_t k = ngram_offsets_[b]; k < ngram_offsets_[b + 1]; ++k) {
        const std::uint32_t id = postings_[k];
        if (score[id] == 0.0f) touched.push_back(id);
        score[id] += static_cast<float>(w);
      }
    }
    std::vector<std::pair<float, std::uint32_t>> shortlist;
    shortlist.reserve(touched.size());
    for (std::uint32_t id : touched) {
      shortlist.emplace_back(score[id], id);
      score[id] = 0.0f;
    }
    const std::size_t keep = std::min(shortlist.size(), kFallbackShortlist);
    std::partial_sort(shortlist.begin(), shortlist.begin() + keep, shortlist.end(),
                      [](const auto& a, const auto& b) {
                        return a.first > b.first || (a.first == b.first && a.second < b.second);
                      });
    shortlist.resize(keep);
    for (auto& [s, id] : shortlist) {
      double candidate_weight = 0.0;
      for (const auto& [b, boost] : buckets(entry_word(id))) candidate_weight += idf(b) * boost;
      s = static_cast<float>(s / (query_weight + candidate_weight - s));  // weighted Jaccard
    }
    std::sort(shortlist.begin(), shortlist.end(), [](const auto& a, const auto& b) {
      return a.first > b.first || (a.first == b.first && a.second < b.second);
    });

    float best = 0.0f;
    for (std::size_t k = 0; k < shortlist.size() && out.neighbours.size() < kFallbackNeighbours;
         ++k) {
      const auto [similarity, id] = shortlist[k];
      if (similarity < kFallbackMinSimilarity) break;
      best = std::max(best, similarity);
      const std::vector<float> v = unit_vector(id);
      for (std::size_t i = 0; i < v.size(); ++i) out.vector[i] += similarity * similarity * v[i];
      out.neighbours.emplace_back(entry_word(id));
    }
    if (!out.neighbours.empty()) {
      out.vector = normalised(std::move(out.vector));
      out.weight = sif_weight(h_.vocabulary_size) * best;
      return out;
    }
    // Nothing shares enough: a deterministic pseudo-random direction (splitmix64 of the hash).
    std::uint64_t state = wv::fnv1a(word);
    for (float& x : out.vector) {
      state += 0x9E3779B97F4A7C15ull;
      std::uint64_t z = state;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      z ^= z >> 31;
      x = static_cast<float>(static_cast<double>(z >> 11) / 9007199254740992.0 * 2.0 - 1.0);
    }
    out.vector = normalised(std::move(out.vector));
    out.weight = kUnknownWeight;
    return out;
  }

  std::unique_ptr<Mapping> map_;
  std::string path_;
  wv::Header h_{};
  const wv::WordEntry* words_ = nullptr;
  const char* strings_ = nullptr;
  const std::uint32_t* slots_ = nullptr;
  const float* scales_ = nullptr;
  const std::int8_t* codes_ = nullptr;
  const std::uint32_t* ngram_offsets_ = nullptr;
  const std::uint32_t* postings_ = nullptr;
  double harmonic_ = 1.0;
  double ngram_words_ = 1.0;
};

bool section_fits(std::uint64_t offset, std::uint64_t bytes, std::uint64_t file_size) {
  return offset % 4 == 0 && offset <= file_size && bytes <= file_size - offset;
}

}  // namespace

Result<std::unique_ptr<WordVectorEncoder>> open_word_vector_encoder(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail("cannot open word vectors " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || st.st_size < static_cast<off_t>(sizeof(wv::Header))) {
    ::close(fd);
    return fail(path + " is not a word vector file (too small)");
  }
  auto map = std::make_unique<Mapping>();
  map->size = static_cast<std::size_t>(st.st_size);
  void* base = mmap(nullptr, map->size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);  // the mapping keeps the file alive
  if (base == MAP_FAILED) return fail("cannot map " + path + ": " + std::strerror(errno));
  map->base = base;
  // Ask the kernel to start reading ahead now; the first prompt then rarely waits for the disk.
  madvise(base, map->size, MADV_WILLNEED);

  wv::Header h{};
  std::memcpy(&h, base, sizeof h);
  if (std::memcmp(h.magic, wv::kMagic, sizeof h.magic) != 0) {
    return fail(path + " is not a word vector file (bad magic); run tools/fetch_vectors.sh");
  }
  if (h.version != wv::kVersion) {
    return fail(path + " has format version " + std::to_string(h.version) + ", expected " +
                std::to_string(wv::kVersion) + "; run tools/fetch_vectors.sh again");
  }
  const std::uint64_t n = map->size;
  const bool pow2 = h.slot_count && !(h.slot_count & (h.slot_count - 1)) && h.ngram_buckets &&
                    !(h.ngram_buckets & (h.ngram_buckets - 1));
  const bool fits =
      h.file_size == n && h.dim > 0 && h.count > 0 && pow2 && h.slot_count > h.count &&
      section_fits(h.words_offset, sizeof(wv::WordEntry) * std::uint64_t{h.count}, n) &&
      h.strings_offset <= n && h.strings_size <= n - h.strings_offset &&
      section_fits(h.slots_offset, 4ull * h.slot_count, n) &&
      section_fits(h.scales_offset, 4ull * h.count, n) && h.vectors_offset <= n &&
      std::uint64_t{h.dim} * h.count <= n - h.vectors_offset &&
      section_fits(h.ngram_offsets_offset, 4ull * (h.ngram_buckets + 1ull), n) &&
      section_fits(h.ngram_postings_offset, 4ull * h.ngram_postings_count, n);
  if (!fits) return fail(path + " is truncated or corrupt (section bounds)");
  // Entries and postings index into other sections; check them once so lookups need no checks.
  const auto* bytes = static_cast<const std::uint8_t*>(base);
  std::span<const wv::WordEntry> entries(
      reinterpret_cast<const wv::WordEntry*>(bytes + h.words_offset), h.count);
  for (const auto& e : entries) {
    if (e.string_offset > h.strings_size || e.length > h.strings_size - e.string_offset) {
      return fail(path + " is corrupt (word string out of bounds)");
    }
  }
  std::span<const std::uint32_t> slots(
      reinterpret_cast<const std::uint32_t*>(bytes + h.slots_offset), h.slot_count);
  if (std::any_of(slots.begin(), slots.end(), [&](std::uint32_t v) { return v > h.count; })) {
    return fail(path + " is corrupt (hash slot out of range)");
  }
  std::span<const std::uint32_t> offsets(
      reinterpret_cast<const std::uint32_t*>(bytes + h.ngram_offsets_offset), h.ngram_buckets + 1);
  for (std::size_t b = 0; b + 1 < offsets.size(); ++b) {
    if (offsets[b] > offsets[b + 1]) return fail(path + " is corrupt (n-gram offsets)");
  }
  if (offsets.back() != h.ngram_postings_count) return fail(path + " is corrupt (n-gram count)");
  std::span<const std::uint32_t> postings(
      reinterpret_cast<const std::uint32_t*>(bytes + h.ngram_postings_offset),
      h.ngram_postings_count);
  if (std::any_of(postings.begin(), postings.end(),
                  [&](std::uint32_t v) { return v >= h.count; })) {
    return fail(path + " is corrupt (n-gram posting out of range)");
  }
  return std::unique_ptr<WordVectorEncoder>(
      std::make_unique<MappedWordVectors>(std::move(map), path));
}

Result<std::unique_ptr<TextEncoder>> open_word_vectors(const std::string& path) {
  auto r = open_word_vector_encoder(path);
  if (!r) return fail(r.error());
  return std::unique_ptr<TextEncoder>(std::move(r).value());
}

}  // namespace latentjam::mappings
