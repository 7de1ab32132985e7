#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>

#include "axes.hpp"
#include "latentjam/plots/plots.hpp"
#include "png_image.hpp"

namespace latentjam::plots {
namespace {

using testing::centroid;
using testing::inside;
using testing::picture_path;
using testing::read_png;

constexpr double kRate = 48000.0;

std::vector<float> sine(double hz, double amplitude, double seconds) {
  std::vector<float> x(static_cast<std::size_t>(seconds * kRate));
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = static_cast<float>(amplitude * std::sin(2 * std::numbers::pi * hz * i / kRate));
  }
  return x;
}

// The top of the colour map: the loudest parts of a spectrogram.
bool bright(const testing::Rgb8& p) {
  return p.r > 200 && p.g > 200 && p.b < 120;
}

std::optional<testing::Centroid> bright_in(const testing::Image& image, const layout::Rect& r) {
  const layout::Rect a = inside(r);
  return centroid(image, int(a.x), int(a.right()), int(a.y), int(a.bottom()), bright);
}

TEST(OriginalAndReconstruction, WritesTheGridAtItsSize) {
  const std::string png = picture_path("grid_size");
  ASSERT_TRUE(
      original_and_reconstruction(png, sine(100, 0.5, 0.3), sine(100, 0.4, 0.3), kRate, "kick 1")
          .ok());
  const auto image = read_png(png);
  ASSERT_TRUE(image);
  EXPECT_EQ(image->width, layout::kGridWidth);
  EXPECT_EQ(image->height, layout::kGridHeight);
}

TEST(OriginalAndReconstruction, HigherToneIsHigherInTheSpectrogram) {
  const std::string png = picture_path("grid_tones");
  ASSERT_TRUE(
      original_and_reconstruction(png, sine(1000, 0.5, 0.5), sine(4000, 0.5, 0.5), kRate, "tones")
          .ok());
  const auto image = read_png(png);
  ASSERT_TRUE(image);
  const auto low = bright_in(*image, layout::grid_panel(1, 0));
  const auto high = bright_in(*image, layout::grid_panel(1, 1));
  ASSERT_TRUE(low && high);
  // Where a logarithmic kHz axis from the first bin to Nyquist puts 1 and 4 kHz.
  const Axis khz{kRate / 1024 / 1000, kRate / 2 / 1000, true};
  const layout::Rect panel = layout::grid_panel(1, 0);
  EXPECT_NEAR(low->y, panel.bottom() - khz.unit(1.0) * panel.h, 4);
  EXPECT_NEAR(high->y, panel.bottom() - khz.unit(4.0) * panel.h, 4);
  // A steady tone is bright for its whole length.
  EXPECT_NEAR(low->x, panel.x + panel.w / 2, 10);
}

TEST(OriginalAndReconstruction, SilentReconstructionLooksSilent) {
  const std::string png = picture_path("grid_silent");
  const std::vector<float> silence(24000, 0.0f);
  ASSERT_TRUE(
      original_and_reconstruction(png, sine(1000, 0.8, 0.5), silence, kRate, "silent").ok());
  const auto image = read_png(png);
  ASSERT_TRUE(image);

  // Same amplitude scale: the original fills most of its panel's height, the silence is a flat
  // line through the middle.
  const auto wave = [&](int column, style::Rgb colour) {
    const layout::Rect a = inside(layout::grid_panel(0, column));
    int top = image->height, bottom = 0;
    for (int y = int(a.y); y < int(a.bottom()); ++y) {
      for (int x = int(a.x); x < int(a.right()); ++x) {
        if (testing::near(image->at(x, y), colour))
          top = std::min(top, y), bottom = std::max(bottom, y);
      }
    }
    return bottom - top;
  };
  EXPECT_GT(wave(0, style::palette(0)), 0.7 * layout::kPanelHeight);
  EXPECT_LE(wave(1, style::palette(1)), 3);

  EXPECT_TRUE(bright_in(*image, layout::grid_panel(1, 0)));
  EXPECT_FALSE(bright_in(*image, layout::grid_panel(1, 1)));
}

TEST(OriginalAndReconstruction, ShorterReconstructionEndsEarlierOnTheSameTimeAxis) {
  const std::string png = picture_path("grid_shorter");
  ASSERT_TRUE(
      original_and_reconstruction(png, sine(300, 0.5, 0.4), sine(300, 0.5, 0.2), kRate, "short")
          .ok());
  const auto image = read_png(png);
  ASSERT_TRUE(image);
  const auto extent = [&](const layout::Rect& panel, auto match) {
    const layout::Rect a = inside(panel);
    int right = 0;
    for (int y = int(a.y); y < int(a.bottom()); ++y) {
      for (int x = int(a.x); x < int(a.right()); ++x) {
        if (match(image->at(x, y))) right = std::max(right, x);
      }
    }
    return right - layout::grid_panel(0, 0).x;
  };
  const auto blue = [](const testing::Rgb8& p) { return testing::near(p, style::palette(0)); };
  const auto orange = [](const testing::Rgb8& p) { return testing::near(p, style::palette(1)); };
  EXPECT_NEAR(extent(layout::grid_panel(0, 0), blue), layout::kPanelWidth, 4);
  EXPECT_NEAR(extent(layout::grid_panel(0, 1), orange) -
                  (layout::grid_panel(0, 1).x - layout::grid_panel(0, 0).x),
              layout::kPanelWidth / 2, 4);
  EXPECT_NEAR(extent(layout::grid_panel(1, 1), bright) -
                  (layout::grid_panel(1, 1).x - layout::grid_panel(1, 0).x),
              layout::kPanelWidth / 2, 6);
}

TEST(OriginalAndReconstruction, RejectsBadInputWithAReason) {
  const std::string png = picture_path("grid_bad");
  const std::vector<float> good = sine(100, 0.5, 0.1);
  const auto error = [&](std::span<const float> a, std::span<const float> b, double rate,
                         const std::string& file) {
    const Status s = original_and_reconstruction(file, a, b, rate, "bad");
    EXPECT_FALSE(s.ok());
    return s.ok() ? std::string() : s.error();
  };
  EXPECT_NE(error({}, good, kRate, png).find("the original has no samples"), std::string::npos);
  std::vector<float> nan = good;
  nan[7] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_NE(error(good, nan, kRate, png).find("the reconstruction has NaN at index 7"),
            std::string::npos);
  EXPECT_NE(error(good, good, 0.0, png).find("sample rate"), std::string::npos);
  EXPECT_NE(error(good, good, std::numeric_limits<double>::quiet_NaN(), png).find("sample rate"),
            std::string::npos);
  EXPECT_NE(error(good, good, kRate, "/nonexistent/x.png").find("cannot write"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(png));
}

}  // namespace
}  // namespace latentjam::plots
