// The mixer following Ableton Link: first one clock (bar boundaries and loop phase from the Link
// timeline, leaving and rejoining it), then two Link peers in this process on loopback, each
// driving its own mixer, rendered offline at the same host times: they agree on tempo, and loop
// changes asked of each at different moments mid-bar are heard on both from the same shared bar.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <functional>
#include <thread>
#include <vector>

#include "latentjam/engine/link_clock.hpp"
#include "latentjam/engine/mixer.hpp"

using latentjam::engine::AudioMessage;
using latentjam::engine::LinkClock;
using latentjam::engine::Mixer;
using latentjam::engine::Sound;
using namespace std::chrono_literals;

namespace {

constexpr double kRate = 48000.0;
constexpr int kBlock = 256;
constexpr double kQuantum = 4.0;
constexpr std::size_t kFade = 480;  // the mixer's 10 ms crossfade at 48 kHz

// Polls until the condition holds or the deadline passes: peer discovery and tempo propagation
// happen on Link's own threads and announce nothing we could wait on.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

double phase_distance(double a, double b) {
  double d = std::fmod(std::fabs(a - b), kQuantum);
  return std::min(d, kQuantum - d);
}

// Distance of a beat from the nearest quantum boundary, in beats.
double off_bar(double beat) {
  return std::fabs(beat - std::round(beat / kQuantum) * kQuantum);
}

std::size_t samples_of(double beats, double bpm) {
  return static_cast<std::size_t>(std::llround(beats * 60.0 / bpm * kRate));
}

Sound* constant_loop(std::uint64_t id, double bpm, float level) {
  auto* s = new Sound;
  s->id = id;
  s->loop_beats = kQuantum;
  s->samples.assign(samples_of(kQuantum, bpm), level);
  return s;
}

// A ramp from `from` to `to` over one bar: its value says where in the loop it is being read.
Sound* ramp_loop(std::uint64_t id, double bpm, float from, float to) {
  auto* s = new Sound;
  s->id = id;
  s->loop_beats = kQuantum;
  s->samples.resize(samples_of(kQuantum, bpm));
  for (std::size_t i = 0; i < s->samples.size(); ++i)
    s->samples[i] = from + (to - from) * float(double(i) / double(s->samples.size()));
  return s;
}

// A mixer rendered offline block by block, each block at the host time its first sample is heard:
// `start` plus the samples before it.
struct Track {
  Mixer& mixer;
  std::chrono::microseconds start;
  std::vector<float> out;  // mono (channel 0)

  std::chrono::microseconds time_of(std::size_t sample) const {
    return start + std::chrono::microseconds(std::llround(double(sample) * 1e6 / kRate));
  }
  void render_block() {
    float buf[kBlock * 2];
    mixer.process_at(buf, kBlock, 2, time_of(out.size()));
    for (int i = 0; i < kBlock; ++i) out.push_back(buf[2 * i]);
  }
};

// The first sample at or after `from` where a loop that was steady at `level` starts to change:
// the swap sample (a crossfade's first sample is still all old loop, its second is not).
std::size_t swap_sample(const std::vector<float>& out, std::size_t from, float level) {
  for (std::size_t i = from; i < out.size(); ++i)
    if (std::fabs(out[i] - level) > 1e-4f) return i - 1;
  return out.size();
}

}  // namespace

