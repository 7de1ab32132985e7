#include <gtest/gtest.h>

#include <limits>

#include "latentjam/plots/plots.hpp"
#include "png_image.hpp"

namespace latentjam::plots {
namespace {

using testing::centroid;
using testing::centroid_of;
using testing::inside;
using testing::picture_path;
using testing::read_png;

TEST(LatentMap, PointsLandWhereTheirCoordinatesSay) {
  const std::string png = picture_path("map_positions");
  ASSERT_TRUE(latent_map(png,
                         {{10.0, 5.0, "big.wav", "kicks"},
                          {-10.0, -5.0, "small.wav", "snares"},
                          {-9.0, -5.0, "", "snares"}},
                         "map")
                  .ok());
  const auto image = read_png(png);
  ASSERT_TRUE(image);
  EXPECT_EQ(image->width, layout::kWidth);
  EXPECT_EQ(image->height, layout::kHeight);
  const auto kick = centroid_of(*image, inside(layout::kPlot), style::palette(0));
  const auto snares = centroid_of(*image, inside(layout::kPlot), style::palette(1));
  ASSERT_TRUE(kick && snares);
  EXPECT_GT(kick->x, snares->x + 300) << "larger x is further right";
  EXPECT_LT(kick->y, snares->y - 200) << "larger y is higher";
  // Both groups are in the legend.
  EXPECT_TRUE(centroid_of(*image, layout::kLegend, style::palette(0)));
  EXPECT_TRUE(centroid_of(*image, layout::kLegend, style::palette(1)));
}

TEST(LatentMap, LabelsStayInsideThePlot) {
  const std::string png = picture_path("map_labels");
  const std::string long_name = "a_very_long_file_name_for_a_kick_drum_0001.wav";
  ASSERT_TRUE(latent_map(png, {{0.0, 0.0, "", "g"}, {1.0, 0.0, long_name, "g"}}, "labels").ok());
  const auto image = read_png(png);
  ASSERT_TRUE(image);
  const auto dots = centroid_of(*image, inside(layout::kPlot), style::palette(0));
  ASSERT_TRUE(dots);
  // The right-hand point is at the right edge of the data: its label goes to its left.
  const int point_x = int(layout::kPlot.x + layout::kPlot.w * (1.08 / 1.16));
  const int row = int(dots->y);
  const auto dark = [](const testing::Rgb8& p) { return p.r < 150 && p.g < 150 && p.b < 150; };
  const layout::Rect a = inside(layout::kPlot);
  EXPECT_TRUE(centroid(*image, int(a.x), point_x - 8, row - 8, row + 8, dark));
  EXPECT_FALSE(centroid(*image, point_x + 8, int(a.right()), row - 8, row + 8, dark));
}

TEST(LatentMap, RejectsBadInputWithAReason) {
  const std::string png = picture_path("map_bad");
  const auto error = [&](const std::vector<MapPoint>& points, const std::string& file) {
    const Status s = latent_map(file, points, "bad");
    EXPECT_FALSE(s.ok());
    return s.ok() ? std::string() : s.error();
  };
  EXPECT_NE(error({}, png).find("no points"), std::string::npos);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_NE(error({{0, 0, "a.wav", ""}, {nan, 1, "b.wav", ""}}, png).find("point 1 ('b.wav')"),
            std::string::npos);
  EXPECT_NE(error({{0, 0, "a.wav", ""}}, "/nonexistent/x.png").find("cannot write"),
            std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(png));
}

}  // namespace
}  // namespace latentjam::plots
