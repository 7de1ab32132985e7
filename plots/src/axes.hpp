// Axes: mapping data to pixels (linear or logarithmic), choosing round tick values, and drawing
// the grid, frame, numbers and labels of a plot.
#pragma once

#include <cairo.h>

#include <string>
#include <string_view>
#include <vector>

#include "layout.hpp"

namespace latentjam::plots {

struct Axis {
  double lo = 0.0, hi = 1.0;  // lo < hi; both positive when log
  bool log = false;

  double unit(double v) const;   // lo -> 0, hi -> 1
  double value(double u) const;  // the inverse
};

// An axis covering [min, max] with `pad` (a fraction of the span, in log space when log) added on
// both sides; a single value gets a span around it so that it lands mid-axis.
Axis fit_axis(double min, double max, bool log, double pad);

struct Tick {
  double value;
  std::string label;  // empty for a minor tick (a short mark without a number)
};

// Round values inside the axis: 1, 2 or 5 times a power of ten, about five to eight labelled;
// decades (and 2 and 5 between them when there are fewer than four) on a log axis.
std::vector<Tick> ticks(const Axis& axis);

// A plot area with its two axes: data coordinates to pixels (y grows upwards).
struct Frame {
  layout::Rect area;
  Axis x, y;

  double px(double v) const { return area.x + x.unit(v) * area.w; }
  double py(double v) const { return area.bottom() - y.unit(v) * area.h; }
};

// Light grid lines at the labelled ticks: drawn before the data, which goes over them.
void draw_grid(cairo_t* cr, const Frame& frame);

// The frame, tick marks, numbers and axis labels: drawn after the data, which they frame.
void draw_frame(cairo_t* cr, const Frame& frame, std::string_view x_label,
                std::string_view y_label);

// Restricts drawing to the area (cairo_save first; cairo_restore ends it).
void clip_to(cairo_t* cr, const layout::Rect& area);

}  // namespace latentjam::plots