TEST(MixerFollowingLink, LoopSwapsOnTheLinkBarWithPhaseFromTheLinkBeat) {
  LinkClock clock(120.0);
  clock.enable(true);                  // a session of one: no network needed
  Mixer mixer(kRate, 90.0, kQuantum);  // its own clock would say 90 bpm, bars elsewhere
  mixer.follow(&clock);
  Track track{mixer, clock.now(), {}};

  mixer.post({AudioMessage::Kind::SetSound, 0, 0, constant_loop(1, 120.0, 0.2f)});
  for (int k = 0; k < 8; ++k) track.render_block();
  EXPECT_TRUE(mixer.following_link());
  EXPECT_DOUBLE_EQ(mixer.tempo(), 120.0);
  const double beat_now = clock.position(track.time_of(track.out.size()), 1, kRate, kQuantum).beat;
  EXPECT_NEAR(mixer.beat(), beat_now, 1e-5) << "the published beat is Link's";

  // A new loop mid-bar: heard from the first sample of the next Link bar, read from its start.
  const std::size_t asked = track.out.size();
  mixer.post({AudioMessage::Kind::SetSound, 0, 0, ramp_loop(2, 120.0, 0.3f, 0.7f)});
  const double asked_beat = clock.position(track.time_of(asked), 1, kRate, kQuantum).beat;
  const double bar = std::ceil(asked_beat / kQuantum) * kQuantum;
  while (clock.position(track.time_of(track.out.size()), 1, kRate, kQuantum).beat < bar + 1.0)
    track.render_block();
  const std::size_t swap = swap_sample(track.out, asked, 0.2f);
  ASSERT_LT(swap, track.out.size()) << "the loop never changed";
  const double beats_per_sample = 120.0 / 60.0 / kRate;
  const auto p = clock.position(track.time_of(swap), 1, kRate, kQuantum);
  EXPECT_NEAR(p.beat, bar, 1.5 * beats_per_sample) << "swap at sample " << swap;
  // After the crossfade the ramp is read at the distance from the bar: phase-locked.
  const std::size_t bar_samples = samples_of(kQuantum, 120.0);
  for (std::size_t i = swap + kFade; i < track.out.size(); i += 997)
    ASSERT_NEAR(track.out[i], 0.3f + 0.4f * float(double(i - swap) / double(bar_samples)), 2e-5f)
        << i;
}

TEST(MixerFollowingLink, DisabledClockLeavesTheOwnClockAndLeavingLinkKeepsBeatAndTempo) {
  LinkClock clock(150.0);
  Mixer mixer(kRate, 120.0, kQuantum);
  mixer.follow(&clock);
  std::vector<float> buf(kBlock * 2);
  mixer.process(buf.data(), kBlock, 2);
  EXPECT_FALSE(mixer.following_link()) << "Link is disabled: the mixer keeps its own clock";
  EXPECT_DOUBLE_EQ(mixer.tempo(), 120.0);
  EXPECT_NEAR(mixer.beat(), kBlock * 120.0 / 60.0 / kRate, 1e-12);

  clock.enable(true);
  const auto t = clock.now();
  mixer.process_at(buf.data(), kBlock, 2, t);
  EXPECT_TRUE(mixer.following_link());
  EXPECT_DOUBLE_EQ(mixer.tempo(), 150.0);
  const double link_beat = mixer.beat();

  // Off again: the own clock continues from Link's beat at Link's tempo.
  clock.enable(false);
  mixer.process(buf.data(), kBlock, 2);
  EXPECT_FALSE(mixer.following_link());
  EXPECT_DOUBLE_EQ(mixer.tempo(), 150.0);
  EXPECT_NEAR(mixer.beat(), link_beat + kBlock * 150.0 / 60.0 / kRate, 1e-9);
  mixer.follow(nullptr);
}

