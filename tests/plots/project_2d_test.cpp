#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "latentjam/plots/plots.hpp"

namespace latentjam::plots {
namespace {

// Rows spread by t along `wide` and by s along `narrow` (orthogonal unit vectors), around `centre`.
struct Known {
  std::vector<std::vector<float>> rows;
  std::vector<double> t, s;
};

Known known(const std::vector<double>& wide, const std::vector<double>& narrow,
            const std::vector<double>& centre) {
  Known k;
  // A grid of (t, s) with zero mean, so that the centred coordinates are t and s themselves.
  for (int i = -5; i <= 5; ++i) {
    for (int j = -2; j <= 2; ++j) {
      const double t = 2.0 * i, s = 0.5 * j;
      std::vector<float> row(wide.size());
      for (std::size_t d = 0; d < row.size(); ++d) {
        row[d] = static_cast<float>(centre[d] + t * wide[d] + s * narrow[d]);
      }
      k.rows.push_back(row);
      k.t.push_back(t);
      k.s.push_back(s);
    }
  }
  return k;
}

TEST(Project2d, RecoversKnownPrincipalAxes) {
  const double a = 1 / std::sqrt(5.0);
  // Largest components: +2a on the wide axis, +1 on the narrow one, so neither is flipped.
  const Known k = known({2 * a, a, 0, 0}, {0, 0, 1, 0}, {3, -1, 7, 0.5});
  const auto p = project_2d(k.rows);
  ASSERT_EQ(p.size(), k.rows.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    EXPECT_NEAR(p[i][0], k.t[i], 1e-4);
    EXPECT_NEAR(p[i][1], k.s[i], 1e-4);
  }
}

TEST(Project2d, SignMakesTheLargestComponentPositive) {
  const double a = 1 / std::sqrt(5.0);
  // Largest components negative: the axes are flipped, so the coordinates are -t and -s.
  const Known k = known({-2 * a, a, 0}, {0, 0, -1}, {0, 0, 0});
  const auto p = project_2d(k.rows);
  ASSERT_EQ(p.size(), k.rows.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    EXPECT_NEAR(p[i][0], -k.t[i], 1e-4);
    EXPECT_NEAR(p[i][1], -k.s[i], 1e-4);
  }
}

TEST(Project2d, EdgeCases) {
  EXPECT_TRUE(project_2d({}).empty());
  EXPECT_TRUE(project_2d({{1, 2}, {3}}).empty()) << "rows of different lengths";
  EXPECT_TRUE(project_2d({{1, 2}, {3, std::numeric_limits<float>::quiet_NaN()}}).empty());
  EXPECT_TRUE(project_2d({{}, {}}).empty());

  const auto one = project_2d({{4, 5, 6}});
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0][0], 0.0);
  EXPECT_EQ(one[0][1], 0.0);

  const auto line = project_2d({{1}, {2}, {6}});
  ASSERT_EQ(line.size(), 3u);
  EXPECT_NEAR(line[0][0], -2.0, 1e-9);
  EXPECT_NEAR(line[2][0], 3.0, 1e-9);
  EXPECT_EQ(line[1][1], 0.0);
}

}  // namespace
}  // namespace latentjam::plots
