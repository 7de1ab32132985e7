// A sound next to the model's reconstruction of it: waveforms on top, spectrograms below, on the
// same scales so that any difference on the picture is a difference in the sound.
#include <algorithm>
#include <cmath>

#include "axes.hpp"
#include "canvas.hpp"
#include "checks.hpp"
#include "latentjam/plots/plots.hpp"
#include "spectrogram.hpp"
#include "text.hpp"
#include "waveform.hpp"

namespace latentjam::plots {
namespace {

// The spectrograms show this many dB below the louder one's peak; below that is noise to the ear.
constexpr double kDynamicRangeDb = 80.0;
// A silent pair still gets a scale, so that silence shows as the darkest colour.
constexpr double kLowestPeakDb = -100.0;

float peak_of(std::span<const float> x) {
  float peak = 0.0f;
  for (float v : x) peak = std::max(peak, std::abs(v));
  return peak;
}

void panel_title(cairo_t* cr, const layout::Rect& panel, const std::string& s) {
  text::draw(cr, s, panel.x + panel.w / 2, panel.y - 10, text::Font{style::kLabelSize, true}, 0.5,
             1.0);
}

}  // namespace

Status original_and_reconstruction(const std::string& png, std::span<const float> original,
                                   std::span<const float> reconstruction, double sample_rate,
                                   const std::string& title) {
  return guarded("original_and_reconstruction", [&]() -> Status {
    if (Status ok = check_sample_rate(sample_rate); !ok) return ok;
    if (Status ok = check_samples(original, "the original"); !ok) return ok;
    if (Status ok = check_samples(reconstruction, "the reconstruction"); !ok) return ok;
    auto canvas = Canvas::create(layout::kGridWidth, layout::kGridHeight);
    if (!canvas) return fail(canvas.error());
    cairo_t* cr = canvas->cr();
    text::title(cr, title, layout::kGridWidth);

    const std::span<const float> sounds[2] = {original, reconstruction};
    const char* names[2] = {"original", "reconstruction"};
    const double duration_ms = std::max(original.size(), reconstruction.size()) / sample_rate * 1e3;
    const Axis time = fit_axis(0.0, duration_ms, false, 0.0);

    const double peak = std::max(peak_of(original), peak_of(reconstruction));
    const double amplitude = peak > 1e-9 ? peak * 1.05 : 1.0;
    for (int i = 0; i < 2; ++i) {
      const Frame frame{layout::grid_panel(0, i), time, Axis{-amplitude, amplitude}};
      panel_title(cr, frame.area, std::string(names[i]) + ": waveform");
      draw_grid(cr, frame);
      clip_to(cr, frame.area);
      draw_waveform(cr, frame, sounds[i], sample_rate, style::palette(i));
      cairo_restore(cr);
      draw_frame(cr, frame, "time (ms)", "amplitude");
    }

    const Axis frequency = frequency_axis(sample_rate);
    Columns spectra[2];
    for (int i = 0; i < 2; ++i) {
      spectra[i] =
          spectrogram_columns(sounds[i], sample_rate, time, static_cast<int>(layout::kPanelWidth));
    }
    const double db_hi = std::max({peak_db(spectra[0]), peak_db(spectra[1]), kLowestPeakDb});
    const double db_lo = db_hi - kDynamicRangeDb;
    for (int i = 0; i < 2; ++i) {
      const Frame frame{layout::grid_panel(1, i), time, frequency};
      panel_title(cr, frame.area, std::string(names[i]) + ": spectrogram");
      if (Status ok = paint_spectrogram(cr, frame, spectra[i], sample_rate, db_lo, db_hi); !ok) {
        return ok;
      }
      draw_frame(cr, frame, "time (ms)", "frequency (kHz)");
    }
    draw_colour_bar(cr, layout::kColourBar, db_lo, db_hi);
    return canvas->save(png);
  });
}

}  // namespace latentjam::plots
