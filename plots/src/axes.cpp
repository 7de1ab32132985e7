#include "axes.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "style.hpp"
#include "text.hpp"

namespace latentjam::plots {
namespace {

double nice_step(double span, int intervals) {
  const double raw = span / intervals;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / magnitude;
  return magnitude * (f < 1.5 ? 1.0 : f < 3.5 ? 2.0 : f < 7.5 ? 5.0 : 10.0);
}

// Enough decimals to tell ticks `step` apart; thousands as "k" so long step counts stay short.
std::string linear_label(double v, double step) {
  char buffer[32];
  if (std::abs(v) < step * 1e-6) v = 0.0;  // no "-0"
  if (step >= 1000.0 && std::fmod(step, 1000.0) == 0.0 && std::abs(v) >= 10000.0) {
    std::snprintf(buffer, sizeof buffer, "%.0fk", v / 1000.0);
  } else {
    const int decimals = step >= 1.0 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, v);
  }
  return buffer;
}

std::vector<Tick> linear_ticks(double lo, double hi) {
  const double step = nice_step(hi - lo, 5);
  std::vector<Tick> out;
  // The cap only matters for spans at the edge of double precision, where k + 1 may equal k.
  for (double k = std::ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9 && out.size() < 20;
       k += 1.0) {
    out.push_back({k * step, linear_label(k * step, step)});
  }
  return out;
}

std::string log_label(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", v);
  return buffer;
}

std::vector<Tick> log_ticks(const Axis& axis) {
  const double lo10 = std::log10(axis.lo), hi10 = std::log10(axis.hi);
  const auto inside = [&](double v) {
    return v >= axis.lo * (1 - 1e-9) && v <= axis.hi * (1 + 1e-9);
  };
  const int first = static_cast<int>(std::floor(lo10)), last = static_cast<int>(std::ceil(hi10));
  int decades = 0;
  for (int k = first; k <= last; ++k) decades += inside(std::pow(10.0, k)) ? 1 : 0;
  const std::vector<int> labelled = decades >= 4 ? std::vector<int>{1} : std::vector<int>{1, 2, 5};
  // Many decades: label every stride-th so that the numbers do not run into each other.
  const int stride = std::max(1, (decades + 7) / 8);
  std::vector<Tick> out;
  for (int k = first; k <= last; ++k) {
    for (int m = 1; m <= 9; ++m) {
      const double v = m * std::pow(10.0, k);
      if (!inside(v)) continue;
      const bool label = std::find(labelled.begin(), labelled.end(), m) != labelled.end() &&
                         (m != 1 || ((k % stride) + stride) % stride == 0);
      if (label) {
        out.push_back({v, log_label(v)});
      } else if (hi10 - lo10 <= 8) {
        out.push_back({v, std::string()});
      }
    }
  }
  const auto numbered =
      std::count_if(out.begin(), out.end(), [](const Tick& t) { return !t.label.empty(); });
  // Less than a decade or so: round values placed logarithmically read better.
  if (numbered < 2) return linear_ticks(axis.lo, axis.hi);
  return out;
}

}  // namespace

double Axis::unit(double v) const {
  if (log) return (std::log(v) - std::log(lo)) / (std::log(hi) - std::log(lo));
  return (v - lo) / (hi - lo);
}

double Axis::value(double u) const {
  if (log) return std::exp(std::log(lo) + u * (std::log(hi) - std::log(lo)));
  return lo + u * (hi - lo);
}

Axis fit_axis(double min, double max, bool log, double pad) {
  if (log) {
    double lo = std::log(min), hi = std::log(max);
    if (hi - lo <= 1e-12) lo -= std::log(2.0), hi += std::log(2.0);
    const double span = hi - lo;
    return Axis{std::exp(lo - pad * span), std::exp(hi + pad * span), true};
  }
  const double span = max - min;
  if (span <= 1e-12 * std::max(1.0, std::abs(max))) {
    const double half = std::max(1.0, std::abs(max) * 0.1);
    return Axis{min - half, max + half, false};
  }
  return Axis{min - pad * span, max + pad * span, false};
}

std::vector<Tick> ticks(const Axis& axis) {
  return axis.log ? log_ticks(axis) : linear_ticks(axis.lo, axis.hi);
}

void draw_grid(cairo_t* cr, const Frame& frame) {
  const auto& a = frame.area;
  cairo_save(cr);
  style::set_colour(cr, style::kGrid);
  cairo_set_line_width(cr, 1.0);
  // Half-pixel offsets put one-pixel lines on whole pixels instead of smearing them over two.
  for (const Tick& t : ticks(frame.x)) {
    if (t.label.empty()) continue;
    const double x = std::round(frame.px(t.value)) + 0.5;
    cairo_move_to(cr, x, a.y);
    cairo_line_to(cr, x, a.bottom());
  }
  for (const Tick& t : ticks(frame.y)) {
    if (t.label.empty()) continue;
    const double y = std::round(frame.py(t.value)) + 0.5;
    cairo_move_to(cr, a.x, y);
    cairo_line_to(cr, a.right(), y);
  }
  cairo_stroke(cr);
  cairo_restore(cr);
}

void draw_frame(cairo_t* cr, const Frame& frame, std::string_view x_label,
                std::string_view y_label) {
  const auto& a = frame.area;
  const text::Font numbers{style::kTickSize, false, style::kText};
  const text::Font labels{style::kLabelSize, false, style::kText};
  cairo_save(cr);
  style::set_colour(cr, style::kFrame);
  cairo_set_line_width(cr, 1.0);
  cairo_rectangle(cr, a.x + 0.5, a.y + 0.5, a.w - 1, a.h - 1);
  cairo_stroke(cr);
  for (const Tick& t : ticks(frame.x)) {
    const double x = std::round(frame.px(t.value)) + 0.5;
    style::set_colour(cr, style::kFrame);
    cairo_move_to(cr, x, a.bottom());
    cairo_line_to(cr, x, a.bottom() + (t.label.empty() ? 3 : 6));
    cairo_stroke(cr);
    text::draw(cr, t.label, x, a.bottom() + 8, numbers, 0.5, 0.0);
  }
  for (const Tick& t : ticks(frame.y)) {
    const double y = std::round(frame.py(t.value)) + 0.5;
    style::set_colour(cr, style::kFrame);
    cairo_move_to(cr, a.x, y);
    cairo_line_to(cr, a.x - (t.label.empty() ? 3 : 6), y);
    cairo_stroke(cr);
    text::draw(cr, t.label, a.x - 9, y, numbers, 1.0, 0.5);
  }
  text::draw(cr, x_label, a.x + a.w / 2, a.bottom() + 30, labels, 0.5, 0.0);
  text::draw_upwards(cr, y_label, a.x - 62, a.y + a.h / 2, labels);
  cairo_restore(cr);
}

void clip_to(cairo_t* cr, const layout::Rect& area) {
  cairo_save(cr);
  cairo_rectangle(cr, area.x, area.y, area.w, area.h);
  cairo_clip(cr);
}

}  // namespace latentjam::plots
