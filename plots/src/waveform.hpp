// A waveform panel: amplitude against time.
#pragma once

#include <cairo.h>

#include <span>

#include "axes.hpp"
#include "style.hpp"

namespace latentjam::plots {

// Draws x (at sample_rate) into the frame, whose x axis is in ms. Sample by sample when there are
// few samples per pixel; otherwise each pixel column spans the column's lowest to highest sample,
// so that no peak is lost however long the sound.
void draw_waveform(cairo_t* cr, const Frame& frame, std::span<const float> x, double sample_rate,
                   style::Rgb colour);

}  // namespace latentjam::plots
