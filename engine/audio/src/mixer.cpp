#include "latentjam/engine/mixer.hpp"

#include <concurrentqueue/concurrentqueue.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "latentjam/engine/link_clock.hpp"
#include "latentjam/models/flush_denormals.hpp"

namespace latentjam::engine {

struct Mixer::Queue {
  // Preallocated so that neither side allocates in steady state; the audio thread only dequeues,
  // which never allocates.
  moodycamel::ConcurrentQueue<AudioMessage> messages{4096};
  // The fast lane: hits from the input threads, each its own producer.
  moodycamel::ConcurrentQueue<AudioMessage> hits{1024};
};

namespace {
constexpr int kChokeSamples = 240;  // 5 ms at 48 kHz: fast enough to read as a choke, no click
// Faders, loop levels, stop and play glide over 5 ms: short enough to feel immediate, long enough
// that no step is heard (tests/engine/mixer_test.cpp checks the largest sample-to-sample step).
constexpr int kRampSamples = 240;
constexpr float kLimiterThreshold = 0.891f;   // -1 dBFS
constexpr int kMaxMessagesPerCallback = 256;  // bounds the callback's work on a burst
// Following Link: a loop whose read position is further than this from where the shared beat puts
// it is re-aligned (at once after a timeline jump, else on the next bar) ...
constexpr double kRealignSeconds = 0.001;
// ... and a block whose Link beat is this far from where the last block left off is a jump.
constexpr double kJumpSeconds = 0.005;
}  // namespace

Mixer::Mixer(double sample_rate, double tempo_bpm, double quantize_beats)
    : sample_rate_(sample_rate),
      crossfade_samples_(std::max(1, static_cast<int>(sample_rate * 0.010))),  // 10 ms
      limiter_release_(1.0f - std::exp(-1.0f / (0.05f * float(sample_rate)))),
      tempo_(tempo_bpm),
      quantize_(quantize_beats),
      scratch_(new float[kScratchFrames]),
      inbox_(std::make_unique<Queue>()),
      tempo_published_(tempo_bpm) {}

Mixer::~Mixer() {
  // After the stream has stopped: every sound still referenced anywhere is freed exactly once
  // (a sound can be a voice's current one and playing in several hit slots at the same time).
  std::vector<Sound*> owned;
  AudioMessage m;
  while (inbox_->messages.try_dequeue(m))
    if (m.sound) owned.push_back(m.sound);
  for (auto& p : playing_sounds_)
    if (p.sound) owned.push_back(p.sound);
  for (auto& v : voices_)
    for (Sound* s : {v.current, v.pending, v.fading})
      if (s) owned.push_back(s);
  std::sort(owned.begin(), owned.end());
  owned.erase(std::unique(owned.begin(), owned.end()), owned.end());
  for (Sound* s : owned) delete s;
  collect_garbage();  // retired sounds are no longer referenced by anything above
}

bool Mixer::post(const AudioMessage& message) {
  return inbox_->messages.try_enqueue(message);
}

bool Mixer::post_hit(const AudioMessage& trigger) {
  if (trigger.kind != AudioMessage::Kind::Trigger) return false;
  return inbox_->hits.try_enqueue(trigger);
}

void Mixer::record_latency(std::int64_t received_ns) {
  if (received_ns <= 0) return;
  const std::int64_t ns = std::max<std::int64_t>(0, block_start_ns_ - received_ns);
  const auto bucket =
      static_cast<std::size_t>(std::min<std::int64_t>(ns / 100'000, kLatencyBuckets - 1));
  latency_buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  std::int64_t seen = latency_max_ns_.load(std::memory_order_relaxed);
  while (ns > seen && !latency_max_ns_.compare_exchange_weak(seen, ns, std::memory_order_relaxed)) {
  }
}

HitLatency Mixer::hit_latency() const {
  HitLatency out;
  std::array<std::uint32_t, kLatencyBuckets> counts;
  for (int i = 0; i < kLatencyBuckets; ++i) {
    counts[static_cast<std::size_t>(i)] =
        latency_buckets_[static_cast<std::size_t>(i)].load(std::memory_order_relaxed);
    out.count += counts[static_cast<std::size_t>(i)];
  }
  if (out.count == 0) return out;
  const auto at = [&](double q) {  // the upper edge of the bucket holding the q-quantile
    const auto rank = static_cast<std::uint64_t>(std::ceil(q * double(out.count)));
    std::uint64_t seen = 0;
    for (int i = 0; i < kLatencyBuckets; ++i)
      if ((seen += counts[static_cast<std::size_t>(i)]) >= std::max<std::uint64_t>(rank, 1))
        return 0.1 * (i + 1);
    return 0.1 * kLatencyBuckets;
  };
  out.p50_ms = at(0.50);
  out.p99_ms = at(0.99);
  out.max_ms = double(latency_max_ns_.load(std::memory_order_relaxed)) / 1e6;
  return out;
}

void Mixer::reset_hit_latency() {
  for (auto& b : latency_buckets_) b.store(0, std::memory_order_relaxed);
  latency_max_ns_.store(0, std::memory_order_relaxed);
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
  // The render workers post from several threads, and the queue keeps order only per producer:
  // a sound decoded earlier can arrive after a newer one of its voice. It must not replace it
  // (a hit waiting for the newer sound would then wait for good).
  const Sound* newest = v.pending ? v.pending : v.current;
  if (newest && sound->id < newest->id) {
    retire(sound);
    return;
  }
  swaps_.fetch_add(1, std::memory_order_relaxed);
  if (sound->loop_beats > 0.0) {
    if (!v.current) {
      // Nothing playing: start at once, phase-locked to the transport.
      v.current = sound;
      double samples_per_beat = sample_rate_ * 60.0 / current_tempo();
      double beat = std::fmod(beat_, sound->loop_beats);
      if (beat < 0.0) beat += sound->loop_beats;  // a Link beat before the session's beat 0
      double into = beat * samples_per_beat;
      v.position = sound->samples.empty() ? 0.0 : std::fmod(into, double(sound->samples.size()));
      return;
    }
    retire(v.pending);  // latest wins: a loop that never started is dropped
    v.pending = sound;
    return;
  }
  if (v.fading == v.current) v.fading = nullptr;  // a re-alignment fade of the loop going away
  if (v.current) {
    v.current->superseded = true;
    if (v.current->plays == 0) retire(v.current);
  }
  v.current = sound;
  if (v.armed_id != 0 && sound->id >= v.armed_id) {
    v.armed_id = 0;
    start_hit(v, v.armed_velocity);
    record_latency(v.armed_received_ns);  // the decode it waited for counts: that is what is heard
  }
}

void Mixer::trigger(int voice, float velocity, std::uint64_t sound_id, std::int64_t received_ns) {
  Voice& v = voices_[static_cast<std::size_t>(voice)];
  if (v.current && v.current->loop_beats > 0.0) {
    v.gain.set(velocity, kRampSamples);  // for a loop, a trigger sets its level
    return;
  }
  if (!v.current || v.current->id < sound_id) {
    // Hits that wait for the same decode would all start on its first sample: one hit, as loud as
    // the loudest of them (an accent is not lost), timed from the first (what the player waited).
    if (v.armed_id != 0) {
      v.armed_id = std::max(v.armed_id, sound_id);
      v.armed_velocity = std::max(v.armed_velocity, velocity);
      v.armed_received_ns = std::min(v.armed_received_ns, received_ns);
      return;
    }
    v.armed_id = sound_id;
    v.armed_velocity = velocity;
    v.armed_received_ns = received_ns;
    return;
  }
  start_hit(v, velocity);
  record_latency(received_ns);
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
  if (v.choke) {
    for (auto& p : playing_sounds_)
      if (p.sound && p.voice == v.current->voice && p.choke_left < 0) p.choke_left = kChokeSamples;
  }
  v.current->plays++;
  *slot = Playing{v.current, 0, velocity, clock_, v.current->voice, -1};
  if (v.current->voice >= 0 && v.current->voice < kMaxVoices)
    last_hit_[static_cast<std::size_t>(v.current->voice)].store(v.current->id,
                                                                std::memory_order_relaxed);
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
      trigger(m.voice, m.value, m.sound_id, m.received_ns);
      break;
    case AudioMessage::Kind::Tempo:
      tempo_ = m.value;
      tempo_published_.store(tempo_, std::memory_order_relaxed);
      break;
    case AudioMessage::Kind::Quantize:
      quantize_ = m.value;
      break;
    case AudioMessage::Kind::VoiceGain:
      voices_[static_cast<std::size_t>(m.voice)].level.set(m.value, kRampSamples);
      break;
    case AudioMessage::Kind::Morph:
      morph_bars_ = m.value;
      break;
    case AudioMessage::Kind::Choke:
      voices_[static_cast<std::size_t>(m.voice)].choke = m.value != 0.0f;
      break;
    case AudioMessage::Kind::Play: {
      const bool was_heard = playing_;
      playing_ = true;
      loops_on_.set(1.0f, kRampSamples);  // from where a stop's fade had got to
      if (following_) {
        hard_realign_ = true;  // the shared timeline goes on; loops rejoin it where it is
        break;
      }
      beat_ = 0.0;
      // Back to the loops' start: crossfaded from where they are when they were being heard.
      for (auto& v : voices_) {
        if (was_heard && v.current && v.current->loop_beats > 0.0 && !v.current->samples.empty())
          realign(v, 0.0, true);
        else
          v.position = 0.0;
      }
      break;
    }
    case AudioMessage::Kind::Stop:
      // The loops fade out (playing_ goes false at the end of the fade), ringing hits are choked.
      loops_on_.set(0.0f, kRampSamples);
      for (auto& p : playing_sounds_)
        if (p.sound && p.choke_left < 0) p.choke_left = kChokeSamples;
      break;
  }
}

// The read position in the voice's loop at `beat`: the loop's phase is the beat modulo its length.
double Mixer::loop_position(const Voice& v, double beat) const {
  const auto& s = v.current->samples;
  if (s.empty()) return 0.0;
  double phase = std::fmod(beat, v.current->loop_beats);
  if (phase < 0.0) phase += v.current->loop_beats;
  const double into = phase * sample_rate_ * 60.0 / current_tempo();
  return std::fmod(std::round(into), double(s.size()));
}

void Mixer::start_crossfade(Voice& v, double beat_now) {
  if (v.fading != v.current) retire(v.fading);
  v.fading = v.current;
  v.fading_position = v.position;
  v.current = v.pending;
  v.pending = nullptr;
  v.fade_done = 0;
  v.fade_linear = false;
  // A morph of N bars (of 4 beats, at the tempo now) or the short equal-power crossfade.
  v.fade_length =
      morph_bars_ > 0.0
          ? std::max(1, static_cast<int>(morph_bars_ * 4.0 * 60.0 / current_tempo() * sample_rate_))
          : crossfade_samples_;
  v.position = loop_position(v, beat_now);
}

// Following Link: puts the loop back where `beat` says it is, when it is more than
// kRealignSeconds away, with a linear crossfade from where it was (or at once: `fade` false).
void Mixer::realign(Voice& v, double beat, bool fade) {
  const double target = loop_position(v, beat);
  const double size = double(v.current->samples.size());
  double off = std::fabs(target - v.position);
  off = std::min(off, size - off);
  if (fade && off <= kRealignSeconds * sample_rate_) return;
  if (fade && !v.fading) {
    v.fading = v.current;
    v.fading_position = v.position;
    v.fade_done = 0;
    v.fade_linear = true;
    v.fade_length = crossfade_samples_;
  }
  v.position = target;
  realigned_.fetch_add(1, std::memory_order_relaxed);
}

void Mixer::render_loops(float* mono, int frames, const Bar& bar) {
  for (auto& v : voices_) {
    if (!v.current || v.current->loop_beats <= 0.0) continue;
    // The sample where a pending loop starts (the quantum boundary, if it falls in this block) or,
    // following Link, where the playing loop is checked against the shared beat.
    int at = -1;
    if (v.pending)
      at = bar.swap_now ? 0 : bar.offset;
    else if (following_)
      at = bar.offset;
    for (int i = 0; i < frames; ++i) {
      if (i == at) {
        if (v.pending)
          start_crossfade(v, bar.swap_now ? beat_ : bar.beat);
        else
          realign(v, bar.beat, true);
      }
      const auto& cur = v.current->samples;
      float x = cur.empty() ? 0.0f : cur[static_cast<std::size_t>(v.position)];
      if (!cur.empty() && ++v.position >= double(cur.size())) v.position = 0.0;
      if (v.fading) {
        const auto& old = v.fading->samples;
        float t = float(v.fade_done) / float(v.fade_length);
        float y = old.empty() ? 0.0f : old[static_cast<std::size_t>(v.fading_position)];
        if (!old.empty() && ++v.fading_position >= double(old.size())) v.fading_position = 0.0;
        if (v.fade_linear)
          x = x * t + y * (1.0f - t);
        else
          x = x * std::sin(t * std::numbers::pi_v<float> * 0.5f) +
              y * std::cos(t * std::numbers::pi_v<float> * 0.5f);
        if (++v.fade_done >= v.fade_length) {
          if (v.fading != v.current) retire(v.fading);
          v.fading = nullptr;
          v.fade_linear = false;
        }
      }
      mono[i] += x * ramp_at(v.gain_from, v.gain_to, i, frames) *
                 ramp_at(v.level_from, v.level_to, i, frames) *
                 ramp_at(loops_from_, loops_to_, i, frames);
    }
  }
}

void Mixer::render_one_shots(float* mono, int frames) {
  for (auto& p : playing_sounds_) {
    if (!p.sound) continue;
    const auto& s = p.sound->samples;
    std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(frames), s.size() - p.position);
    const Voice& v = voices_[static_cast<std::size_t>(p.voice)];
    const auto level = [&](std::size_t i) {
      return p.gain * ramp_at(v.level_from, v.level_to, static_cast<int>(i), frames);
    };
    if (p.choke_left < 0) {
      for (std::size_t i = 0; i < n; ++i) mono[i] += s[p.position + i] * level(i);
    } else {  // a short linear fade to silence, then the hit is over
      n = std::min<std::size_t>(n, static_cast<std::size_t>(p.choke_left));
      for (std::size_t i = 0; i < n; ++i)
        mono[i] +=
            s[p.position + i] * level(i) * float(p.choke_left - int(i)) / float(kChokeSamples);
      p.choke_left -= static_cast<int>(n);
    }
    p.position += n;
    if (p.position >= s.size() || p.choke_left == 0) {
      release(p.sound);
      p.sound = nullptr;
    }
  }
}

float Mixer::limit(float x) {
  // Instant attack, ~50 ms release: nothing leaves the master above -1 dBFS.
  float peak = std::fabs(x);
  if (peak * limiter_gain_ > kLimiterThreshold) limiter_gain_ = kLimiterThreshold / peak;
  float y = x * limiter_gain_;
  limiter_gain_ += (1.0f - limiter_gain_) * limiter_release_;
  return std::clamp(y, -1.0f, 1.0f);
}

void Mixer::follow(LinkClock* clock, std::chrono::microseconds output_latency) {
  output_latency_us_.store(output_latency.count(), std::memory_order_relaxed);
  link_.store(clock, std::memory_order_release);
}

void Mixer::process(float* out, int frames, int channels) {
  LinkClock* link = link_.load(std::memory_order_acquire);
  std::chrono::microseconds host_time{0};
  if (link) {
    // Fed on every callback while a clock is set, enabled or not, so that its fit is ready the
    // moment Link is switched on; restarted for a new clock (the sample time is ours, not its).
    if (link != link_seen_) link->audio_reset_host_time();
    link_seen_ = link;
    host_time = link->audio_host_time(static_cast<double>(clock_)) +
                std::chrono::microseconds(output_latency_us_.load(std::memory_order_relaxed));
  } else {
    link_seen_ = nullptr;
  }
  render(out, frames, channels, link, host_time);
}

void Mixer::process_at(float* out, int frames, int channels, std::chrono::microseconds host_time) {
  render(out, frames, channels, link_.load(std::memory_order_acquire), host_time);
}

void Mixer::render(float* out, int frames, int channels, LinkClock* link,
                   std::chrono::microseconds host_time) {
  // Decaying crossfades, ramps and the limiter's release must not fall into denormal floats,
  // where each operation costs ~100 cycles; the caller's mode is restored on return.
  const models::ScopedFlushDenormals flush;
  // clock_gettime through the vDSO: no system call, no lock.
  block_start_ns_ = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::steady_clock::now().time_since_epoch())
                        .count();
  AudioMessage m;
  for (int i = 0; i < kMaxMessagesPerCallback && inbox_->messages.try_dequeue(m); ++i) handle(m);
  // Then the hits of the fast lane: after the conductor's messages, so a new sound posted before
  // a hit is there for it.
  for (int i = 0; i < kMaxMessagesPerCallback && inbox_->hits.try_dequeue(m); ++i) handle(m);

