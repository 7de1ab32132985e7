// A rendered sound on its way to, or inside, the audio thread.
#pragma once

#include <cstdint>
#include <vector>

namespace latentjam::engine {

struct Sound {
  std::uint64_t id = 0;
  int voice = 0;
  double loop_beats = 0.0;     // > 0: a loop of that many beats, played by the loop player
  std::vector<float> samples;  // mono, at the engine's sample rate; never resized once posted

  // Audio-thread bookkeeping: a sound is retired (freed elsewhere) once it is no longer the voice's
  // sound and nothing is playing it.
  int plays = 0;
  bool superseded = false;
};

}  // namespace latentjam::engine
