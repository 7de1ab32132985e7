// Making decoded audio safe to play: what every decoder's output goes through before the engine
// gets it, and what the engine may apply again after its own processing.
#pragma once

#include "latentjam/base/result.hpp"
#include "latentjam/models/decoder.hpp"

namespace latentjam::models {

struct PostProcessOptions {
  double sample_rate = 48000.0;
  float peak = 0.8912509f;  // -1 dBFS: headroom for the master bus and inter-sample peaks
  // One-shots: a high-pass and short fades; loops: only the mean is removed, because a filter or a
  // fade would put a click at the point where the loop wraps around.
  bool loop = false;
  double highpass_hz = 20.0;
  double fade_in_ms = 0.3;    // short: it must not soften the attack
  double fade_out_ms = 10.0;  // long enough that the cut is inaudible
  // One-shots are trimmed after the last sample above this level relative to the peak (plus the
  // fade), then cut to max_seconds at most.
  float trim_below_db = -70.0f;
  double max_seconds = 1.5;
};

// All of the steps below, in order. Fails (leaving `audio` in an unspecified state) when the audio
// is empty, contains NaN or infinity, or is silent.
Status post_process(AudioBuffer& audio, const PostProcessOptions& options);

// The steps, for callers that need only some of them.
bool all_finite(const AudioBuffer& audio);
void highpass(AudioBuffer& audio, double cutoff_hz, double sample_rate);  // first order
void remove_mean(AudioBuffer& audio);
void trim_tail(AudioBuffer& audio, float below_db, std::size_t keep_after, std::size_t max_samples);
void fade_edges(AudioBuffer& audio, std::size_t fade_in, std::size_t fade_out);  // ends at exact 0
float peak_of(const AudioBuffer& audio);
void normalise_peak(AudioBuffer& audio, float peak);  // no-op on silence

}  // namespace latentjam::models
