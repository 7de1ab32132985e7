// A spectrogram panel: level (colour) by time (x) and frequency (y, logarithmic in kHz), and the
// colour bar that says which colour is which level.
#pragma once

#include <cairo.h>

#include <span>
#include <vector>

#include "axes.hpp"
#include "latentjam/base/result.hpp"

namespace latentjam::plots {

// One spectrum (dB per FFT bin) per pixel column of a panel `columns` wide whose time axis (ms) is
// `time`: the frame nearest each column's time. Only those frames are computed, so a long sound
// costs no more than a short one. A column past the end of x gets an empty spectrum.
using Columns = std::vector<std::vector<double>>;
Columns spectrogram_columns(std::span<const float> x, double sample_rate, const Axis& time,
                            int columns);

double peak_db(const Columns& columns);  // -200 (silence) when there is nothing

// The frequency axis shown: from the first FFT bin above 0 Hz to Nyquist, in kHz, logarithmic
// because drums put as much in 50-100 Hz as in 5-10 kHz.
Axis frequency_axis(double sample_rate);

// Paints the columns into frame.area with levels db_lo..db_hi spread over the colour map.
Status paint_spectrogram(cairo_t* cr, const Frame& frame, const Columns& columns,
                         double sample_rate, double db_lo, double db_hi);

void draw_colour_bar(cairo_t* cr, const layout::Rect& area, double db_lo, double db_hi);

}  // namespace latentjam::plots
