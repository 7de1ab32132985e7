#include "text.hpp"

#include <cstdint>

#include "layout.hpp"

namespace latentjam::plots::text {
namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";

void select(cairo_t* cr, const Font& font) {
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                         font.bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, font.size);
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not one.
std::size_t sequence_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(s[k]); };
  const std::uint8_t b = byte(i);
  std::size_t n = 0;
  std::uint32_t min = 0;
  if (b < 0x80) return 1;
  if ((b & 0xE0) == 0xC0) {
    n = 2, min = 0x80;
  } else if ((b & 0xF0) == 0xE0) {
    n = 3, min = 0x800;
  } else if ((b & 0xF8) == 0xF0) {
    n = 4, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  std::uint32_t code = b & (0x7F >> n);
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  // Overlong forms, surrogates and values past Unicode are invalid too.
  if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return n;
}

}  // namespace

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = sequence_length(s, i);
    if (n == 0) {
      out += '?';
      ++i;
    } else if (n == 1 && (static_cast<std::uint8_t>(s[i]) < 0x20 || s[i] == 0x7F)) {
      out += ' ';
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

double width(cairo_t* cr, std::string_view s, const Font& font) {
  select(cr, font);
  const std::string valid = valid_utf8(s);
  cairo_text_extents_t extents;
  cairo_text_extents(cr, valid.c_str(), &extents);
  return extents.x_advance;
}

std::string fit(cairo_t* cr, std::string_view s, double max_width, const Font& font) {
  std::string valid = valid_utf8(s);
  if (width(cr, valid, font) <= max_width) return valid;
  while (!valid.empty()) {
    // Drop one whole character: continuation bytes first, then the lead byte.
    while (!valid.empty() && (static_cast<std::uint8_t>(valid.back()) & 0xC0) == 0x80) {
      valid.pop_back();
    }
    if (!valid.empty()) valid.pop_back();
    const std::string shortened = valid + std::string(kEllipsis);
    if (width(cr, shortened, font) <= max_width) return shortened;
  }
  return std::string();
}

void draw(cairo_t* cr, std::string_view s, double x, double y, const Font& font, double h_align,
          double v_align) {
  const std::string valid = valid_utf8(s);
  if (valid.empty()) return;
  select(cr, font);
  cairo_text_extents_t extents;
  cairo_text_extents(cr, valid.c_str(), &extents);
  cairo_font_extents_t font_extents;
  cairo_font_extents(cr, &font_extents);
  const double box = font_extents.ascent + font_extents.descent;
  style::set_colour(cr, font.colour);
  cairo_move_to(cr, x - h_align * extents.x_advance, y - v_align * box + font_extents.ascent);
  cairo_show_text(cr, valid.c_str());
  cairo_new_path(cr);
}

void draw_upwards(cairo_t* cr, std::string_view s, double x, double y, const Font& font) {
  cairo_save(cr);
  cairo_translate(cr, x, y);
  cairo_rotate(cr, -1.5707963267948966);
  draw(cr, s, 0.0, 0.0, font, 0.5, 0.5);
  cairo_restore(cr);
}

void title(cairo_t* cr, std::string_view s, double image_width) {
  const Font font{style::kTitleSize, true, style::kText};
  draw(cr, fit(cr, s, image_width - 40, font), image_width / 2, layout::kTitleY, font, 0.5, 0.5);
}

}  // namespace latentjam::plots::text
