#include "waveform.hpp"

#include <algorithm>
#include <cmath>

namespace latentjam::plots {

void draw_waveform(cairo_t* cr, const Frame& frame, std::span<const float> x, double sample_rate,
                   style::Rgb colour) {
  const auto ms = [&](double sample) { return sample / sample_rate * 1000.0; };
  const double samples_per_pixel = (frame.x.hi - frame.x.lo) / 1000.0 * sample_rate / frame.area.w;
  cairo_save(cr);
  style::set_colour(cr, colour);
  cairo_set_line_width(cr, 1.0);
  if (samples_per_pixel <= 2.0) {
    for (std::size_t i = 0; i < x.size(); ++i) cairo_line_to(cr, frame.px(ms(i)), frame.py(x[i]));
    cairo_stroke(cr);
    cairo_restore(cr);
    return;
  }
  const double first = std::max(0.0, frame.x.lo / 1000.0 * sample_rate);
  const auto columns = static_cast<std::size_t>(frame.area.w);
  for (std::size_t c = 0; c < columns; ++c) {
    const auto begin = static_cast<std::size_t>(first + c * samples_per_pixel);
    const auto end =
        std::min(x.size(), static_cast<std::size_t>(first + (c + 1) * samples_per_pixel));
    if (begin >= end) break;
    const auto [lo, hi] = std::minmax_element(x.begin() + begin, x.begin() + end);
    const double px = frame.area.x + c + 0.5;
    // Half a pixel beyond each end: a quiet stretch still shows as a one-pixel line.
    cairo_move_to(cr, px, frame.py(*hi) - 0.5);
    cairo_line_to(cr, px, frame.py(*lo) + 0.5);
  }
  cairo_stroke(cr);
  cairo_restore(cr);
}

}  // namespace latentjam::plots
