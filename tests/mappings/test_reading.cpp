// How a prompt was read (reading.hpp) and label suggestions (suggest_labels in words.hpp), with the
// committed subset of the real word vectors and the hashing encoder.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "latentjam/mappings/prompt.hpp"
#include "latentjam/mappings/reading.hpp"
#include "latentjam/mappings/word_vectors.hpp"
#include "latentjam/mappings/words.hpp"
#include "test_helpers.hpp"

namespace latentjam::mappings {
namespace {

using Kind = WordReading::Kind;

std::unique_ptr<WordVectorEncoder> subset() {
  auto r = open_word_vector_encoder(testing::subset_vectors());
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
  return std::move(r).value();
}

const WordReading* find(const PromptReading& r, std::string_view word) {
  for (const auto& w : r.words) {
    if (w.word == word) return &w;
  }
  return nullptr;
}

std::vector<std::string> words_of(const PromptReading& r) {
  std::vector<std::string> out;
  for (const auto& w : r.words) out.push_back(w.word);
  return out;
}

bool valid_utf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80         ? 1
                          : (c >> 5) == 6  ? 2
                          : (c >> 4) == 14 ? 3
                          : (c >> 3) == 30 ? 4
                                           : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

// An encoder that is neither word vectors nor hashing (stands for Sentence-BERT).
class OpaqueEncoder final : public TextEncoder {
 public:
  std::size_t dim() const override { return 4; }
  std::vector<float> embed(std::string_view) const override { return {1, 0, 0, 0}; }
  std::string name() const override { return "sbert:test"; }
};

TEST(PromptReading, KnownGuessedUnknownAndIgnoredWords) {
  auto enc = subset();
  const PromptReading r = read_prompt("The boomy ZZQX deep kick", *enc);
  EXPECT_TRUE(r.knows_words);
  EXPECT_EQ(r.encoder, PromptReading::Encoder::WordVectors);
  EXPECT_EQ(r.encoder_name, enc->name());
  EXPECT_TRUE(r.parse_error.empty());
  EXPECT_EQ(words_of(r), (std::vector<std::string>{"the", "boomy", "zzqx", "deep", "kick"}));

  EXPECT_EQ(find(r, "deep")->kind, Kind::Known);
  EXPECT_EQ(find(r, "kick")->kind, Kind::Known);
  EXPECT_GE(find(r, "deep")->weight, kIgnoredWeight);

  const WordReading* boomy = find(r, "boomy");
  EXPECT_EQ(boomy->kind, Kind::Guessed);
  ASSERT_FALSE(boomy->neighbours.empty());
  EXPECT_LE(boomy->neighbours.size(), kReadingNeighbours);
  EXPECT_EQ(boomy->neighbours.front(), "boom");
  // The neighbours are the encoder's, best first.
  const auto lookup = enc->lookup("boomy");
  EXPECT_TRUE(
      std::equal(boomy->neighbours.begin(), boomy->neighbours.end(), lookup.neighbours.begin()));

  EXPECT_EQ(find(r, "zzqx")->kind, Kind::Unknown);
  EXPECT_TRUE(find(r, "zzqx")->neighbours.empty());

  const WordReading* the = find(r, "the");
  EXPECT_EQ(the->kind, Kind::Ignored);
  EXPECT_LT(the->weight, kIgnoredWeight);

  const auto notes = reading_notes(r);
  ASSERT_EQ(notes.size(), 3u);
  EXPECT_EQ(notes[0], "ignored \"the\": too common to count");
  EXPECT_EQ(notes[1].rfind("guessed \"boomy\" from boom, ", 0), 0u) << notes[1];
  EXPECT_EQ(notes[2], "unknown word \"zzqx\": it matches nothing");
  EXPECT_EQ(reading_summary(r), "guessed boomy; unknown zzqx; ignored the");
}

TEST(PromptReading, EverythingKnownSaysNothing) {
  auto enc = subset();
  const PromptReading r = read_prompt("deep dark kick", *enc);
  ASSERT_EQ(r.words.size(), 3u);
  for (const auto& w : r.words) EXPECT_EQ(w.kind, Kind::Known) << w.word;
  EXPECT_TRUE(reading_notes(r).empty());
  EXPECT_TRUE(reading_summary(r).empty());
  // A frequent but meaningful word stays known; only words below the threshold are ignored.
  EXPECT_FALSE(read_prompt("very", *enc).parse_error.empty());  // "very" alone is grammar
  EXPECT_EQ(read_prompt("sound", *enc).words.at(0).kind, Kind::Known);
  EXPECT_EQ(read_prompt("of", *enc).words.at(0).kind, Kind::Ignored);
}

TEST(PromptReading, GrammarKeywordsAndWeightsAreNeverReported) {
  auto enc = subset();
  const std::set<std::string> grammar = {"between", "and", "at",  "very",   "really",   "extremely",
                                         "super",   "a",   "bit", "little", "slightly", "0",
                                         "3",       "7",   "0.3", "0.7"};
  struct Case {
    const char* prompt;
    std::vector<std::string> words;
  };
  const Case cases[] = {
      {"between deep and bright at 0.3", {"deep", "bright"}},
      {"Between dark heavy AND bright", {"dark", "heavy", "bright"}},
      {"very boomy", {"boomy"}},
      {"really dark", {"dark"}},
      {"extremely tight snare", {"tight", "snare"}},
      {"super dark", {"dark"}},
      {"a bit dark", {"dark"}},
      {"a little dark", {"dark"}},
      {"slightly zzqx", {"zzqx"}},
      {"deep and dark and dry", {"deep", "dark", "dry"}},
      {"deep boomy:0.7 crisp:0.3", {"deep", "boomy", "crisp"}},
  };
  for (const auto& c : cases) {
    const PromptReading r = read_prompt(c.prompt, *enc);
    EXPECT_TRUE(r.parse_error.empty()) << c.prompt;
    EXPECT_EQ(words_of(r), c.words) << c.prompt;
    for (const auto& w : r.words) EXPECT_EQ(grammar.count(w.word), 0u) << c.prompt;
    for (const auto& note : reading_notes(r)) {
      for (const char* k : {"\"and\"", "\"at\"", "\"a\"", "\"bit\"", "\"0\"", "\"7\""}) {
        EXPECT_EQ(note.find(k), std::string::npos) << c.prompt << ": " << note;
      }
    }
  }
  // Outside the grammar "a" is an ordinary word; the default vectors have no single letters, so
  // the encoder gives it no weight and the reading says it was ignored.
  const PromptReading plain = read_prompt("a deep kick", *enc);
  ASSERT_NE(find(plain, "a"), nullptr);
  EXPECT_EQ(find(plain, "a")->kind, Kind::Ignored);
}

TEST(PromptReading, RefusedPromptsHyphenatedAndRepeatedWords) {
  auto enc = subset();
  const PromptReading bad = read_prompt("between dark", *enc);
  EXPECT_FALSE(bad.parse_error.empty());
  EXPECT_TRUE(bad.words.empty());
  EXPECT_TRUE(reading_notes(bad).empty());

  const PromptReading whole = read_prompt("laid-back", *enc);
  ASSERT_EQ(whole.words.size(), 1u);
  EXPECT_EQ(whole.words[0].kind, Kind::Known);
  EXPECT_TRUE(whole.words[0].part_of.empty());

  const PromptReading parts = read_prompt("kick-zzqx groove", *enc);
  EXPECT_EQ(words_of(parts), (std::vector<std::string>{"kick", "zzqx", "groove"}));
  EXPECT_EQ(find(parts, "kick")->kind, Kind::Known);
  EXPECT_EQ(find(parts, "kick")->part_of, "kick-zzqx");
  EXPECT_EQ(find(parts, "zzqx")->kind, Kind::Unknown);
  EXPECT_TRUE(find(parts, "groove")->part_of.empty());
  const auto notes = reading_notes(parts);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0], "unknown word \"zzqx\" (in \"kick-zzqx\"): it matches nothing");

