// Colours and type sizes, one place for the look shared by every picture.
#pragma once

#include <cairo.h>

#include <cstddef>

namespace latentjam::plots::style {

struct Rgb {
  double r, g, b;  // 0..1
};

// Categorical colours for series and groups (Tableau 10: distinct, and kind to common colour
// blindness); cycles after ten.
Rgb palette(std::size_t index);

// Viridis: dark (quiet) to yellow (loud), readable in grey too. t is clamped to 0..1.
Rgb colour_map(double t);

void set_colour(cairo_t* cr, Rgb colour, double alpha = 1.0);

inline constexpr Rgb kText{0.1, 0.1, 0.1};
inline constexpr Rgb kFrame{0.25, 0.25, 0.25};
inline constexpr Rgb kGrid{0.88, 0.88, 0.88};
inline constexpr Rgb kPointLabel{0.3, 0.3, 0.3};

inline constexpr double kTitleSize = 18;
inline constexpr double kLabelSize = 14;
inline constexpr double kTickSize = 12;
inline constexpr double kLegendSize = 13;
inline constexpr double kPointLabelSize = 10;

}  // namespace latentjam::plots::style
