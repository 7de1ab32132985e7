// MidiMap: raw MIDI bytes to commands, with deterministic timestamps.
#include "latentjam/control/midi_map.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "latentjam/control/midi_input.hpp"
#include "latentjam/engine/conductor.hpp"

using namespace latentjam::control;

namespace {

// MIDI's commands are validated against the daemon's command table.
const CommandTable& table() {
  return latentjam::engine::command_table();
}

using Bytes = std::vector<std::uint8_t>;

MidiOutput feed(MidiMap& map, Bytes bytes, double t = 0.0) {
  return map.handle(bytes, t);
}

// "address arg arg" of every command, or "REJECTED address: reason" — easy to compare and to read.
std::vector<std::string> describe(const MidiOutput& out) {
  std::vector<std::string> lines;
  for (const auto& p : out.commands) {
    if (auto* r = std::get_if<Rejected>(&p)) {
      lines.push_back("REJECTED " + r->address + ": " + r->reason);
      continue;
    }
    const auto& c = std::get<Command>(p);
    std::string line = c.address;
    for (const auto& v : c.params) {
      if (!v) continue;
      if (auto* i = std::get_if<std::int32_t>(&*v)) line += " i" + std::to_string(*i);
      if (auto* f = std::get_if<float>(&*v)) {
        char buf[32];
        std::snprintf(buf, sizeof buf, " f%.3f", *f);
        line += buf;
      }
      if (auto* s = std::get_if<std::string>(&*v)) line += " s" + *s;
    }
    lines.push_back(line);
  }
  return lines;
}

using Lines = std::vector<std::string>;

}  // namespace

TEST(MidiMap, GeneralMidiDrumNotesTriggerVoicesWithVelocity) {
  MidiMap map(table());
  EXPECT_EQ(describe(feed(map, {0x90, 36, 127})), Lines{"/jam/trigger skick f1.000"});
  EXPECT_EQ(describe(feed(map, {0x99, 38, 64})), Lines{"/jam/trigger ssnare f0.504"});
  EXPECT_EQ(describe(feed(map, {0x90, 40, 100})), Lines{"/jam/trigger ssnare f0.787"});
  for (std::uint8_t hat : {42, 44, 46})
    EXPECT_EQ(describe(feed(map, {0x90, hat, 1})), Lines{"/jam/trigger shat f0.008"});
  // Commands carry no reply address: MIDI has nobody to answer.
  auto out = feed(map, {0x90, 36, 127});
  EXPECT_EQ(std::get<Command>(out.commands[0]).reply, ReplyTo{});
  EXPECT_TRUE(std::get<Command>(out.commands[0]).is("/jam/trigger"));
}

TEST(MidiMap, NoteOffAndZeroVelocityNoteOnDoNothing) {
  MidiMap map(table());
  EXPECT_TRUE(feed(map, {0x80, 36, 64}).commands.empty());
  EXPECT_TRUE(feed(map, {0x90, 36, 0}).commands.empty());
  EXPECT_TRUE(feed(map, {0x90, 37, 100}).commands.empty());  // not a mapped drum note
}

TEST(MidiMap, ConfiguredDrumNotes) {
  MidiMapOptions o;
  o.drum_notes = {{60, "loop"}};
  MidiMap map(table(), o);
  EXPECT_TRUE(feed(map, {0x90, 36, 100}).commands.empty());
  EXPECT_EQ(describe(feed(map, {0x90, 60, 127})), Lines{"/jam/trigger sloop f1.000"});
}

TEST(MidiMap, DefaultControlChangesMoveSliders) {
  MidiMap map(table());
  EXPECT_EQ(describe(feed(map, {0xB0, 1, 0})), Lines{"/jam/slider/1 f0.000"});
  EXPECT_EQ(describe(feed(map, {0xB3, 8, 127})), Lines{"/jam/slider/8 f1.000"});
  EXPECT_EQ(describe(feed(map, {0xB0, 4, 64})), Lines{"/jam/slider/4 f0.504"});
  EXPECT_TRUE(feed(map, {0xB0, 9, 64}).commands.empty());
  EXPECT_TRUE(feed(map, {0xB0, 0, 64}).commands.empty());
}

TEST(MidiMap, ConfiguredSliderControlChanges) {
  MidiMapOptions o;
  o.slider_ccs = {21, 22, 23};
  MidiMap map(table(), o);
  EXPECT_TRUE(feed(map, {0xB0, 1, 64}).commands.empty());
  EXPECT_EQ(describe(feed(map, {0xB0, 23, 127})), Lines{"/jam/slider/3 f1.000"});
}

