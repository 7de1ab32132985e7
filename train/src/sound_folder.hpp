// Reading a performer's folder of sounds into training hits: every WAV/FLAC/AIFF/OGG file under it
// (sub-folders are groups, shown apart in the pictures), mixed to mono, resampled to the model's
// rate, trimmed at the onset, cut or padded to one hit and peak-normalised. No LibTorch here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "latentjam/base/result.hpp"

namespace latentjam::train {

struct Hit {
  std::string name;   // the file's path relative to the folder
  std::string group;  // its sub-folder ("" at the top)
  std::vector<float> samples;
};

struct FolderReport {
  std::vector<Hit> hits;             // sorted by name: the same folder gives the same order
  std::vector<std::string> skipped;  // "name: reason" for files that could not be used
};

// Fails when the folder is missing or unreadable, or when fewer than two usable sounds are in it.
Result<FolderReport> read_sound_folder(const std::string& folder, double sample_rate,
                                       std::size_t hit_length);

// Onset: the first sample within 40 dB of the peak, as the realism measure (tools/realism) has it;
// the hit starts 1 ms before it.
std::size_t onset_start(const std::vector<float>& x, double sample_rate);

// More hits from few: each hit again pitched up and down by `semitones` (resampled, so the length
// changes as a real drum tuned higher rings shorter), re-trimmed and re-cut. Keeps order.
std::vector<Hit> augment_pitch(const std::vector<Hit>& hits, double semitones, double sample_rate,
                               std::size_t hit_length);

}  // namespace latentjam::train
