// The mixer rendered offline, sample by sample: what a listener would hear, checked exactly.
#include "latentjam/engine/mixer.hpp"

#include <gtest/gtest.h>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include <cmath>
#include <thread>
#include <vector>

using namespace latentjam::engine;

namespace {

constexpr double kRate = 48000.0;

Sound* constant_loop(std::uint64_t id, int voice, double beats, double bpm, float level) {
  auto* s = new Sound;
  s->id = id;
  s->voice = voice;
  s->loop_beats = beats;
  s->samples.assign(static_cast<std::size_t>(beats * 60.0 / bpm * kRate), level);
  return s;
}

Sound* one_shot(std::uint64_t id, int voice, std::vector<float> samples) {
  auto* s = new Sound;
  s->id = id;
  s->voice = voice;
  s->samples = std::move(samples);
  return s;
}

// Renders `frames` mono frames in buffers of `block` frames.
std::vector<float> render(Mixer& m, std::size_t frames, int block = 64) {
  std::vector<float> out(frames * 2);
  for (std::size_t done = 0; done < frames;) {
    int n = static_cast<int>(std::min<std::size_t>(block, frames - done));
    m.process(out.data() + done * 2, n, 2);
    done += static_cast<std::size_t>(n);
  }
  std::vector<float> mono(frames);
  for (std::size_t i = 0; i < frames; ++i) mono[i] = out[i * 2];
  return mono;
}

}  // namespace

TEST(Mixer, TriggerPlaysTheSoundFromTheNextBuffer) {
  Mixer m(kRate, 120, 4);
  ASSERT_TRUE(m.post({AudioMessage::Kind::SetSound, 0, 0, one_shot(1, 0, {0.5f, 0.25f, -0.5f})}));
  ASSERT_TRUE(m.post({AudioMessage::Kind::Trigger, 0, 1.0f, nullptr, 1}));
  auto out = render(m, 64);
  EXPECT_FLOAT_EQ(out[0], 0.5f);
  EXPECT_FLOAT_EQ(out[1], 0.25f);
  EXPECT_FLOAT_EQ(out[2], -0.5f);
  EXPECT_FLOAT_EQ(out[3], 0.0f);
  EXPECT_EQ(m.triggers_played(), 1u);
}

TEST(Mixer, AnOlderSoundArrivingLateDoesNotReplaceANewerOne) {
  // Render workers post from several threads: the newer sound can come first.
  Mixer m(kRate, 120, 4);
  ASSERT_TRUE(m.post({AudioMessage::Kind::SetSound, 0, 0, one_shot(6, 0, {0.6f})}));
  ASSERT_TRUE(m.post({AudioMessage::Kind::SetSound, 0, 0, one_shot(5, 0, {0.5f})}));
  ASSERT_TRUE(m.post({AudioMessage::Kind::Trigger, 0, 1.0f, nullptr, 6}));
  auto out = render(m, 64);
  EXPECT_FLOAT_EQ(out[0], 0.6f);
  EXPECT_EQ(m.last_hit(0), 6u);
  EXPECT_EQ(m.collect_garbage(), 1u);  // the late one, never played, is freed off the audio thread
}

TEST(Mixer, FastLaneHitsFromSeveralThreadsAllPlayAndTheirLatencyIsRecorded) {
  Mixer m(kRate, 120, 4);
  ASSERT_TRUE(m.post({AudioMessage::Kind::SetSound, 0, 0, one_shot(1, 0, {0.1f})}));
  render(m, 64);
  std::vector<std::thread> inputs;
  for (int t = 0; t < 3; ++t)
    inputs.emplace_back([&m] {
      for (int k = 0; k < 10; ++k) {
        AudioMessage hit{AudioMessage::Kind::Trigger, 0, 1.0f, nullptr, 1};
        hit.received_ns = 1;  // long ago: a latency far beyond the histogram's range
        EXPECT_TRUE(m.post_hit(hit));
      }
    });
  for (auto& t : inputs) t.join();
  EXPECT_FALSE(m.post_hit({AudioMessage::Kind::Tempo, 0, 100.0f}));  // hits only
  render(m, 64);
  EXPECT_EQ(m.triggers_played(), 30u);
  const HitLatency latency = m.hit_latency();
  EXPECT_EQ(latency.count, 30u);
  EXPECT_DOUBLE_EQ(latency.p99_ms, 200.0);  // the last bucket holds everything beyond
  EXPECT_GT(latency.max_ms, 200.0);
  m.reset_hit_latency();
  EXPECT_EQ(m.hit_latency().count, 0u);
}

