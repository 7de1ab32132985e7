// LinkClock: bar boundaries inside a buffer on one clock, then two real Link peers in this process
// discovering each other over the network interfaces, sharing tempo, phase and bar boundaries.
#include "latentjam/engine/link_clock.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <functional>
#include <thread>

using latentjam::engine::LinkClock;
using namespace std::chrono_literals;

namespace {

constexpr double kRate = 48000.0;
constexpr std::uint32_t kFrames = 512;
constexpr double kQuantum = 4.0;

std::chrono::microseconds sample_time(std::chrono::microseconds start, std::int64_t sample) {
  return start +
         std::chrono::microseconds(static_cast<std::int64_t>(std::floor(sample * 1e6 / kRate)));
}

// Polls until the condition holds or the deadline passes: peer discovery and tempo propagation
// happen on Link's own threads and announce nothing we could wait on.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// Distance between two phases on the circle of one quantum.
double phase_distance(double a, double b) {
  double d = std::fmod(std::fabs(a - b), kQuantum);
  return std::min(d, kQuantum - d);
}

// The first buffer at or after `from` that contains a bar boundary for this clock.
std::chrono::microseconds buffer_with_boundary(const LinkClock& clock,
                                               std::chrono::microseconds from) {
  auto start = from;
  for (int i = 0; i < 10000; ++i) {
    if (clock.position(start, kFrames, kRate, kQuantum).boundary_offset >= 0) return start;
    start = sample_time(start, kFrames);
  }
  ADD_FAILURE() << "no bar boundary in 10000 buffers";
  return from;
}

}  // namespace

TEST(LinkClock, TempoIsSetAndClamped) {
  LinkClock clock(120.0);
  EXPECT_FALSE(clock.enabled());
  EXPECT_DOUBLE_EQ(clock.tempo(), 120.0);
  clock.set_tempo(174.0);
  EXPECT_DOUBLE_EQ(clock.tempo(), 174.0);
  clock.set_tempo(5.0);
  EXPECT_DOUBLE_EQ(clock.tempo(), 20.0);
}

TEST(LinkClock, BoundaryIsTheFirstSampleOfTheNextBar) {
  LinkClock clock(128.0);
  const auto start = buffer_with_boundary(clock, clock.now());
  const auto p = clock.position(start, kFrames, kRate, kQuantum);
  ASSERT_GE(p.boundary_offset, 0);
  ASSERT_LT(p.boundary_offset, kFrames);
  EXPECT_DOUBLE_EQ(p.tempo, 128.0);
  // The bar begins between the sample before and the boundary sample: the phase wraps there.
  const double beat_per_sample = 128.0 / 60.0 / kRate;
  const double bar = std::ceil(p.beat / kQuantum) * kQuantum;
  const auto before = clock.position(sample_time(start, p.boundary_offset - 1), 1, kRate, kQuantum);
  const auto at = clock.position(sample_time(start, p.boundary_offset), 1, kRate, kQuantum);
  if (p.boundary_offset > 0) {
    EXPECT_LT(before.beat, bar + beat_per_sample * 0.1);
    EXPECT_GT(before.phase, kQuantum - 2 * beat_per_sample);
  }
  EXPECT_NEAR(at.beat, bar, 2 * beat_per_sample);
  EXPECT_LT(at.phase, 2 * beat_per_sample);
  // The buffer before has none, and the phase at the first sample is the phase of the position.
  EXPECT_EQ(clock
                .position(sample_time(start, -static_cast<std::int64_t>(kFrames)), kFrames, kRate,
                          kQuantum)
                .boundary_offset,
            -1);
  EXPECT_NEAR(p.phase, std::fmod(p.beat, kQuantum) + (p.beat < 0 ? kQuantum : 0.0), 1e-9);
}

TEST(LinkClock, BarsRepeatEveryQuantumAtTheTempo) {
  LinkClock clock(120.0);  // one bar of 4 beats = 2 s = 96000 samples
  const auto first = buffer_with_boundary(clock, clock.now());
  const auto a = clock.position(first, kFrames, kRate, kQuantum);
  // 96000 samples later, in a buffer starting at the same offset before it: same boundary.
  const auto later = sample_time(first, 96000);
  const auto b = clock.position(later, kFrames, kRate, kQuantum);
  EXPECT_NEAR(static_cast<double>(b.boundary_offset), static_cast<double>(a.boundary_offset), 1.0);
  EXPECT_NEAR(b.beat - a.beat, 4.0, 1e-3);
  // A quantum of 1 finds a boundary every beat (24000 samples): a 512-frame buffer half a beat
  // after a bar has none.
  EXPECT_EQ(clock.position(sample_time(first, 12000), kFrames, kRate, 1.0).boundary_offset, -1);
}

