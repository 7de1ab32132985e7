// The legend column on the right of a plot: which colour is which series or group.
#pragma once

#include <cairo.h>

#include <string>
#include <vector>

#include "layout.hpp"
#include "style.hpp"

namespace latentjam::plots {

struct LegendEntry {
  enum class Mark { kLine, kDot };
  std::string name;
  style::Rgb colour;
  Mark mark = Mark::kLine;
};

// One entry a row from the top of the area, names shortened to fit; entries that do not fit are
// summarised as "and N more".
void draw_legend(cairo_t* cr, const layout::Rect& area, const std::vector<LegendEntry>& entries);

}  // namespace latentjam::plots
