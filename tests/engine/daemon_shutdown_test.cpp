// SIGTERM in the middle of a command flood, many times over (issue 11, "clean shutdown"): the
// daemon stops inputs, drains and joins the conductor and the pool, then destroys, so every round
// must end with exit status 0, within a bound, with no sanitizer report in its log (the sanitizer
// builds of tools/test.sh run this test against a daemon built with ASan or TSan), and with every
// label it acknowledged still there after a restart.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>

#include "../support/daemon_process.hpp"
#include "../support/osc_client.hpp"

using namespace latentjam::testing;
using namespace std::chrono_literals;

namespace {

constexpr int kRounds = 10;

std::vector<std::string> daemon_args(int port, const std::filesystem::path& session) {
  return {"--osc-port",    std::to_string(port), "--audio",        "none",
          "--session-dir", session.string(),     "--text-encoder", "hashing"};
}

// One command of the mix a busy rig sends, by number: sounds, labels, prompts, faders, hits,
// model loads, queries and evaluations, so every kind of stage is running when the signal lands.
void send_one(OscClient& c, int n) {
  switch (n % 10) {
    case 0:
      c.send("/jam/random", "kick", n);
      break;
    case 1:
      c.send("/jam/label", "word" + std::to_string(n % 7), "kick");
      break;
    case 2:
      c.send("/jam/prompt", "word" + std::to_string(n % 5), "kick");
      break;
    case 3:
      c.send("/jam/slider/3", static_cast<float>(n % 100) / 100.0f);
      break;
    case 4:
      c.send("/jam/trigger", "kick", 1.0f);
      break;
    case 5:
      c.send("/jam/model/load", "snare", n % 20 == 5 ? "builtin:snare" : "builtin:hat");
      break;
    case 6:
      c.send("/jam/tempo", 100.0f + static_cast<float>(n % 40));
      break;
    case 7:
      c.send("/jam/examples", "kick");
      break;
    case 8:
      c.send("/jam/evaluate", "kick");
      break;
    default:
      c.send("/jam/status");
      break;
  }
}

}  // namespace

TEST(DaemonShutdown, SigtermUnderACommandFloodEndsCleanlyEveryTime) {
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const auto dir = fresh_temp_dir("shutdown-" + std::to_string(round));
    const int port = free_udp_port();
    auto daemon =
        std::make_unique<DaemonProcess>(daemon_args(port, dir / "session"), dir / "daemon.log");
    // `watch` is subscribed, so it gets a copy of every reply to the flood: how busy it is.
    OscClient watch(port);
    ASSERT_TRUE(watch.wait_until_ready()) << daemon->log();
    watch.send("/jam/subscribe");
    ASSERT_TRUE(watch.wait_done_or_fail());
    watch.send("/jam/random", "kick", 1);
    ASSERT_TRUE(watch.wait_done_or_fail());

    // The flood runs on its own socket and thread, before and across the signal.
    OscClient flood(port);
    std::atomic<bool> stop{false};
    std::atomic<int> sent{0};
    std::thread flooding([&] {
      for (int n = 0; !stop.load(); ++n) {
        send_one(flood, n + round);
        sent.store(n + 1);
      }
    });
    // The signal lands at a different point of the flood each round: after some hundreds of
    // commands have been answered (the daemon is busy, not just started).
    const int answered_before_signal = 100 + 60 * round;
    int answered = 0;
    while (answered < answered_before_signal) {
      auto r = watch.wait_until(
          [](const OscReply& m) { return m.address == "/done" || m.address == "/fail"; }, 10s);
      ASSERT_TRUE(r) << "the daemon stopped answering the flood\n" << daemon->log();
      watch.inbox().clear();
      ++answered;
    }
    const auto status = daemon->stop_within(SIGTERM, 20s);
    stop = true;
    flooding.join();
    const std::string log = daemon->log();
    ASSERT_TRUE(status.has_value()) << "no exit within 20 s of SIGTERM (hung)\n" << log;
    EXPECT_EQ(*status, 0) << "crashed or failed at shutdown\n" << log;
    EXPECT_NE(log.find("stopped;"), std::string::npos) << log;
    for (const char* report :
         {"AddressSanitizer", "ThreadSanitizer", "LeakSanitizer", "runtime error:"})
      EXPECT_EQ(log.find(report), std::string::npos) << report << " in the log\n" << log;
    EXPECT_GT(sent.load(), answered_before_signal / 2);

    // Every label the daemon acknowledged before it stopped is still there.
    std::set<int> acknowledged;
    while (auto r = flood.wait_until([](const OscReply&) { return true; }, 200ms))
      if (r->address == "/done" && r->args.size() > 1 && r->text(0) == "/jam/label")
        acknowledged.insert(r->integer(1));
    daemon =
        std::make_unique<DaemonProcess>(daemon_args(port, dir / "session"), dir / "daemon-2.log");
    OscClient after(port);
    ASSERT_TRUE(after.wait_until_ready()) << daemon->log();
    std::set<int> kept;
    for (int first = 1;; first += 100) {
      after.send("/jam/examples", "kick", first, 100);
      auto part = after.wait_until(
          [](const OscReply& r) {
            return r.address == "/jam/examples.reply" || r.address == "/fail";
          },
          10s);
      ASSERT_TRUE(part);
      if (part->address == "/fail" || part->args.size() <= 1) break;
      for (std::size_t i = 1; i + 1 < part->args.size(); i += 2) kept.insert(part->integer(i));
    }
    for (int id : acknowledged) EXPECT_TRUE(kept.count(id)) << "label " << id << " was lost";
    EXPECT_EQ(daemon->stop_within(SIGTERM, 20s), std::optional<int>(0));
    if (!HasFailure()) std::filesystem::remove_all(dir);
  }
}
