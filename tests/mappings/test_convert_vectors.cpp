// Runs the real convert_vectors executable on a small JSON in the package's layout.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "latentjam/mappings/word_vectors.hpp"
#include "test_helpers.hpp"

namespace latentjam::mappings {
namespace {

// Three words in 4 dimensions, with the package's extra fields (l2 norm, word index) after each
// vector, an escaped quote as a word, unknown keys and white space between tokens.
constexpr const char* kJson = R"({"precision":8, "l2NormIndex":4,"wordIndex":5,"size":4,
 "dimensions":4,"extra":{"nested":[1,2,{"x":null}],"flag":true},
 "words":["the","\"","booming","boom"],
 "vectors":{"the":[1,0,0,0,1,0],"\"":[0,1,0,0,1,1],
   "booming":[0.5,0.5,0,0,0.7071,2], "boom" : [ 0.4 , 0.6 , 1e-2 , -0 , 0.72 , 3 ] },
 "unkVector":[0,0,0,0]})";

int run(const std::string& args) {
  return std::system((std::string(CONVERT_VECTORS) + " " + args + " > /dev/null 2>&1").c_str());
}

TEST(ConvertVectors, ConvertsTheJsonAndASubset) {
  const auto dir = testing::fresh_dir("convert");
  const auto json = (dir / "in.json").string();
  std::ofstream(json) << kJson;
  std::ofstream(dir / "words.txt") << "# comment\nboom  # and another\n";
  const auto out = (dir / "out.bin").string(), subset = (dir / "subset.bin").string();
  ASSERT_EQ(run(json + " " + out + " --subset-output " + subset +
                " --subset-top 1 --subset-words " + (dir / "words.txt").string()),
            0);
  auto enc = std::move(open_word_vector_encoder(out)).value();
  EXPECT_EQ(enc->size(), 4u);
  EXPECT_EQ(enc->dim(), 4u);
  EXPECT_EQ(enc->rank("\""), 1u);
  EXPECT_EQ(enc->rank("boom"), 3u);
  const auto the = enc->lookup("the");
  EXPECT_NEAR(the.vector[0], 1.0f, 1e-6f);
  const auto boom = enc->lookup("boom").vector;  // stored normalised
  EXPECT_NEAR(cosine(boom, {0.4f, 0.6f, 0.01f, 0.0f}), 1.0f, 1e-3f);
  // The n-gram fallback finds the indexed words.
  EXPECT_FALSE(enc->lookup("boomy").neighbours.empty());

  auto small = std::move(open_word_vector_encoder(subset)).value();
  EXPECT_EQ(small->size(), 2u);        // "the" (top 1) + "boom" (listed)
  EXPECT_EQ(small->rank("boom"), 3u);  // original rank kept
  EXPECT_FALSE(small->rank("booming").has_value());
}

TEST(ConvertVectors, RetrofitsWithALexiconAndKeepsTheRawVectors) {
  const auto dir = testing::fresh_dir("convert-retrofit");
  const auto json = (dir / "in.json").string();
  // "hard" starts close to "soft" and far from "firm".
  std::ofstream(json) << R"({"wordIndex":3,"dimensions":3,"words":["hard","soft","firm","else"],
    "vectors":{"hard":[1,0.2,0,0],"soft":[1,0.4,0,1],"firm":[0,1,1,2],"else":[0,0,1,3]}})";
  std::ofstream(dir / "lexicon.tsv") << "# test\nsyn\thard firm\nant\thard\tsoft\n";
  const auto out = (dir / "out.bin").string(), raw = (dir / "raw.bin").string();
  ASSERT_EQ(run(json + " " + out + " --raw-output " + raw + " --lexicon " +
                (dir / "lexicon.tsv").string()),
            0);
  auto before = std::move(open_word_vector_encoder(raw)).value();
  auto after = std::move(open_word_vector_encoder(out)).value();
  auto cos = [](const auto& enc, const char* a, const char* b) {
    return cosine(enc->lookup(a).vector, enc->lookup(b).vector);
  };
  EXPECT_LT(cos(after, "hard", "soft"), cos(before, "hard", "soft") - 0.1f);
  EXPECT_GT(cos(after, "hard", "firm"), cos(before, "hard", "firm") + 0.1f);
  EXPECT_EQ(after->lookup("else").vector, before->lookup("else").vector);  // unconstrained
  // A malformed lexicon line or retrofit option fails the conversion.
  std::ofstream(dir / "bad.tsv") << "syn hard firm\n";
  EXPECT_NE(run(json + " " + out + " --lexicon " + (dir / "bad.tsv").string()), 0);
  EXPECT_NE(
      run(json + " " + out + " --lexicon " + (dir / "lexicon.tsv").string() + " --retrofit nope=1"),
      0);
}

TEST(ConvertVectors, RejectsBrokenInput) {
  const auto dir = testing::fresh_dir("convert-bad");
  const auto json = (dir / "in.json").string();
  const auto out = (dir / "out.bin").string();
  // A vector whose word index names another word.
  std::ofstream(json)
      << R"({"wordIndex":2,"dimensions":2,"words":["a","b"],"vectors":{"a":[1,0,1]}})";
  EXPECT_NE(run(json + " " + out), 0);
  std::ofstream(json) << R"({"wordIndex":2,"dimensions":2,"words":["a","b"],"vectors":{"a":[1,0)";
  EXPECT_NE(run(json + " " + out), 0);         // truncated
  EXPECT_FALSE(std::filesystem::exists(out));  // never a half-written output
  EXPECT_NE(run((dir / "missing.json").string() + " " + out), 0);
}

}  // namespace
}  // namespace latentjam::mappings
