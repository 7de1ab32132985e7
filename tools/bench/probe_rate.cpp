// The embedding's own nearest-label rate on the probe benchmark, and the general-semantics checks
// used next to it.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include "latentjam/mappings/text_encoder.hpp"
#include "latentjam/mappings/word_vectors.hpp"
#include "probe_set.hpp"

namespace latentjam::bench {

RateReport embedding_report(const mappings::TextEncoder& encoder, const ProbeBenchmark& bench,
                            Split split) {
  RateReport report;
  std::map<std::string, std::vector<float>> label_cache;
  auto label_vector = [&](const std::string& label) -> const std::vector<float>& {
    auto it = label_cache.find(label);
    if (it == label_cache.end()) it = label_cache.emplace(label, encoder.embed(label)).first;
    return it->second;
  };
  for (const Probe& p : bench.probes) {
    if (!in_split(p, split)) continue;
    const ProbeSet* set = bench.find_set(p.set);
    if (!set) continue;  // cannot happen for a parsed benchmark
    const std::vector<float> v = encoder.embed(p.word);
    const float expected = mappings::cosine(v, label_vector(p.expected));
    bool right = true;
    std::string nearest = p.expected;
    float best = expected;
    for (const std::string& label : set->labels) {
      if (label == p.expected) continue;
      const float c = mappings::cosine(v, label_vector(label));
      if (c >= expected) right = false;
      if (c > best) {
        best = c;
        nearest = label;
      }
    }
    ++report.total;
    if (right) {
      ++report.right;
    } else {
      report.misses.push_back(p.set + ": " + p.word + " -> " + nearest + " (" + p.expected + ")");
    }
  }
  return report;
}

double embedding_rate(const mappings::TextEncoder& encoder, const ProbeBenchmark& bench,
                      Split split) {
  return embedding_report(encoder, bench, split).rate();
}

}  // namespace latentjam::bench

