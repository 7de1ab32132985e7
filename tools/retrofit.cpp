#include "retrofit.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "latentjam/mappings/word_vectors_format.hpp"
#include "probe_set.hpp"

namespace latentjam::retrofit {

namespace {

bool usable(std::string_view w) {
  if (w.empty() || w.front() == '-' || w.back() == '-') return false;
  return std::all_of(w.begin(), w.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '-'; });
}

void add_pair(std::vector<Pair>& out, std::int64_t a, std::int64_t b, float weight) {
  if (a < 0 || b < 0 || a == b) return;
  const auto x = static_cast<std::uint32_t>(std::min(a, b));
  const auto y = static_cast<std::uint32_t>(std::max(a, b));
  out.push_back({x, y, weight});
}

void merge(std::vector<Pair>& pairs) {
  std::sort(pairs.begin(), pairs.end(), [](const Pair& p, const Pair& q) {
    return p.a < q.a || (p.a == q.a && (p.b < q.b || (p.b == q.b && p.weight > q.weight)));
  });
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
}

bool contains(const std::vector<Pair>& sorted, const Pair& p) {
  return std::binary_search(sorted.begin(), sorted.end(), p, [](const Pair& x, const Pair& y) {
    return x.a < y.a || (x.a == y.a && x.b < y.b);
  });
}

// One synset of a WordNet data file.
struct Pointer {
  char symbol;  // '!' antonym, '&' similar to, '^' also see, '+' derivationally related
  int file;     // 0 adj, 1 adv, 2 noun, 3 verb
  std::uint32_t offset;
  int source, target;  // 1-based word numbers; 0 = the whole synset
};
struct Synset {
  int file;
  bool satellite;
  std::vector<std::int64_t> words;  // ids, -1 for unusable words (positions matter)
  std::vector<Pointer> pointers;
};

int file_of(char pos) {
  switch (pos) {
    case 'a':
    case 's':
      return 0;
    case 'r':
      return 1;
    case 'n':
      return 2;
    default:
      return 3;
  }
}

}  // namespace

void Constraints::normalise() {
  merge(synonyms);
  merge(antonyms);
  std::vector<Pair> syn;
  syn.reserve(synonyms.size());
  for (const Pair& p : synonyms) {
    if (!contains(antonyms, p)) syn.push_back(p);
  }
  std::vector<Pair> ant;
  for (const Pair& p : antonyms) {
    if (!contains(synonyms, p)) ant.push_back(p);
  }
  synonyms = std::move(syn);
  antonyms = std::move(ant);
}

WordIndex::WordIndex(const std::vector<std::string>& words, const std::vector<bool>& present,
                     std::uint32_t max_rank)
    : words_(&words) {
  const std::size_t n = std::min<std::size_t>(words.size(), max_rank);
  ids_.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    if (present[i] && usable(words[i])) ids_.emplace(words[i], i);  // keeps the first id
  }
}

std::int64_t WordIndex::find(std::string_view word) const {
  const auto it = ids_.find(word);
  return it == ids_.end() ? -1 : std::int64_t{it->second};
}

