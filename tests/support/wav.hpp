// Reads a WAV file into mono floats for assertions about what was played.
#pragma once

#include <sndfile.h>

#include <string>
#include <vector>

namespace latentjam::testing {

struct Wav {
  int sample_rate = 0;
  int channels = 0;
  std::vector<float> mono;  // first channel
};

inline bool read_wav(const std::string& path, Wav& out) {
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  if (!f) return false;
  std::vector<float> interleaved(static_cast<std::size_t>(info.frames * info.channels));
  sf_readf_float(f, interleaved.data(), info.frames);
  sf_close(f);
  out.sample_rate = info.samplerate;
  out.channels = info.channels;
  out.mono.resize(static_cast<std::size_t>(info.frames));
  for (sf_count_t i = 0; i < info.frames; ++i)
    out.mono[static_cast<std::size_t>(i)] =
        interleaved[static_cast<std::size_t>(i * info.channels)];
  return true;
}

}  // namespace latentjam::testing
