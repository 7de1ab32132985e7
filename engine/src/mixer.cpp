#include "latentjam/engine/mixer.hpp"

#include <concurrentqueue/concurrentqueue.h>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace latentjam::engine {

struct Mixer::Queue {
  // Preallocated so that neither side allocates in steady state; the audio thread only dequeues,
  // which never allocates.
  moodycamel::ConcurrentQueue<AudioMessage> messages{4096};
};

namespace {
constexpr float kLimiterThreshold = 0.891f;   // -1 dBFS
constexpr int kMaxMessagesPerCallback = 256;  // bounds the callback's work on a burst
}  // namespace

Mixer::Mixer(double sample_rate, double tempo_bpm, double quantize_beats)
    : sample_rate_(sample_rate),
      crossfade_samples_(std::max(1, static_cast<int>(sample_rate * 0.010))),  // 10 ms
      tempo_(tempo_bpm),
      quantize_(quantize_beats),
      scratch_(new float[kScratchFrames]),
      inbox_(std::make_unique<Queue>()),
      tempo_published_(tempo_bpm) {}

Mixer::~Mixer() {
  // Whatever the audio thread still holds is freed here, after the stream has stopped.
  AudioMessage m;
  while (inbox_->messages.try_dequeue(m)) delete m.sound;
  collect_garbage();
  for (auto& p : playing_sounds_)
    if (p.sound) p.sound->plays--;
  for (auto& v : voices_) {
    for (Sound* s : {v.current, v.pending, v.fading}) delete s;
  }
  // One-shot sounds superseded but still playing at shutdown.
  for (auto& p : playing_sounds_) {
    if (p.sound && p.sound->superseded && p.sound->plays == 0) {
      delete p.sound;
      for (auto& q : playing_sounds_)
        if (q.sound == p.sound && &q != &p) q.sound = nullptr;
      p.sound = nullptr;
    }
  }
}

bool Mixer::post(const AudioMessage& message) {
  return inbox_->messages.try_enqueue(message);
}

std::size_t Mixer::collect_garbage() {
  std::size_t freed = 0;
  Sound* s = nullptr;
  while (retired_.pop(s)) {
    delete s;
    ++freed;
  }
  return freed;
}

void Mixer::retire(Sound* sound) {
  if (!sound) return;
  // The ring is sized far beyond what a callback can produce between two collections; should it
  // ever be full the sound leaks rather than being freed on the audio thread.
  retired_.push(sound);
}

void Mixer::release(Sound* sound) {
  if (--sound->plays == 0 && sound->superseded) retire(sound);
}

void Mixer::set_sound(Voice& v, Sound* sound) {
  swaps_.fetch_add(1, std::memory_order_relaxed);
  if (sound->loop_beats > 0.0) {
    if (!v.current) {
      // Nothing playing: start at once, phase-locked to the transport.
      v.current = sound;
      double samples_per_beat = sample_rate_ * 60.0 / tempo_;
      double into = std::fmod(beat_, sound->loop_beats) * samples_per_beat;
      v.position = sound->samples.empty() ? 0.0 : std::fmod(into, double(sound->samples.size()));
      return;
    }
    retire(v.pending);  // latest wins: a loop that never started is dropped
    v.pending = sound;
    return;
  }
  if (v.current) {
    v.current->superseded = true;
    if (v.current->plays == 0) retire(v.current);
  }
  v.current = sound;
  if (v.armed_id != 0 && sound->id >= v.armed_id) {
    v.armed_id = 0;
    start_hit(v, v.armed_velocity);
  }
}

void Mixer::trigger(int voice, float velocity, std::uint64_t sound_id) {
  Voice& v = voices_[static_cast<std::size_t>(voice)];
  if (v.current && v.current->loop_beats > 0.0) {
    v.gain = velocity;  // for a loop, a trigger sets its level
    return;
  }
  if (!v.current || v.current->id < sound_id) {
    v.armed_id = sound_id;
    v.armed_velocity = velocity;
    return;
  }
  start_hit(v, velocity);
}

void Mixer::start_hit(Voice& v, float velocity) {
  if (!v.current || v.current->samples.empty()) return;
  Playing* slot = nullptr;
  for (auto& p : playing_sounds_)
    if (!p.sound) {
      slot = &p;
      break;
    }
  if (!slot) {  // steal the oldest hit
    slot = &*std::min_element(
        playing_sounds_.begin(), playing_sounds_.end(),
        [](const Playing& a, const Playing& b) { return a.started < b.started; });
    release(slot->sound);
    stolen_.fetch_add(1, std::memory_order_relaxed);
  }
  v.current->plays++;
  *slot = Playing{v.current, 0, velocity * v.gain, clock_};
  triggers_.fetch_add(1, std::memory_order_relaxed);
}