TEST(MixerFollowingLink, PlayRejoinsTheSharedTimelineInsteadOfRestartingIt) {
  LinkClock clock(120.0);
  clock.enable(true);
  Mixer mixer(kRate, 120.0, kQuantum);
  mixer.follow(&clock);
  Track track{mixer, clock.now(), {}};
  mixer.post({AudioMessage::Kind::SetSound, 0, 0, ramp_loop(1, 120.0, 0.1f, 0.5f)});
  for (int k = 0; k < 4; ++k) track.render_block();
  mixer.post({AudioMessage::Kind::Stop, 0, 0});
  for (int k = 0; k < 40; ++k) track.render_block();
  mixer.post({AudioMessage::Kind::Play, 0, 0});
  // It fades in over 5 ms (240 samples, no click); once in, it is where the Link beat puts it,
  // not at the loop's start.
  const std::size_t at = track.out.size() + 300;
  while (track.out.size() <= at) track.render_block();
  const double beat = clock.position(track.time_of(at), 1, kRate, kQuantum).beat;
  double phase = std::fmod(beat, kQuantum);
  if (phase < 0) phase += kQuantum;
  EXPECT_NEAR(track.out[at], 0.1f + 0.4f * float(phase / kQuantum), 1e-4f) << "beat " << beat;
  EXPECT_GT(mixer.loops_realigned(), 0u);
}

TEST(MixerFollowingLink, TwoPeersAgreeOnTempoAndSwapLoopsOnTheSharedBar) {
  LinkClock clock_a(120.0), clock_b(90.0);
  Mixer mixer_a(kRate, 120.0, kQuantum), mixer_b(kRate, 90.0, kQuantum);
  clock_a.enable(true);
  clock_b.enable(true);
  if (!eventually([&] { return clock_a.peers() == 1 && clock_b.peers() == 1; }, 10s)) {
    GTEST_SKIP() << "the two Link peers did not discover each other within 10 s (peers: "
                 << clock_a.peers() << ", " << clock_b.peers()
                 << "); Link needs UDP multicast to 224.76.78.75:20808 delivered back to this "
                    "host on some interface (see docs/midi.md, \"Link in a sandbox\")";
  }

  // Tempo: set on either peer, the other follows within 1 %, and so does its mixer.
  clock_b.set_tempo(101.0);
  ASSERT_TRUE(eventually([&] { return std::fabs(clock_a.tempo() - 101.0) < 1.01; }, 10s))
      << "a's tempo stayed at " << clock_a.tempo();
  clock_a.set_tempo(130.0);
  ASSERT_TRUE(eventually([&] { return std::fabs(clock_b.tempo() - 130.0) < 1.3; }, 10s))
      << "b's tempo stayed at " << clock_b.tempo();
  const double bpm = clock_a.tempo();
  const double beats_per_sample = bpm / 60.0 / kRate;

  // Link settles its estimate of the peers' clock offset over its first measurements; wait until
  // the two agree on the phase to within two samples.
  ASSERT_TRUE(eventually(
      [&] {
        const auto t = clock_a.now();
        return phase_distance(clock_a.position(t, 1, kRate, kQuantum).phase,
                              clock_b.position(t, 1, kRate, kQuantum).phase) < 2 * beats_per_sample;
      },
      10s))
      << "the peers' phases did not converge";

  mixer_a.follow(&clock_a);
  mixer_b.follow(&clock_b);
  const auto start = clock_a.now();
  Track a{mixer_a, start, {}}, b{mixer_b, start, {}};
  mixer_a.post({AudioMessage::Kind::SetSound, 0, 0, constant_loop(1, bpm, 0.2f)});
  mixer_b.post({AudioMessage::Kind::SetSound, 0, 0, constant_loop(1, bpm, 0.2f)});
  a.render_block();
  b.render_block();
  EXPECT_NEAR(mixer_a.tempo(), 130.0, 1.3);
  EXPECT_NEAR(mixer_b.tempo(), 130.0, 1.3);
  EXPECT_TRUE(mixer_a.following_link());
  EXPECT_TRUE(mixer_b.following_link());

  // The bar after next on a's beats; a asks for its new loop 1.3 beats into the bar before it,
  // b 2.9 beats into it.
  const auto beat_a = [&](std::size_t sample) {
    return clock_a.position(a.time_of(sample), 1, kRate, kQuantum).beat;
  };
  const double bar = (std::floor(beat_a(0) / kQuantum) + 2) * kQuantum;
  std::size_t asked_a = 0, asked_b = 0;
  while (beat_a(a.out.size()) < bar + 1.0) {
    const double beat = beat_a(a.out.size());
    if (!asked_a && beat >= bar - kQuantum + 1.3) {
      asked_a = a.out.size();
      mixer_a.post({AudioMessage::Kind::SetSound, 0, 0, ramp_loop(2, bpm, 0.3f, 0.7f)});
    }
    if (!asked_b && beat >= bar - kQuantum + 2.9) {
      asked_b = b.out.size();
      mixer_b.post({AudioMessage::Kind::SetSound, 0, 0, ramp_loop(2, bpm, 0.3f, 0.7f)});
    }
    a.render_block();
    b.render_block();
  }
  ASSERT_GT(asked_a, 0u);
  ASSERT_GT(asked_b, asked_a);

  const std::size_t swap_a = swap_sample(a.out, asked_a, 0.2f);
  const std::size_t swap_b = swap_sample(b.out, asked_b, 0.2f);
  ASSERT_LT(swap_a, a.out.size()) << "a's loop never changed";
  ASSERT_LT(swap_b, b.out.size()) << "b's loop never changed";
  EXPECT_GT(swap_a, asked_b) << "a swapped before the shared bar";
  EXPECT_LE(std::max(swap_a, swap_b) - std::min(swap_a, swap_b), 2u)
      << "a swapped at sample " << swap_a << ", b at " << swap_b;
  // The swap sample is on the bar on both peers' timelines (each peer's beat count may differ by
  // whole quanta; the bar is the same).
  const double on_a = clock_a.position(a.time_of(swap_a), 1, kRate, kQuantum).beat;
  const double on_b = clock_b.position(b.time_of(swap_b), 1, kRate, kQuantum).beat;
  EXPECT_NEAR(on_a, bar, 2 * beats_per_sample);
  EXPECT_LT(off_bar(on_b), 2 * beats_per_sample) << "b's beat at its swap: " << on_b;

  // From there both play the new loop in phase: the same ramp value at the same sample.
  const std::size_t bar_samples = samples_of(kQuantum, bpm);
  for (std::size_t i = std::max(swap_a, swap_b) + kFade; i < a.out.size(); ++i) {
    ASSERT_NEAR(a.out[i], b.out[i], 2e-5f) << i;
    ASSERT_NEAR(a.out[i], 0.3f + 0.4f * float(double(i - swap_a) / double(bar_samples)), 2e-5f)
        << i;
  }
  EXPECT_EQ(mixer_a.sounds_swapped(), 2u);
  EXPECT_EQ(mixer_b.sounds_swapped(), 2u);
}

