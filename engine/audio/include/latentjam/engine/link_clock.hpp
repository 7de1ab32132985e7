// Tempo and beat phase shared with other apps over Ableton Link (Debian's header-only
// ableton-link-dev). A thin wrapper so only link_clock.cpp includes Link and its asio.
//
// Time is Link's host clock (microseconds, CLOCK_MONOTONIC_RAW on Linux: now()). Beats are Link
// beats; a "quantum" is the length in beats of the unit peers align on (4 = one bar of 4/4): two
// peers with the same quantum agree on where bars begin, whatever their beat counts.
//
// Threads:
//   - enable(), tempo(), set_tempo(), now() and position() may be called from any thread except the
//     audio thread (they use Link's app session state, which may lock).
//   - enabled() and peers() read atomics: any thread, the audio thread included.
//   - audio_position(), audio_host_time() and audio_reset_host_time() are for the audio thread
//     only, and from ONE audio thread: they use Link's audio session state
//     (captureAudioSessionState: a triple-buffer read and clock_gettime, no lock, no allocation)
//     and a host-time filter (storage reserved at construction), which are not thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace latentjam::engine {

class LinkClock {
 public:
  // Where the transport is at the first sample of a buffer.
  struct Position {
    double tempo = 0.0;  // bpm
    double beat = 0.0;   // Link beat at the first sample (negative before the session's beat 0)
    double phase = 0.0;  // beat within the quantum, 0 <= phase < quantum
    // Index of the first sample at or after which a new quantum (bar) begins, in 0..frames-1;
    // -1 when no quantum boundary falls inside this buffer.
    std::int64_t boundary_offset = -1;
  };

  // Link is disabled until enable(true): a daemon does not talk on the network unless asked.
  explicit LinkClock(double bpm = 120.0);
  ~LinkClock();
  LinkClock(const LinkClock&) = delete;
  LinkClock& operator=(const LinkClock&) = delete;

  void enable(bool on);
  bool enabled() const;
  std::size_t peers() const;  // other Link apps in the session

  double tempo() const;
  // Sets the session tempo now (every peer follows). bpm is clamped to Link's 20..999.
  void set_tempo(double bpm);

  std::chrono::microseconds now() const;  // Link's host clock

  // Transport at `host_time` for a buffer of `frames` samples at `sample_rate`, starting at that
  // host time (pass the time the buffer's first sample is heard: callback time + output latency).
  // Not for the audio thread.
  Position position(std::chrono::microseconds host_time, std::uint32_t frames, double sample_rate,
                    double quantum) const;
  // The same, for the audio thread: no lock, no allocation.
  Position audio_position(std::chrono::microseconds host_time, std::uint32_t frames,
                          double sample_rate, double quantum) const;

  // Audio thread: the host time at which the buffer starting at `sample_time` (frames played since
  // the stream started) is being rendered, without the callback's scheduling jitter. Call once per
  // callback; it fits a line through the last 512 (sample time, clock) pairs (Link's
  // HostTimeFilter, no allocation after construction). Add the output latency to get the time the
  // first sample is heard, and pass that to audio_position().
  std::chrono::microseconds audio_host_time(double sample_time);
  // Audio thread: forgets the filter's points (no deallocation), for a sample time that starts
  // again or jumps (a new stream, a mixer that starts following this clock).
  void audio_reset_host_time();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace latentjam::engine
