// The fast lane for drum hits (issue 11, item 2), against the real daemon over OSC: a hit goes
// from the OSC thread straight to the mixer, whatever another client has queued, yet a client's
// own sound change sent before its hit still comes first; the voice-less hit follows the focus;
// /jam/status reports the hits and their arrival-to-sound latency.
#include <gtest/gtest.h>

#include "../support/daemon_process.hpp"
#include "../support/osc_client.hpp"

namespace latentjam::testing {
namespace {

class DaemonHits : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fresh_temp_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    port_ = free_udp_port();
    daemon_ = std::make_unique<DaemonProcess>(
        std::vector<std::string>{"--osc-port", std::to_string(port_), "--audio", "none",
                                 "--session-dir", (dir_ / "session").string(), "--text-encoder",
                                 "hashing"},
        dir_ / "daemon.log");
    a_ = std::make_unique<OscClient>(port_);
    b_ = std::make_unique<OscClient>(port_);
    ASSERT_TRUE(a_->wait_until_ready()) << daemon_->log();
  }
  void TearDown() override {
    a_.reset();
    b_.reset();
    daemon_.reset();
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }
  template <class... Args>
  OscReply done(OscClient& c, const std::string& address, Args... args) {
    c.send(address, args...);
    auto r = c.wait_done_or_fail(std::chrono::seconds(10));
    EXPECT_TRUE(r) << address << "\n" << daemon_->log();
    if (!r) return {};
    EXPECT_EQ(r->address, "/done") << address << ": " << (r->args.size() > 1 ? r->text(1) : "");
    return *r;
  }
  // Asks until `condition` holds (each status query is an answer awaited), for at most 10 s.
  template <class Condition>
  bool eventually(Condition condition) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline)
      if (condition()) return true;
    return false;
  }
  int status_int(const std::string& key) {
    a_->send("/jam/status");
    auto s = a_->wait_for("/jam/status.reply", std::chrono::seconds(10));
    EXPECT_TRUE(s);
    return s ? std::get<int>(*s->value(key)) : -1;
  }

  std::filesystem::path dir_;
  int port_ = 0;
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<OscClient> a_, b_;
};

TEST_F(DaemonHits, AHitTakesTheFastLaneWhateverAnotherClientHasQueued) {
  done(*a_, "/jam/random", "kick");
  // Client a queues a burst of sound changes; b's hit does not wait for them.
  for (int i = 0; i < 300; ++i) a_->send("/jam/slider/3", (i % 100) / 100.0f);
  const OscReply hit = done(*b_, "/jam/trigger", "kick", 1.0f);
  EXPECT_EQ(hit.text(1), "kick");
  for (int i = 0; i < 300; ++i) ASSERT_TRUE(a_->wait_done_or_fail(std::chrono::seconds(20)));
  EXPECT_EQ(status_int("hits_fast"), 1);
  EXPECT_TRUE(eventually([&] { return status_int("hits") == 1; }));  // and the mixer played it
}

TEST_F(DaemonHits, AHitSentRightAfterASoundChangePlaysTheNewSound) {
  for (int round = 0; round < 5; ++round) {
    // Back to back from one client: whichever lane the hit takes (the line while the change is
    // queued, the fast lane once it has been taken), it plays the new sound, waiting for its
    // decode in the mixer if need be.
    a_->send("/jam/random", "snare");
    a_->send("/jam/trigger", "snare");
    auto random = a_->wait_done_or_fail();
    auto trigger = a_->wait_done_or_fail();
    ASSERT_TRUE(random && trigger);
    ASSERT_EQ(random->text(0), "/jam/random");
    ASSERT_EQ(trigger->text(0), "/jam/trigger");
    const int sound = random->integer(1);
    EXPECT_TRUE(eventually([&] { return status_int("hit.snare") == sound; }))
        << "round " << round << ": the hit played sound " << status_int("hit.snare")
        << ", not the new " << sound;
  }
  EXPECT_TRUE(eventually([&] { return status_int("hits") == 5; }));
}

TEST_F(DaemonHits, AHitWithoutAVoiceFollowsTheFocusAndBadHitsAreAnsweredByTheLine) {
  done(*a_, "/jam/focus", "hat");
  done(*a_, "/jam/random");
  const OscReply hit = done(*b_, "/jam/trigger");
  EXPECT_EQ(hit.text(1), "hat");
  EXPECT_EQ(status_int("hits_fast"), 1);
  b_->send("/jam/trigger", "cowbell");
  auto unknown = b_->wait_done_or_fail();
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->address, "/fail");
  b_->send("/jam/trigger", "snare");  // no sound yet
  auto silent = b_->wait_done_or_fail();
  ASSERT_TRUE(silent);
  EXPECT_EQ(silent->address, "/fail");
  EXPECT_NE(silent->text(1).find("no sound"), std::string::npos) << silent->text(1);
  EXPECT_EQ(status_int("hits_fast"), 1);
}

}  // namespace
}  // namespace latentjam::testing