TEST(MixerFollowingLink, OneShotReplacingALoopDuringARealignmentFreesItOnce) {
  LinkClock clock(120.0);
  clock.enable(true);
  Mixer mixer(kRate, 120.0, kQuantum);
  std::vector<float> buf(4800 * 2);
  mixer.post({AudioMessage::Kind::SetSound, 0, 0, ramp_loop(1, 120.0, 0.1f, 0.5f)});
  for (int k = 0; k < 5; ++k) mixer.process(buf.data(), 4800, 2);  // a beat on its own clock
  // Joining Link (at beat ~0: the clock is new) puts the loop where the Link beat says, with a
  // crossfade from where it was.
  mixer.follow(&clock);
  const auto t = clock.now();
  mixer.process_at(buf.data(), 64, 2, t);
  ASSERT_EQ(mixer.loops_realigned(), 1u) << "Link's beat happened to match the own clock's";
  // While that crossfade plays, the voice gets a one-shot: the loop is freed once, not twice.
  auto* hit = new Sound;
  hit->id = 2;
  hit->samples.assign(100, 0.5f);
  mixer.post({AudioMessage::Kind::SetSound, 0, 0, hit});
  mixer.process_at(buf.data(), 64, 2, t + 1333us);
  EXPECT_EQ(mixer.collect_garbage(), 1u);
}