  const PromptReading twice = read_prompt("zzqx boomy ZZQX boomy", *enc);
  EXPECT_EQ(words_of(twice), (std::vector<std::string>{"zzqx", "boomy"}));
  EXPECT_EQ(reading_notes(twice).size(), 2u);
}

TEST(PromptReading, NotesAreBounded) {
  auto enc = subset();
  // 20 different words that are not in the vocabulary: 20 notes would be too many.
  std::string prompt;
  for (char c = 'a'; c < 'a' + 20; ++c) prompt += std::string("zzq") + c + c + " ";
  ASSERT_LE(prompt.size(), kMaxPromptBytes);
  const PromptReading r = read_prompt(prompt, *enc);
  ASSERT_EQ(r.words.size(), 20u);
  const auto notes = reading_notes(r);
  ASSERT_EQ(notes.size(), kMaxReadingNotes);
  EXPECT_EQ(notes.back(), "and " + std::to_string(20 - (kMaxReadingNotes - 1)) + " more");
  for (const auto& n : notes) EXPECT_LE(n.size(), kMaxReadingNoteBytes) << n;
  EXPECT_LE(reading_summary(r).size(), kMaxReadingNoteBytes);
  EXPECT_EQ(reading_summary(r).substr(reading_summary(r).size() - 3), "...");

  // A long word of multi-byte characters is cut at a character boundary.
  std::string long_word;
  for (int i = 0; i < 50; ++i) long_word += "\xC3\xA9";  // é
  const PromptReading utf = read_prompt(long_word + " " + long_word + "-zzqx", *enc);
  ASSERT_TRUE(utf.parse_error.empty()) << utf.parse_error;
  const auto utf_notes = reading_notes(utf);
  ASSERT_FALSE(utf_notes.empty());
  for (const auto& n : utf_notes) {
    EXPECT_LE(n.size(), kMaxReadingNoteBytes) << n;
    EXPECT_TRUE(valid_utf8(n)) << n;
  }
  EXPECT_TRUE(valid_utf8(reading_summary(utf)));
}

