// The probe benchmark of sound words (tests/data/sound_probes.tsv, tools/bench/probe_set.hpp) and
// the retrofitted word vectors (issue 8, item 4): the file meets its rules, the lexicon keeps the
// held-out probes apart, and data/word-vectors.bin beats data/word-vectors-raw.bin on the
// benchmark without losing general semantics. The vector checks skip without the files (made by
// tools/fetch_vectors.sh), except with CI=true, where missing files are a failure.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "latentjam/mappings/word_vectors.hpp"
#include "probe_set.hpp"
#include "test_helpers.hpp"

namespace latentjam::bench {
namespace {

std::string probes_path() {
  return mappings::testing::source_dir() + "/tests/data/sound_probes.tsv";
}

ProbeBenchmark load() {
  auto r = read_probe_benchmark(probes_path());
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
  return r.ok() ? std::move(r).value() : ProbeBenchmark{};
}

TEST(ProbeBenchmark, ParsesAndMeetsTheSizeRules) {
  const ProbeBenchmark b = load();
  EXPECT_GE(b.sets.size(), 8u);
  EXPECT_GE(b.probes.size(), 200u);
  std::set<std::string> voices;
  std::map<std::pair<std::string, std::string>, int> per_label;
  for (const ProbeSet& s : b.sets) {
    voices.insert(s.voice);
    EXPECT_GE(s.labels.size(), kMinLabels) << s.name;
    EXPECT_LE(s.labels.size(), kMaxLabels) << s.name;
    for (const auto& label : s.labels) per_label[{s.name, label}] = 0;
  }
  for (const char* v : {"kick", "snare", "hat", "loop"}) EXPECT_TRUE(voices.count(v)) << v;
  std::size_t heldout = 0;
  for (const Probe& p : b.probes) {
    ++per_label[{p.set, p.expected}];
    heldout += p.heldout;
    // The split is the header's fixed rule, not a choice.
    EXPECT_EQ(p.heldout, (probe_split_hash(p.set, p.word) & 1u) == 1u) << p.set << "/" << p.word;
    EXPECT_TRUE(p.source == "timbre-lit" || p.source == "pal" || p.source == "musician")
        << p.source;
  }
  for (const auto& [key, n] : per_label) {
    EXPECT_GE(n, 5) << key.first << ": " << key.second;
  }
  EXPECT_GT(heldout * 100, b.probes.size() * 35);
  EXPECT_LT(heldout * 100, b.probes.size() * 65);
}

TEST(ProbeBenchmark, LexiconHoldsNoHeldOutProbeLabelPair) {
  const ProbeBenchmark b = load();
  // (probe word, label word) pairs that no constraint may link.
  std::set<std::pair<std::string, std::string>> banned;
  for (const Probe& p : b.probes) {
    if (!p.heldout) continue;
    for (const auto& w : probe_words(p.word)) {
      for (const auto& label : b.find_set(p.set)->labels) {
        for (const auto& lw : probe_words(label)) {
          if (lw != w) {
            banned.emplace(w, lw);
            banned.emplace(lw, w);
          }
        }
      }
    }
  }
  const std::string path = mappings::testing::source_dir() + "/tools/lexicon/sound_words.tsv";
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  auto words = [](const std::string& field) {
    std::vector<std::string> v;
    std::istringstream s(field);
    for (std::string w; s >> w;) v.push_back(w);
    return v;
  };
  std::size_t groups = 0, line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    std::istringstream fields(line);
    for (std::string x; std::getline(fields, x, '\t');) f.push_back(x);
    std::vector<std::pair<std::string, std::string>> links;
    if (f.size() == 2 && f[0] == "syn") {
      const auto g = words(f[1]);
      for (const auto& a : g) {
        for (const auto& c : g) links.emplace_back(a, c);
      }
    } else if (f.size() == 3 && f[0] == "ant") {
      for (const auto& a : words(f[1])) {
        for (const auto& c : words(f[2])) links.emplace_back(a, c);
      }
    } else {
      ADD_FAILURE() << path << ":" << line_no << ": malformed";
      continue;
    }
    ++groups;
    for (const auto& link : links) {
      EXPECT_FALSE(banned.count(link)) << path << ":" << line_no << " links held-out probe pair "
                                       << link.first << " / " << link.second;
    }
  }
  EXPECT_GE(groups, 40u);
}

TEST(ProbeReader, GivesClearErrors) {
  const std::string set = "set\tk\tkick\ta|b|c|d\n";
  struct Case {
    std::string text, error;
  };
  const std::vector<Case> cases = {
      {"set\tk\tkick\n", "t:1: a set row has 4 tab-separated fields"},
      {"set\tk\tkick\ta|b|c\n", "t:1: set \"k\" has 3 labels; 4 to 8 are allowed"},
      {"set\tk\tkick\ta|b|c|d|e|f|g|h|i\n", "9 labels"},
      {"set\tk\tkick\ta|b|c|a\n", "label \"a\" twice"},
      {set + set, "t:2: set \"k\" defined twice"},
      {set + "probe\tk\tx\ta\ttune\n", "t:2: a probe row has 6 tab-separated fields"},
      {set + "probe\tq\tx\ta\ttune\tpal\n", "t:2: unknown set \"q\""},
      {set + "probe\tk\tx\tz\ttune\tpal\n", "t:2: expected label \"z\" is not a label of set"},
      {set + "probe\tk\tx\ta\tmaybe\tpal\n", "split must be tune or heldout"},
      {set + "probe\tk\tb\ta\ttune\tpal\n", "probe \"b\" is itself a label"},
      {set + "#c\n\nprobe\tk\tx\ta\ttune\tpal\nprobe\tk\tx\tb\theldout\tpal\n",
       "t:5: duplicate probe \"x\" in set \"k\""},
      {set + "probe\tk\t\ta\ttune\tpal\n", "t:2: empty field"},
      {"sets\tk\tkick\ta|b|c|d\n", "unknown row kind \"sets\""},
      {"# nothing\n", "no sets"},
  };
  for (const Case& c : cases) {
    auto r = parse_probe_benchmark(c.text, "t");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.error().find(c.error), std::string::npos)
        << r.error() << " (want " << c.error << ")";
  }
  auto ok = parse_probe_benchmark(set + "probe\tk\tx y\ta\theldout\tpal\r\n", "t");
  ASSERT_TRUE(ok.ok()) << ok.error();
  EXPECT_EQ(ok->probes.at(0).word, "x y");
  EXPECT_TRUE(ok->probes.at(0).heldout);
  EXPECT_EQ(ok->probes.at(0).source, "pal");
  EXPECT_FALSE(read_probe_benchmark("/nonexistent/probes.tsv").ok());
  EXPECT_EQ(probe_words("Laid-back, SNARE!"),
            (std::vector<std::string>{"laid-back", "laid", "back", "snare"}));
}

