// Reading a picture back and finding where a colour landed, so that the tests assert what a viewer
// would see rather than how it was drawn.
#pragma once

#include <cairo.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "layout.hpp"
#include "style.hpp"

namespace latentjam::plots::testing {

// Where a test writes its picture: kept after the run so that a person can look at it.
inline std::string picture_path(const std::string& name) {
  const std::filesystem::path dir = std::filesystem::path(LATENTJAM_BINARY_DIR) / "plots_pictures";
  std::filesystem::create_directories(dir);
  std::filesystem::remove(dir / (name + ".png"));
  return (dir / (name + ".png")).string();
}

struct Rgb8 {
  int r, g, b;
};

struct Image {
  int width = 0, height = 0;
  std::vector<Rgb8> pixels;  // row by row

  const Rgb8& at(int x, int y) const { return pixels[static_cast<std::size_t>(y) * width + x]; }
};

inline std::optional<Image> read_png(const std::string& path) {
  cairo_surface_t* s = cairo_image_surface_create_from_png(path.c_str());
  if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(s);
    return std::nullopt;
  }
  Image image{cairo_image_surface_get_width(s), cairo_image_surface_get_height(s), {}};
  const unsigned char* data = cairo_image_surface_get_data(s);
  const int stride = cairo_image_surface_get_stride(s);
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      const auto p = *reinterpret_cast<const std::uint32_t*>(data + y * stride + 4 * x);
      image.pixels.push_back({int((p >> 16) & 255), int((p >> 8) & 255), int(p & 255)});
    }
  }
  cairo_surface_destroy(s);
  return image;
}

inline bool near(const Rgb8& p, style::Rgb c, int tolerance = 40) {
  return std::abs(p.r - int(std::lround(c.r * 255))) <= tolerance &&
         std::abs(p.g - int(std::lround(c.g * 255))) <= tolerance &&
         std::abs(p.b - int(std::lround(c.b * 255))) <= tolerance;
}

// The inside of an area, without its one-pixel frame.
inline layout::Rect inside(const layout::Rect& a) {
  return {a.x + 2, a.y + 2, a.w - 4, a.h - 4};
}

// Mean position of the pixels near a colour in columns [x0, x1) and rows [y0, y1); nullopt if none.
struct Centroid {
  double x, y;
  int count;
};
template <class Match>
std::optional<Centroid> centroid(const Image& image, int x0, int x1, int y0, int y1, Match match) {
  double sx = 0, sy = 0;
  int n = 0;
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) {
      if (match(image.at(x, y))) sx += x, sy += y, ++n;
    }
  }
  if (n == 0) return std::nullopt;
  return Centroid{sx / n, sy / n, n};
}

inline std::optional<Centroid> centroid_of(const Image& image, const layout::Rect& area,
                                           style::Rgb colour) {
  return centroid(image, int(area.x), int(area.right()), int(area.y), int(area.bottom()),
                  [&](const Rgb8& p) { return near(p, colour); });
}

}  // namespace latentjam::plots::testing
