#include "latentjam/engine/link_clock.hpp"

#include <ableton/Link.hpp>
#include <ableton/link/HostTimeFilter.hpp>
#include <algorithm>
#include <cmath>

namespace latentjam::engine {
namespace {

// Link clamps tempos to this range itself; clamping here makes tempo() report what was set.
constexpr double kMinBpm = 20.0, kMaxBpm = 999.0;

// Shared by the app and the audio path: both session-state kinds have the same interface.
LinkClock::Position locate(const ableton::Link::SessionState& state,
                           std::chrono::microseconds host_time, std::uint32_t frames,
                           double sample_rate, double quantum) {
  LinkClock::Position p;
  p.tempo = state.tempo();
  if (!(quantum > 0.0)) quantum = 1.0;  // Link needs a positive quantum; 0 means "every beat"
  p.beat = state.beatAtTime(host_time, quantum);
  p.phase = state.phaseAtTime(host_time, quantum);
  if (frames == 0 || !(sample_rate > 0.0)) return p;

  // The next quantum boundary at or after the first sample is `quantum - phase` beats ahead.
  // Asking Link for its time, rather than stepping through the buffer sample by sample and
  // watching the phase wrap, costs two calls instead of `frames`, and gives the same answer: the
  // first sample whose time is at or after the boundary.
  const double boundary_beat = p.phase == 0.0 ? p.beat : p.beat + (quantum - p.phase);
  const auto boundary_time = state.timeAtBeat(boundary_beat, quantum);
  const double ahead_us = static_cast<double>((boundary_time - host_time).count());
  // timeAtBeat() rounds to a microsecond, so a boundary a hair before the first sample can come
  // back as "1 us ago": that is this buffer's sample 0.
  const auto offset = std::max<std::int64_t>(
      0, static_cast<std::int64_t>(std::ceil(ahead_us * sample_rate * 1e-6)));
  if (offset < static_cast<std::int64_t>(frames)) p.boundary_offset = offset;
  return p;
}

}  // namespace

struct LinkClock::Impl {
  explicit Impl(double bpm) : link(bpm) {}
  ableton::Link link;
  // Reserves its 512 points up front, so the audio thread never allocates in it.
  ableton::link::HostTimeFilter<ableton::link::platform::Clock> host_time_filter;
};

LinkClock::LinkClock(double bpm)
    : impl_(std::make_unique<Impl>(std::clamp(bpm, kMinBpm, kMaxBpm))) {}

LinkClock::~LinkClock() {
  // Leave the session politely (peers drop us at once instead of timing out).
  impl_->link.enable(false);
}

void LinkClock::enable(bool on) {
  impl_->link.enable(on);
}

bool LinkClock::enabled() const {
  return impl_->link.isEnabled();
}

std::size_t LinkClock::peers() const {
  return impl_->link.numPeers();
}

double LinkClock::tempo() const {
  return impl_->link.captureAppSessionState().tempo();
}

void LinkClock::set_tempo(double bpm) {
  auto state = impl_->link.captureAppSessionState();
  state.setTempo(std::clamp(bpm, kMinBpm, kMaxBpm), impl_->link.clock().micros());
  impl_->link.commitAppSessionState(state);
}

std::chrono::microseconds LinkClock::now() const {
  return impl_->link.clock().micros();
}

LinkClock::Position LinkClock::position(std::chrono::microseconds host_time, std::uint32_t frames,
                                        double sample_rate, double quantum) const {
  return locate(impl_->link.captureAppSessionState(), host_time, frames, sample_rate, quantum);
}

LinkClock::Position LinkClock::audio_position(std::chrono::microseconds host_time,
                                              std::uint32_t frames, double sample_rate,
                                              double quantum) const {
  return locate(impl_->link.captureAudioSessionState(), host_time, frames, sample_rate, quantum);
}

std::chrono::microseconds LinkClock::audio_host_time(double sample_time) {
  return impl_->host_time_filter.sampleTimeToHostTime(sample_time);
}

void LinkClock::audio_reset_host_time() {
  impl_->host_time_filter.reset();
}

}  // namespace latentjam::engine