  if (link && !link->enabled()) link = nullptr;
  if (!link && following_) {
    // Link switched off or unfollowed: the own clock goes on from the last Link beat (beat_), at
    // the last Link tempo, so nothing jumps.
    following_ = false;
    tempo_ = link_tempo_;
  }

  for (int done = 0; done < frames;) {
    const int n = std::min(frames - done, kScratchFrames);
    Bar bar;
    if (link) {
      // The quantum boundary and the beat from the shared timeline, at this block's first sample.
      const double quantum = quantize_ > 0.0 ? quantize_ : 1.0;
      const auto at =
          host_time + std::chrono::microseconds(std::llround(double(done) * 1e6 / sample_rate_));
      const auto p = link->audio_position(at, static_cast<std::uint32_t>(n), sample_rate_, quantum);
      const double samples_per_beat = sample_rate_ * 60.0 / p.tempo;
      const bool jumped =
          !following_ || std::fabs(p.beat - beat_) * samples_per_beat > kJumpSeconds * sample_rate_;
      following_ = true;
      link_tempo_ = p.tempo;
      beat_ = p.beat;
      if (jumped || hard_realign_) {
        for (auto& v : voices_)
          if (v.current && v.current->loop_beats > 0.0) realign(v, beat_, !hard_realign_);
        hard_realign_ = false;
      }
      bar.offset = static_cast<int>(p.boundary_offset);
      bar.beat = p.phase == 0.0 ? p.beat : p.beat + (quantum - p.phase);
      bar.swap_now = quantize_ <= 0.0;
    } else if (quantize_ <= 0.0) {
      bar.swap_now = true;
    } else {
      // The first sample at or after the next quantum boundary, if it falls in this block.
      const double beats_per_sample = tempo_ / (60.0 * sample_rate_);
      bar.beat = std::ceil(beat_ / quantize_ - 1e-9) * quantize_;
      const double offset = std::ceil((bar.beat - beat_) / beats_per_sample - 1e-6);
      if (offset < n) bar.offset = static_cast<int>(std::max(0.0, offset));
    }

    float* mono = scratch_.get();
    std::fill(mono, mono + n, 0.0f);
    // This block's stretch of every ramp: each advances once, whoever reads it.
    for (auto& v : voices_) {
      v.gain_from = v.gain.value();
      v.gain_to = v.gain.advance(n);
      v.level_from = v.level.value();
      v.level_to = v.level.advance(n);
    }
    loops_from_ = loops_on_.value();
    loops_to_ = loops_on_.advance(n);
    if (playing_) render_loops(mono, n, bar);
    if (!loops_on_.moving() && loops_on_.value() == 0.0f) playing_ = false;  // a stop's fade ended
    render_one_shots(mono, n);
    float* o = out + static_cast<std::ptrdiff_t>(done) * channels;
    for (int i = 0; i < n; ++i) {
      float y = limit(mono[i]);
      for (int c = 0; c < channels; ++c) o[i * channels + c] = y;
    }
    clock_ += static_cast<std::uint64_t>(n);
    beat_ += n * current_tempo() / (60.0 * sample_rate_);
    done += n;
  }
  beat_published_.store(beat_, std::memory_order_relaxed);
  tempo_published_.store(current_tempo(), std::memory_order_relaxed);
  following_published_.store(following_, std::memory_order_relaxed);
}

}  // namespace latentjam::engine