TEST(Mixer, VelocityScalesAndHitsOverlap) {
  Mixer m(kRate, 120, 4);
  m.post({AudioMessage::Kind::SetSound, 0, 0, one_shot(1, 0, std::vector<float>(100, 0.2f))});
  m.post({AudioMessage::Kind::Trigger, 0, 0.5f, nullptr, 1});
  m.post({AudioMessage::Kind::Trigger, 0, 1.0f, nullptr, 1});
  auto out = render(m, 64);
  EXPECT_NEAR(out[10], 0.2f * 0.5f + 0.2f, 1e-6);
}

TEST(Mixer, TriggerWaitsForTheSoundItAsksFor) {
  Mixer m(kRate, 120, 4);
  m.post({AudioMessage::Kind::SetSound, 0, 0, one_shot(1, 0, std::vector<float>(10, 0.1f))});
  // The trigger asks for sound 2, still being decoded: nothing plays, then sound 2 plays at once.
  m.post({AudioMessage::Kind::Trigger, 0, 1.0f, nullptr, 2});
  auto before = render(m, 64);
  EXPECT_FLOAT_EQ(before[0], 0.0f);
  m.post({AudioMessage::Kind::SetSound, 0, 0, one_shot(2, 0, std::vector<float>(10, 0.3f))});
  auto after = render(m, 64);
  EXPECT_FLOAT_EQ(after[0], 0.3f);
}

TEST(Mixer, HitsWaitingForOneDecodeBecomeOneHitAsLoudAsTheLoudest) {
  Mixer m(kRate, 120, 4);
  m.post({AudioMessage::Kind::SetSound, 0, 0, one_shot(1, 0, std::vector<float>(10, 0.1f))});
  // A soft hit, an accent and a soft hit again, all before sound 2 is decoded: they would all
  // start on its first sample, so one hit plays, at the accent's velocity, not three summed.
  m.post({AudioMessage::Kind::Trigger, 0, 0.25f, nullptr, 2});
  m.post({AudioMessage::Kind::Trigger, 0, 1.0f, nullptr, 2});
  m.post({AudioMessage::Kind::Trigger, 0, 0.25f, nullptr, 2});
  EXPECT_FLOAT_EQ(render(m, 64)[0], 0.0f);
  m.post({AudioMessage::Kind::SetSound, 0, 0, one_shot(2, 0, std::vector<float>(10, 0.4f))});
  auto after = render(m, 64);
  EXPECT_FLOAT_EQ(after[0], 0.4f);
  EXPECT_FLOAT_EQ(after[9], 0.4f);
  EXPECT_FLOAT_EQ(after[10], 0.0f);  // one hit of ten samples, not several staggered
}

TEST(Mixer, LoopChangeRequestedMidBarIsHeardFromTheNextBar) {
  const double bpm = 120;
  const std::size_t bar = static_cast<std::size_t>(4 * 60.0 / bpm * kRate);  // 96000 frames
  Mixer m(kRate, bpm, 4);
  m.post({AudioMessage::Kind::SetSound, 3, 0, constant_loop(1, 3, 4, bpm, 0.2f)});
  auto first = render(m, bar / 2 + 123);  // mid-bar, at an odd offset inside a buffer
  EXPECT_FLOAT_EQ(first[100], 0.2f);
  m.post({AudioMessage::Kind::SetSound, 3, 0, constant_loop(2, 3, 4, bpm, 0.6f)});
  auto rest = render(m, bar);
  const std::size_t boundary = bar - (bar / 2 + 123);  // index of the bar's first sample in `rest`
  // Old loop until the bar, untouched.
  for (std::size_t i = 0; i < boundary; ++i) ASSERT_FLOAT_EQ(rest[i], 0.2f) << i;
  // From the bar's first sample an equal-power crossfade of 10 ms, then the new loop alone.
  const std::size_t fade = static_cast<std::size_t>(kRate * 0.010);
  EXPECT_FLOAT_EQ(rest[boundary], 0.2f);  // t = 0: all old
  EXPECT_GT(rest[boundary + fade / 2], 0.2f);
  for (std::size_t i = boundary + fade; i < rest.size(); ++i) ASSERT_FLOAT_EQ(rest[i], 0.6f) << i;
  // No step larger than the crossfade allows: the fade is smooth.
  float max_step = 0;
  for (std::size_t i = 1; i < rest.size(); ++i)
    max_step = std::max(max_step, std::fabs(rest[i] - rest[i - 1]));
  const float allowed = 0.6f * float(M_PI / 2) / float(fade) * 1.5f;
  EXPECT_LT(max_step, allowed);
  EXPECT_EQ(m.sounds_swapped(), 2u);
}

