#include <gtest/gtest.h>

#include <random>

#include "latentjam/mappings/directions.hpp"
#include "latentjam/mappings/evaluation.hpp"
#include "latentjam/mappings/pca.hpp"
#include "latentjam/mappings/prompt.hpp"
#include "latentjam/mappings/word_vectors.hpp"
#include "latentjam/mappings/words.hpp"
#include "test_helpers.hpp"

namespace latentjam::mappings {
namespace {

using testing::distance;
using Kind = ParsedPrompt::Kind;

TEST(PromptGrammar, PlainTextIsOneTerm) {
  auto p = parse_prompt("  Boomy   deep kick ");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->kind, Kind::Text);
  ASSERT_EQ(p->terms.size(), 1u);
  EXPECT_EQ(p->terms[0].text, "Boomy deep kick");
}

TEST(PromptGrammar, Between) {
  auto p = parse_prompt("Between straight and groovy");
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p->kind, Kind::Between);
  EXPECT_EQ(p->terms[0].text, "straight");
  EXPECT_EQ(p->terms[1].text, "groovy");
  EXPECT_FLOAT_EQ(p->amount, 0.5f);
  p = parse_prompt("between dark heavy and bright airy at 0.3");
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p->terms[0].text, "dark heavy");
  EXPECT_EQ(p->terms[1].text, "bright airy");
  EXPECT_FLOAT_EQ(p->terms[0].weight, 0.7f);
  EXPECT_FLOAT_EQ(p->terms[1].weight, 0.3f);
  for (const char* bad : {"between", "between dark", "between and bright", "between dark and",
                          "between a and b at 1.5", "between a and b at x", "between a and b at"}) {
    EXPECT_FALSE(parse_prompt(bad).ok()) << bad;
  }
}

TEST(PromptGrammar, Modifiers) {
  auto p = parse_prompt("very boomy");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->kind, Kind::Intensify);
  EXPECT_FLOAT_EQ(p->amount, kIntensifyVery);
  EXPECT_EQ(p->terms[0].text, "boomy");
  p = parse_prompt("EXTREMELY tight snare");
  EXPECT_EQ(p->kind, Kind::Intensify);
  EXPECT_FLOAT_EQ(p->amount, kIntensifyExtremely);
  EXPECT_EQ(p->terms[0].text, "tight snare");
  p = parse_prompt("a bit swung");
  EXPECT_EQ(p->kind, Kind::Soften);
  EXPECT_FLOAT_EQ(p->amount, kSoftenAmount);
  EXPECT_EQ(p->terms[0].text, "swung");
  EXPECT_EQ(parse_prompt("slightly dark")->kind, Kind::Soften);
  EXPECT_FALSE(parse_prompt("very").ok());
  EXPECT_FALSE(parse_prompt("a bit").ok());
}

TEST(PromptGrammar, MixAndWeights) {
  auto p = parse_prompt("punchy and dark and dry");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->kind, Kind::Mix);
  ASSERT_EQ(p->terms.size(), 3u);
  EXPECT_FLOAT_EQ(p->terms[2].weight, 1.0f / 3.0f);
  p = parse_prompt("deep boomy:0.7 crisp:0.3");
  ASSERT_TRUE(p.ok()) << p.error();
  ASSERT_EQ(p->terms.size(), 2u);
  EXPECT_EQ(p->terms[0].text, "deep boomy");
  EXPECT_FLOAT_EQ(p->terms[0].weight, 0.7f);
  p = parse_prompt("a:2 b:2");
  EXPECT_FLOAT_EQ(p->terms[0].weight, 0.5f);
  for (const char* bad : {"a:x b:0.3", "a:-1 b:1", "a:0 b:0", "a:0.5 b", ":0.5", "a:nan", "a:11",
                          "a and and b", "and b"}) {
    EXPECT_FALSE(parse_prompt(bad).ok()) << bad;
  }
}

TEST(PromptGrammar, Bounds) {
  EXPECT_FALSE(parse_prompt("").ok());
  EXPECT_FALSE(parse_prompt("   ").ok());
  EXPECT_TRUE(parse_prompt(std::string(256, 'a')).ok());
  EXPECT_FALSE(parse_prompt(std::string(257, 'a')).ok());
  EXPECT_FALSE(parse_prompt("a and b and c and d and e and f and g and h and i").ok());
}