// ---- With the real vectors ----

class RetrofittedVectors : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::filesystem::path path = mappings::testing::full_vectors();
    const auto raw_path = path.parent_path() / "word-vectors-raw.bin";
    for (const auto& p : {path, raw_path}) {
      if (!std::filesystem::exists(p)) {
        if (mappings::testing::ci()) {
          FAIL() << "CI=true and " << p << " is missing; run tools/fetch_vectors.sh";
        }
        GTEST_SKIP() << "no " << p << " (run tools/fetch_vectors.sh)";
      }
    }
    auto r = mappings::open_word_vector_encoder(path);
    ASSERT_TRUE(r.ok()) << r.error();
    retro = std::move(r).value();
    auto q = mappings::open_word_vector_encoder(raw_path);
    ASSERT_TRUE(q.ok()) << q.error();
    raw = std::move(q).value();
    bench = load();
  }

  std::unique_ptr<mappings::WordVectorEncoder> retro, raw;
  ProbeBenchmark bench;
};

TEST_F(RetrofittedVectors, BeatTheRawVectorsOnTheProbes) {
  // Measured (docs/mappings.md, "Probe benchmark"): tune 62.1 -> 82.8 %, held-out 57.7 -> 70.2 %,
  // all 59.7 -> 76.0 %. The thresholds sit a few points below.
  std::map<Split, double> gain;
  for (Split s : {Split::kTune, Split::kHeldout, Split::kAll}) {
    const RateReport before = embedding_report(*raw, bench, s);
    const RateReport after = embedding_report(*retro, bench, s);
    gain[s] = 100.0 * (after.rate() - before.rate());
    std::printf("embedding rate %-7s raw %5.1f %% -> retrofitted %5.1f %% (%zu probes)\n",
                split_name(s), 100.0 * before.rate(), 100.0 * after.rate(), after.total);
  }
  EXPECT_GE(gain[Split::kHeldout], 9.0);
  EXPECT_GE(gain[Split::kTune], 16.0);
  EXPECT_GE(gain[Split::kAll], 13.0);
}

TEST_F(RetrofittedVectors, PushOppositesApart) {
  const double before = mean_cosine(*raw, sound_antonyms());
  const double after = mean_cosine(*retro, sound_antonyms());
  std::printf("sound antonyms mean cosine: raw %.3f -> retrofitted %.3f\n", before, after);
  EXPECT_LT(after, before - 0.2);  // measured 0.613 -> 0.323
  EXPECT_LT(mappings::cosine(retro->embed("hard"), retro->embed("soft")),
            mappings::cosine(raw->embed("hard"), raw->embed("soft")));
  EXPECT_LT(mappings::cosine(retro->embed("punchy"), retro->embed("mellow")),
            mappings::cosine(raw->embed("punchy"), raw->embed("mellow")));
}

TEST_F(RetrofittedVectors, KeepGeneralSemantics) {
  auto pairs =
      read_scored_pairs(mappings::testing::source_dir() + "/tests/data/general_similarity.tsv");
  ASSERT_TRUE(pairs.ok()) << pairs.error();
  ASSERT_GE(pairs->size(), 40u);
  const double before = spearman(*raw, pairs.value()), after = spearman(*retro, pairs.value());
  std::printf("general pairs Spearman: raw %.3f -> retrofitted %.3f\n", before, after);
  EXPECT_GE(after, before - 0.03);  // measured 0.814 -> 0.832

  // Words no constraint moved keep their neighbourhoods (a moved word may enter them).
  const NeighbourOverlap o = neighbour_overlap(*raw, *retro, 1000, 1000, 10, 20000);
  std::printf("neighbour overlap@10: all %.3f, unmoved %.3f (%zu of %zu words unmoved)\n", o.all,
              o.unchanged, o.unchanged_words, o.words);
  EXPECT_GE(o.unchanged_words, 200u);
  EXPECT_GE(o.unchanged, 0.75);
  EXPECT_GE(o.all, 0.5);
}

}  // namespace
}  // namespace latentjam::bench
