// The on-disk layout of converted word vectors (data/word-vectors.bin), shared by the converter
// (tools/convert_vectors.cpp) and the memory-mapped reader (word_vectors.cpp).
//
// Everything is little-endian, every section starts on an 8-byte boundary, and nothing needs to be
// parsed at load time: the reader maps the file and points spans into it, so opening costs a few
// page faults, not a parse. Layout, in file order:
//
//   Header                                   fixed 128 bytes, see below
//   WordEntry[count]                         word id order = the package's frequency order
//   char strings[]                           UTF-8 bytes of every word, not NUL-terminated
//   u32 hash_slots[slot_count]               open addressing (linear probing) over FNV-1a of the
//                                            word; value = word id + 1, 0 = empty
//   float scales[count]                      per-word dequantisation scale
//   i8  vectors[count][dim]                  unit-length vector of each word, quantised:
//                                            v[i] = q[i] * scale (max |q| = 127)
//   u32 ngram_offsets[ngram_buckets + 1]     CSR index: bucket b's postings are
//   u32 ngram_postings[]                     postings[offsets[b] .. offsets[b+1]) = word ids
//
// Quantising unit vectors to int8 with a per-word scale keeps cosines within about 1e-3 of the
// float32 originals while the file is 4x smaller than float32 (about 50 MB instead of 150 MB for
// the full vocabulary), which keeps resident memory and cold page-in time low.
//
// The n-gram index maps hashed character 3- and 4-grams of "<word>" (with boundary markers) to the
// words containing them; the encoder uses it to build vectors for out-of-vocabulary words.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace latentjam::mappings::wvformat {

inline constexpr char kMagic[8] = {'L', 'J', 'W', 'V', 'E', 'C', '\0', '\0'};
inline constexpr std::uint32_t kVersion = 1;

struct Header {
  char magic[8];
  std::uint32_t version;
  std::uint32_t dim;
  std::uint32_t count;            // words in this file
  std::uint32_t vocabulary_size;  // words in the original package (for Zipf frequencies)
  std::uint32_t slot_count;       // hash slots, a power of two
  std::uint32_t ngram_buckets;    // n-gram buckets, a power of two
  std::uint64_t words_offset;
  std::uint64_t strings_offset;
  std::uint64_t strings_size;
  std::uint64_t slots_offset;
  std::uint64_t scales_offset;
  std::uint64_t vectors_offset;
  std::uint64_t ngram_offsets_offset;
  std::uint64_t ngram_postings_offset;
  std::uint64_t ngram_postings_count;
  std::uint64_t file_size;
  std::uint32_t ngram_words;  // words in the n-gram index (the N of its IDF)
  std::uint8_t reserved[128 - 32 - 80 - 4];
};
static_assert(sizeof(Header) == 128);

struct WordEntry {
  std::uint32_t string_offset;  // into strings[]
  std::uint32_t length;         // bytes
  std::uint32_t rank;           // 0 = most frequent word of the original package
  std::uint32_t reserved;
};
static_assert(sizeof(WordEntry) == 16);

// FNV-1a, 64-bit. Used for the word hash table and the n-gram buckets.
inline std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// The words that get an entry in the n-gram index: lower-case ASCII letters only, at least 3 long.
// Names, numbers and punctuation would only add noise to the out-of-vocabulary fallback.
bool indexable_for_ngrams(std::string_view word);

// Hashes of the character 3- and 4-grams of "<word>", in order, duplicates kept.
std::vector<std::uint64_t> ngram_hashes(std::string_view word);

// The same n-grams, marking those at the start of the word ("<bo", "<boo"): English morphology
// mostly adds endings, so a shared beginning says more about meaning than a shared ending.
struct NGram {
  std::uint64_t hash;
  bool prefix;
};
std::vector<NGram> ngrams(std::string_view word);

// Normalises `v` (length dim) to unit length and quantises it into `out`; returns the scale.
// A zero vector gives all-zero codes and scale 0.
float quantize_unit(const float* v, std::uint32_t dim, std::int8_t* out);

// One word to write, in rank order. `codes` points at dim quantised values owned by the caller.
struct WordRecord {
  std::string_view word;
  std::uint32_t rank = 0;
  float scale = 0.0f;
  const std::int8_t* codes = nullptr;
};

// Writes a complete file. `vocabulary_size` is the size of the original vocabulary (for a subset it
// is larger than words.size()). `ngram_max_rank`: only words with rank below it enter the n-gram
// index. Returns an empty string on success, else the reason.
std::string write_file(const std::string& path, std::uint32_t dim, std::uint32_t vocabulary_size,
                       const std::vector<WordRecord>& words, std::uint32_t ngram_max_rank);

}  // namespace latentjam::mappings::wvformat
