#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "latentjam/plots/plots.hpp"
#include "png_image.hpp"

namespace latentjam::plots {
namespace {

using testing::centroid;
using testing::inside;
using testing::near;
using testing::picture_path;
using testing::read_png;

Series line(std::string name, int n, double (*f)(double)) {
  Series s{std::move(name), {}, {}};
  for (int i = 0; i < n; ++i) {
    s.x.push_back(i);
    s.y.push_back(f(i));
  }
  return s;
}

// Where the curve of `colour` is, on average, in a band of columns given as fractions of the plot.
std::optional<double> curve_row(const testing::Image& image, style::Rgb colour, double from,
                                double to) {
  const layout::Rect a = inside(layout::kPlot);
  const auto c = centroid(image, int(a.x + from * a.w), int(a.x + to * a.w), int(a.y),
                          int(a.bottom()), [&](const testing::Rgb8& p) { return near(p, colour); });
  if (!c) return std::nullopt;
  return c->y;
}

TEST(LossCurves, WritesAPictureOfTheExpectedSize) {
  const std::string png = picture_path("loss_size");
  ASSERT_TRUE(
      loss_curves(png, {line("train", 100, [](double x) { return 1.0 / (1 + x); })}, "training")
          .ok());
  const auto image = read_png(png);
  ASSERT_TRUE(image);
  EXPECT_EQ(image->width, layout::kWidth);
  EXPECT_EQ(image->height, layout::kHeight);
  EXPECT_TRUE(near(image->at(2, 2), {1, 1, 1}, 0)) << "white background";
}

TEST(LossCurves, RisingSeriesEndsHigherAndFallingSeriesLower) {
  const std::string png = picture_path("loss_rising_falling");
  ASSERT_TRUE(loss_curves(png,
                          {line("rising", 200, [](double x) { return 1.0 + x; }),
                           line("falling", 200, [](double x) { return 201.0 - x; })},
                          "up and down")
                  .ok());
  const auto image = read_png(png);
  ASSERT_TRUE(image);
  const auto rising_left = curve_row(*image, style::palette(0), 0.0, 0.1);
  const auto rising_right = curve_row(*image, style::palette(0), 0.9, 1.0);
  const auto falling_left = curve_row(*image, style::palette(1), 0.0, 0.1);
  const auto falling_right = curve_row(*image, style::palette(1), 0.9, 1.0);
  ASSERT_TRUE(rising_left && rising_right && falling_left && falling_right);
  EXPECT_LT(*rising_right, *rising_left - 100) << "rows grow downwards";
  EXPECT_GT(*falling_right, *falling_left + 100);
}

TEST(LossCurves, ExponentialDecayIsStraightOnTheLogAxis) {
  const std::string png = picture_path("loss_log_axis");
  ASSERT_TRUE(loss_curves(png,
                          {line("train", 101, [](double x) { return std::pow(10.0, -x / 25); })},
                          "log")
                  .ok());
  const auto image = read_png(png);
  ASSERT_TRUE(image);
  const auto left = curve_row(*image, style::palette(0), 0.0, 0.04);
  const auto middle = curve_row(*image, style::palette(0), 0.48, 0.52);
  const auto right = curve_row(*image, style::palette(0), 0.96, 1.0);
  ASSERT_TRUE(left && middle && right);
  EXPECT_NEAR(*middle, (*left + *right) / 2, 10);
}

TEST(LossCurves, LinearAxisWhenAValueIsNotPositive) {
  const std::string png = picture_path("loss_linear_axis");
  ASSERT_TRUE(loss_curves(png,
                          {line("train", 101, [](double x) { return std::pow(10.0, -x / 25); }),
                           line("negative", 101, [](double) { return -0.5; })},
                          "linear")
                  .ok());
  const auto image = read_png(png);
  ASSERT_TRUE(image);
  const auto left = curve_row(*image, style::palette(0), 0.0, 0.04);
  const auto middle = curve_row(*image, style::palette(0), 0.48, 0.52);
  const auto right = curve_row(*image, style::palette(0), 0.96, 1.0);
  ASSERT_TRUE(left && middle && right);
  // On a linear axis 10^-2 (the middle) and 10^-4 (the end) are a pixel apart, far below 1.
  EXPECT_GT(*middle, (*left + *right) / 2 + 100);
  EXPECT_NEAR(*middle, *right, 10);
}

TEST(LossCurves, ASinglePointIsVisible) {
  const std::string png = picture_path("loss_single_point");
  ASSERT_TRUE(loss_curves(png, {Series{"validation", {10}, {0.5}}}, "one").ok());
  const auto image = read_png(png);
  ASSERT_TRUE(image);
  const auto dot = testing::centroid_of(*image, inside(layout::kPlot), style::palette(0));
  ASSERT_TRUE(dot);
  // Alone, it sits mid-plot.
  EXPECT_NEAR(dot->x, layout::kPlot.x + layout::kPlot.w / 2, 5);
  EXPECT_NEAR(dot->y, layout::kPlot.y + layout::kPlot.h / 2, 5);
}

TEST(LossCurves, InvalidUtf8InNamesStillDraws) {
  const std::string png = picture_path("loss_invalid_utf8");
  const Series s = line(
      "tr\xff\xfe"
      "ain",
      10, [](double x) { return 1.0 + x; });
  ASSERT_TRUE(loss_curves(png, {s}, "bad \xc3\x28 title").ok());
  EXPECT_TRUE(read_png(png));
}

TEST(LossCurves, RejectsBadInputWithAReason) {
  const std::string png = picture_path("loss_bad");
  const auto error = [&](const std::vector<Series>& series, const std::string& file) {
    const Status s = loss_curves(file, series, "bad");
    EXPECT_FALSE(s.ok());
    return s.ok() ? std::string() : s.error();
  };
  const Series good = line("train", 10, [](double x) { return 1.0 + x; });
  EXPECT_NE(error({}, png).find("no series"), std::string::npos);
  EXPECT_NE(error({Series{"empty", {}, {}}}, png).find("'empty' has no points"), std::string::npos);
  EXPECT_NE(error({Series{"odd", {1, 2}, {1}}}, png).find("2 x values but 1 y values"),
            std::string::npos);
  Series nan = good;
  nan.y[3] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_NE(error({good, nan}, png).find("'train' (y) has NaN at index 3"), std::string::npos);
  Series inf = good;
  inf.x[0] = std::numeric_limits<double>::infinity();
  EXPECT_NE(error({inf}, png).find("infinity"), std::string::npos);
  const std::string unwritable = error({good}, "/nonexistent/x.png");
  EXPECT_NE(unwritable.find("cannot write /nonexistent/x.png"), std::string::npos) << unwritable;
  EXPECT_NE(error({good}, "").find("no file name"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(png)) << "nothing written on bad input";
}

}  // namespace
}  // namespace latentjam::plots
