// Sounds as points in the model's latent space (usually project_2d of their latents): nearby points
// sound alike, so the map shows which sounds the model keeps apart and which it mixes up.
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

constexpr double kRadius = 5.0;
constexpr double kLabelGap = 4.0;  // between a point's edge and its label

Status check(const std::vector<MapPoint>& points) {
  if (points.empty()) return fail("no points to draw");
  for (std::size_t i = 0; i < points.size(); ++i) {
    const double xy[2] = {points[i].x, points[i].y};
    const std::string what = "point " + std::to_string(i) +
                             (points[i].label.empty() ? "" : " (" + quoted(points[i].label) + ")");
    if (Status ok = check_finite(xy, what); !ok) return ok;
  }
  return Ok{};
}

// Groups in order of first appearance, which fixes their colours.
std::vector<std::string> group_names(const std::vector<MapPoint>& points) {
  std::vector<std::string> names;
  for (const MapPoint& p : points) {
    if (std::find(names.begin(), names.end(), p.group) == names.end()) names.push_back(p.group);
  }
  return names;
}

Frame fit_frame(const std::vector<MapPoint>& points) {
  double x_min = std::numeric_limits<double>::max(), x_max = std::numeric_limits<double>::lowest();
  double y_min = x_min, y_max = x_max;
  for (const MapPoint& p : points) {
    x_min = std::min(x_min, p.x), x_max = std::max(x_max, p.x);
    y_min = std::min(y_min, p.y), y_max = std::max(y_max, p.y);
  }
  // Padding keeps the outermost points (and their dots) inside the frame.
  return Frame{layout::kPlot, fit_axis(x_min, x_max, false, 0.08),
               fit_axis(y_min, y_max, false, 0.08)};
}

// Right of the point when the label fits there, else left of it; kept inside the plot area either
// way so that no text runs off the frame or the image.
void draw_label(cairo_t* cr, const layout::Rect& area, double x, double y, const std::string& s) {
  if (s.empty()) return;
  const text::Font font{style::kPointLabelSize, false, style::kPointLabel};
  const std::string label = text::fit(cr, s, area.w / 2, font);
  const double width = text::width(cr, label, font);
  double left = x + kRadius + kLabelGap;
  if (left + width > area.right() - 2) left = x - kRadius - kLabelGap - width;
  left = std::max(left, area.x + 2);
  const double middle = std::clamp(y, area.y + font.size, area.bottom() - font.size);
  text::draw(cr, label, left, middle, font, 0.0, 0.5);
}

}  // namespace

Status latent_map(const std::string& png, const std::vector<MapPoint>& points,
                  const std::string& title) {
  return guarded("latent_map", [&]() -> Status {
    if (Status ok = check(points); !ok) return ok;
    auto canvas = Canvas::create(layout::kWidth, layout::kHeight);
    if (!canvas) return fail(canvas.error());
    cairo_t* cr = canvas->cr();
    const Frame frame = fit_frame(points);
    const std::vector<std::string> groups = group_names(points);
    const auto colour_of = [&](const std::string& group) {
      return style::palette(std::find(groups.begin(), groups.end(), group) - groups.begin());
    };

    text::title(cr, title, layout::kWidth);
    draw_grid(cr, frame);
    clip_to(cr, frame.area);
    // Labels first, then every dot, so that no label hides a point.
    for (const MapPoint& p : points)
      draw_label(cr, frame.area, frame.px(p.x), frame.py(p.y), p.label);
    for (const MapPoint& p : points) {
      cairo_arc(cr, frame.px(p.x), frame.py(p.y), kRadius, 0.0, 6.283185307179586);
      style::set_colour(cr, colour_of(p.group));
      cairo_fill_preserve(cr);
      cairo_set_source_rgb(cr, 1, 1, 1);
      cairo_set_line_width(cr, 1.0);
      cairo_stroke(cr);
    }
    cairo_restore(cr);
    draw_frame(cr, frame, "x", "y");

    // One unnamed group needs no key.
    if (groups.size() > 1 || !groups.front().empty()) {
      std::vector<LegendEntry> legend;
      for (const std::string& g : groups) {
        legend.push_back({g.empty() ? "(no group)" : g, colour_of(g), LegendEntry::Mark::kDot});
      }
      draw_legend(cr, layout::kLegend, legend);
    }
    return canvas->save(png);
  });
}

}  // namespace latentjam::plots