std::string add_wordnet(const std::string& dir, const WordIndex& index, const Options& options,
                        Constraints& out) {
  static constexpr std::array<const char*, 4> kFiles = {"data.adj", "data.adv", "data.noun",
                                                        "data.verb"};
  const std::array<bool, 4> enabled = {options.adjectives, options.adverbs, options.nouns,
                                       options.verbs};
  std::vector<Synset> synsets;
  std::array<std::unordered_map<std::uint32_t, std::size_t>, 4> by_offset;
  for (int file = 0; file < 4; ++file) {
    if (!enabled[file]) continue;
    const std::string path = dir + "/" + kFiles[file];
    std::ifstream in(path);
    if (!in) return "cannot open " + path + " (install the Debian package wordnet-base)";
    std::size_t line_no = 0;
    for (std::string line; std::getline(in, line);) {
      ++line_no;
      if (line.empty() || line[0] == ' ') continue;  // license header
      std::istringstream f(line.substr(0, line.find('|')));
      std::uint32_t offset = 0;
      std::string lex_file, type, count_hex;
      if (!(f >> offset >> lex_file >> type >> count_hex) || type.size() != 1) {
        return path + ":" + std::to_string(line_no) + ": malformed synset";
      }
      Synset s{file, type[0] == 's', {}, {}};
      const int count = std::stoi(count_hex, nullptr, 16);
      for (int k = 0; k < count; ++k) {
        std::string word, lex_id;
        if (!(f >> word >> lex_id)) return path + ":" + std::to_string(line_no) + ": short synset";
        word = word.substr(0, word.find('('));  // adjective markers: "galore(ip)"
        s.words.push_back(index.find(word));
      }
      int pointers = 0;
      if (!(f >> pointers)) return path + ":" + std::to_string(line_no) + ": no pointer count";
      for (int k = 0; k < pointers; ++k) {
        std::string symbol, pos, source_target;
        std::uint32_t target = 0;
        if (!(f >> symbol >> target >> pos >> source_target) || source_target.size() != 4) {
          return path + ":" + std::to_string(line_no) + ": malformed pointer";
        }
        if (symbol != "!" && symbol != "&" && symbol != "^" && symbol != "+") continue;
        s.pointers.push_back({symbol[0], file_of(pos[0]), target,
                              std::stoi(source_target.substr(0, 2), nullptr, 16),
                              std::stoi(source_target.substr(2, 2), nullptr, 16)});
      }
      by_offset[file].emplace(offset, synsets.size());
      synsets.push_back(std::move(s));
    }
  }
  for (const Synset& s : synsets) {
    for (std::size_t i = 0; i < s.words.size(); ++i) {
      for (std::size_t j = i + 1; j < s.words.size(); ++j) {
        add_pair(out.synonyms, s.words[i], s.words[j], options.wordnet_synonym_weight);
      }
    }
    for (const Pointer& p : s.pointers) {
      const auto it = by_offset[p.file].find(p.offset);
      if (it == by_offset[p.file].end()) continue;  // target in a disabled file
      const Synset& t = synsets[it->second];
      if (p.symbol == '&' || p.symbol == '^') {
        const float w = p.symbol == '&' ? options.similar_weight : options.also_see_weight;
        if (w <= 0.0f) continue;
        for (std::int64_t a : s.words) {
          for (std::int64_t b : t.words) add_pair(out.synonyms, a, b, w);
        }
        continue;
      }
      if (p.symbol == '+') {  // derivationally related forms (lexical): "boom" -> "booming"
        if (options.derived_weight > 0.0f && p.source >= 1 && p.target >= 1 &&
            p.source <= int(s.words.size()) && p.target <= int(t.words.size())) {
          add_pair(out.synonyms, s.words[p.source - 1], t.words[p.target - 1],
                   options.derived_weight);
        }
        continue;
      }
      if (options.expand_antonyms || p.source == 0 || p.target == 0) {
        for (std::int64_t a : s.words) {
          for (std::int64_t b : t.words) add_pair(out.antonyms, a, b, 1.0f);
        }
      } else if (p.source <= int(s.words.size()) && p.target <= int(t.words.size())) {
        add_pair(out.antonyms, s.words[p.source - 1], t.words[p.target - 1], 1.0f);
      }
    }
  }
  return {};
}

std::string add_lexicon(const std::string& path, const WordIndex& index, const Options& options,
                        Constraints& out) {
  std::ifstream in(path);
  if (!in) return "cannot open " + path;
  std::size_t line_no = 0;
  auto ids = [&](const std::string& field) {
    std::vector<std::int64_t> v;
    std::istringstream words(field);
    for (std::string w; words >> w;) v.push_back(index.find(w));
    return v;
  };
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    std::istringstream fields(line);
    for (std::string x; std::getline(fields, x, '\t');) f.push_back(x);
    if (f.size() == 2 && f[0] == "syn") {
      const auto g = ids(f[1]);
      for (std::size_t i = 0; i < g.size(); ++i) {
        for (std::size_t j = i + 1; j < g.size(); ++j) {
          add_pair(out.synonyms, g[i], g[j], options.lexicon_weight);
        }
      }
    } else if (f.size() == 3 && f[0] == "ant") {
      for (std::int64_t a : ids(f[1])) {
        for (std::int64_t b : ids(f[2])) add_pair(out.antonyms, a, b, 1.0f);
      }
    } else {
      return path + ":" + std::to_string(line_no) +
             ": expected \"syn<TAB>words\" or \"ant<TAB>words<TAB>words\"";
    }
  }
  return {};
}

std::size_t exclude_heldout(const bench::ProbeBenchmark& probes, const WordIndex& index,
                            Constraints& constraints) {
  std::set<std::pair<std::uint32_t, std::uint32_t>> banned;
  for (const bench::Probe& p : probes.probes) {
    if (!p.heldout) continue;
    const bench::ProbeSet* set = probes.find_set(p.set);
    if (!set) continue;
    for (const std::string& w : bench::probe_words(p.word)) {
      const std::int64_t a = index.find(w);
      if (a < 0) continue;
      for (const std::string& label : set->labels) {
        for (const std::string& lw : bench::probe_words(label)) {
          const std::int64_t b = index.find(lw);
          if (b < 0 || a == b) continue;
          banned.emplace(static_cast<std::uint32_t>(std::min(a, b)),
                         static_cast<std::uint32_t>(std::max(a, b)));
        }
      }
    }
  }
  std::size_t removed = 0;
  for (std::vector<Pair>* list : {&constraints.synonyms, &constraints.antonyms}) {
    const std::size_t before = list->size();
    std::erase_if(*list, [&](const Pair& p) { return banned.count({p.a, p.b}) > 0; });
    removed += before - list->size();
  }
  return removed;
}

