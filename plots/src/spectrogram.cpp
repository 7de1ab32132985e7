#include "spectrogram.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "signal.hpp"
#include "style.hpp"
#include "text.hpp"

namespace latentjam::plots {

Columns spectrogram_columns(std::span<const float> x, double sample_rate, const Axis& time,
                            int columns) {
  // The last frame that ends inside the sound: one running past the end would show the cut to
  // zeros as a broadband click that is not in the sound.
  const std::size_t last_frame = x.size() > kFftSize ? (x.size() - kFftSize) / kHop : 0;
  Columns out(static_cast<std::size_t>(std::max(columns, 0)));
  std::size_t cached_frame = SIZE_MAX;
  std::vector<double> cached;
  for (std::size_t c = 0; c < out.size(); ++c) {
    const double sample = time.value((c + 0.5) / out.size()) / 1000.0 * sample_rate;
    if (sample < 0.0 || sample >= static_cast<double>(x.size())) continue;
    // The frame whose centre is nearest the column's time.
    const double nearest = std::round((sample - kFftSize / 2.0) / kHop);
    const auto frame = static_cast<std::size_t>(std::clamp(nearest, 0.0, double(last_frame)));
    if (frame != cached_frame) cached = spectrum_db(x, frame * kHop), cached_frame = frame;
    out[c] = cached;
  }
  return out;
}

double peak_db(const Columns& columns) {
  double peak = -200.0;
  for (const auto& column : columns) {
    for (double db : column) peak = std::max(peak, db);
  }
  return peak;
}

Axis frequency_axis(double sample_rate) {
  return Axis{sample_rate / kFftSize / 1000.0, sample_rate / 2.0 / 1000.0, true};
}

Status paint_spectrogram(cairo_t* cr, const Frame& frame, const Columns& columns,
                         double sample_rate, double db_lo, double db_hi) {
  const int w = static_cast<int>(frame.area.w), h = static_cast<int>(frame.area.h);
  cairo_surface_t* image = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
  if (cairo_surface_status(image) != CAIRO_STATUS_SUCCESS) {
    const std::string reason = cairo_status_to_string(cairo_surface_status(image));
    cairo_surface_destroy(image);
    return fail("cannot make the spectrogram image: " + reason);
  }
  // Each pixel row's frequency as a fractional FFT bin, interpolated between the two bins around
  // it.
  const double bin_hz = sample_rate / kFftSize;
  std::vector<double> row_bin(static_cast<std::size_t>(h));
  for (int r = 0; r < h; ++r) {
    row_bin[r] = frame.y.value(1.0 - (r + 0.5) / h) * 1000.0 / bin_hz;
  }
  cairo_surface_flush(image);
  unsigned char* data = cairo_image_surface_get_data(image);
  const int stride = cairo_image_surface_get_stride(image);
  const auto pack = [](style::Rgb c) {
    const auto byte = [](double v) { return static_cast<std::uint32_t>(std::lround(v * 255.0)); };
    return (byte(c.r) << 16) | (byte(c.g) << 8) | byte(c.b);
  };
  for (int c = 0; c < w; ++c) {
    const std::vector<double>* column =
        static_cast<std::size_t>(c) < columns.size() ? &columns[c] : nullptr;
    for (int r = 0; r < h; ++r) {
      double level = db_lo - 1.0;  // past the end of the sound: the quietest colour
      if (column && !column->empty()) {
        const double b = std::clamp(row_bin[r], 0.0, double(column->size() - 1));
        const auto i = static_cast<std::size_t>(b);
        const std::size_t j = std::min(i + 1, column->size() - 1);
        level = (*column)[i] + (b - i) * ((*column)[j] - (*column)[i]);
      }
      const auto pixel = reinterpret_cast<std::uint32_t*>(data + r * stride) + c;
      *pixel = pack(style::colour_map((level - db_lo) / (db_hi - db_lo)));
    }
  }
  cairo_surface_mark_dirty(image);
  cairo_save(cr);
  cairo_set_source_surface(cr, image, frame.area.x, frame.area.y);
  cairo_rectangle(cr, frame.area.x, frame.area.y, w, h);
  cairo_fill(cr);
  cairo_restore(cr);
  cairo_surface_destroy(image);
  return Ok{};
}

void draw_colour_bar(cairo_t* cr, const layout::Rect& area, double db_lo, double db_hi) {
  cairo_save(cr);
  cairo_pattern_t* gradient = cairo_pattern_create_linear(0, area.bottom(), 0, area.y);
  for (int i = 0; i <= 16; ++i) {
    const style::Rgb c = style::colour_map(i / 16.0);
    cairo_pattern_add_color_stop_rgb(gradient, i / 16.0, c.r, c.g, c.b);
  }
  cairo_set_source(cr, gradient);
  cairo_rectangle(cr, area.x, area.y, area.w, area.h);
  cairo_fill(cr);
  cairo_pattern_destroy(gradient);

  const Frame scale{area, Axis{0, 1}, Axis{db_lo, db_hi}};
  const text::Font numbers{style::kTickSize, false, style::kText};
  style::set_colour(cr, style::kFrame);
  cairo_set_line_width(cr, 1.0);
  for (const Tick& t : ticks(scale.y)) {
    const double y = std::round(scale.py(t.value)) + 0.5;
    style::set_colour(cr, style::kFrame);
    cairo_move_to(cr, area.right(), y);
    cairo_line_to(cr, area.right() + 4, y);
    cairo_stroke(cr);
    text::draw(cr, t.label, area.right() + 6, y, numbers, 0.0, 0.5);
  }
  text::draw(cr, "dB", area.x + area.w / 2, area.y - 8, text::Font{style::kLabelSize}, 0.5, 1.0);
  cairo_restore(cr);
}

}  // namespace latentjam::plots