namespace latentjam::bench {

namespace {

bool plain_word(std::string_view w) {
  return !w.empty() && std::all_of(w.begin(), w.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

// Ranks with ties averaged (1-based).
std::vector<double> ranks(const std::vector<double>& x) {
  std::vector<std::size_t> order(x.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
  std::vector<double> r(x.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && x[order[j + 1]] == x[order[i]]) ++j;
    for (std::size_t k = i; k <= j; ++k) r[order[k]] = (double(i) + double(j)) / 2.0 + 1.0;
    i = j + 1;
  }
  return r;
}

// The k nearest ids (by dot product of unit vectors) to row q of `m` (rows of dim floats).
std::vector<std::size_t> nearest(const std::vector<float>& m, std::size_t dim, std::size_t q,
                                 std::size_t k) {
  const std::size_t n = m.size() / dim;
  std::vector<std::pair<float, std::size_t>> best;  // min-heap of the k best
  const float* a = &m[q * dim];
  auto cmp = [](const auto& x, const auto& y) { return x.first > y.first; };
  for (std::size_t i = 0; i < n; ++i) {
    if (i == q) continue;
    const float* b = &m[i * dim];
    float s = 0.0f;
    for (std::size_t d = 0; d < dim; ++d) s += a[d] * b[d];
    if (best.size() < k) {
      best.emplace_back(s, i);
      std::push_heap(best.begin(), best.end(), cmp);
    } else if (s > best.front().first) {
      std::pop_heap(best.begin(), best.end(), cmp);
      best.back() = {s, i};
      std::push_heap(best.begin(), best.end(), cmp);
    }
  }
  std::vector<std::size_t> ids;
  for (const auto& [s, i] : best) ids.push_back(i);
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace

NeighbourOverlap neighbour_overlap(const mappings::WordVectorEncoder& before,
                                   const mappings::WordVectorEncoder& after, std::size_t first,
                                   std::size_t count, std::size_t k, std::size_t search) {
  NeighbourOverlap out;
  const std::size_t dim = before.dim();
  if (after.dim() != dim) return out;
  // The searched words (plain lower-case words among the first `search`), as rows.
  std::vector<std::string_view> words;
  for (std::size_t i = 0; i < std::min(search, before.size()); ++i) {
    if (plain_word(before.word_at(i))) words.push_back(before.word_at(i));
  }
  std::vector<float> mb, ma;
  mb.reserve(words.size() * dim);
  ma.reserve(words.size() * dim);
  for (std::string_view w : words) {
    const auto vb = before.lookup(w).vector, va = after.lookup(w).vector;
    mb.insert(mb.end(), vb.begin(), vb.end());
    ma.insert(ma.end(), va.begin(), va.end());
  }
  double sum_all = 0.0, sum_unchanged = 0.0;
  for (std::size_t q = 0; q < words.size() && out.words < count; ++q) {
    if (before.rank(words[q]).value_or(0) < first) continue;
    const auto nb = nearest(mb, dim, q, k), na = nearest(ma, dim, q, k);
    std::vector<std::size_t> common;
    std::set_intersection(nb.begin(), nb.end(), na.begin(), na.end(), std::back_inserter(common));
    const double overlap = double(common.size()) / double(k);
    sum_all += overlap;
    ++out.words;
    float same = 0.0f;
    for (std::size_t d = 0; d < dim; ++d) same += mb[q * dim + d] * ma[q * dim + d];
    if (same > 0.9999f) {
      sum_unchanged += overlap;
      ++out.unchanged_words;
    }
  }
  out.all = out.words ? sum_all / double(out.words) : 0.0;
  out.unchanged = out.unchanged_words ? sum_unchanged / double(out.unchanged_words) : 0.0;
  return out;
}

Result<std::vector<ScoredPair>> read_scored_pairs(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail("cannot open " + path);
  std::vector<ScoredPair> out;
  std::size_t line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream f(line);
    ScoredPair p;
    if (!(f >> p.a >> p.b >> p.score)) {
      return fail(path + ":" + std::to_string(line_no) + ": expected word TAB word TAB score");
    }
    out.push_back(std::move(p));
  }
  return out;
}

double spearman(const mappings::TextEncoder& encoder, const std::vector<ScoredPair>& pairs) {
  std::vector<double> cos, score;
  for (const ScoredPair& p : pairs) {
    cos.push_back(mappings::cosine(encoder.embed(p.a), encoder.embed(p.b)));
    score.push_back(p.score);
  }
  const auto rc = ranks(cos), rs = ranks(score);
  const double n = double(pairs.size());
  if (n < 2) return 0.0;
  double mc = 0, ms = 0;
  for (std::size_t i = 0; i < rc.size(); ++i) {
    mc += rc[i] / n;
    ms += rs[i] / n;
  }
  double num = 0, dc = 0, ds = 0;
  for (std::size_t i = 0; i < rc.size(); ++i) {
    num += (rc[i] - mc) * (rs[i] - ms);
    dc += (rc[i] - mc) * (rc[i] - mc);
    ds += (rs[i] - ms) * (rs[i] - ms);
  }
  return dc > 0 && ds > 0 ? num / std::sqrt(dc * ds) : 0.0;
}

const std::vector<std::pair<std::string, std::string>>& sound_antonyms() {
  static const std::vector<std::pair<std::string, std::string>> pairs = {
      {"bright", "dark"}, {"hard", "soft"},    {"loud", "quiet"},   {"punchy", "mellow"},
      {"tight", "loose"}, {"dry", "wet"},      {"clean", "dirty"},  {"smooth", "rough"},
      {"thick", "thin"},  {"heavy", "light"},  {"long", "short"},   {"open", "closed"},
      {"sharp", "dull"},  {"warm", "cold"},    {"busy", "sparse"},  {"fast", "slow"},
      {"high", "low"},    {"deep", "shallow"}, {"harsh", "gentle"}, {"crisp", "muddy"},
      {"fat", "thin"},    {"big", "small"},    {"wide", "narrow"},  {"straight", "swung"}};
  return pairs;
}

double mean_cosine(const mappings::TextEncoder& encoder,
                   const std::vector<std::pair<std::string, std::string>>& pairs) {
  double sum = 0.0;
  for (const auto& [a, b] : pairs) sum += mappings::cosine(encoder.embed(a), encoder.embed(b));
  return pairs.empty() ? 0.0 : sum / double(pairs.size());
}

}  // namespace latentjam::bench
