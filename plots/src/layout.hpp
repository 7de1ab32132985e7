// Where things go in each picture. The tests read it too: they look for pixels inside these areas.
#pragma once

namespace latentjam::plots::layout {

// In pixels, origin at the top left; integral so that image panels land on whole pixels.
struct Rect {
  double x, y, w, h;
  constexpr double right() const { return x + w; }
  constexpr double bottom() const { return y + h; }
};

// Pictures with one plot: the title above, the plot frame with its numbers and axis labels below
// and left, the legend in a column on the right so that it never hides data.
inline constexpr int kWidth = 900;
inline constexpr int kHeight = 600;
inline constexpr Rect kPlot{80, 50, 600, 480};
inline constexpr Rect kLegend{kPlot.right() + 20, kPlot.y, kWidth - kPlot.right() - 30, kPlot.h};

// The original-and-reconstruction grid: two columns (original, reconstruction), two rows
// (waveform, spectrogram), and the spectrograms' colour bar on the right of the bottom row.
inline constexpr int kGridWidth = 1320;
inline constexpr int kGridHeight = 790;
inline constexpr double kPanelWidth = 520;
inline constexpr double kPanelHeight = 260;

constexpr Rect grid_panel(int row, int column) {
  return Rect{80.0 + column * (kPanelWidth + 110.0), 80.0 + row * (kPanelHeight + 110.0),
              kPanelWidth, kPanelHeight};
}

inline constexpr Rect kColourBar{grid_panel(1, 1).right() + 25, grid_panel(1, 1).y, 14,
                                 kPanelHeight};

// The title's vertical centre, shared by every picture.
inline constexpr double kTitleY = 24;

}  // namespace latentjam::plots::layout