void Mixer::handle(const AudioMessage& m) {
  if (m.voice < 0 || m.voice >= kMaxVoices) {
    retire(m.sound);
    return;
  }
  switch (m.kind) {
    case AudioMessage::Kind::SetSound:
      set_sound(voices_[static_cast<std::size_t>(m.voice)], m.sound);
      break;
    case AudioMessage::Kind::Trigger:
      trigger(m.voice, m.value, m.sound_id);
      break;
    case AudioMessage::Kind::Tempo:
      tempo_ = m.value;
      tempo_published_.store(tempo_, std::memory_order_relaxed);
      break;
    case AudioMessage::Kind::Quantize:
      quantize_ = m.value;
      break;
    case AudioMessage::Kind::VoiceGain:
      voices_[static_cast<std::size_t>(m.voice)].gain = m.value;
      break;
    case AudioMessage::Kind::Play:
      playing_ = true;
      beat_ = 0.0;
      for (auto& v : voices_) v.position = 0.0;
      break;
    case AudioMessage::Kind::Stop:
      playing_ = false;
      for (auto& p : playing_sounds_)
        if (p.sound) {
          release(p.sound);
          p.sound = nullptr;
        }
      break;
  }
}

void Mixer::start_crossfade(Voice& v, double beat_now) {
  retire(v.fading);
  v.fading = v.current;
  v.fading_position = v.position;
  v.current = v.pending;
  v.pending = nullptr;
  v.fade_done = 0;
  double samples_per_beat = sample_rate_ * 60.0 / tempo_;
  double into = std::fmod(beat_now, v.current->loop_beats) * samples_per_beat;
  v.position = v.current->samples.empty()
                   ? 0.0
                   : std::fmod(std::round(into), double(v.current->samples.size()));
}

void Mixer::render_loops(float* mono, int frames) {
  const double beats_per_sample = tempo_ / (60.0 * sample_rate_);
  for (auto& v : voices_) {
    if (!v.current || v.current->loop_beats <= 0.0) continue;
    // The first sample at or after the next quantum boundary, if it falls in this buffer.
    int swap_at = -1;
    double boundary = beat_;
    if (v.pending) {
      if (quantize_ <= 0.0) {
        swap_at = 0;
      } else {
        boundary = std::ceil(beat_ / quantize_ - 1e-9) * quantize_;
        double offset = std::ceil((boundary - beat_) / beats_per_sample - 1e-6);
        if (offset < frames) swap_at = static_cast<int>(std::max(0.0, offset));
      }
    }
    for (int i = 0; i < frames; ++i) {
      if (i == swap_at) start_crossfade(v, boundary);
      const auto& cur = v.current->samples;
      float x = cur.empty() ? 0.0f : cur[static_cast<std::size_t>(v.position)];
      if (!cur.empty() && ++v.position >= double(cur.size())) v.position = 0.0;
      if (v.fading) {
        const auto& old = v.fading->samples;
        float t = float(v.fade_done) / float(crossfade_samples_);
        float y = old.empty() ? 0.0f : old[static_cast<std::size_t>(v.fading_position)];
        if (!old.empty() && ++v.fading_position >= double(old.size())) v.fading_position = 0.0;
        x = x * std::sin(t * std::numbers::pi_v<float> * 0.5f) +
            y * std::cos(t * std::numbers::pi_v<float> * 0.5f);
        if (++v.fade_done >= crossfade_samples_) {
          retire(v.fading);
          v.fading = nullptr;
        }
      }
      mono[i] += x * v.gain;
    }
  }
}

void Mixer::render_one_shots(float* mono, int frames) {
  for (auto& p : playing_sounds_) {
    if (!p.sound) continue;
    const auto& s = p.sound->samples;
    std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(frames), s.size() - p.position);
    for (std::size_t i = 0; i < n; ++i) mono[i] += s[p.position + i] * p.gain;
    p.position += n;
    if (p.position >= s.size()) {
      release(p.sound);
      p.sound = nullptr;
    }
  }
}

float Mixer::limit(float x) {
  // Instant attack, ~50 ms release: nothing leaves the master above -1 dBFS.
  const float release = 1.0f - std::exp(-1.0f / (0.05f * float(sample_rate_)));
  float peak = std::fabs(x);
  if (peak * limiter_gain_ > kLimiterThreshold) limiter_gain_ = kLimiterThreshold / peak;
  float y = x * limiter_gain_;
  limiter_gain_ += (1.0f - limiter_gain_) * release;
  return std::clamp(y, -1.0f, 1.0f);
}

void Mixer::process(float* out, int frames, int channels) {
  AudioMessage m;
  for (int i = 0; i < kMaxMessagesPerCallback && inbox_->messages.try_dequeue(m); ++i) handle(m);

  for (int done = 0; done < frames;) {
    const int n = std::min(frames - done, kScratchFrames);
    float* mono = scratch_.get();
    std::fill(mono, mono + n, 0.0f);
    if (playing_) render_loops(mono, n);
    render_one_shots(mono, n);
    float* o = out + static_cast<std::ptrdiff_t>(done) * channels;
    for (int i = 0; i < n; ++i) {
      float y = limit(mono[i]);
      for (int c = 0; c < channels; ++c) o[i * channels + c] = y;
    }
    clock_ += static_cast<std::uint64_t>(n);
    beat_ += n * tempo_ / (60.0 * sample_rate_);
    done += n;
  }
  beat_published_.store(beat_, std::memory_order_relaxed);
}

}  // namespace latentjam::engine