// A mapping from two labelled latents with the subset word vectors.
struct TwoLabels {
  std::unique_ptr<WordVectorEncoder> enc;
  std::shared_ptr<const Mapping> mapping;
  std::vector<float> dark, bright;
};

TwoLabels two_labels() {
  TwoLabels t;
  t.enc = std::move(open_word_vector_encoder(testing::subset_vectors())).value();
  std::mt19937 rng(42);
  std::normal_distribution<float> g;
  t.dark.resize(16);
  t.bright.resize(16);
  for (auto& x : t.dark) x = g(rng);
  for (auto& x : t.bright) x = g(rng);
  t.mapping = std::move(train_mapping({{t.enc->embed("boomy deep"), t.dark},
                                       {t.enc->embed("bright crisp"), t.bright}}))
                  .value();
  return t;
}

TEST(PromptResolve, FormsLandWhereTheGrammarSays) {
  const auto t = two_labels();
  const auto& centre = t.mapping->centre();
  auto resolve = [&](const char* text, const std::vector<float>* current = nullptr) {
    auto p = parse_prompt(text);
    EXPECT_TRUE(p.ok()) << text;
    auto r = resolve_prompt(p.value(), *t.enc, *t.mapping, centre, current);
    EXPECT_TRUE(r.ok()) << text;
    return r.value();
  };
  const auto a = resolve("boomy deep"), b = resolve("bright crisp");
  EXPECT_LT(distance(a, t.dark), 0.1f * distance(t.dark, t.bright));
  // between at 0.3 = 0.7 a + 0.3 b exactly (mixing happens in latent space).
  const auto between = resolve("between boomy deep and bright crisp at 0.3");
  for (std::size_t i = 0; i < a.size(); ++i)
    EXPECT_NEAR(between[i], 0.7f * a[i] + 0.3f * b[i], 1e-5f);
  const auto mix = resolve("boomy deep and bright crisp");
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(mix[i], 0.5f * (a[i] + b[i]), 1e-5f);
  const auto weighted = resolve("boomy deep:3 bright crisp:1");
  for (std::size_t i = 0; i < a.size(); ++i)
    EXPECT_NEAR(weighted[i], 0.75f * a[i] + 0.25f * b[i], 1e-5f);
  const auto very = resolve("extremely boomy deep");
  EXPECT_NEAR(distance(very, centre), kIntensifyExtremely * distance(a, centre), 1e-3f);
  // a bit: from the current sound when given.
  const auto abit = resolve("a bit bright crisp", &t.dark);
  EXPECT_NEAR(distance(abit, t.dark), kSoftenAmount * distance(b, t.dark), 1e-3f);
}

TEST(PromptResolve, RejectsAnEncoderOfAnotherSize) {
  const auto t = two_labels();
  auto hashing = make_hashing_encoder(32);
  auto r = resolve_prompt(parse_prompt("dark").value(), *hashing, *t.mapping, t.mapping->centre());
  EXPECT_FALSE(r.ok());
}

TEST(Variation, MovesAlongTheTextDirection) {
  const auto t = two_labels();
  EXPECT_EQ(vary(t.dark, "bright", 0.5f, *t.enc, nullptr).error(), "label some sounds first");
  EXPECT_FALSE(vary(t.dark, "bright", -0.1f, *t.enc, t.mapping.get()).ok());
  EXPECT_FALSE(vary(t.dark, "bright", std::nanf(""), *t.enc, t.mapping.get()).ok());
  EXPECT_FALSE(vary(t.dark, "", 0.5f, *t.enc, t.mapping.get()).ok());
  const auto zero = vary(t.dark, "bright crisp", 0.0f, *t.enc, t.mapping.get()).value();
  EXPECT_EQ(zero, t.dark);
  float last = 0.0f;
  for (float amount : {0.3f, 0.6f, 0.9f, 1.5f}) {
    const auto v = vary(t.dark, "bright crisp", amount, *t.enc, t.mapping.get()).value();
    const float moved = distance(v, t.dark);
    EXPECT_GT(moved, last);
    EXPECT_LT(distance(v, t.bright), distance(t.dark, t.bright));  // toward the bright sound
    last = moved;
  }
}