TEST(MidiMap, ProgramChangeRecallsSlotPlusOne) {
  MidiMap map(table());
  EXPECT_EQ(describe(feed(map, {0xC0, 0})), Lines{"/jam/slot/recall i1"});
  EXPECT_EQ(describe(feed(map, {0xCF, 127})), Lines{"/jam/slot/recall i128"});
  MidiMapOptions o;
  o.program_change_recalls_slots = false;
  MidiMap off(table(), o);
  EXPECT_TRUE(feed(off, {0xC0, 3}).commands.empty());
}

TEST(MidiMap, NoteRangeRecallsSlots) {
  MidiMap none(table());
  EXPECT_TRUE(feed(none, {0x90, 48, 100}).commands.empty());  // off by default

  MidiMapOptions o;
  o.slot_note_first = 48;
  o.slot_note_count = 8;
  o.drum_notes[50] = "kick";  // the slot range wins over a drum note inside it
  MidiMap map(table(), o);
  EXPECT_EQ(describe(feed(map, {0x90, 48, 100})), Lines{"/jam/slot/recall i1"});
  EXPECT_EQ(describe(feed(map, {0x90, 50, 100})), Lines{"/jam/slot/recall i3"});
  EXPECT_EQ(describe(feed(map, {0x90, 55, 100})), Lines{"/jam/slot/recall i8"});
  EXPECT_TRUE(feed(map, {0x90, 56, 100}).commands.empty());
  EXPECT_TRUE(feed(map, {0x80, 48, 100}).commands.empty());
}

TEST(MidiMap, ChannelFilter) {
  MidiMapOptions o;
  o.channel = 10;
  MidiMap map(table(), o);
  EXPECT_TRUE(feed(map, {0x90, 36, 100}).commands.empty());  // channel 1
  EXPECT_EQ(describe(feed(map, {0x99, 36, 127})), Lines{"/jam/trigger skick f1.000"});
  EXPECT_TRUE(feed(map, {0xB0, 1, 100}).commands.empty());
  EXPECT_TRUE(feed(map, {0xC0, 1}).commands.empty());
  // Learn only listens to the accepted channel too.
  std::string error;
  ASSERT_TRUE(map.learn("slider/2", error));
  EXPECT_FALSE(feed(map, {0xB0, 30, 1}).learned);
  EXPECT_TRUE(feed(map, {0xB9, 30, 1}).learned);
}

TEST(MidiMap, TransportMessages) {
  MidiMap map(table());
  EXPECT_EQ(describe(feed(map, {0xFA})), Lines{"/jam/play"});
  EXPECT_EQ(describe(feed(map, {0xFB})), Lines{"/jam/play"});
  EXPECT_EQ(describe(feed(map, {0xFC})), Lines{"/jam/stop"});
  EXPECT_TRUE(feed(map, {0xFE}).commands.empty());  // active sensing
  MidiMapOptions o;
  o.follow_clock = false;
  MidiMap off(table(), o);
  EXPECT_TRUE(feed(off, {0xFA}).commands.empty());
}

TEST(MidiMap, LearnBindsNextControlChangeToSlider) {
  MidiMap map(table());
  std::string error;
  ASSERT_TRUE(map.learn("slider/3", error)) << error;
  EXPECT_TRUE(map.learning());
  auto out = feed(map, {0xB1, 21, 90});
  ASSERT_TRUE(out.learned);
  EXPECT_TRUE(out.commands.empty());  // the learning move itself does not act
  EXPECT_EQ(out.learned->target, "slider/3");
  EXPECT_EQ(out.learned->source, "cc 21 ch 2");
  EXPECT_FALSE(map.learning());
  EXPECT_EQ(describe(feed(map, {0xB1, 21, 127})), Lines{"/jam/slider/3 f1.000"});
  // Bound to the channel it was learned on.
  EXPECT_TRUE(feed(map, {0xB0, 21, 127}).commands.empty());
  ASSERT_EQ(map.bindings().size(), 1u);
  EXPECT_EQ(map.bindings()[0].source_text(), "cc 21 ch 2");
}

TEST(MidiMap, LearnedBindingOverridesDefault) {
  MidiMap map(table());
  std::string error;
  ASSERT_TRUE(map.learn("slot/5", error));
  feed(map, {0xB0, 1, 0});  // CC 1 (slider 1 by default) now recalls slot 5
  EXPECT_EQ(describe(feed(map, {0xB0, 1, 127})), Lines{"/jam/slot/recall i5"});
  // Learning the same control again replaces the binding instead of stacking another.
  ASSERT_TRUE(map.learn("slider/8", error));
  feed(map, {0xB0, 1, 10});
  EXPECT_EQ(map.bindings().size(), 1u);
  EXPECT_EQ(describe(feed(map, {0xB0, 1, 127})), Lines{"/jam/slider/8 f1.000"});
}

