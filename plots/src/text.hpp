// Text with Cairo's toy API: names and titles come from users and files, so they are made valid
// UTF-8 first (invalid UTF-8 would put the Cairo context in an error state and blank the rest of
// the picture) and shortened with an ellipsis where space is short.
#pragma once

#include <cairo.h>

#include <string>
#include <string_view>

#include "style.hpp"

namespace latentjam::plots::text {

struct Font {
  double size = style::kTickSize;
  bool bold = false;
  style::Rgb colour = style::kText;
};

// Invalid byte sequences become '?'; control characters become spaces.
std::string valid_utf8(std::string_view s);

double width(cairo_t* cr, std::string_view s, const Font& font);

// The longest prefix of s (whole characters) that, with an ellipsis, fits max_width; s itself when
// it fits.
std::string fit(cairo_t* cr, std::string_view s, double max_width, const Font& font);

// Draws s with (x, y) at a point of its box: h_align 0 = left edge, 0.5 = centre, 1 = right edge;
// v_align 0 = top, 0.5 = middle, 1 = bottom (from the font's ascent and descent, so that labels of
// one row line up whatever their letters).
void draw(cairo_t* cr, std::string_view s, double x, double y, const Font& font,
          double h_align = 0.0, double v_align = 0.5);

// As draw, rotated a quarter turn anticlockwise (reading upwards), centred on (x, y).
void draw_upwards(cairo_t* cr, std::string_view s, double x, double y, const Font& font);

// The picture's title, centred at the top and shortened to the image width.
void title(cairo_t* cr, std::string_view s, double image_width);

}  // namespace latentjam::plots::text