TEST(Mixer, LatestPendingLoopWinsAndTheDroppedOneIsFreed) {
  Mixer m(kRate, 120, 4);
  m.post({AudioMessage::Kind::SetSound, 3, 0, constant_loop(1, 3, 4, 120, 0.1f)});
  render(m, 64);
  m.post({AudioMessage::Kind::SetSound, 3, 0, constant_loop(2, 3, 4, 120, 0.3f)});
  m.post({AudioMessage::Kind::SetSound, 3, 0, constant_loop(3, 3, 4, 120, 0.5f)});
  render(m, 64);
  EXPECT_EQ(m.collect_garbage(), 1u) << "loop 2 never played and must be freed";
  auto out = render(m, 96000 + 1000);
  EXPECT_FLOAT_EQ(out.back(), 0.5f);
  EXPECT_EQ(m.collect_garbage(), 1u) << "loop 1 is freed after its crossfade";
}

TEST(Mixer, ReplacedOneShotIsFreedOnlyAfterItStopsPlaying) {
  Mixer m(kRate, 120, 4);
  m.post({AudioMessage::Kind::SetSound, 0, 0, one_shot(1, 0, std::vector<float>(1000, 0.1f))});
  m.post({AudioMessage::Kind::Trigger, 0, 1.0f, nullptr, 1});
  render(m, 64);
  m.post({AudioMessage::Kind::SetSound, 0, 0, one_shot(2, 0, std::vector<float>(1000, 0.1f))});
  render(m, 64);
  EXPECT_EQ(m.collect_garbage(), 0u) << "sound 1 is still playing";
  render(m, 1000);
  EXPECT_EQ(m.collect_garbage(), 1u);
}

TEST(Mixer, LimiterKeepsTheMasterBelowFullScale) {
  Mixer m(kRate, 120, 4);
  m.post({AudioMessage::Kind::SetSound, 0, 0, one_shot(1, 0, std::vector<float>(4800, 0.9f))});
  for (int i = 0; i < 8; ++i) m.post({AudioMessage::Kind::Trigger, 0, 1.0f, nullptr, 1});
  auto out = render(m, 4800);
  for (float x : out) ASSERT_LE(std::fabs(x), 0.8911f);
  EXPECT_GT(out[100], 0.85f) << "the limiter holds the level near the ceiling";
}

TEST(Mixer, TempoChangeMovesTheTransport) {
  Mixer m(kRate, 120, 4);
  render(m, 48000);
  EXPECT_NEAR(m.beat(), 2.0, 1e-9);
  m.post({AudioMessage::Kind::Tempo, 0, 60.0f});
  render(m, 48000);
  EXPECT_NEAR(m.beat(), 3.0, 1e-9);
  EXPECT_DOUBLE_EQ(m.tempo(), 60.0);
}

TEST(Mixer, ChokedVoiceCutsItsRingingHitWithAShortFade) {
  Mixer m(kRate, 120, 4);
  m.post({AudioMessage::Kind::Choke, 2, 1.0f});
  m.post({AudioMessage::Kind::SetSound, 2, 0, one_shot(1, 2, std::vector<float>(4800, 0.2f))});
  m.post({AudioMessage::Kind::Trigger, 2, 1.0f, nullptr, 1});
  render(m, 64);
  m.post({AudioMessage::Kind::Trigger, 2, 1.0f, nullptr, 1});
  auto out = render(m, 1000);
  // Both hits at first, the old one fading out over 5 ms, then only the new one.
  EXPECT_GT(out[0], 0.2f);
  EXPECT_LT(out[0], 0.4f + 1e-6f);
  EXPECT_NEAR(out[500], 0.2f, 1e-6);
  for (std::size_t i = 1; i < 240; ++i) ASSERT_LE(out[i], out[i - 1] + 1e-6f) << i;
}

TEST(Mixer, UnchokedVoiceLetsHitsRing) {
  Mixer m(kRate, 120, 4);
  m.post({AudioMessage::Kind::SetSound, 2, 0, one_shot(1, 2, std::vector<float>(4800, 0.2f))});
  m.post({AudioMessage::Kind::Trigger, 2, 1.0f, nullptr, 1});
  render(m, 64);
  m.post({AudioMessage::Kind::Trigger, 2, 1.0f, nullptr, 1});
  auto out = render(m, 1000);
  EXPECT_NEAR(out[500], 0.4f, 1e-6);
}

TEST(Mixer, VoiceGainScalesItsHitsAndLoops) {
  Mixer m(kRate, 120, 4);
  m.post({AudioMessage::Kind::VoiceGain, 0, 0.5f});
  m.post({AudioMessage::Kind::SetSound, 0, 0, one_shot(1, 0, std::vector<float>(1000, 0.4f))});
  m.post({AudioMessage::Kind::Trigger, 0, 1.0f, nullptr, 1});
  m.post({AudioMessage::Kind::VoiceGain, 3, 0.25f});
  m.post({AudioMessage::Kind::SetSound, 3, 0, constant_loop(2, 3, 4, 120, 0.4f)});
  auto out = render(m, 400);
  // The faders glide there in 5 ms (240 samples), then hold.
  EXPECT_NEAR(out[300], 0.4f * 0.5f + 0.4f * 0.25f, 1e-6);
  EXPECT_GT(out[10], out[300]) << "the fader stepped instead of gliding";
}

