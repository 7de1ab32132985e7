// The whole daemon played from a JACK MIDI controller (the CTest "jack" fixture's dummy server):
// notes trigger, CCs move sliders, program changes recall prompt slots, MIDI clock sets the tempo.
// Every MIDI-made command answers its /done to OSC subscribers, which is what this test awaits.
#include <gtest/gtest.h>
#include <rtmidi/RtMidi.h>

#include <chrono>
#include <cmath>
#include <thread>

#include "../support/daemon_process.hpp"
#include "../support/osc_client.hpp"

using namespace latentjam::testing;
using namespace std::chrono_literals;

namespace {

class DaemonMidi : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::getenv("JACK_DEFAULT_SERVER")) {
      if (std::getenv("CI")) FAIL() << "JACK_DEFAULT_SERVER is not set: run through ctest";
      GTEST_SKIP() << "no JACK server (ctest starts one)";
    }
    dir_ = fresh_temp_dir("midi");
    port_ = free_udp_port();
    daemon_ = std::make_unique<DaemonProcess>(
        std::vector<std::string>{"--osc-port", std::to_string(port_), "--audio", "none",
                                 "--session-dir", (dir_ / "s").string(), "--text-encoder",
                                 "hashing", "--midi", "virtual", "--midi-api", "jack"},
        dir_ / "daemon.log");
    osc_ = std::make_unique<OscClient>(port_);
    ASSERT_TRUE(osc_->wait_until_ready()) << daemon_->log();
    osc_->send("/jam/subscribe");
    ASSERT_EQ(osc_->wait_done_or_fail()->address, "/done");
    // A controller: a JACK MIDI output connected to the daemon's virtual input.
    out_ = std::make_unique<RtMidiOut>(RtMidi::UNIX_JACK, "lj-test-controller");
    for (unsigned i = 0; i < out_->getPortCount(); ++i)
      if (out_->getPortName(i).find("latentjam") != std::string::npos) out_->openPort(i, "out");
    ASSERT_TRUE(out_->isPortOpen()) << "the daemon's MIDI port is not visible";
  }
  void TearDown() override {
    out_.reset();
    osc_.reset();
    daemon_.reset();
    if (!HasFailure() && !dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // JACK drops the MIDI of a cycle it misses (xruns are common on a loaded 2-core machine) and a
  // fresh connection joins the graph a cycle late: resend until the daemon answers.
  std::optional<OscReply> send_until_done(std::vector<unsigned char> bytes,
                                          const std::string& address) {
    for (int attempt = 0; attempt < 10; ++attempt) {
      out_->sendMessage(&bytes);
      auto deadline = std::chrono::steady_clock::now() + 500ms;
      while (std::chrono::steady_clock::now() < deadline) {
        auto r = osc_->wait_done_or_fail(100ms);
        if (r && r->text(0) == address) return r;
      }
    }
    return std::nullopt;
  }

  std::filesystem::path dir_;
  int port_ = 0;
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<OscClient> osc_;
  std::unique_ptr<RtMidiOut> out_;
};

}  // namespace

TEST_F(DaemonMidi, NotesCcsProgramChangesAndClockDriveTheDaemon) {
  osc_->send("/jam/random", "kick", 3);
  ASSERT_EQ(osc_->wait_done_or_fail()->address, "/done");

  auto hit = send_until_done({0x90, 36, 100}, "/jam/trigger");  // GM kick
  ASSERT_TRUE(hit) << daemon_->log();
  EXPECT_EQ(hit->address, "/done");
  EXPECT_EQ(hit->text(1), "kick");

  auto slider = send_until_done({0xB0, 3, 127}, "/jam/slider/3");  // CC 3 -> slider 3
  ASSERT_TRUE(slider);
  EXPECT_EQ(slider->address, "/done");

  osc_->send("/jam/random", "snare", 4);
  osc_->wait_done_or_fail();
  osc_->send("/jam/label", "crack", "snare");
  ASSERT_EQ(osc_->wait_done_or_fail()->address, "/done");
  osc_->send("/jam/focus", "snare");
  osc_->wait_done_or_fail();
  osc_->send("/jam/slot/store", 5, "crack");
  ASSERT_EQ(osc_->wait_done_or_fail()->address, "/done");
  auto slot = send_until_done({0xC0, 4}, "/jam/slot/recall");  // program 4 -> slot 5
  ASSERT_TRUE(slot);
  EXPECT_EQ(slot->address, "/done") << (slot->args.size() > 1 ? slot->text(1) : "");

  // 128 bpm MIDI clock: 24 ticks per beat, 4 beats; the tempo must land within 1 %.
  std::optional<OscReply> tempo;
  for (int attempt = 0; attempt < 3 && !tempo; ++attempt) {
    const auto tick = std::chrono::duration<double>(60.0 / 128.0 / 24.0);
    auto next = std::chrono::steady_clock::now();
    std::vector<unsigned char> clock = {0xF8};
    for (int i = 0; i < 96; ++i) {
      out_->sendMessage(&clock);
      next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(tick);
      std::this_thread::sleep_until(next);  // the controller's own clock, not synchronisation
    }
    for (auto deadline = std::chrono::steady_clock::now() + 1s;
         std::chrono::steady_clock::now() < deadline && !tempo;) {
      auto r = osc_->wait_done_or_fail(100ms);
      if (r && r->text(0) == "/jam/tempo") tempo = r;
    }
  }
  ASSERT_TRUE(tempo) << "no tempo from MIDI clock";
  EXPECT_NEAR(tempo->number(1), 128.0f, 128.0f * 0.01f);
}

TEST_F(DaemonMidi, MidiLearnBindsTheNextControl) {
  osc_->send("/jam/random", "kick", 3);
  osc_->wait_done_or_fail();
  osc_->send("/jam/midi/learn", "slider/2");
  ASSERT_EQ(osc_->wait_done_or_fail()->address, "/done");
  std::optional<OscReply> learned;
  std::vector<unsigned char> cc = {0xB0, 21, 90};
  for (int attempt = 0; attempt < 10 && !learned; ++attempt) {
    out_->sendMessage(&cc);
    learned = osc_->wait_for("/jam/midi/learned", 500ms);
  }
  ASSERT_TRUE(learned);
  EXPECT_EQ(learned->text(0), "slider/2");
  EXPECT_NE(learned->text(1).find("cc 21"), std::string::npos) << learned->text(1);
  auto moved = send_until_done({0xB0, 21, 10}, "/jam/slider/2");
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->address, "/done");

  osc_->send("/jam/midi/learn", "slider/99");
  auto bad = osc_->wait_done_or_fail();
  EXPECT_EQ(bad->address, "/fail");
}
