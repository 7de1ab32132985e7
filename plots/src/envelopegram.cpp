// How loud each group of sounds is over time: the mean envelope and how far the sounds spread
// around it (after ASCIML's envelope view).
#include <algorithm>
#include <cmath>

#include "axes.hpp"
#include "canvas.hpp"
#include "checks.hpp"
#include "latentjam/plots/plots.hpp"
#include "legend.hpp"
#include "signal.hpp"
#include "text.hpp"

namespace latentjam::plots {
namespace {

constexpr double kWindowSeconds = 0.010;
// Silence, and the bottom of the axis: quieter than this is inaudible in a mix.
constexpr double kFloorDb = -80.0;

struct Envelope {
  std::vector<double> mean, sd;  // per window, dB
};

Status check(const std::vector<Group>& groups, double sample_rate) {
  if (Status ok = check_sample_rate(sample_rate); !ok) return ok;
  if (groups.empty()) return fail("no groups to draw");
  for (const Group& g : groups) {
    if (g.sounds.empty()) return fail("group " + quoted(g.name) + " has no sounds");
    for (std::size_t i = 0; i < g.sounds.size(); ++i) {
      const std::string what = "sound " + std::to_string(i) + " of group " + quoted(g.name);
      if (Status ok = check_samples(g.sounds[i], what); !ok) return ok;
    }
  }
  return Ok{};
}

// A sound that has ended counts as silence: a short group's mean falls where its sounds stop.
Envelope group_envelope(const Group& group, std::size_t window) {
  std::vector<std::vector<double>> each;
  std::size_t length = 0;
  for (const auto& sound : group.sounds) {
    each.push_back(rms_envelope_db(sound, window, kFloorDb));
    length = std::max(length, each.back().size());
  }
  Envelope e{std::vector<double>(length), std::vector<double>(length)};
  const double n = static_cast<double>(each.size());
  for (std::size_t t = 0; t < length; ++t) {
    double sum = 0.0, squares = 0.0;
    for (const auto& env : each) {
      const double v = t < env.size() ? env[t] : kFloorDb;
      sum += v, squares += v * v;
    }
    e.mean[t] = sum / n;
    e.sd[t] = std::sqrt(std::max(0.0, squares / n - e.mean[t] * e.mean[t]));
  }
  return e;
}

Frame fit_frame(const std::vector<Envelope>& envelopes, double window_ms) {
  std::size_t length = 0;
  double top = kFloorDb;
  for (const Envelope& e : envelopes) {
    length = std::max(length, e.mean.size());
    for (std::size_t t = 0; t < e.mean.size(); ++t) top = std::max(top, e.mean[t] + e.sd[t]);
  }
  // A little below the floor, so that a silent stretch shows as a line above the frame.
  return Frame{layout::kPlot, fit_axis(0.0, length * window_ms, false, 0.0),
               Axis{kFloorDb - 3.0, std::max(top + 3.0, kFloorDb + 10.0)}};
}

double window_centre_ms(std::size_t t, double window_ms) {
  return (t + 0.5) * window_ms;
}

void draw_band(cairo_t* cr, const Frame& frame, const Envelope& e, double window_ms,
               style::Rgb colour) {
  // No sound is quieter than the floor, however wide the spread below the mean.
  const auto clamp = [&](double db) { return std::clamp(db, kFloorDb, frame.y.hi); };
  for (std::size_t t = 0; t < e.mean.size(); ++t) {
    cairo_line_to(cr, frame.px(window_centre_ms(t, window_ms)),
                  frame.py(clamp(e.mean[t] + e.sd[t])));
  }
  for (std::size_t t = e.mean.size(); t-- > 0;) {
    cairo_line_to(cr, frame.px(window_centre_ms(t, window_ms)),
                  frame.py(clamp(e.mean[t] - e.sd[t])));
  }
  cairo_close_path(cr);
  style::set_colour(cr, colour, 0.2);
  cairo_fill(cr);
}

void draw_mean(cairo_t* cr, const Frame& frame, const Envelope& e, double window_ms,
               style::Rgb colour) {
  for (std::size_t t = 0; t < e.mean.size(); ++t) {
    cairo_line_to(cr, frame.px(window_centre_ms(t, window_ms)), frame.py(e.mean[t]));
  }
  style::set_colour(cr, colour);
  cairo_set_line_width(cr, 2.0);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_stroke(cr);
  if (e.mean.size() == 1) {  // a sound shorter than one window: a line of one point is invisible
    cairo_arc(cr, frame.px(window_centre_ms(0, window_ms)), frame.py(e.mean[0]), 3.0, 0.0,
              6.283185307179586);
    cairo_fill(cr);
  }
}

}  // namespace

Status envelopegram(const std::string& png, const std::vector<Group>& groups, double sample_rate,
                    const std::string& title) {
  return guarded("envelopegram", [&]() -> Status {
    if (Status ok = check(groups, sample_rate); !ok) return ok;
    const auto window = std::max<std::size_t>(1, std::lround(kWindowSeconds * sample_rate));
    const double window_ms = window / sample_rate * 1000.0;
    std::vector<Envelope> envelopes;
    for (const Group& g : groups) envelopes.push_back(group_envelope(g, window));

    auto canvas = Canvas::create(layout::kWidth, layout::kHeight);
    if (!canvas) return fail(canvas.error());
    cairo_t* cr = canvas->cr();
    const Frame frame = fit_frame(envelopes, window_ms);
    text::title(cr, title, layout::kWidth);
    draw_grid(cr, frame);
    clip_to(cr, frame.area);
    // Every band before any line, so that no band tints another group's line.
    for (std::size_t i = 0; i < groups.size(); ++i) {
      draw_band(cr, frame, envelopes[i], window_ms, style::palette(i));
    }
    for (std::size_t i = 0; i < groups.size(); ++i) {
      draw_mean(cr, frame, envelopes[i], window_ms, style::palette(i));
    }
    cairo_restore(cr);
    draw_frame(cr, frame, "time (ms)", "loudness (dB RMS, 10 ms)");

    std::vector<LegendEntry> legend;
    for (const Group& g : groups) {
      const std::size_t n = g.sounds.size();
      legend.push_back({g.name + " (" + std::to_string(n) + (n == 1 ? " sound)" : " sounds)"),
                        style::palette(legend.size()), LegendEntry::Mark::kLine});
    }
    draw_legend(cr, layout::kLegend, legend);
    return canvas->save(png);
  });
}

}  // namespace latentjam::plots
