#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "latentjam/mappings/mapping.hpp"
#include "latentjam/mappings/mlp.hpp"
#include "latentjam/mappings/text_encoder.hpp"
#include "test_helpers.hpp"

namespace latentjam::mappings {
namespace {

using testing::distance;

std::vector<float> random_vector(std::mt19937& rng, std::size_t n, float scale = 1.0f) {
  std::normal_distribution<float> g(0.0f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = g(rng);
  return v;
}

std::vector<TrainingExample> random_examples(std::size_t count, std::size_t in, std::size_t out,
                                             unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<TrainingExample> ex;
  for (std::size_t i = 0; i < count; ++i) {
    ex.push_back({random_vector(rng, in), random_vector(rng, out)});
  }
  return ex;
}

MappingOptions options_for(MappingKind kind) {
  MappingOptions o;
  o.kind = kind;
  return o;
}

// The tests every mapping kind must pass.
class AnyMapping : public ::testing::TestWithParam<MappingKind> {
 protected:
  Result<std::shared_ptr<const Mapping>> train(const std::vector<TrainingExample>& ex) const {
    return train_mapping(ex, options_for(GetParam()));
  }
};

INSTANTIATE_TEST_SUITE_P(Kinds, AnyMapping,
                         ::testing::Values(MappingKind::Kernel, MappingKind::Mlp),
                         [](const auto& info) {
                           return std::string(mapping_kind_name(info.param));
                         });

TEST_P(AnyMapping, NoExamplesIsAnError) {
  auto r = train({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "label some sounds first");
}

TEST_P(AnyMapping, OneExampleMapsEveryTextToItsLatent) {
  auto ex = random_examples(1, 16, 8, 1);
  auto m = train(ex);
  ASSERT_TRUE(m.ok()) << m.error();
  std::mt19937 rng(7);
  for (int k = 0; k < 5; ++k) {
    const auto p = m.value()->predict(random_vector(rng, 16, 3.0f));
    for (std::size_t i = 0; i < 8; ++i) EXPECT_FLOAT_EQ(p[i], ex[0].latent[i]);
  }
  EXPECT_EQ(m.value()->centre(), ex[0].latent);
  EXPECT_EQ(m.value()->kind(), GetParam());
}

TEST_P(AnyMapping, TwoExamplesInterpolate) {
  auto ex = random_examples(2, 16, 8, 2);
  auto m = train(ex);
  ASSERT_TRUE(m.ok()) << m.error();
  const Mapping& map = *m.value();
  // Each label reproduces its own latent closely.
  EXPECT_LT(distance(map.predict(ex[0].embedding), ex[0].latent),
            0.05f * distance(ex[0].latent, ex[1].latent));
  EXPECT_LT(distance(map.predict(ex[1].embedding), ex[1].latent),
            0.05f * distance(ex[0].latent, ex[1].latent));
  // Moving the input from one label to the other moves the output monotonically along the way.
  const auto along = [&](const std::vector<float>& y) {
    double num = 0.0, den = 0.0;
    for (std::size_t i = 0; i < y.size(); ++i) {
      const double d = ex[1].latent[i] - ex[0].latent[i];
      num += (y[i] - ex[0].latent[i]) * d;
      den += d * d;
    }
    return num / den;
  };
  // Never backwards (a sharp kernel may stay on one label for a while), from one end to the other,
  // and strictly between the two sounds half way.
  double last = -1.0, first = 0.0, middle = 0.0;
  for (float a : {0.0f, 0.125f, 0.25f, 0.375f, 0.5f, 0.625f, 0.75f, 0.875f, 1.0f}) {
    std::vector<float> x(16);
    for (std::size_t i = 0; i < 16; ++i) {
      x[i] = (1 - a) * ex[0].embedding[i] + a * ex[1].embedding[i];
    }
    const double t = along(map.predict(x));
    EXPECT_GE(t, last - 1e-6) << "at " << a;
    EXPECT_GT(t, -0.1);
    EXPECT_LT(t, 1.1);
    if (a == 0.0f) first = t;
    if (a == 0.5f) middle = t;
    last = t;
  }
  EXPECT_LT(first, 0.1);
  EXPECT_GT(last, 0.9);
  EXPECT_GT(middle, 0.05);
  EXPECT_LT(middle, 0.95);
}

TEST_P(AnyMapping, TheSameSetGivesTheSameMappingWhateverTheOrder) {
  auto ex = random_examples(12, 20, 10, 3);
  auto a = train(ex);
  std::mt19937 shuffle_rng(5);
  auto shuffled = ex;
  std::shuffle(shuffled.begin(), shuffled.end(), shuffle_rng);
  ASSERT_NE(shuffled[0].latent, ex[0].latent);  // the order really changed
  auto b = train(shuffled);
  ASSERT_TRUE(a.ok() && b.ok());
  std::mt19937 rng(9);
  for (int k = 0; k < 4; ++k) {
    const auto probe = random_vector(rng, 20);
    EXPECT_EQ(a.value()->predict(probe), b.value()->predict(probe));  // bit for bit
  }
  EXPECT_EQ(a.value()->centre(), b.value()->centre());
  EXPECT_EQ(a.value()->mean_label_prediction(), b.value()->mean_label_prediction());
}

TEST_P(AnyMapping, FitsTrainingData) {
  auto ex = random_examples(20, 20, 10, 4);
  auto m = train(ex);
  ASSERT_TRUE(m.ok());
  float worst = 0.0f, spread = 0.0f;
  for (const auto& e : ex) {
    worst = std::max(worst, distance(m.value()->predict(e.embedding), e.latent));
    spread = std::max(spread, distance(e.latent, m.value()->centre()));
  }
  EXPECT_LT(worst, 0.2f * spread);
}

TEST_P(AnyMapping, RejectsMismatchedAndNonFiniteData) {
  auto ex = random_examples(3, 8, 4, 9);
  ex[1].latent.pop_back();
  EXPECT_FALSE(train(ex).ok());
  ex = random_examples(3, 8, 4, 9);
  ex[2].embedding[0] = std::nanf("");
  EXPECT_FALSE(train(ex).ok());
}

TEST(MlpMapping, TheSeedChoosesTheModel) {
  auto ex = random_examples(12, 20, 10, 3);
  MappingOptions one = options_for(MappingKind::Mlp), other = one;
  other.mlp.seed = 99;
  auto a = train_mapping(ex, one), c = train_mapping(ex, other);
  ASSERT_TRUE(a.ok() && c.ok());
  std::mt19937 rng(9);
  const auto probe = random_vector(rng, 20);
  EXPECT_NE(a.value()->predict(probe), c.value()->predict(probe));
}

TEST(MlpMapping, DivergenceIsAnErrorNotABrokenModel) {
  auto ex = random_examples(10, 16, 8, 7);
  MappingOptions bad = options_for(MappingKind::Mlp);
  bad.mlp.learning_rate = 1e12f;  // the test hook: a step size that must blow up
  bad.mlp.divergence_factor = 10.0f;
  auto none = train_mapping(ex, bad);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().find("diverged"), std::string::npos);
}

// The warm start stays a feature of the trainer (mlp.hpp), though mappings never use it.
TEST(MlpTrainer, WarmStartNeedsFewerIterations) {
  auto ex = random_examples(30, 100, 64, 5);
  std::vector<std::vector<float>> in, out;
  for (const auto& e : ex) {
    in.push_back(e.embedding);
    out.push_back(e.latent);
  }
  MlpTrainer trainer;
  auto first = trainer.train(in, out, nullptr);
  ASSERT_TRUE(first.ok());
  auto more = random_examples(1, 100, 64, 6);
  in.push_back(more[0].embedding);
  out.push_back(more[0].latent);
  TrainReport cold_report, warm_report;
  auto cold = trainer.train(in, out, nullptr, &cold_report);
  auto warm = trainer.train(in, out, first.value().get(), &warm_report);
  ASSERT_TRUE(cold.ok() && warm.ok());
  EXPECT_FALSE(cold_report.warm_started);
  EXPECT_TRUE(warm_report.warm_started);
  EXPECT_LT(warm_report.iterations * 4, cold_report.iterations * 3)
      << "warm " << warm_report.iterations << " cold " << cold_report.iterations;
  EXPECT_LT(warm_report.initial_loss, 0.5f * cold_report.initial_loss);
}

TEST(MlpTrainer, DivergenceRollsBackToThePreviousModel) {
  auto ex = random_examples(10, 16, 8, 7);
  std::vector<std::vector<float>> in, out;
  for (const auto& e : ex) {
    in.push_back(e.embedding);
    out.push_back(e.latent);
  }
  auto good = MlpTrainer().train(in, out, nullptr);
  ASSERT_TRUE(good.ok());
  const auto extra = random_examples(1, 16, 8, 8)[0];  // something left to learn
  in.push_back(extra.embedding);
  out.push_back(extra.latent);
  TrainOptions bad;
  bad.learning_rate = 1e12f;
  bad.divergence_factor = 10.0f;
  TrainReport report;
  auto rolled = MlpTrainer(bad).train(in, out, good.value().get(), &report);
  ASSERT_TRUE(rolled.ok()) << rolled.error();
  EXPECT_TRUE(report.rolled_back);
  std::mt19937 rng(1);
  const auto probe = random_vector(rng, 16);
  EXPECT_EQ(rolled.value()->predict(probe), good.value()->predict(probe));
}

// Kernel regression lands a text nearest the example whose label it is most similar to, exactly
// when the embedding says so: the mapping keeps what the embedding knows.
TEST(KernelMapping, LandsNearestTheMostSimilarLabel) {
  std::mt19937 rng(11);
  auto ex = random_examples(8, 32, 16, 12);
  int agree = 0, total = 0;
  auto m = train_mapping(ex);
  ASSERT_TRUE(m.ok());
  for (int k = 0; k < 200; ++k) {
    // A probe near one label, with noise large enough that it is sometimes nearer another.
    const auto& target = ex[static_cast<std::size_t>(k) % ex.size()].embedding;
    auto probe = random_vector(rng, 32, 1.0f);
    for (std::size_t i = 0; i < 32; ++i) probe[i] += 1.5f * target[i];
    std::size_t by_text = 0, by_sound = 0;
    float best_cos = -2.0f, best_distance = 1e30f;
    const auto predicted = m.value()->predict(probe);
    for (std::size_t j = 0; j < ex.size(); ++j) {
      const float c = cosine(probe, ex[j].embedding);
      if (c > best_cos) best_cos = c, by_text = j;
      const float d = distance(predicted, ex[j].latent);
      if (d < best_distance) best_distance = d, by_sound = j;
    }
    agree += by_text == by_sound;
    ++total;
  }
  EXPECT_GE(agree, total * 98 / 100) << agree << " of " << total;
}

TEST(KernelMapping, ExamplesWithTheSameLabelAverage) {
  auto ex = random_examples(3, 16, 8, 13);
  ex[1].embedding = ex[0].embedding;
  auto m = train_mapping(ex);
  ASSERT_TRUE(m.ok());
  const auto p = m.value()->predict(ex[0].embedding);
  for (std::size_t i = 0; i < 8; ++i)
    EXPECT_NEAR(p[i], 0.5f * (ex[0].latent[i] + ex[1].latent[i]), 1e-4f);
}

TEST(KernelMapping, TemperatureMustBePositive) {
  auto ex = random_examples(2, 8, 4, 14);
  MappingOptions o;
  o.temperature = 0.0f;
  EXPECT_FALSE(train_mapping(ex, o).ok());
  o.temperature = std::nanf("");
  EXPECT_FALSE(train_mapping(ex, o).ok());
}

TEST(MappingKindNames, RoundTrip) {
  for (auto kind : {MappingKind::Kernel, MappingKind::Mlp})
    EXPECT_EQ(parse_mapping_kind(mapping_kind_name(kind)).value(), kind);
  EXPECT_FALSE(parse_mapping_kind("svm").ok());
}

}  // namespace
}  // namespace latentjam::mappings