TEST(Pca, FindsTheDominantAxesAndSlidersAreCentredOnTheAnchor) {
  // Samples stretched along known axes: sigma 3 along e0, 2 along e1, 0.1 elsewhere.
  std::mt19937 rng(3);
  std::normal_distribution<float> g;
  std::vector<std::vector<float>> samples(2000, std::vector<float>(12));
  for (auto& s : samples) {
    for (std::size_t i = 0; i < s.size(); ++i)
      s[i] = g(rng) * (i == 0 ? 3.0f : i == 1 ? 2.0f : 0.1f);
  }
  auto pca = PcaBasis::fit(samples);
  ASSERT_TRUE(pca.ok());
  EXPECT_EQ(pca->components(), 8u);
  EXPECT_NEAR(pca->sigma(0), 3.0f, 0.15f);
  EXPECT_NEAR(pca->sigma(1), 2.0f, 0.1f);
  EXPECT_GT(std::abs(pca->component(0)[0]), 0.99f);
  EXPECT_GT(std::abs(pca->component(1)[1]), 0.99f);
  const std::vector<float> anchor(12, 0.25f);
  const std::vector<float> centred(8, 0.5f);
  EXPECT_EQ(pca->apply(anchor, centred), anchor);
  EXPECT_EQ(pca->xy(anchor, 0.5f, 0.5f), anchor);
  std::vector<float> first(8, 0.5f);
  first[0] = 1.0f;
  const auto moved = pca->apply(anchor, first);
  EXPECT_NEAR(distance(moved, anchor), kSliderSigmas * pca->sigma(0), 1e-4f);
  const auto back = pca->positions(anchor, moved);
  EXPECT_NEAR(back[0], 1.0f, 1e-4f);
  EXPECT_NEAR(back[1], 0.5f, 1e-4f);
  const auto pad = pca->xy(anchor, 0.0f, 1.0f);
  EXPECT_NEAR(distance(pad, anchor),
              std::hypot(kSliderSigmas * pca->sigma(0), kSliderSigmas * pca->sigma(1)), 1e-3f);
  EXPECT_FALSE(PcaBasis::fit({{1.0f}}).ok());
}

TEST(Words, EveryVoiceHasTwentyToFortySuggestions) {
  for (const char* voice : {"kick", "snare", "hat", "loop", "cowbell"}) {
    const auto& w = suggested_words(voice);
    EXPECT_GE(w.size(), 20u) << voice;
    EXPECT_LE(w.size(), 40u) << voice;
  }
  EXPECT_EQ(&suggested_words("cowbell"), &generic_words());
  EXPECT_NE(suggested_words("kick"), suggested_words("hat"));
}

TEST(Evaluation, LeaveOneOutAndConflicts) {
  auto enc = std::move(open_word_vector_encoder(testing::subset_vectors())).value();
  std::vector<Example> ex;
  auto add = [&](std::int64_t id, const char* text, std::vector<float> latent) {
    ex.push_back({id, text, enc->embed(text), std::move(latent), 0});
  };
  add(1, "dark heavy", {1, 1, 0, 0});
  add(2, "dark deep", {1, 0.9f, 0, 0});
  add(3, "bright crisp", {-1, -1, 0, 0});
  add(4, "bright sharp", {-1, -0.9f, 0, 0});
  auto loo = leave_one_out(ex);
  ASSERT_TRUE(loo.ok()) << loo.error();
  ASSERT_EQ(loo->size(), 4u);
  for (const auto& e : loo.value()) EXPECT_LT(e.error, 0.8f) << e.id;  // consistent labels
  EXPECT_TRUE(find_conflicts(ex).empty());
  // A label that contradicts its near-twin.
  add(5, "dark heavy!", {-1, -1, 1, 1});
  const auto conflicts = find_conflicts(ex);
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_EQ(conflicts[0].first_id, 1);
  EXPECT_EQ(conflicts[0].second_id, 5);
  EXPECT_NE(conflicts[0].message.find("\"dark heavy\""), std::string::npos);
  loo = leave_one_out(ex);
  float worst = 0.0f;
  std::int64_t worst_id = 0;
  for (const auto& e : loo.value()) {
    if (e.error > worst) worst = e.error, worst_id = e.id;
  }
  EXPECT_TRUE(worst_id == 1 || worst_id == 5) << worst_id;
  EXPECT_FALSE(leave_one_out({ex[0]}).ok());
  // Issue 11: a set cancel flag stops it between folds, so a shutdown does not wait for all.
  std::atomic<bool> cancel{true};
  const auto cancelled = leave_one_out(ex, {}, &cancel);
  ASSERT_FALSE(cancelled.ok());
  EXPECT_EQ(cancelled.error(), "cancelled");
}

}  // namespace
}  // namespace latentjam::mappings
