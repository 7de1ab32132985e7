// Pictures that let a performer look at a model before playing it (after ASCIML, Meza, NIME 2023):
// how training went, how a sound compares with the model's reconstruction of it, how loud each
// group of sounds is over time, and where sounds sit in the model's latent space. Each function
// writes one PNG and reports failure as data: bad input (nothing to draw, NaN or infinity, a sample
// rate that is not positive) or a file that cannot be written gives an error with the reason, never
// an exception. docs/pictures.md says how to read the pictures.
#pragma once

#include <array>
#include <span>
#include <string>
#include <vector>

#include "latentjam/base/result.hpp"

namespace latentjam::plots {

// One line of a loss plot, e.g. "train" or "validation"; x is usually the training step.
struct Series {
  std::string name;
  std::vector<double> x;
  std::vector<double> y;
};

// One line per series with a legend; the y axis is logarithmic when every y is positive, otherwise
// linear. 900x600.
Status loss_curves(const std::string& png, const std::vector<Series>& series,
                   const std::string& title);

// A 2x2 grid: the two waveforms on top (time in ms, same amplitude scale), their spectrograms below
// (Hann window of 1024, hop 256, dB on one colour scale for both, logarithmic frequency in kHz).
// The signals may differ in length; both share the longer one's time axis. 1320x790.
Status original_and_reconstruction(const std::string& png, std::span<const float> original,
                                   std::span<const float> reconstruction, double sample_rate,
                                   const std::string& title);

// A named set of sounds, e.g. the kicks a model made from one region, or one label's examples.
struct Group {
  std::string name;
  std::vector<std::vector<float>> sounds;
};

// Per group, the mean loudness over time (RMS in 10 ms windows, in dB) with a band of one standard
// deviation either side; a sound that has ended counts as silence. 900x600.
Status envelopegram(const std::string& png, const std::vector<Group>& groups, double sample_rate,
                    const std::string& title);

// A point of a latent map: its position, the text written beside it (a file name; empty for none)
// and the group that picks its colour.
struct MapPoint {
  double x, y;
  std::string label;
  std::string group;
};

// A scatter of the points, coloured by group with a legend, axes fitted to the data. 900x600.
Status latent_map(const std::string& png, const std::vector<MapPoint>& points,
                  const std::string& title);

// The rows (e.g. latent vectors) projected on their two principal axes (PCA), centred on their
// mean. Each axis is signed so that its largest-magnitude component is positive, so the same data
// always gives the same picture. Rows with one dimension give a second coordinate of 0; a single
// row gives (0, 0). Empty input, rows of different lengths or a NaN or infinity give an empty
// result.
std::vector<std::array<double, 2>> project_2d(const std::vector<std::vector<float>>& rows);

}  // namespace latentjam::plots