TEST(PromptReading, HashingAndOpaqueEncodersDoNotKnowWords) {
  auto hashing = make_hashing_encoder();
  const PromptReading r = read_prompt("very deep kick", *hashing);
  EXPECT_FALSE(r.knows_words);
  EXPECT_EQ(r.encoder, PromptReading::Encoder::Hashing);
  EXPECT_EQ(words_of(r), (std::vector<std::string>{"deep", "kick"}));
  for (const auto& w : r.words) EXPECT_EQ(w.kind, Kind::Unknown);
  const auto notes = reading_notes(r);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0],
            "the hashing encoder knows no words: \"deep\", \"kick\" only match labels that share "
            "letters");
  EXPECT_FALSE(reading_summary(r).empty());
  // Many words: still one bounded note.
  const PromptReading many = read_prompt(
      "deep dark kick boomy bright crisp tight loose snappy gritty warm cold soft hard", *hashing);
  const auto many_notes = reading_notes(many);
  ASSERT_EQ(many_notes.size(), 1u);
  EXPECT_LE(many_notes[0].size(), kMaxReadingNoteBytes);
  EXPECT_NE(many_notes[0].find("..."), std::string::npos);
  EXPECT_NE(many_notes[0].find("share letters"), std::string::npos);

  OpaqueEncoder opaque;
  const PromptReading o = read_prompt("boomy zzqx", opaque);
  EXPECT_FALSE(o.knows_words);
  EXPECT_EQ(o.encoder, PromptReading::Encoder::Other);
  ASSERT_EQ(o.words.size(), 2u);
  for (const auto& w : o.words) EXPECT_EQ(w.kind, Kind::Unchecked);
  EXPECT_TRUE(reading_notes(o).empty());
  EXPECT_TRUE(reading_summary(o).empty());
}

// ---- suggest_labels ----

std::vector<std::string> all_suggestions(std::string_view voice,
                                         const std::vector<std::string>& labels,
                                         const TextEncoder& enc) {
  return suggest_labels(voice, labels, enc, 1000);
}

TEST(SuggestLabels, ExcludeUsedWordsWordByWord) {
  auto enc = subset();
  const std::vector<std::string> labels = {"Bright, TIGHT hat!", "dark", "lo-fi"};
  const auto s = all_suggestions("hat", labels, *enc);
  ASSERT_FALSE(s.empty());
  for (const char* used : {"bright", "tight", "dark", "lo-fi"}) {
    EXPECT_EQ(std::count(s.begin(), s.end(), used), 0) << used;
  }
  // Without the labels those words are offered.
  const auto fresh = all_suggestions("hat", {}, *enc);
  for (const char* used : {"bright", "tight", "dark", "lo-fi"}) {
    EXPECT_EQ(std::count(fresh.begin(), fresh.end(), used), 1) << used;
  }
  // Every suggestion comes from the voice's list, once.
  const auto& list = suggested_words("hat");
  std::set<std::string> distinct(s.begin(), s.end());
  EXPECT_EQ(distinct.size(), s.size());
  for (const auto& w : s) EXPECT_NE(std::find(list.begin(), list.end(), w), list.end()) << w;
}

