// Loss against training step, one line per series.
#include <algorithm>
#include <limits>

#include "axes.hpp"
#include "canvas.hpp"
#include "checks.hpp"
#include "latentjam/plots/plots.hpp"
#include "legend.hpp"
#include "text.hpp"

namespace latentjam::plots {
namespace {

Status check(const std::vector<Series>& series) {
  if (series.empty()) return fail("no series to draw");
  for (const Series& s : series) {
    const std::string name = "series " + quoted(s.name);
    if (s.x.size() != s.y.size()) {
      return fail(name + " has " + std::to_string(s.x.size()) + " x values but " +
                  std::to_string(s.y.size()) + " y values");
    }
    if (s.x.empty()) return fail(name + " has no points");
    if (Status ok = check_finite(s.x, name + " (x)"); !ok) return ok;
    if (Status ok = check_finite(s.y, name + " (y)"); !ok) return ok;
  }
  return Ok{};
}

Frame fit_frame(const std::vector<Series>& series) {
  double x_min = std::numeric_limits<double>::max(), x_max = std::numeric_limits<double>::lowest();
  double y_min = x_min, y_max = x_max;
  for (const Series& s : series) {
    const auto [xa, xb] = std::minmax_element(s.x.begin(), s.x.end());
    const auto [ya, yb] = std::minmax_element(s.y.begin(), s.y.end());
    x_min = std::min(x_min, *xa), x_max = std::max(x_max, *xb);
    y_min = std::min(y_min, *ya), y_max = std::max(y_max, *yb);
  }
  // Losses usually fall by orders of magnitude; a log axis keeps the late, small changes visible.
  const bool log = y_min > 0.0;
  return Frame{layout::kPlot, fit_axis(x_min, x_max, false, 0.0),
               fit_axis(y_min, y_max, log, 0.05)};
}

void draw_series(cairo_t* cr, const Frame& frame, const Series& s, style::Rgb colour) {
  style::set_colour(cr, colour);
  cairo_set_line_width(cr, 2.0);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  for (std::size_t i = 0; i < s.x.size(); ++i) {
    cairo_line_to(cr, frame.px(s.x[i]), frame.py(s.y[i]));
  }
  cairo_stroke(cr);
  // Sparse series (a validation loss measured now and then, a single point) need visible points.
  if (s.x.size() <= 50) {
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      cairo_new_sub_path(cr);
      cairo_arc(cr, frame.px(s.x[i]), frame.py(s.y[i]), 3.0, 0.0, 6.283185307179586);
    }
    cairo_fill(cr);
  }
}

}  // namespace

Status loss_curves(const std::string& png, const std::vector<Series>& series,
                   const std::string& title) {
  return guarded("loss_curves", [&]() -> Status {
    if (Status ok = check(series); !ok) return ok;
    auto canvas = Canvas::create(layout::kWidth, layout::kHeight);
    if (!canvas) return fail(canvas.error());
    cairo_t* cr = canvas->cr();
    const Frame frame = fit_frame(series);

    text::title(cr, title, layout::kWidth);
    draw_grid(cr, frame);
    clip_to(cr, frame.area);
    for (std::size_t i = 0; i < series.size(); ++i) {
      draw_series(cr, frame, series[i], style::palette(i));
    }
    cairo_restore(cr);
    draw_frame(cr, frame, "step", frame.y.log ? "loss (log scale)" : "loss");

    std::vector<LegendEntry> legend;
    for (std::size_t i = 0; i < series.size(); ++i) {
      legend.push_back({series[i].name, style::palette(i), LegendEntry::Mark::kLine});
    }
    draw_legend(cr, layout::kLegend, legend);
    return canvas->save(png);
  });
}

}  // namespace latentjam::plots
