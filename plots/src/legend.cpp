#include "legend.hpp"

#include "text.hpp"

namespace latentjam::plots {

void draw_legend(cairo_t* cr, const layout::Rect& area, const std::vector<LegendEntry>& entries) {
  constexpr double kRow = 22, kMark = 26, kGap = 8;
  const text::Font font{style::kLegendSize, false, style::kText};
  const auto rows = static_cast<std::size_t>(area.h / kRow);
  const bool all_fit = entries.size() <= rows;
  const std::size_t shown = all_fit ? entries.size() : (rows > 0 ? rows - 1 : 0);
  cairo_save(cr);
  for (std::size_t i = 0; i < shown; ++i) {
    const LegendEntry& e = entries[i];
    const double y = area.y + kRow * (i + 0.5);
    style::set_colour(cr, e.colour);
    if (e.mark == LegendEntry::Mark::kLine) {
      cairo_set_line_width(cr, 3.0);
      cairo_move_to(cr, area.x, y);
      cairo_line_to(cr, area.x + kMark, y);
      cairo_stroke(cr);
    } else {
      cairo_arc(cr, area.x + kMark / 2, y, 5.0, 0.0, 6.283185307179586);
      cairo_fill(cr);
    }
    const double x = area.x + kMark + kGap;
    text::draw(cr, text::fit(cr, e.name, area.right() - x, font), x, y, font, 0.0, 0.5);
  }
  if (!all_fit && rows > 0) {
    const std::string more = "and " + std::to_string(entries.size() - shown) + " more";
    text::draw(cr, more, area.x, area.y + kRow * (shown + 0.5), font, 0.0, 0.5);
  }
  cairo_restore(cr);
}

}  // namespace latentjam::plots