TEST(LinkClock, AudioPathAgreesWithAppPath) {
  LinkClock clock(97.0);
  const auto start = buffer_with_boundary(clock, clock.now());
  const auto app = clock.position(start, kFrames, kRate, kQuantum);
  const auto audio = clock.audio_position(start, kFrames, kRate, kQuantum);
  EXPECT_EQ(audio.boundary_offset, app.boundary_offset);
  EXPECT_NEAR(audio.beat, app.beat, 1e-9);
  EXPECT_DOUBLE_EQ(audio.tempo, app.tempo);
}

TEST(LinkClock, HostTimeFilterFollowsTheSampleClock) {
  LinkClock clock(120.0);
  // Simulate an audio callback of 512 frames at 48 kHz for 40 periods (about 0.4 s), paced by the
  // wall clock as a sound card would, and ask for each buffer's host time.
  const auto period = std::chrono::duration<double>(kFrames / kRate);
  const auto wall_start = std::chrono::steady_clock::now();
  const auto host_start = clock.now();
  std::chrono::microseconds last{};
  for (int k = 0; k < 40; ++k) {
    std::this_thread::sleep_until(
        wall_start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(k * period));
    last = clock.audio_host_time(static_cast<double>(k) * kFrames);
  }
  // The fitted time of the last buffer is 39 periods (416 ms) after the first on Link's clock, give
  // or take the mean wake-up delay of a loaded machine: the filter maps sample time to host time
  // with the right rate and anchor.
  const double period_us = kFrames / kRate * 1e6;
  EXPECT_NEAR(static_cast<double>((last - host_start).count()), 39 * period_us, 10000.0);
}

// Two peers in one process: each ableton::Link has its own sockets and joins Link's multicast
// group (224.76.78.75:20808) on every IPv4 interface that is up, so they find each other the way
// two apps on one computer do.
TEST(LinkClock, TwoPeersShareTempoPhaseAndBars) {
  LinkClock a(120.0), b(90.0);
  a.enable(true);
  b.enable(true);
  if (!eventually([&] { return a.peers() == 1 && b.peers() == 1; }, 10s)) {
    GTEST_SKIP() << "the two Link peers did not discover each other within 10 s (peers: "
                 << a.peers() << ", " << b.peers()
                 << "); Link needs UDP multicast to 224.76.78.75:20808 delivered back to this "
                    "host on some interface (see docs/midi.md, \"Link in a sandbox\")";
  }

  a.set_tempo(133.0);
  ASSERT_TRUE(eventually([&] { return std::fabs(b.tempo() - 133.0) < 133.0 * 0.01; }, 10s))
      << "b's tempo stayed at " << b.tempo();
  EXPECT_NEAR(b.tempo(), 133.0, 1.33);

  // Same host time, same phase: both run on this machine's clock, so any difference is Link's
  // clock-offset estimate between the peers. 0.01 beat at 133 bpm is 4.5 ms.
  ASSERT_TRUE(eventually(
      [&] {
        const auto t = a.now();
        return phase_distance(a.position(t, 1, kRate, kQuantum).phase,
                              b.position(t, 1, kRate, kQuantum).phase) < 0.01;
      },
      10s));
  const auto t = a.now();
  const auto pa = a.position(t, 1, kRate, kQuantum);
  const auto pb = b.position(t, 1, kRate, kQuantum);
  EXPECT_LT(phase_distance(pa.phase, pb.phase), 0.01) << pa.phase << " vs " << pb.phase;

  // The buffer that holds the next bar on a holds it on b too, at the same sample (one sample of
  // slack for Link's microsecond rounding).
  const auto start = buffer_with_boundary(a, t);
  const auto ba = a.audio_position(start, kFrames, kRate, kQuantum);
  const auto bb = b.audio_position(start, kFrames, kRate, kQuantum);
  ASSERT_GE(ba.boundary_offset, 0);
  ASSERT_GE(bb.boundary_offset, 0)
      << "b sees no bar in the buffer where a sees one at sample " << ba.boundary_offset;
  EXPECT_LE(std::abs(ba.boundary_offset - bb.boundary_offset), 1)
      << ba.boundary_offset << " vs " << bb.boundary_offset;

  // b leaves: a sees it go.
  b.enable(false);
  EXPECT_TRUE(eventually([&] { return a.peers() == 0; }, 10s));
}
