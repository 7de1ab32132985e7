#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "latentjam/mappings/sbert.hpp"
#include "latentjam/mappings/wordpiece.hpp"
#include "test_helpers.hpp"

namespace latentjam::mappings {
namespace {

const std::vector<std::string> kVocab = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "kick",
                                         "drum",  "snare", "boom",  "##y",   "##ing",  "tight",
                                         ",",     "!",     "squ",   "##ish", "un",     "##ti"};

WordPieceTokenizer tokenizer() {
  return WordPieceTokenizer::from_tokens(kVocab).value();
}

TEST(WordPiece, GreedyLongestMatchWithContinuations) {
  const auto t = tokenizer();
  EXPECT_EQ(t.tokenize("Boomy KICK, booming!"),
            (std::vector<std::string>{"boom", "##y", "kick", ",", "boom", "##ing", "!"}));
  EXPECT_EQ(t.tokenize("squishy"), (std::vector<std::string>{"squ", "##ish", "##y"}));
  // No split covers "zap": the whole word is [UNK], not a partial match.
  EXPECT_EQ(t.tokenize("zap boomz"), (std::vector<std::string>{"[UNK]", "[UNK]"}));
  EXPECT_EQ(t.encode("kick drum"), (std::vector<std::int64_t>{2, 5, 6, 3}));
  EXPECT_EQ(t.encode("kick kick kick kick", 4), (std::vector<std::int64_t>{2, 5, 5, 3}));
  EXPECT_EQ(t.encode(""), (std::vector<std::int64_t>{2, 3}));
  EXPECT_FALSE(WordPieceTokenizer::from_tokens({"a", "b"}).ok());
}

// Scripts the module once for the whole suite (python3 + torch start-up takes about a second).
class Sbert : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // One directory per process: ctest -j runs this suite's tests in parallel processes.
    dir = testing::fresh_dir("sbert-" + std::to_string(::getpid()));
    vocab = (dir / "vocab.txt").string();
    module = (dir / "tiny_bert.ts").string();
    expected_path = (dir / "expected.txt").string();
    std::ofstream out(vocab);
    for (const auto& t : kVocab) out << t << "\n";
    out.close();
    // Ids of "[CLS] kick drum [SEP]", the text the C++ side embeds below.
    const std::string cmd = "/usr/bin/python3 -W ignore " + testing::source_dir() +
                            "/tests/mappings/make_tiny_bert.py " + std::to_string(kVocab.size()) +
                            " " + module + " " + expected_path + " 2 5 6 3";
    python_ok = std::system(cmd.c_str()) == 0;
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir); }
  void SetUp() override {
    if (!python_ok) {
      if (testing::ci()) FAIL() << "python3-torch could not script the test module";
      GTEST_SKIP() << "/usr/bin/python3 with torch is not available";
    }
  }
  static inline std::filesystem::path dir;
  static inline std::string vocab, module, expected_path;
  static inline bool python_ok = false;
};

TEST_F(Sbert, MatchesPythonMeanPooling) {
  auto enc = open_sbert(module, vocab);
  ASSERT_TRUE(enc.ok()) << enc.error();
  EXPECT_EQ(enc.value()->dim(), 16u);
  std::ifstream in(expected_path);
  std::vector<float> expected;
  for (float x; in >> x;) expected.push_back(x);
  ASSERT_EQ(expected.size(), 16u);
  const auto got = enc.value()->embed("Kick, drum");   // punctuation is its own token...
  const auto plain = enc.value()->embed("kick drum");  // ...so these differ;
  ASSERT_EQ(plain.size(), 16u);
  for (std::size_t i = 0; i < 16; ++i) EXPECT_NEAR(plain[i], expected[i], 1e-4f) << i;
  EXPECT_NE(got, plain);
  EXPECT_EQ(enc.value()->embed("KICK DRUM"), plain);  // ...but case is not.
  EXPECT_NEAR(cosine(plain, plain), 1.0f, 1e-5f);
  EXPECT_NE(enc.value()->embed("snare"), plain);
  EXPECT_EQ(enc.value()->embed("").size(), 16u);
  EXPECT_EQ(enc.value()->embed(std::string(5000, 'k')).size(), 16u);  // truncated, no throw
}

TEST_F(Sbert, LoadFailuresAreErrors) {
  EXPECT_FALSE(open_sbert(module, (dir / "missing.txt").string()).ok());
  EXPECT_FALSE(open_sbert((dir / "missing.ts").string(), vocab).ok());
  auto r = open_sbert(vocab, vocab);  // not a TorchScript archive
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("cannot load"), std::string::npos);
}

}  // namespace
}  // namespace latentjam::mappings