Report retrofit(const Constraints& constraints, const Options& options, QuantisedVectors v) {
  Report report;
  report.synonyms = constraints.synonyms.size();
  report.antonyms = constraints.antonyms.size();
  const std::size_t dim = v.dim;

  // Moving words and their local index.
  std::vector<std::uint32_t> ids;
  for (const auto* list : {&constraints.synonyms, &constraints.antonyms}) {
    for (const Pair& p : *list) {
      ids.push_back(p.a);
      ids.push_back(p.b);
    }
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  const std::size_t n = ids.size();
  report.moved_words = n;
  if (n == 0) return report;
  auto local = [&](std::uint32_t id) {
    return static_cast<std::uint32_t>(std::lower_bound(ids.begin(), ids.end(), id) - ids.begin());
  };

  // Adjacency (CSR) for both relations, in both directions.
  struct Edge {
    std::uint32_t to;
    float weight;
  };
  auto build = [&](const std::vector<Pair>& pairs, std::vector<std::uint32_t>& offsets,
                   std::vector<Edge>& edges) {
    offsets.assign(n + 1, 0);
    for (const Pair& p : pairs) {
      ++offsets[local(p.a) + 1];
      ++offsets[local(p.b) + 1];
    }
    for (std::size_t i = 0; i < n; ++i) offsets[i + 1] += offsets[i];
    edges.resize(offsets[n]);
    std::vector<std::uint32_t> fill(offsets.begin(), offsets.end() - 1);
    for (const Pair& p : pairs) {
      const std::uint32_t a = local(p.a), b = local(p.b);
      edges[fill[a]++] = {b, p.weight};
      edges[fill[b]++] = {a, p.weight};
    }
  };
  std::vector<std::uint32_t> syn_off, ant_off;
  std::vector<Edge> syn, ant;
  build(constraints.synonyms, syn_off, syn);
  build(constraints.antonyms, ant_off, ant);

  std::vector<float> original(n * dim), current, next(n * dim);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int8_t* q = v.codes->data() + std::size_t{ids[i]} * dim;
    const float s = (*v.scales)[ids[i]];
    for (std::size_t d = 0; d < dim; ++d) original[i * dim + d] = q[d] * s;
  }
  current = original;
  auto dot = [dim](const float* a, const float* b) {
    float s = 0.0f;
    for (std::size_t d = 0; d < dim; ++d) s += a[d] * b[d];
    return s;
  };

  for (int it = 0; it < options.iterations; ++it) {
    for (std::size_t i = 0; i < n; ++i) {
      float* t = &next[i * dim];
      const float* qi = &current[i * dim];
      for (std::size_t d = 0; d < dim; ++d) t[d] = options.alpha * original[i * dim + d];
      float total = 0.0f;
      for (std::uint32_t e = syn_off[i]; e < syn_off[i + 1]; ++e) total += syn[e].weight;
      if (total > 0.0f) {
        for (std::uint32_t e = syn_off[i]; e < syn_off[i + 1]; ++e) {
          const float w = options.beta * syn[e].weight / total;
          const float* qj = &current[syn[e].to * dim];
          for (std::size_t d = 0; d < dim; ++d) t[d] += w * qj[d];
        }
      }
      const std::uint32_t n_ant = ant_off[i + 1] - ant_off[i];
      for (std::uint32_t e = ant_off[i]; e < ant_off[i + 1]; ++e) {
        const float* qk = &current[ant[e].to * dim];
        const float excess = dot(qi, qk) - options.tau;
        if (excess <= 0.0f) continue;
        // Proportional to how far the pair is above tau, so the push fades as it is met instead
        // of switching on and off between iterations (which oscillates).
        const float w = options.gamma * excess / float(n_ant);
        for (std::size_t d = 0; d < dim; ++d) t[d] -= w * qk[d];
      }
      // Damped step toward the normalised target: both words of a pair move at once, and the
      // undamped (Jacobi) update overshoots and oscillates when the repulsion is strong.
      const float norm = std::sqrt(dot(t, t));
      const float step = norm > 0.0f ? options.step / norm : 0.0f;
      for (std::size_t d = 0; d < dim; ++d) t[d] = (1.0f - options.step) * qi[d] + step * t[d];
      const float norm2 = std::sqrt(dot(t, t));
      if (norm2 > 0.0f) {
        for (std::size_t d = 0; d < dim; ++d) t[d] /= norm2;
      } else {
        std::copy(qi, qi + dim, t);
      }
    }
    std::swap(current, next);
  }

  double shift = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    shift += 1.0 - dot(&current[i * dim], &original[i * dim]);
    (*v.scales)[ids[i]] = mappings::wvformat::quantize_unit(
        &current[i * dim], static_cast<std::uint32_t>(dim), v.codes->data() + ids[i] * dim);
  }
  report.mean_shift = shift / double(n);
  return report;
}

}  // namespace latentjam::retrofit