TEST(SuggestLabels, OnlyWordsTheVectorsKnowWell) {
  auto enc = subset();
  const auto s = all_suggestions("hat", {}, *enc);
  for (const auto& w : s) {
    EXPECT_TRUE(enc->lookup(w).in_vocabulary) << w;
    ASSERT_TRUE(enc->rank(w).has_value()) << w;
    EXPECT_LT(*enc->rank(w), kWellKnownRank) << w;
  }
  // In the hat list: "clicky" is out of the vocabulary (a guess), "hissy" is in it but rare.
  ASSERT_FALSE(enc->rank("clicky").has_value());
  ASSERT_TRUE(enc->rank("hissy").has_value());
  ASSERT_GE(*enc->rank("hissy"), kWellKnownRank);
  EXPECT_EQ(std::count(s.begin(), s.end(), "clicky"), 0);
  EXPECT_EQ(std::count(s.begin(), s.end(), "hissy"), 0);
  EXPECT_EQ(std::count(s.begin(), s.end(), "crisp"), 1);
  // The hashing encoder cannot tell: it keeps the whole list.
  auto hashing = make_hashing_encoder();
  const auto h = all_suggestions("hat", {"bright"}, *hashing);
  EXPECT_EQ(h.size(), suggested_words("hat").size() - 1);
  EXPECT_EQ(std::count(h.begin(), h.end(), "clicky"), 1);
  EXPECT_EQ(std::count(h.begin(), h.end(), "bright"), 0);
}

TEST(SuggestLabels, DeterministicAndBoundedByCount) {
  auto enc = subset();
  const std::vector<std::string> labels = {"deep", "boomy kick"};
  const auto a = suggest_labels("kick", labels, *enc);
  EXPECT_EQ(a.size(), 16u);
  EXPECT_EQ(a, suggest_labels("kick", labels, *enc));
  const auto three = suggest_labels("kick", labels, *enc, 3);
  ASSERT_EQ(three.size(), 3u);
  EXPECT_TRUE(std::equal(three.begin(), three.end(), a.begin()));
  EXPECT_TRUE(suggest_labels("kick", labels, *enc, 0).empty());
  // Precomputed embeddings give the same list.
  std::vector<std::vector<float>> embeddings;
  for (const auto& l : labels) embeddings.push_back(enc->embed(l));
  EXPECT_EQ(suggest_labels("kick", labels, embeddings, *enc), a);
  // A label without words tells nothing: the same as no label.
  EXPECT_EQ(suggest_labels("hat", {"?!"}, *enc, 100), suggest_labels("hat", {}, *enc, 100));
  // Without labels the list's first word (known well) comes first.
  EXPECT_EQ(suggest_labels("snare", {}, *enc, 1), std::vector<std::string>{"snappy"});
}

TEST(SuggestLabels, MostContrastingFirst) {
  auto enc = subset();
  const auto bright = enc->embed("bright");
  const auto s = all_suggestions("hat", {"bright"}, *enc);
  ASSERT_GE(s.size(), 8u);
  // The candidates ranked by how close they are to "bright" (its near-synonyms first).
  std::vector<std::pair<float, std::string>> by_closeness;
  for (const auto& w : s) by_closeness.emplace_back(cosine(enc->embed(w), bright), w);
  std::sort(by_closeness.rbegin(), by_closeness.rend());
  const float first = cosine(enc->embed(s.front()), bright);
  // The first suggestion is the candidate least like "bright"...
  EXPECT_FLOAT_EQ(first, by_closeness.back().first);
  // ...and clearly not one of its near-synonyms.
  for (std::size_t k = 0; k < 3; ++k) EXPECT_NE(s.front(), by_closeness[k].second);
  EXPECT_LT(first, by_closeness[by_closeness.size() / 2].first);
  EXPECT_LT(first, by_closeness.front().first - 0.2f);
  // Each next suggestion is the one farthest from "bright" and from those already suggested.
  std::vector<std::vector<float>> anchors = {bright};
  for (std::size_t k = 0; k < s.size(); ++k) {
    auto closeness = [&](const std::string& w) {
      float c = -2.0f;
      for (const auto& a : anchors) c = std::max(c, cosine(enc->embed(w), a));
      return c;
    };
    const float chosen = closeness(s[k]);
    for (std::size_t j = k + 1; j < s.size(); ++j) {
      EXPECT_LE(chosen, closeness(s[j]) + 1e-6f) << s[k] << " before " << s[j];
    }
    anchors.push_back(enc->embed(s[k]));
  }
  // A synonym of "bright" offered at all comes after the first few contrasting words.
  const std::string nearest = by_closeness.front().second;
  const auto at = std::find(s.begin(), s.end(), nearest) - s.begin();
  EXPECT_GE(at, 3) << nearest;
}

}  // namespace
}  // namespace latentjam::mappings
