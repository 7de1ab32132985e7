#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "latentjam/mappings/text_encoder.hpp"
#include "latentjam/mappings/word_vectors.hpp"
#include "test_helpers.hpp"

namespace latentjam::mappings {
namespace {

using testing::subset_vectors;

std::unique_ptr<WordVectorEncoder> subset() {
  auto r = open_word_vector_encoder(subset_vectors());
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
  return std::move(r).value();
}

TEST(Tokenize, LowerCasesAndStripsPunctuation) {
  EXPECT_EQ(tokenize_words("  Boomy, DEEP!! kick... "),
            (std::vector<std::string>{"boomy", "deep", "kick"}));
  EXPECT_EQ(tokenize_words("laid-back 'groove' -- don't"),
            (std::vector<std::string>{"laid-back", "groove", "don't"}));
  EXPECT_TRUE(tokenize_words("?!. ,;").empty());
}

TEST(HashingEncoder, DeterministicNormalisedAndWordSensitive) {
  auto enc = make_hashing_encoder(64);
  EXPECT_EQ(enc->dim(), 64u);
  const auto a = enc->embed("Punchy kick");
  EXPECT_EQ(a, enc->embed("punchy, KICK!"));
  EXPECT_NEAR(cosine(a, a), 1.0f, 1e-5f);
  EXPECT_GT(cosine(a, enc->embed("punchy snare")), cosine(a, enc->embed("airy hat")));
  const auto empty = enc->embed("...");
  EXPECT_EQ(empty, std::vector<float>(64, 0.0f));
}

TEST(WordVectors, OpensSubsetAndFindsWordsByRank) {
  auto enc = subset();
  ASSERT_TRUE(enc);
  EXPECT_EQ(enc->dim(), 100u);
  EXPECT_EQ(enc->rank("the"), 0u);
  EXPECT_GT(*enc->rank("gloomy"), 10000u);  // subset keeps original ranks
  EXPECT_FALSE(enc->rank("boomy").has_value());
  const auto v = enc->lookup("deep");
  EXPECT_TRUE(v.in_vocabulary);
  EXPECT_NEAR(cosine(v.vector, v.vector), 1.0f, 1e-5f);
}

TEST(WordVectors, SentenceIsSifWeighted) {
  auto enc = subset();
  // "the" is the most frequent word: its SIF weight is tiny, so it barely moves the sentence.
  EXPECT_LT(enc->lookup("the").weight, 0.05f);
  EXPECT_GT(enc->lookup("gloomy").weight, 0.9f);
  EXPECT_GT(cosine(enc->embed("the gloomy"), enc->embed("gloomy")), 0.97f);
  EXPECT_EQ(enc->embed("Gloomy!"), enc->embed("gloomy"));
}

TEST(WordVectors, RelatedWordsAreCloserThanUnrelatedOnes) {
  // (GloVe puts antonyms such as dark/sparkling close together too: they share contexts. The
  // mapping tests with the full vectors check what matters, the side a synonym lands on.)
  auto enc = subset();
  const auto dark = enc->embed("dark");
  EXPECT_GT(cosine(dark, enc->embed("gloomy")), cosine(dark, enc->embed("percent")));
  const auto bright = enc->embed("bright");
  EXPECT_GT(cosine(bright, enc->embed("shiny")), cosine(bright, enc->embed("minister")));
}

TEST(WordVectors, OutOfVocabularyWordsUseCharacterNgrams) {
  auto enc = subset();
  const auto boomy = enc->lookup("boomy");
  EXPECT_FALSE(boomy.in_vocabulary);
  ASSERT_FALSE(boomy.neighbours.empty());
  EXPECT_EQ(boomy.neighbours.front().substr(0, 4), "boom");
  EXPECT_GT(cosine(boomy.vector, enc->lookup("boom").vector), 0.5f);
  const auto thwacky = enc->lookup("thwacky");
  ASSERT_FALSE(thwacky.neighbours.empty());
  EXPECT_GT(cosine(thwacky.vector, enc->lookup("thwack").vector), 0.5f);
  // Nothing in common: a deterministic pseudo-random vector, different per word.
  const auto a = enc->lookup("zzqx"), b = enc->lookup("qxzz");
  EXPECT_TRUE(a.neighbours.empty());
  EXPECT_EQ(a.vector, enc->lookup("zzqx").vector);
  EXPECT_LT(std::abs(cosine(a.vector, b.vector)), 0.5f);
}

TEST(WordVectors, MissingHyphenatedWordsUseTheirParts) {
  auto enc = subset();
  EXPECT_TRUE(enc->lookup("laid-back").in_vocabulary);
  const auto joined = enc->lookup("kick-snare");
  EXPECT_FALSE(joined.in_vocabulary);
  EXPECT_TRUE(joined.neighbours.empty());  // not the n-gram guess: the two known parts
  EXPECT_GT(cosine(joined.vector, enc->embed("kick snare")), 0.99f);
}

// The vectors have no one-letter words: "a punchy kick" must mean "punchy kick", not a random
// direction mixed in for "a".
TEST(WordVectors, OneLetterWordsMissingFromTheVocabularyCountForNothing) {
  auto enc = subset();
  ASSERT_FALSE(enc->lookup("a").in_vocabulary);
  EXPECT_EQ(enc->lookup("a").weight, 0.0f);
  EXPECT_EQ(enc->embed("a punchy kick"), enc->embed("punchy kick"));
  EXPECT_NE(enc->embed("zz punchy kick"),
            enc->embed("punchy kick"));  // longer unknowns still count
}

TEST(WordVectors, EmbedIsThreadSafe) {
  auto enc = subset();
  const auto want = enc->embed("squishy boomy kick");
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) mismatches[t] += enc->embed("squishy boomy kick") != want;
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

TEST(WordVectors, RejectsMissingAndCorruptFiles) {
  EXPECT_FALSE(open_word_vectors("/nonexistent/word-vectors.bin").ok());
  const auto dir = testing::fresh_dir("wv-corrupt");
  const auto path = (dir / "bad.bin").string();
  std::ifstream in(subset_vectors(), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));  // truncated
  }
  auto r = open_word_vectors(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("truncated"), std::string::npos) << r.error();
  {
    std::ofstream out(path, std::ios::binary);
    out << "not a vector file at all, but long enough to hold a header ............................"
           "..........................................";
  }
  EXPECT_FALSE(open_word_vectors(path).ok());
}

}  // namespace
}  // namespace latentjam::mappings
