// Everything the audio callback does: the transport, the loop player (quantised equal-power
// crossfades), the one-shot sampler and the master bus. Other threads talk to it only through
// post(); it hands finished sounds back through a ring that collect_garbage() drains. process()
// never locks, allocates, frees, logs or waits.
//
// The transport runs on the mixer's own clock (beats counted in samples at the tempo of the last
// Tempo message) unless the mixer follows an enabled LinkClock: then every buffer takes its tempo,
// beat and bar boundary from the shared Link timeline (docs/transport.md).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include "latentjam/engine/ramp.hpp"
#include "latentjam/engine/sound.hpp"
#include "latentjam/engine/spsc_ring.hpp"

namespace latentjam::engine {

struct AudioMessage {
  enum class Kind : std::uint8_t {
    SetSound,
    Trigger,
    Tempo,
    Quantize,
    VoiceGain,
    Choke,
    Morph,
    Play,
    Stop
  };
  Kind kind = Kind::Trigger;
  int voice = 0;
  float value = 0.0f;      // velocity, bpm, beats or gain
  Sound* sound = nullptr;  // SetSound: ownership passes to the mixer
  // Trigger: the sound the sender expects to hear. When it is still being decoded the trigger
  // waits for it, so "/jam/random kick" then "/jam/trigger kick" plays the new kick.
  std::uint64_t sound_id = 0;
  // Trigger: when the command that asked for it arrived (steady clock, ns; 0: not measured), for
  // the hit latency the mixer records.
  std::int64_t received_ns = 0;
};

// Arrival-to-sound latencies of hits (the first sample of a hit is the first sample of the block
// that starts it): a histogram in 0.1 ms steps the audio thread fills with relaxed atomics.
struct HitLatency {
  std::uint64_t count = 0;
  double p50_ms = 0.0, p99_ms = 0.0, max_ms = 0.0;
};

class LinkClock;

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
  // The fast lane for drum hits: any number of threads (OSC, MIDI, browsers) at once, lock-free,
  // so a hit never waits behind the conductor's work. Trigger messages only; false when full.
  bool post_hit(const AudioMessage& trigger);
  // The latencies of the hits played so far. Any thread; reset_hit_latency() starts again.
  HitLatency hit_latency() const;
  void reset_hit_latency();
  // Frees sounds the audio thread has finished with. Call periodically off the audio thread.
  std::size_t collect_garbage();

  // Follow an external clock (nullptr: the mixer's own clock again). Any thread, at any time; the
  // audio thread picks it up at its next callback. The clock must outlive the mixer, or the mixer
  // must be told follow(nullptr) and have run one callback since (or the stream be stopped) before
  // the clock is destroyed. While `clock` is enabled, each process() asks it for the host time of
  // the buffer (LinkClock::audio_host_time(samples rendered so far), plus `output_latency`: pass
  // the device's output latency so that the bar is heard, not computed, on the shared beat) and
  // takes tempo, beat and the bar boundary from LinkClock::audio_position(). While it is disabled
  // the mixer runs on its own clock, continuing from the last Link beat and tempo.
  // Tempo messages set the own clock's tempo only: with Link on, set the session tempo with
  // LinkClock::set_tempo() from a non-audio thread (Link's app API locks).
  void follow(LinkClock* clock,
              std::chrono::microseconds output_latency = std::chrono::microseconds{0});

  // The audio thread: renders `frames` frames of interleaved audio into `out`.
  void process(float* out, int frames, int channels);
  // The same, with the host time (Link's clock) at which the buffer's first sample is heard given
  // by the caller instead of taken from the clock's host-time filter: for offline rendering.
  // Without a followed, enabled clock it is process().
  void process_at(float* out, int frames, int channels, std::chrono::microseconds host_time);

  double sample_rate() const { return sample_rate_; }
  // The transport of the last buffer rendered (for /jam/status): tempo and the beat at the end of
  // that buffer, and whether they came from Link.
  double tempo() const { return tempo_published_.load(std::memory_order_relaxed); }
  double beat() const { return beat_published_.load(std::memory_order_relaxed); }
  bool following_link() const { return following_published_.load(std::memory_order_relaxed); }
  // Loops re-aligned to the transport (a Link timeline jump, or drift found on a bar).
  std::uint64_t loops_realigned() const { return realigned_.load(std::memory_order_relaxed); }
  std::uint64_t sounds_swapped() const { return swaps_.load(std::memory_order_relaxed); }
  std::uint64_t triggers_played() const { return triggers_.load(std::memory_order_relaxed); }
  std::uint64_t voices_stolen() const { return stolen_.load(std::memory_order_relaxed); }
  // The sound the voice's latest hit played (0: none yet), so a client can tell what it heard.
  std::uint64_t last_hit(int voice) const {
    return last_hit_[static_cast<std::size_t>(voice)].load(std::memory_order_relaxed);
  }

