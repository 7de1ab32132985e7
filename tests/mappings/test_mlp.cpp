#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "latentjam/mappings/mapping.hpp"
#include "latentjam/mappings/mlp.hpp"
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

TEST(Mapping, NoExamplesIsAnError) {
  auto r = train_mapping({}, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "label some sounds first");
}

TEST(Mapping, OneExampleMapsEveryTextToItsLatent) {
  auto ex = random_examples(1, 16, 8, 1);
  auto m = train_mapping(ex, nullptr);
  ASSERT_TRUE(m.ok()) << m.error();
  std::mt19937 rng(7);
  for (int k = 0; k < 5; ++k) {
    const auto p = m.value()->predict(random_vector(rng, 16, 3.0f));
    for (std::size_t i = 0; i < 8; ++i) EXPECT_FLOAT_EQ(p[i], ex[0].latent[i]);
  }
  EXPECT_EQ(m.value()->centre(), ex[0].latent);
}

TEST(Mapping, TwoExamplesInterpolate) {
  auto ex = random_examples(2, 16, 8, 2);
  auto m = train_mapping(ex, nullptr);
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
  double last = -1.0;
  for (float a : {0.0f, 0.25f, 0.5f, 0.75f, 1.0f}) {
    std::vector<float> x(16);
    for (std::size_t i = 0; i < 16; ++i) {
      x[i] = (1 - a) * ex[0].embedding[i] + a * ex[1].embedding[i];
    }
    const double t = along(map.predict(x));
    EXPECT_GT(t, last) << "at " << a;
    EXPECT_GT(t, -0.1);
    EXPECT_LT(t, 1.1);
    last = t;
  }
}

TEST(Mapping, DeterministicForTheSameData) {
  auto ex = random_examples(12, 20, 10, 3);
  auto a = train_mapping(ex, nullptr), b = train_mapping(ex, nullptr);
  ASSERT_TRUE(a.ok() && b.ok());
  std::mt19937 rng(9);
  const auto probe = random_vector(rng, 20);
  EXPECT_EQ(a.value()->predict(probe), b.value()->predict(probe));
  TrainOptions other;
  other.seed = 99;
  auto c = train_mapping(ex, nullptr, other);
  EXPECT_NE(a.value()->predict(probe), c.value()->predict(probe));
}

TEST(Mapping, FitsTrainingData) {
  auto ex = random_examples(20, 20, 10, 4);
  auto m = train_mapping(ex, nullptr);
  ASSERT_TRUE(m.ok());
  float worst = 0.0f, spread = 0.0f;
  for (const auto& e : ex) {
    worst = std::max(worst, distance(m.value()->predict(e.embedding), e.latent));
    spread = std::max(spread, distance(e.latent, m.value()->centre()));
  }
  EXPECT_LT(worst, 0.2f * spread);
}

TEST(Mapping, WarmStartNeedsFewerIterations) {
  auto ex = random_examples(30, 100, 64, 5);
  auto first = train_mapping(ex, nullptr);
  ASSERT_TRUE(first.ok());
  auto more = random_examples(1, 100, 64, 6);
  ex.push_back(more[0]);
  auto cold = train_mapping(ex, nullptr);
  auto warm = train_mapping(ex, first.value().get());
  ASSERT_TRUE(cold.ok() && warm.ok());
  EXPECT_FALSE(cold.value()->report().warm_started);
  EXPECT_TRUE(warm.value()->report().warm_started);
  EXPECT_LT(warm.value()->report().iterations * 4, cold.value()->report().iterations * 3)
      << "warm " << warm.value()->report().iterations << " cold "
      << cold.value()->report().iterations;
  // Warm start begins from the previous function re-expressed in the new normalisation, so its
  // starting loss is already far below a cold start's.
  EXPECT_LT(warm.value()->report().initial_loss, 0.5f * cold.value()->report().initial_loss);
  // And the new example is learnt.
  EXPECT_LT(distance(warm.value()->predict(more[0].embedding), more[0].latent),
            0.3f * distance(more[0].latent, warm.value()->centre()));
}

TEST(Mapping, DivergenceRollsBackToThePreviousModel) {
  auto ex = random_examples(10, 16, 8, 7);
  auto good = train_mapping(ex, nullptr);
  ASSERT_TRUE(good.ok());
  TrainOptions bad;
  bad.learning_rate = 1e12f;  // the test hook: a step size that must blow up
  bad.divergence_factor = 10.0f;
  ex.push_back(random_examples(1, 16, 8, 8)[0]);
  auto rolled = train_mapping(ex, good.value().get(), bad);
  ASSERT_TRUE(rolled.ok()) << rolled.error();
  EXPECT_TRUE(rolled.value()->report().rolled_back);
  EXPECT_NE(rolled.value()->report().note.find("diverged"), std::string::npos);
  std::mt19937 rng(1);
  const auto probe = random_vector(rng, 16);
  EXPECT_EQ(rolled.value()->predict(probe), good.value()->predict(probe));
  // Without a previous model there is nothing to roll back to: an error, not a broken model.
  auto none = train_mapping(ex, nullptr, bad);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().find("diverged"), std::string::npos);
}

TEST(Mapping, RejectsMismatchedAndNonFiniteData) {
  auto ex = random_examples(3, 8, 4, 9);
  ex[1].latent.pop_back();
  EXPECT_FALSE(train_mapping(ex, nullptr).ok());
  ex = random_examples(3, 8, 4, 9);
  ex[2].embedding[0] = std::nanf("");
  EXPECT_FALSE(train_mapping(ex, nullptr).ok());
}

}  // namespace
}  // namespace latentjam::mappings
