// The probe benchmark of sound words (tests/data/sound_probes.tsv; docs/mappings.md, "Probe
// benchmark"): sets of sound labels a performer might use for one voice, and probe words with the
// label each should land nearest. Read by the tests, the benchmarks and the word-vector converter
// (which keeps the held-out probes out of its constraints).
//
// File format (tab-separated, '#' comment lines and blank lines ignored):
//   set    SET_NAME  VOICE  label1|label2|...|labelK      4 to 8 labels
//   probe  SET_NAME  WORD   EXPECTED_LABEL  SPLIT  SOURCE  SPLIT = tune | heldout
// A set must be defined before its probes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "latentjam/base/result.hpp"

namespace latentjam::mappings {
class TextEncoder;
class WordVectorEncoder;
}  // namespace latentjam::mappings

namespace latentjam::bench {

inline constexpr std::size_t kMinLabels = 4;
inline constexpr std::size_t kMaxLabels = 8;

struct ProbeSet {
  std::string name;
  std::string voice;
  std::vector<std::string> labels;
};

struct Probe {
  std::string set;
  std::string word;
  std::string expected;  // one of the set's labels
  bool heldout = false;
  std::string source;
  std::size_t line = 0;  // in the file, for messages
};

struct ProbeBenchmark {
  std::vector<ProbeSet> sets;
  std::vector<Probe> probes;  // in file order

  // nullptr when there is no such set.
  const ProbeSet* find_set(std::string_view name) const;
};

enum class Split { kAll, kTune, kHeldout };

bool in_split(const Probe& p, Split split);
const char* split_name(Split split);

// Parses a benchmark file. Errors name the file and line: malformed rows (wrong field count, empty
// fields, a label count outside 4..8, a split other than tune/heldout), a duplicate set or label, a
// probe of an unknown set, an expected label that is not in its set, a probe word that is itself a
// label of the set, a duplicate probe in a set.
Result<ProbeBenchmark> read_probe_benchmark(const std::string& path);
Result<ProbeBenchmark> parse_probe_benchmark(std::string_view text,
                                             const std::string& origin = "<text>");

// The split rule of the committed file: FNV-1a 32-bit of "SET_NAME/WORD"; odd = heldout.
std::uint32_t probe_split_hash(std::string_view set, std::string_view word);

// The words of a label or probe as the encoders see them: ASCII lower-cased, split at anything
// but letters, digits, bytes >= 0x80 and inner '-'/'\''; a hyphenated word also gives its parts
// ("laid-back" -> laid-back, laid, back). Used to find the constraints that link two of them.
std::vector<std::string> probe_words(std::string_view text);

// How often the encoder alone puts a probe nearest its expected label: the fraction of probes in
// `split` for which cosine(embed(word), embed(expected)) is the highest among the set's labels
// (a tie counts as a miss). `misses` lists "set: word -> nearest (expected)".
struct RateReport {
  std::size_t right = 0;
  std::size_t total = 0;
  std::vector<std::string> misses;
  double rate() const { return total == 0 ? 0.0 : double(right) / double(total); }
};
RateReport embedding_report(const mappings::TextEncoder& encoder, const ProbeBenchmark& bench,
                            Split split);
double embedding_rate(const mappings::TextEncoder& encoder, const ProbeBenchmark& bench,
                      Split split);

// ---- Checks that retrofitting the word vectors keeps general semantics (probe_rate.cpp) ----

// Nearest-neighbour overlap@k between two versions of the same word vectors: for `count` query
// words (lower-case a-z, taken in rank order from index `first`), the fraction of their k nearest
// neighbours (among the first `search` such words) that both versions share. `unchanged` is the
// mean over the queries whose own vector is the same in both files (words no constraint moved).
struct NeighbourOverlap {
  double all = 0.0;
  double unchanged = 0.0;
  std::size_t words = 0;
  std::size_t unchanged_words = 0;
};
NeighbourOverlap neighbour_overlap(const mappings::WordVectorEncoder& before,
                                   const mappings::WordVectorEncoder& after, std::size_t first,
                                   std::size_t count, std::size_t k, std::size_t search);

// Word pairs with a similarity score (tests/data/general_similarity.tsv: word1 TAB word2 TAB score,
// '#' comments).
struct ScoredPair {
  std::string a, b;
  double score = 0.0;
};
Result<std::vector<ScoredPair>> read_scored_pairs(const std::string& path);

// Spearman rank correlation between the encoder's cosines and the scores (ties get mean ranks).
double spearman(const mappings::TextEncoder& encoder, const std::vector<ScoredPair>& pairs);

// Opposite sound words a performer would expect far apart (bright/dark, hard/soft, ...), for the
// "antonyms apart" check. Many are also antonym constraints of the retrofit: this shows the effect.
const std::vector<std::pair<std::string, std::string>>& sound_antonyms();

// Mean cosine of the pairs' embeddings.
double mean_cosine(const mappings::TextEncoder& encoder,
                   const std::vector<std::pair<std::string, std::string>>& pairs);

}  // namespace latentjam::bench
