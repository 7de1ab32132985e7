// Everything the audio callback does: the transport, the loop player (quantised equal-power
// crossfades), the one-shot sampler and the master bus. Other threads talk to it only through
// post(); it hands finished sounds back through a ring that collect_garbage() drains. process()
// never locks, allocates, frees, logs or waits.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>

#include "latentjam/engine/sound.hpp"
#include "latentjam/engine/spsc_ring.hpp"

namespace latentjam::engine {

struct AudioMessage {
  enum class Kind : std::uint8_t { SetSound, Trigger, Tempo, Quantize, VoiceGain, Play, Stop };
  Kind kind = Kind::Trigger;
  int voice = 0;
  float value = 0.0f;      // velocity, bpm, beats or gain
  Sound* sound = nullptr;  // SetSound: ownership passes to the mixer
  // Trigger: the sound the sender expects to hear. When it is still being decoded the trigger
  // waits for it, so "/jam/random kick" then "/jam/trigger kick" plays the new kick.
  std::uint64_t sound_id = 0;
};

class Mixer {
 public:
  static constexpr int kMaxVoices = 16;
  static constexpr int kMaxPlaying = 32;  // one-shot polyphony across voices

  Mixer(double sample_rate, double tempo_bpm, double quantize_beats);
  ~Mixer();
  Mixer(const Mixer&) = delete;
  Mixer& operator=(const Mixer&) = delete;

  // Any thread but the audio thread. False when the queue is full (the message is not taken; for
  // SetSound the caller still owns the sound).
  bool post(const AudioMessage& message);
  // Frees sounds the audio thread has finished with. Call periodically off the audio thread.
  std::size_t collect_garbage();

  // The audio thread: renders `frames` frames of interleaved audio into `out`.
  void process(float* out, int frames, int channels);

  double sample_rate() const { return sample_rate_; }
  double tempo() const { return tempo_published_.load(std::memory_order_relaxed); }
  double beat() const { return beat_published_.load(std::memory_order_relaxed); }
  std::uint64_t sounds_swapped() const { return swaps_.load(std::memory_order_relaxed); }
  std::uint64_t triggers_played() const { return triggers_.load(std::memory_order_relaxed); }
  std::uint64_t voices_stolen() const { return stolen_.load(std::memory_order_relaxed); }

 private:
  struct Voice {
    Sound* current = nullptr;
    Sound* pending = nullptr;  // loops: waits for the next quantum boundary
    Sound* fading = nullptr;   // loops: the previous loop during a crossfade
    double position = 0.0;     // loops: read position in `current`
    double fading_position = 0.0;
    int fade_done = 0;  // samples of the crossfade already played
    float gain = 1.0f;
    std::uint64_t armed_id = 0;  // a trigger waiting for this sound (0: none)
    float armed_velocity = 0.0f;
  };
  struct Playing {
    Sound* sound = nullptr;
    std::size_t position = 0;
    float gain = 0.0f;
    std::uint64_t started = 0;
  };

  void handle(const AudioMessage& message);
  void set_sound(Voice& voice, Sound* sound);
  void trigger(int voice, float velocity, std::uint64_t sound_id);
  void start_hit(Voice& voice, float velocity);
  void release(Sound* sound);  // drops one reference the audio thread held
  void retire(Sound* sound);
  void render_loops(float* mono, int frames);
  void render_one_shots(float* mono, int frames);
  void start_crossfade(Voice& voice, double boundary_beat);
  float limit(float x);

  const double sample_rate_;
  const int crossfade_samples_;
  double tempo_;
  double quantize_;
  double beat_ = 0.0;
  bool playing_ = true;      // loops run; /jam/stop mutes them, /jam/play restarts from beat 0
  std::uint64_t clock_ = 0;  // samples since start
  float limiter_gain_ = 1.0f;
  std::array<Voice, kMaxVoices> voices_{};
  std::array<Playing, kMaxPlaying> playing_sounds_{};
  std::unique_ptr<float[]> scratch_;
  static constexpr int kScratchFrames = 8192;

  struct Queue;
  std::unique_ptr<Queue> inbox_;
  SpscRing<Sound*> retired_{4096};

  std::atomic<double> tempo_published_;
  std::atomic<double> beat_published_{0.0};
  std::atomic<std::uint64_t> swaps_{0}, triggers_{0}, stolen_{0};
};

}  // namespace latentjam::engine
