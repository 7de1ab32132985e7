#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>

#include "latentjam/plots/plots.hpp"
#include "png_image.hpp"

namespace latentjam::plots {
namespace {

using testing::centroid;
using testing::inside;
using testing::near;
using testing::picture_path;
using testing::read_png;

constexpr double kRate = 48000.0;

// 200 ms of a 200 Hz tone at `amplitude`, silent from `stop` seconds on.
std::vector<float> tone(double amplitude, double stop) {
  std::vector<float> x(static_cast<std::size_t>(0.2 * kRate));
  for (std::size_t i = 0; i < x.size() && i < stop * kRate; ++i) {
    x[i] = static_cast<float>(amplitude * std::sin(2 * std::numbers::pi * 200 * i / kRate));
  }
  return x;
}

// The mean line of group `index` in a band of columns given as fractions of the plot.
std::optional<double> line_row(const testing::Image& image, std::size_t index, double from,
                               double to) {
  const layout::Rect a = inside(layout::kPlot);
  const auto c =
      centroid(image, int(a.x + from * a.w), int(a.x + to * a.w), int(a.y), int(a.bottom()),
               [&](const testing::Rgb8& p) { return near(p, style::palette(index), 30); });
  if (!c) return std::nullopt;
  return c->y;
}

TEST(Envelopegram, LoudThenSilentGroupCrossesASteadyGroup) {
  const std::string png = picture_path("envelopegram_cross");
  const Group decaying{"loud then silent", {tone(0.5, 0.1), tone(0.4, 0.1), tone(0.6, 0.1)}};
  const Group steady{"steady", {tone(0.05, 1.0), tone(0.06, 1.0)}};
  ASSERT_TRUE(envelopegram(png, {decaying, steady}, kRate, "two groups").ok());
  const auto image = read_png(png);
  ASSERT_TRUE(image);
  EXPECT_EQ(image->width, layout::kWidth);
  EXPECT_EQ(image->height, layout::kHeight);

  const auto decaying_early = line_row(*image, 0, 0.05, 0.4);
  const auto steady_early = line_row(*image, 1, 0.05, 0.4);
  const auto decaying_late = line_row(*image, 0, 0.6, 0.95);
  const auto steady_late = line_row(*image, 1, 0.6, 0.95);
  ASSERT_TRUE(decaying_early && steady_early && decaying_late && steady_late);
  EXPECT_LT(*decaying_early, *steady_early - 50) << "louder is higher (rows grow downwards)";
  EXPECT_GT(*decaying_late, *steady_late + 50);
  // Silence sits on the floor of the axis.
  EXPECT_GT(*decaying_late, layout::kPlot.bottom() - 40);
  // A steady tone is a flat line.
  EXPECT_NEAR(*steady_early, *steady_late, 4);
}

TEST(Envelopegram, BandShowsTheSpreadOfAGroup) {
  const std::string png = picture_path("envelopegram_band");
  // Same mean level in both groups, but the second group's sounds are 20 dB apart.
  const Group alike{"alike", {tone(0.1, 1.0), tone(0.1, 1.0)}};
  const Group spread{"spread", {tone(0.316, 1.0), tone(0.0316, 1.0)}};
  ASSERT_TRUE(envelopegram(png, {alike, spread}, kRate, "spread").ok());
  const auto image = read_png(png);
  ASSERT_TRUE(image);
  // The band is the group's colour at 20 %: count its rows in one column.
  const auto band_rows = [&](std::size_t index) {
    const style::Rgb c = style::palette(index);
    const style::Rgb light{0.2 * c.r + 0.8, 0.2 * c.g + 0.8, 0.2 * c.b + 0.8};
    const int x = int(layout::kPlot.x + layout::kPlot.w * 0.4);  // off the grid lines
    int rows = 0;
    for (int y = int(layout::kPlot.y) + 2; y < int(layout::kPlot.bottom()) - 2; ++y) {
      rows += near(image->at(x, y), light, 6) ? 1 : 0;
    }
    return rows;
  };
  EXPECT_LT(band_rows(0), 3);
  EXPECT_GT(band_rows(1), 30);
}

TEST(Envelopegram, RejectsBadInputWithAReason) {
  const std::string png = picture_path("envelopegram_bad");
  const auto error = [&](const std::vector<Group>& groups, double rate, const std::string& file) {
    const Status s = envelopegram(file, groups, rate, "bad");
    EXPECT_FALSE(s.ok());
    return s.ok() ? std::string() : s.error();
  };
  const Group good{"kicks", {tone(0.5, 0.1)}};
  EXPECT_NE(error({}, kRate, png).find("no groups"), std::string::npos);
  EXPECT_NE(error({Group{"empty", {}}}, kRate, png).find("group 'empty' has no sounds"),
            std::string::npos);
  EXPECT_NE(error({Group{"hats", {tone(0.5, 0.1), {}}}}, kRate, png)
                .find("sound 1 of group 'hats' has no samples"),
            std::string::npos);
  Group nan = good;
  nan.sounds[0][5] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_NE(error({nan}, kRate, png).find("NaN at index 5"), std::string::npos);
  EXPECT_NE(error({good}, -48000.0, png).find("sample rate"), std::string::npos);
  EXPECT_NE(error({good}, kRate, "/nonexistent/x.png").find("cannot write"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(png));
}

}  // namespace
}  // namespace latentjam::plots
