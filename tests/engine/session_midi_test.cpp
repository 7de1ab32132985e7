// The learned MIDI controls kept with a session (engine/session_midi.hpp): written durably, read
// back as they were, bad lines skipped with a reason, one control per target.
#include "latentjam/engine/session_midi.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace latentjam;
using control::MidiBinding;

namespace {

MidiBinding binding(MidiBinding::Source source, int number, int channel, const char* target) {
  MidiBinding b;
  b.source = source;
  b.number = number;
  b.channel = channel;
  std::string error;
  b.target = *control::parse_midi_target(target, error);
  return b;
}

bool same(const MidiBinding& a, const MidiBinding& b) {
  return a.source == b.source && a.number == b.number && a.channel == b.channel &&
         a.target == b.target;
}

struct Folder {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("latentjam-session-midi-" + std::to_string(::getpid()));
  Folder() { std::filesystem::create_directories(path); }
  ~Folder() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST(SessionMidi, LearnedControlsComeBackAsTheyWereSaved) {
  Folder dir;
  std::vector<std::string> warnings;
  EXPECT_TRUE(engine::read_session_midi(dir.path.string(), warnings).empty());  // no file yet
  const std::vector<MidiBinding> saved = {
      binding(MidiBinding::Source::ControlChange, 21, 0, "slider/2"),
      binding(MidiBinding::Source::Note, 60, 10, "trigger/snare"),
      binding(MidiBinding::Source::ControlChange, 127, 16, "slot/128")};
  ASSERT_TRUE(engine::write_session_midi(dir.path.string(), saved).ok());
  const auto read = engine::read_session_midi(dir.path.string(), warnings);
  ASSERT_EQ(read.size(), saved.size());
  for (std::size_t i = 0; i < saved.size(); ++i) EXPECT_TRUE(same(read[i], saved[i])) << i;
  EXPECT_TRUE(warnings.empty());
  EXPECT_FALSE(std::filesystem::exists(dir.path / "midi.tsv.tmp"));
}

TEST(SessionMidi, BadLinesAreSkippedWithTheirReason) {
  Folder dir;
  std::ofstream(dir.path / "midi.tsv") << "cc\t21\t0\tslider/2\n"
                                       << "cc\t128\t0\tslider/3\n"    // number out of range
                                       << "pitch\t1\t0\tslider/4\n"   // no such source
                                       << "note\t60\t0\tslider/99\n"  // no such target
                                       << "garbage\n";
  std::vector<std::string> warnings;
  const auto read = engine::read_session_midi(dir.path.string(), warnings);
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].number, 21);
  ASSERT_EQ(warnings.size(), 4u);
  EXPECT_NE(warnings[0].find("line 2"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[2].find("slider"), std::string::npos) << warnings[2];
}

TEST(SessionMidi, ALearnReplacesTheSameControlAndTheSameTarget) {
  std::vector<MidiBinding> b;
  engine::remember_binding(b, binding(MidiBinding::Source::ControlChange, 21, 0, "slider/2"));
  engine::remember_binding(b, binding(MidiBinding::Source::ControlChange, 22, 0, "slider/3"));
  // CC 21 learned again, for another slider: the old use of CC 21 goes.
  engine::remember_binding(b, binding(MidiBinding::Source::ControlChange, 21, 0, "slider/4"));
  // Slider 3 learned again, on another CC: the old control for slider 3 goes.
  engine::remember_binding(b, binding(MidiBinding::Source::ControlChange, 30, 0, "slider/3"));
  ASSERT_EQ(b.size(), 2u);
  EXPECT_TRUE(same(b[0], binding(MidiBinding::Source::ControlChange, 21, 0, "slider/4")));
  EXPECT_TRUE(same(b[1], binding(MidiBinding::Source::ControlChange, 30, 0, "slider/3")));
}