TEST(MidiMap, ControlChangeBoundToTriggerFiresOncePerPress) {
  MidiMap map(table());
  std::string error;
  ASSERT_TRUE(map.learn("trigger/snare", error));
  auto learned = feed(map, {0xB0, 64, 0});
  ASSERT_TRUE(learned.learned);
  EXPECT_EQ(learned.learned->source, "cc 64 ch 1");
  EXPECT_EQ(describe(feed(map, {0xB0, 64, 127})), Lines{"/jam/trigger ssnare f1.000"});
  EXPECT_TRUE(feed(map, {0xB0, 64, 100}).commands.empty());  // still held
  EXPECT_TRUE(feed(map, {0xB0, 64, 0}).commands.empty());    // released
  EXPECT_TRUE(feed(map, {0xB0, 64, 63}).commands.empty());   // below the middle
  EXPECT_EQ(describe(feed(map, {0xB0, 64, 64})), Lines{"/jam/trigger ssnare f0.504"});
}

TEST(MidiMap, NoteBoundToSliderSetsItFromVelocity) {
  MidiMap map(table());
  std::string error;
  ASSERT_TRUE(map.learn("slider/2", error));
  auto out = feed(map, {0x90, 36, 100});  // the kick pad
  ASSERT_TRUE(out.learned);
  EXPECT_EQ(out.learned->source, "note 36 ch 1");
  EXPECT_TRUE(out.commands.empty());
  EXPECT_EQ(describe(feed(map, {0x90, 36, 127})), Lines{"/jam/slider/2 f1.000"});
  EXPECT_TRUE(feed(map, {0x90, 36, 0}).commands.empty());  // note-off does not move it to 0
  // Other drum notes keep their default.
  EXPECT_EQ(describe(feed(map, {0x90, 38, 127})), Lines{"/jam/trigger ssnare f1.000"});
}

TEST(MidiMap, NoteBoundToTriggerAndSlot) {
  MidiMap map(table());
  std::string error;
  ASSERT_TRUE(map.learn("trigger/loop", error));
  feed(map, {0x90, 60, 1});
  EXPECT_EQ(describe(feed(map, {0x90, 60, 127})), Lines{"/jam/trigger sloop f1.000"});
  ASSERT_TRUE(map.learn("slot/128", error));
  feed(map, {0x90, 61, 1});
  EXPECT_EQ(describe(feed(map, {0x90, 61, 5})), Lines{"/jam/slot/recall i128"});
}

TEST(MidiMap, ProgramChangeDoesNotCompleteLearn) {
  MidiMap map(table());
  std::string error;
  ASSERT_TRUE(map.learn("slider/1", error));
  auto out = feed(map, {0xC0, 4});
  EXPECT_FALSE(out.learned);
  EXPECT_EQ(describe(out), Lines{"/jam/slot/recall i5"});
  EXPECT_TRUE(map.learning());
  map.cancel_learn();
  EXPECT_FALSE(map.learning());
  EXPECT_EQ(describe(feed(map, {0xB0, 1, 127})), Lines{"/jam/slider/1 f1.000"});
}

