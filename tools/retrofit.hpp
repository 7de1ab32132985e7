// Retrofitting / counter-fitting of word vectors for sound words, run by tools/convert_vectors at
// setup (docs/mappings.md, "Sound-word retrofitting").
//
// Constraints: synonym pairs (attract) and antonym pairs (repel) between vocabulary words, from
// WordNet (the Debian package wordnet-base: words of one synset, adjective satellites and their
// head through similar-to '&', antonym pointers '!') and from the curated lexicon
// tools/lexicon/sound_words.tsv. Only lower-case words of a-z and inner '-' ranked below
// Options::max_rank take part.
//
// Update (Faruqui et al. 2015 retrofitting with an antonym-repel term as in Mrkšić et al. 2016
// counter-fitting; the vector-space-preservation term is the pull back to the original vector),
// damped Jacobi iterations over the constrained words, each from the previous iterate:
//   t_i = alpha q^_i + beta sum_j w_ij q_j / sum_j w_ij
//         - gamma sum_{k antonym, c_ik > tau} (c_ik - tau) q_k / n_ant(i)      c_ik = cos(q_i, q_k)
//   q_i <- normalise( (1 - step) q_i + step t_i / |t_i| )
// q^_i is the original unit vector. Deterministic, single-threaded, a few seconds for the full
// vocabulary.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace latentjam::bench {
struct ProbeBenchmark;
}

namespace latentjam::retrofit {

// Defaults chosen on the probe benchmark's tune split (docs/mappings.md, "Sound-word
// retrofitting").
struct Options {
  std::uint32_t max_rank = 100000;  // only words ranked below take part
  int iterations = 20;
  float step = 0.5f;   // each iteration moves this far toward the update's target (damping)
  float alpha = 1.0f;  // pull back to the original vector
  float beta = 2.0f;   // synonym attraction (toward the weighted mean of the synonyms)
  float gamma = 2.0f;  // antonym repulsion
  float tau = 0.0f;    // antonyms are pushed only while their cosine is above tau
  float wordnet_synonym_weight = 1.0f;  // words of one synset
  float similar_weight = 1.0f;          // adjective head <-> satellite ('&')
  float lexicon_weight = 2.0f;          // lexicon synonym groups
  float also_see_weight = 0.0f;         // adjective "also see" ('^'), 0 = unused
  float derived_weight = 0.0f;          // derivationally related forms ('+'), 0 = unused
  bool nouns = false, verbs = false, adverbs = true, adjectives = true;
  bool expand_antonyms = true;  // antonymy between whole synsets, not only the pointer's two words
};

struct Pair {
  std::uint32_t a, b;  // word ids, a < b
  float weight;
  bool operator==(const Pair& o) const { return a == o.a && b == o.b; }
};

struct Constraints {
  std::vector<Pair> synonyms;
  std::vector<Pair> antonyms;
  // Sorts, merges duplicates (keeping the larger weight) and drops pairs that are both synonyms
  // and antonyms (WordNet's senses disagree; trust neither).
  void normalise();
};

// Words that may take part, by id (= rank in the package).
class WordIndex {
 public:
  WordIndex(const std::vector<std::string>& words, const std::vector<bool>& present,
            std::uint32_t max_rank);
  // Id of a usable word, or -1.
  std::int64_t find(std::string_view word) const;
  const std::string& word(std::uint32_t id) const { return (*words_)[id]; }

 private:
  const std::vector<std::string>* words_;
  std::unordered_map<std::string_view, std::uint32_t> ids_;
};

// Adds WordNet's relations from DIR/data.{adj,adv,noun,verb} as enabled in `options`. Returns an
// empty string or the reason for failing.
std::string add_wordnet(const std::string& dir, const WordIndex& index, const Options& options,
                        Constraints& out);

// Adds the lexicon: lines "syn<TAB>w1 w2 ..." (every pair attracts) and
// "ant<TAB>w1 w2 ...<TAB>v1 v2 ..." (every w repels every v); '#' comment lines.
std::string add_lexicon(const std::string& path, const WordIndex& index, const Options& options,
                        Constraints& out);

// Removes every constraint linking a held-out probe's word to a word of a label of its set.
// Returns how many pairs were removed.
std::size_t exclude_heldout(const bench::ProbeBenchmark& probes, const WordIndex& index,
                            Constraints& constraints);

// Vectors as stored by the converter: int8 codes and one scale per word (unit vectors).
struct QuantisedVectors {
  std::uint32_t dim = 0;
  std::vector<std::int8_t>* codes = nullptr;
  std::vector<float>* scales = nullptr;
};

struct Report {
  std::size_t moved_words = 0;
  std::size_t synonyms = 0, antonyms = 0;
  double mean_shift = 0.0;  // mean 1 - cos(new, original) over the moved words
};

// Runs the update and re-quantises the moved words in place.
Report retrofit(const Constraints& constraints, const Options& options, QuantisedVectors vectors);

}  // namespace latentjam::retrofit
