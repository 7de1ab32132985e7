#include "style.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace latentjam::plots::style {
namespace {

constexpr Rgb rgb255(int r, int g, int b) {
  return Rgb{r / 255.0, g / 255.0, b / 255.0};
}

constexpr std::array<Rgb, 10> kPalette{
    rgb255(31, 119, 180),  rgb255(255, 127, 14), rgb255(44, 160, 44),   rgb255(214, 39, 40),
    rgb255(148, 103, 189), rgb255(140, 86, 75),  rgb255(227, 119, 194), rgb255(127, 127, 127),
    rgb255(188, 189, 34),  rgb255(23, 190, 207)};

// Matplotlib's viridis sampled at nine evenly spaced points; linear in between is close enough.
constexpr std::array<Rgb, 9> kViridis{
    rgb255(68, 1, 84),    rgb255(71, 44, 122),  rgb255(59, 81, 139),
    rgb255(44, 113, 142), rgb255(33, 144, 141), rgb255(39, 173, 129),
    rgb255(92, 200, 99),  rgb255(170, 220, 50), rgb255(253, 231, 37)};

}  // namespace

Rgb palette(std::size_t index) {
  return kPalette[index % kPalette.size()];
}

Rgb colour_map(double t) {
  if (!(t > 0.0)) return kViridis.front();  // also NaN
  if (t >= 1.0) return kViridis.back();
  const double position = t * (kViridis.size() - 1);
  const auto i = static_cast<std::size_t>(position);
  const double f = position - i;
  const Rgb a = kViridis[i], b = kViridis[i + 1];
  return Rgb{a.r + f * (b.r - a.r), a.g + f * (b.g - a.g), a.b + f * (b.b - a.b)};
}

void set_colour(cairo_t* cr, Rgb colour, double alpha) {
  cairo_set_source_rgba(cr, colour.r, colour.g, colour.b, alpha);
}

}  // namespace latentjam::plots::style