TEST(MidiMap, InvalidLearnTargetsAreErrorsWithReasons) {
  MidiMap map(table());
  std::string error;
  for (const char* bad : {"", "slider", "slider/0", "slider/9", "slider/x", "slider/3x", "slot/0",
                          "slot/129", "trigger/", "trigger/a b", "fader/1", "/jam/slider/1"}) {
    error.clear();
    EXPECT_FALSE(map.learn(bad, error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
  EXPECT_FALSE(map.learning());
  map.learn("slider/9", error);
  EXPECT_EQ(error, "slider number must be 1..8, got \"9\"");
  map.learn("trigger/" + std::string(33, 'a'), error);
  EXPECT_NE(error.find("voice name"), std::string::npos);
}

TEST(MidiMap, TargetTextRoundTrips) {
  std::string error;
  for (const char* text : {"slider/1", "slider/8", "slot/1", "slot/128", "trigger/kick"}) {
    auto t = parse_midi_target(text, error);
    ASSERT_TRUE(t) << text;
    EXPECT_EQ(t->text(), text);
  }
}

TEST(MidiMap, ConfiguredBindingsAndValidation) {
  MidiMapOptions o;
  o.bindings.push_back({MidiBinding::Source::Note, 70, 0, {MidiTarget::Kind::Slot, 2, {}}});
  std::string error;
  EXPECT_TRUE(validate_midi_options(o, error)) << error;
  MidiMap map(table(), o);
  EXPECT_EQ(describe(feed(map, {0x95, 70, 100})), Lines{"/jam/slot/recall i2"});

  auto invalid = [](auto change) {
    MidiMapOptions bad;
    change(bad);
    std::string e;
    bool ok = validate_midi_options(bad, e);
    return !ok && !e.empty();
  };
  EXPECT_TRUE(invalid([](MidiMapOptions& b) { b.slider_ccs = {1, 2, 3, 4, 5, 6, 7, 8, 9}; }));
  EXPECT_TRUE(invalid([](MidiMapOptions& b) { b.slider_ccs = {128}; }));
  EXPECT_TRUE(invalid([](MidiMapOptions& b) { b.drum_notes[200] = "kick"; }));
  EXPECT_TRUE(invalid([](MidiMapOptions& b) { b.drum_notes[36] = ""; }));
  EXPECT_TRUE(invalid([](MidiMapOptions& b) { b.channel = 17; }));
  EXPECT_TRUE(invalid([](MidiMapOptions& b) {
    b.slot_note_first = 120;
    b.slot_note_count = 16;
  }));
  EXPECT_TRUE(invalid([](MidiMapOptions& b) {
    b.bindings.push_back({MidiBinding::Source::Note, 1, 0, {MidiTarget::Kind::Slider, 9, {}}});
  }));
}

TEST(MidiMap, RunningStatusAndRealtimeInsideMessages) {
  MidiMap map(table());
  // Note-on, then two more notes in running status, in one buffer.
  EXPECT_EQ(describe(feed(map, {0x90, 36, 127, 38, 127, 42, 127})),
            (Lines{"/jam/trigger skick f1.000", "/jam/trigger ssnare f1.000",
                   "/jam/trigger shat f1.000"}));
  // Running status carries over to the next buffer.
  EXPECT_EQ(describe(feed(map, {36, 127})), Lines{"/jam/trigger skick f1.000"});
  // A Start byte in the middle of a CC is handled and the CC still completes.
  EXPECT_EQ(describe(feed(map, {0xB0, 2, 0xFA, 127})),
            (Lines{"/jam/play", "/jam/slider/2 f1.000"}));
}

TEST(MidiMap, GarbageNeverCrashesAndNeverInventsCommands) {
  MidiMap map(table());
  // SysEx (complete, unterminated, and followed by a message), system common, stray data bytes,
  // truncated messages.
  EXPECT_TRUE(feed(map, {0xF0, 0x7E, 0x7F, 0x06, 0x01, 0xF7}).commands.empty());
  EXPECT_TRUE(feed(map, {0x90, 36, 127, 0xF0, 0x43, 0x12, 36, 127}).commands.size() == 1);
  // SysEx cancelled running status: bare data bytes after it are ignored.
  EXPECT_TRUE(feed(map, {36, 127}).commands.empty());
  EXPECT_EQ(describe(feed(map, {0xF0, 1, 2, 3, 0xF7, 0x90, 36, 127})),
            Lines{"/jam/trigger skick f1.000"});
  EXPECT_TRUE(feed(map, {0xF2, 0x10, 0x20, 36, 127}).commands.empty());  // song position
  EXPECT_TRUE(feed(map, {0xF6, 36, 127, 36}).commands.empty());  // tune request, then stray data
  EXPECT_TRUE(feed(map, {0x90}).commands.empty());
  EXPECT_TRUE(feed(map, {0x90, 36}).commands.empty());
  EXPECT_TRUE(feed(map, {0xC0}).commands.empty());
  EXPECT_TRUE(feed(map, {}).commands.empty());
  EXPECT_TRUE(feed(map, {0xF4, 0xF5, 0xF9, 0xFD, 0xFF}).commands.empty());

  // Random bytes: every produced command is a valid one from the table. The exception is a tempo
  // measured from random clock bytes, far outside 20..400 bpm: the table rejects it, as it would
  // reject it from OSC.
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> byte(0, 255), length(0, 12);
  for (int i = 0; i < 20000; ++i) {
    Bytes b(length(rng));
    for (auto& x : b) x = static_cast<std::uint8_t>(byte(rng));
    std::string error;
    if (i % 97 == 0) map.learn("trigger/hat", error);
    for (const auto& p : map.handle(b, i * 0.001).commands) {
      if (auto* r = std::get_if<Rejected>(&p)) {
        ASSERT_EQ(r->address, "/jam/tempo") << r->reason;
        ASSERT_NE(r->reason.find("out of range"), std::string::npos) << r->reason;
      }
    }
  }
}

// ---- clock ----

namespace {

// Feeds `ticks` clock ticks at `bpm` starting at `t0` with uniform jitter of +-jitter_s; returns
// every tempo sent.
std::vector<double> clock_run(MidiMap& map, double bpm, int ticks, double t0, double jitter_s,
                              unsigned seed = 1) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> jitter(-jitter_s, jitter_s);
  const double period = 60.0 / (bpm * 24.0);
  std::vector<double> tempos;
  for (int k = 0; k < ticks; ++k) {
    for (const auto& p : map.handle(Bytes{0xF8}, t0 + k * period + jitter(rng)).commands) {
      const auto& c = std::get<Command>(p);  // a Rejected here fails the test with bad_variant
      EXPECT_TRUE(c.is("/jam/tempo"));
      tempos.push_back(c.number(0));
    }
  }
  return tempos;
}

}  // namespace

TEST(MidiClock, TempoWithinOnePercentAtCommonTempos) {
  for (double bpm : {90.0, 120.0, 174.0}) {
    MidiMap map(table());
    auto tempos = clock_run(map, bpm, 96, 1000.0, 0.0);
    ASSERT_FALSE(tempos.empty()) << bpm;
    EXPECT_EQ(tempos.size(), 1u) << "a steady clock sends one tempo, at " << bpm;
    EXPECT_NEAR(tempos.back(), bpm, bpm * 1e-6);
  }
}

TEST(MidiClock, NeedsTwoBeatsOfTicksBeforeTheFirstTempo) {
  MidiMap map(table());
  EXPECT_TRUE(clock_run(map, 120, 48, 5.0, 0.0).empty());
  EXPECT_EQ(clock_run(map, 120, 1, 5.0 + 48 * 60.0 / (120 * 24), 0.0).size(), 1u);
}

TEST(MidiClock, JitterDoesNotCauseTempoChatter) {
  // +-2 ms per tick: about what a USB interface plus a busy scheduler gives. At 174 bpm that is
  // 14 % of a tick period.
  for (double bpm : {90.0, 120.0, 174.0}) {
    for (unsigned seed = 1; seed <= 5; ++seed) {
      MidiMap map(table());
      auto tempos = clock_run(map, bpm, 24 * 32, 50.0, 0.002, seed);
      ASSERT_FALSE(tempos.empty());
      for (double t : tempos) EXPECT_NEAR(t, bpm, bpm * 0.01) << "seed " << seed;
      EXPECT_LE(tempos.size(), 3u) << "chatter at " << bpm << " seed " << seed;
    }
  }
}

TEST(MidiClock, FollowsATempoChange) {
  MidiMap map(table());
  auto first = clock_run(map, 120, 96, 10.0, 0.0);
  ASSERT_FALSE(first.empty());
  const double t = 10.0 + 96 * 60.0 / (120 * 24);
  auto second = clock_run(map, 128, 96, t, 0.0);
  ASSERT_FALSE(second.empty());
  EXPECT_NEAR(second.back(), 128.0, 128.0 * 0.001);
  // Small drift under the threshold is not sent.
  auto third = clock_run(map, 128.3, 96, t + 96 * 60.0 / (128 * 24), 0.0);
  EXPECT_TRUE(third.empty());
}

TEST(MidiClock, StoppedClockRestartsTheMeasurement) {
  MidiMap map(table());
  auto a = clock_run(map, 100, 72, 0.0, 0.0);
  ASSERT_EQ(a.size(), 1u);
  // Two seconds of silence, then a new tempo: the old ticks must not be mixed into the fit (a fit
  // across the gap would report a tempo far below either).
  auto b = clock_run(map, 140, 72, 72 * 60.0 / (100 * 24) + 2.0, 0.0);
  ASSERT_FALSE(b.empty());
  for (double t : b) EXPECT_NEAR(t, 140.0, 0.5);
}

TEST(MidiClock, TimeGoingBackwardsResets) {
  MidiClockTempo clock;
  for (int k = 0; k < 60; ++k) clock.tick(10.0 + k * 0.02);
  EXPECT_FALSE(clock.tick(1.0));  // earlier than the last tick: start again
  std::optional<double> bpm;
  for (int k = 1; k <= 47; ++k) EXPECT_FALSE(clock.tick(1.0 + k * 0.025));
  bpm = clock.tick(1.0 + 48 * 0.025);
  ASSERT_TRUE(bpm);
  EXPECT_NEAR(*bpm, 100.0, 1e-6);
}

// ---- clock under realistic faults: jitter, bursts, lost ticks, quantised arrival, changes ----
// Every test feeds timestamps directly (no wall clock, no sleeps) from seeded generators, and
// checks every estimate MidiClockTempo makes, not only the tempos MidiMap sends.

namespace {

// Arrival times of a clock at `bpm` from `t0`: tick k is due at t0 + k * period, plus uniform
// jitter of +-jitter_s.
struct SyntheticClock {
  double bpm = 128.0;
  double t0 = 100.0;
  double jitter_s = 0.0;
  double period() const { return 60.0 / (bpm * MidiClockTempo::kTicksPerBeat); }
  double due(int k) const { return t0 + k * period(); }
};

// The estimates (nullopt where there was none) for `arrivals`, in order.
std::vector<std::optional<double>> estimates(MidiClockTempo& clock,
                                             const std::vector<double>& arrivals) {
  std::vector<std::optional<double>> out;
  for (double t : arrivals) out.push_back(clock.tick(t));
  return out;
}

std::vector<double> jittered(const SyntheticClock& c, int ticks, std::mt19937& rng) {
  std::uniform_real_distribution<double> jitter(-c.jitter_s, c.jitter_s);
  std::vector<double> t;
  for (int k = 0; k < ticks; ++k) t.push_back(c.due(k) + jitter(rng));
  return t;
}

// Arrival order is send order (one port), so a jittered tick never arrives before the previous one.
void keep_order(std::vector<double>& t) {
  for (std::size_t k = 1; k < t.size(); ++k) t[k] = std::max(t[k], t[k - 1]);
}

}  // namespace

TEST(MidiClockRobust, HoldsOneTwentyEightWithinOnePercentUnderTwoMsJitter) {
  // The requirement: 128 bpm within 1 % with +-2 ms of uniform jitter on every tick, for
  // every estimate of every seed. Only the first estimate (after two beats) may take long to come.
  double worst = 0.0;
  for (unsigned seed = 1; seed <= 300; ++seed) {
    std::mt19937 rng(seed);
    SyntheticClock c{128.0, 10.0 + seed, 0.002};
    auto t = jittered(c, 24 * 16, rng);
    keep_order(t);
    MidiClockTempo clock;
    auto e = estimates(clock, t);
    int made = 0;
    for (std::size_t k = 0; k < e.size(); ++k) {
      if (k + 1 < static_cast<std::size_t>(MidiClockTempo::kWindow)) {
        EXPECT_FALSE(e[k]) << "an estimate before two beats, tick " << k;
        continue;
      }
      if (!e[k]) continue;
      ++made;
      worst = std::max(worst, std::fabs(*e[k] - 128.0) / 128.0);
      ASSERT_NEAR(*e[k], 128.0, 1.28) << "seed " << seed << " tick " << k;
    }
    // Jitter alone never stops the estimate.
    EXPECT_EQ(made, 24 * 16 - MidiClockTempo::kWindow + 1) << "seed " << seed;
  }
  EXPECT_LT(worst, 0.005) << "worst relative error " << worst;
}

TEST(MidiClockRobust, MapSendsOneTempoForAJitteredClockAtOneTwentyEight) {
  for (unsigned seed = 1; seed <= 100; ++seed) {
    MidiMap map(table());
    auto tempos = clock_run(map, 128.0, 24 * 16, 3.0, 0.002, seed);
    ASSERT_FALSE(tempos.empty()) << "seed " << seed;
    for (double bpm : tempos) EXPECT_NEAR(bpm, 128.0, 1.28) << "seed " << seed;
    EXPECT_LE(tempos.size(), 2u) << "seed " << seed;
  }
}

TEST(MidiClockRobust, BurstsAfterAStallDoNotMoveTheTempo) {
  // The sender (or a JACK cycle, or the scheduler) stalls for `stall` seconds: every tick due in
  // that time arrives at its end, 0.1 ms apart. A least-squares fit through such a burst at the end
  // of its window reads several per cent slow (124 bpm for 128 with a 100 ms stall); here every
  // estimate stays within 1 % (an estimate may be missing while the burst is in the window).
  for (double stall : {0.02, 0.05, 0.08, 0.1, 0.15, 0.2, 0.25, 0.29}) {
    for (unsigned seed = 1; seed <= 40; ++seed) {
      std::mt19937 rng(seed * 7919);
      SyntheticClock c{128.0, 1.0, 0.002};
      auto t = jittered(c, 24 * 12, rng);
      // Stalls at several places, so a burst passes through every position in the window.
      std::uniform_real_distribution<double> where(0.0, 1.0);
      for (double at = c.due(30) + where(rng) * 0.3; at < t.back(); at += 2.5 + where(rng) * 0.5) {
        double release = at + stall;
        for (auto& x : t) {
          if (x >= at && x < release) {
            x = release;
            release += 0.0001;
          }
        }
      }
      keep_order(t);
      MidiClockTempo clock;
      auto e = estimates(clock, t);
      int made = 0;
      for (std::size_t k = 0; k < e.size(); ++k) {
        if (!e[k]) continue;
        ++made;
        ASSERT_NEAR(*e[k], 128.0, 1.28) << "stall " << stall << " seed " << seed << " tick " << k;
      }
      EXPECT_GT(made, static_cast<int>(e.size()) / 3) << "stall " << stall << " seed " << seed;
    }
  }
}

TEST(MidiClockRobust, LostTicksAreCountedNotMistakenForASlowerClock) {
  // JACK drops the MIDI of a cycle a late client misses: single ticks go missing.
  for (unsigned seed = 1; seed <= 50; ++seed) {
    std::mt19937 rng(seed);
    SyntheticClock c{128.0, 2.0, 0.002};
    auto all = jittered(c, 24 * 12, rng);
    std::vector<double> t;
    int dropped = 0;
    std::uniform_int_distribution<int> one_in(0, 29);
    for (std::size_t k = 0; k < all.size(); ++k) {
      // Never two in a row (that is a stall, not a lost tick).
      if (k > 0 && one_in(rng) == 0 && (t.empty() || t.back() == all[k - 1])) {
        ++dropped;
        continue;
      }
      t.push_back(all[k]);
    }
    keep_order(t);
    MidiClockTempo clock;
    auto e = estimates(clock, t);
    int made = 0;
    for (std::size_t k = 0; k < e.size(); ++k) {
      if (!e[k]) continue;
      ++made;
      ASSERT_NEAR(*e[k], 128.0, 1.28) << "seed " << seed << " tick " << k;
    }
    EXPECT_GT(made, static_cast<int>(e.size()) / 2) << "seed " << seed;
    // Two losses two ticks apart, or one in the first ticks, are not recognised (and then left
    // out).
    EXPECT_GE(clock.lost(), dropped / 2) << "seed " << seed;
    EXPECT_LE(clock.lost(), dropped) << "seed " << seed;
  }
}

TEST(MidiClockRobust, QuantisedArrivalTimesOfAJackPeriod) {
  // RtMidi on JACK stamps a message when its process cycle runs: arrival times are rounded up to a
  // period (64 frames in the tests' server, 256 or 1024 on a live rig at 48 kHz).
  for (int frames : {64, 128, 256, 512, 1024}) {
    const double period = frames / 48000.0;
    for (unsigned seed = 1; seed <= 30; ++seed) {
      std::mt19937 rng(seed);
      std::uniform_real_distribution<double> phase(0.0, period);
      SyntheticClock c{128.0, 5.0 + phase(rng), 0.0};
      auto t = jittered(c, 24 * 12, rng);
      for (auto& x : t) x = std::ceil(x / period) * period;
      MidiClockTempo clock;
      auto e = estimates(clock, t);
      int made = 0;
      for (std::size_t k = 0; k < e.size(); ++k) {
        if (!e[k]) continue;
        ++made;
        ASSERT_NEAR(*e[k], 128.0, 1.28) << frames << " frames, seed " << seed << " tick " << k;
      }
      EXPECT_GT(made, static_cast<int>(e.size()) / 2) << frames << " frames, seed " << seed;
    }
  }
}

TEST(MidiClockRobust, FollowsOneTwentyToOneFortyWithinTwoBeats) {
  for (auto [from, to] : {std::pair{120.0, 140.0}, std::pair{140.0, 120.0}}) {
    for (unsigned seed = 1; seed <= 50; ++seed) {
      std::mt19937 rng(seed);
      MidiMap map(table());
      SyntheticClock a{from, 20.0, 0.002};
      const int before = 24 * 6;
      auto first = clock_run(map, from, before, a.t0, 0.002, seed);
      ASSERT_FALSE(first.empty());
      EXPECT_NEAR(first.back(), from, from * 0.01);
      // The new tempo starts one old period after the last old tick.
      const double t1 = a.due(before);
      std::vector<double> sent;
      auto run = [&](int ticks, int offset) {
        std::uniform_real_distribution<double> jitter(-0.002, 0.002);
        const double period = 60.0 / (to * 24.0);
        for (int k = offset; k < offset + ticks; ++k) {
          for (const auto& p : map.handle(Bytes{0xF8}, t1 + k * period + jitter(rng)).commands)
            sent.push_back(std::get<Command>(p).number(0));
        }
      };
      run(2 * 24, 0);  // two beats at the new tempo
      ASSERT_FALSE(sent.empty()) << from << " -> " << to << " seed " << seed;
      EXPECT_NEAR(sent.back(), to, to * 0.01) << from << " -> " << to << " seed " << seed;
      // Nothing outside the two tempos on the way, and at most a few steps.
      for (double bpm : sent) {
        EXPECT_GE(bpm, std::min(from, to) * 0.99) << "seed " << seed;
        EXPECT_LE(bpm, std::max(from, to) * 1.01) << "seed " << seed;
      }
      std::string all;
      for (double bpm : sent) all += " " + std::to_string(bpm);
      EXPECT_LE(sent.size(), 6u) << from << " -> " << to << " seed " << seed << ":" << all;
      const std::size_t settled = sent.size();
      run(4 * 24, 2 * 24);  // and it stays there
      for (std::size_t i = settled; i < sent.size(); ++i)
        EXPECT_NEAR(sent[i], to, to * 0.01) << "seed " << seed;
    }
  }
}

TEST(MidiClockRobust, StartStopAndContinueRestartTheMeasurement) {
  for (std::uint8_t restart : {std::uint8_t{0xFA}, std::uint8_t{0xFB}, std::uint8_t{0xFC}}) {
    MidiMap map(table());
    const double period = 60.0 / (100.0 * 24);
    double t = 1.0;
    auto ticks = [&](int n) {
      std::vector<double> sent;
      for (int k = 0; k < n; ++k, t += period)
        for (const auto& p : map.handle(Bytes{0xF8}, t).commands)
          sent.push_back(std::get<Command>(p).number(0));
      return sent;
    };
    ASSERT_EQ(ticks(60).size(), 1u);
    EXPECT_EQ(feed(map, {restart}, t).commands.size(), 1u);  // /jam/play or /jam/stop
    // A restart realigns the sender's clock: the ticks before it must not be in the next fit. The
    // first one after it comes half a period late; mixed into the old window it would pull the fit.
    t += period / 2;
    EXPECT_TRUE(ticks(MidiClockTempo::kWindow - 1).empty()) << "estimate before two new beats";
    // 110 bpm after the restart: a new tempo after two beats of the new clock.
    const double faster = 60.0 / (110.0 * 24);
    std::vector<double> sent;
    for (int k = 0; k < 2 * 24 + 1; ++k, t += faster)
      for (const auto& p : map.handle(Bytes{0xF8}, t).commands)
        sent.push_back(std::get<Command>(p).number(0));
    ASSERT_FALSE(sent.empty());
    EXPECT_NEAR(sent.back(), 110.0, 1.1);
  }
  // The same tempo after a restart is not sent again.
  MidiMap map(table());
  auto a = clock_run(map, 128.0, 72, 1.0, 0.0);
  ASSERT_EQ(a.size(), 1u);
  feed(map, {0xFC}, 2.0);
  feed(map, {0xFA}, 2.5);
  EXPECT_TRUE(clock_run(map, 128.0, 96, 2.6, 0.0).empty());
}

TEST(MidiClockRobust, ResetForgetsEverything) {
  MidiClockTempo clock;
  for (int k = 0; k < 60; ++k) clock.tick(1.0 + k * 0.02);
  clock.reset();
  for (int k = 0; k < MidiClockTempo::kWindow - 1; ++k) EXPECT_FALSE(clock.tick(5.0 + k * 0.025));
  auto bpm = clock.tick(5.0 + (MidiClockTempo::kWindow - 1) * 0.025);
  ASSERT_TRUE(bpm);
  EXPECT_NEAR(*bpm, 100.0, 1e-6);
  EXPECT_EQ(clock.rejected(), 0);
  EXPECT_EQ(clock.lost(), 0);
}

// "any" prefers a real source over a software loopback; a named port takes what contains the name.
TEST(MidiPortOrder, AnyPrefersHardwareOverMidiThrough) {
  const std::vector<std::string> names = {"Midi Through:Midi Through Port-0 14:0",
                                          "nanoPAD2:nanoPAD2 MIDI 1 20:0", "a2j:Midi Through [14]",
                                          "Launchpad Mini:Launchpad Mini MIDI 1 24:0"};
  EXPECT_EQ(latentjam::control::midi_port_order(names, ""), (std::vector<std::size_t>{1, 3, 0, 2}));
  EXPECT_EQ(latentjam::control::midi_port_order(names, "launchpad"), (std::vector<std::size_t>{3}));
  EXPECT_EQ(latentjam::control::midi_port_order(names, "through"),
            (std::vector<std::size_t>{0, 2}));
  EXPECT_TRUE(latentjam::control::midi_port_order(names, "cowbell").empty());
  EXPECT_TRUE(latentjam::control::midi_port_order({}, "").empty());
}