// No audible parameter steps: faders, a trigger's loop level, stop and play, on a loop and a
// ringing hit, never move the output by more than a 5 ms ramp allows from one sample to the next.
TEST(Mixer, FadersStopAndPlayNeverStep) {
  Mixer m(kRate, 120, 4);
  m.post({AudioMessage::Kind::SetSound, 3, 0, constant_loop(1, 3, 4, 120, 0.5f)});
  m.post({AudioMessage::Kind::SetSound, 0, 0, one_shot(2, 0, std::vector<float>(200000, 0.4f))});
  m.post({AudioMessage::Kind::Trigger, 0, 1.0f, nullptr, 2});
  render(m, 1024);  // both sounding, steadily: from here on only the changes can make a step
  std::vector<float> heard;
  const auto listen = [&](std::size_t frames) {
    auto out = render(m, frames, 64);
    heard.insert(heard.end(), out.begin(), out.end());
  };
  listen(300);
  m.post({AudioMessage::Kind::VoiceGain, 3, 0.0f});  // the loop's fader down
  listen(500);
  m.post({AudioMessage::Kind::VoiceGain, 3, 2.0f});   // and up past unity
  m.post({AudioMessage::Kind::VoiceGain, 0, 0.25f});  // the hit's fader down
  listen(500);
  m.post({AudioMessage::Kind::Trigger, 3, 0.1f});  // a loop's level set by a trigger
  listen(500);
  m.post({AudioMessage::Kind::Play});  // a restart from the bar's beginning, while playing
  listen(4000);
  m.post({AudioMessage::Kind::Stop});  // loops fade out, the hit is choked
  listen(2000);
  m.post({AudioMessage::Kind::Play});  // loops fade in again
  listen(2000);
  // The largest change a 240-sample ramp can make per sample: each sound's peak over 240, summed.
  const float allowed = (0.5f * 2.0f + 0.4f) / 240.0f * 1.05f;
  float largest = 0.0f;
  std::size_t where = 0;
  for (std::size_t i = 1; i < heard.size(); ++i) {
    const float step = std::fabs(heard[i] - heard[i - 1]);
    if (step > largest) {
      largest = step;
      where = i;
    }
  }
  EXPECT_LE(largest, allowed) << "a step of " << largest << " at sample " << where;
  // And the changes did happen: silence after the stop, sound again after the play.
  EXPECT_NEAR(heard[300 + 500 + 500 + 500 + 4000 + 1999], 0.0f, 1e-6);
  EXPECT_GT(std::fabs(heard.back()), 0.05f);
}

TEST(Mixer, MorphBlendsTheLoopsOverWholeBars) {
  const std::size_t bar = 96000;  // 4 beats at 120 bpm, 48 kHz
  Mixer m(kRate, 120, 4);
  m.post({AudioMessage::Kind::Morph, 0, 2.0f});
  m.post({AudioMessage::Kind::SetSound, 3, 0, constant_loop(1, 3, 4, 120, 0.2f)});
  render(m, 1000);
  m.post({AudioMessage::Kind::SetSound, 3, 0, constant_loop(2, 3, 4, 120, 0.6f)});
  auto out = render(m, 3 * bar);
  const std::size_t boundary = bar - 1000;
  EXPECT_FLOAT_EQ(out[boundary - 1], 0.2f);
  // Halfway through the two-bar morph both loops sound at cos/sin(pi/4).
  EXPECT_NEAR(out[boundary + bar], (0.2f + 0.6f) * std::sqrt(0.5f), 1e-3);
  EXPECT_FLOAT_EQ(out[boundary + 2 * bar + 10], 0.6f);
}

#if defined(__SSE__)
// The audio callback computes with denormals flushed to zero (no 100-cycle operations in a tail
// that decays towards silence), whatever the calling thread's mode, and leaves that mode as it was.
TEST(Mixer, TheCallbackFlushesDenormalsAndRestoresTheCallersMode) {
  Mixer m(kRate, 120, 4);
  m.post({AudioMessage::Kind::SetSound, 3, 0, constant_loop(1, 3, 4, 120, 1e-39f)});  // denormal
  const unsigned before = _mm_getcsr();
  ASSERT_EQ(before & 0x8040u, 0u) << "the test expects the default mode";
  auto out = render(m, 64);
  EXPECT_EQ(_mm_getcsr(), before);
  EXPECT_EQ(out[10], 0.0f) << "a denormal sample was computed with";
}
#endif
