#include "latentjam/models/time_stretch.hpp"

#include <rubberband/RubberBandStretcher.h>

#include <algorithm>

namespace latentjam::models {

AudioBuffer stretch_to_length(std::span<const float> input, std::size_t length,
                              double sample_rate) {
  if (input.empty() || length == 0) return AudioBuffer(length, 0.0f);
  if (input.size() == length) return AudioBuffer(input.begin(), input.end());
  using RB = RubberBand::RubberBandStretcher;
  RB stretcher(static_cast<std::size_t>(sample_rate), 1,
               RB::OptionProcessOffline | RB::OptionEngineFiner | RB::OptionWindowShort,
               double(length) / double(input.size()));
  stretcher.setExpectedInputDuration(input.size());
  constexpr std::size_t kBlock = 1024;
  stretcher.setMaxProcessSize(kBlock);
  // Offline: the whole loop is studied first, which gives the best transients (drums), then fed
  // in blocks, taking out what is ready after each (its output buffers are bounded).
  for (std::size_t at = 0; at < input.size(); at += kBlock) {
    const float* block[1] = {input.data() + at};
    const std::size_t n = std::min(kBlock, input.size() - at);
    stretcher.study(block, n, at + n == input.size());
  }
  AudioBuffer out;
  out.reserve(length + 2048);
  std::vector<float> chunk(4096);
  auto drain = [&] {
    int available;
    while ((available = stretcher.available()) > 0) {
      float* into[1] = {chunk.data()};
      const std::size_t got = stretcher.retrieve(
          into, std::min<std::size_t>(chunk.size(), static_cast<std::size_t>(available)));
      out.insert(out.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(got));
    }
  };
  for (std::size_t at = 0; at < input.size(); at += kBlock) {
    const float* block[1] = {input.data() + at};
    const std::size_t n = std::min(kBlock, input.size() - at);
    stretcher.process(block, n, at + n == input.size());
    drain();
  }
  drain();
  out.resize(length, 0.0f);  // Rubber Band lands within a few samples of the target
  return out;
}

}  // namespace latentjam::models