 private:
  struct Voice {
    Sound* current = nullptr;
    Sound* pending = nullptr;  // loops: waits for the next quantum boundary
    Sound* fading = nullptr;   // loops: the previous loop during a crossfade
    double position = 0.0;     // loops: read position in `current`
    double fading_position = 0.0;
    int fade_done = 0;    // samples of the crossfade already played
    int fade_length = 1;  // samples the current crossfade lasts (short, or a morph of N bars)
    // The fade re-aligns `current` with itself (fading == current): linear, since both sides are
    // the same material, where an equal-power fade would swell by up to 3 dB.
    bool fade_linear = false;
    Ramp gain{1.0f};   // loops: the level the last trigger set
    Ramp level{1.0f};  // the voice's fader on the master (VoiceGain), 0..2
    // This block's values of the two ramps above, at its first and last sample.
    float gain_from = 1.0f, gain_to = 1.0f, level_from = 1.0f, level_to = 1.0f;
    bool choke = false;  // a new hit cuts the voice's ringing hits (closed hat chokes open hat)
    std::uint64_t armed_id = 0;  // a trigger waiting for this sound (0: none)
    float armed_velocity = 0.0f;
    std::int64_t armed_received_ns = 0;
  };
  struct Playing {
    Sound* sound = nullptr;
    std::size_t position = 0;
    float gain = 0.0f;
    std::uint64_t started = 0;
    int voice = 0;
    int choke_left = -1;  // samples left of a choke fade-out; -1: not choked
  };

  void handle(const AudioMessage& message);
  void set_sound(Voice& voice, Sound* sound);
  void trigger(int voice, float velocity, std::uint64_t sound_id, std::int64_t received_ns);
  void start_hit(Voice& voice, float velocity);
  void release(Sound* sound);  // drops one reference the audio thread held
  void retire(Sound* sound);
  // Where the next quantum boundary falls in a block of frames, and its beat.
  struct Bar {
    int offset = -1;        // first sample of the new quantum, -1: none in this block
    double beat = 0.0;      // the boundary's beat
    bool swap_now = false;  // quantum 0: pending loops start at the block's first sample
  };
  void render(float* out, int frames, int channels, LinkClock* link,
              std::chrono::microseconds host_time);
  void render_loops(float* mono, int frames, const Bar& bar);
  void render_one_shots(float* mono, int frames);
  void start_crossfade(Voice& voice, double boundary_beat);
  double loop_position(const Voice& voice, double beat) const;
  void realign(Voice& voice, double beat, bool fade);
  double current_tempo() const { return following_ ? link_tempo_ : tempo_; }
  float limit(float x);

  const double sample_rate_;
  const int crossfade_samples_;
  const float limiter_release_;  // per-sample step of the limiter's ~50 ms release
  double morph_bars_ = 0.0;  // > 0: loop changes morph over this many bars instead of crossfading
  double tempo_;
  double quantize_;
  double beat_ = 0.0;
  bool playing_ = true;  // loops run; /jam/stop mutes them, /jam/play restarts from beat 0
  Ramp loops_on_{1.0f};  // the loops' level: /jam/stop fades them out, /jam/play in
  float loops_from_ = 1.0f, loops_to_ = 1.0f;  // this block's values of loops_on_
  std::uint64_t clock_ = 0;                    // samples since start

  // Link. link_ is written by follow() on any thread; the rest belongs to the audio thread.
  std::atomic<LinkClock*> link_{nullptr};
  std::atomic<std::int64_t> output_latency_us_{0};
  LinkClock* link_seen_ = nullptr;  // the clock whose host-time filter this thread feeds
  bool following_ = false;          // the last block's transport came from Link
  double link_tempo_ = 0.0;         // the tempo of that block
  bool hard_realign_ = false;       // Play while following: loops jump to the Link phase
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
  std::atomic<bool> following_published_{false};
  std::atomic<std::uint64_t> realigned_{0};
  std::atomic<std::uint64_t> swaps_{0}, triggers_{0}, stolen_{0};
  static constexpr int kLatencyBuckets = 2000;  // 0.1 ms each: up to 200 ms, the last one beyond
  std::array<std::atomic<std::uint32_t>, kLatencyBuckets> latency_buckets_{};
  std::atomic<std::int64_t> latency_max_ns_{0};
  std::array<std::atomic<std::uint64_t>, kMaxVoices> last_hit_{};
  std::int64_t block_start_ns_ = 0;  // steady clock at the start of the block being rendered
  void record_latency(std::int64_t received_ns);
};

}  // namespace latentjam::engine
