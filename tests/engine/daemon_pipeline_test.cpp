// A fader flood against the real daemon: 1000 slider moves as fast as a client can send them,
// with labels mixed in. Latest wins in the render pipeline, so far fewer decodes run than moves
// arrive; the last move is what the audio ends up with; and no label is lost.
#include <gtest/gtest.h>

#include <thread>

#include "../support/daemon_process.hpp"
#include "../support/osc_client.hpp"

using namespace latentjam::testing;
using namespace std::chrono_literals;

TEST(DaemonPipeline, ThousandSliderMovesCoalesceAndLabelsSurvive) {
  auto dir = fresh_temp_dir("flood");
  const int port = free_udp_port();
  DaemonProcess daemon({"--osc-port", std::to_string(port), "--audio", "none", "--session-dir",
                        (dir / "s").string(), "--text-encoder", "hashing", "--buffer", "64"},
                       dir / "daemon.log");
  OscClient osc(port);
  ASSERT_TRUE(osc.wait_until_ready()) << daemon.log();
  osc.send("/jam/random", "kick", 1);
  ASSERT_EQ(osc.wait_done_or_fail()->address, "/done");

  constexpr int kMoves = 1000;
  int labels_sent = 0;
  for (int i = 0; i < kMoves; ++i) {
    osc.send("/jam/slider/" + std::to_string(1 + i % 8), float(i % 100) / 99.0f);
    if (i % 100 == 50) osc.send("/jam/label", "take " + std::to_string(++labels_sent), "kick");
  }
  // Every command is answered; collect the answers.
  int slider_done = 0, label_done = 0, failed = 0;
  std::int32_t last_slider_sound = 0;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (slider_done + label_done + failed < kMoves + labels_sent &&
         std::chrono::steady_clock::now() < deadline) {
    auto r = osc.wait_done_or_fail(1s);
    if (!r) continue;
    if (r->address == "/fail") {
      ++failed;
      ADD_FAILURE() << r->text(0) << ": " << r->text(1);
    } else if (r->text(0) == "/jam/label") {
      ++label_done;
    } else if (r->text(0).rfind("/jam/slider/", 0) == 0) {
      ++slider_done;
      last_slider_sound = std::max(last_slider_sound, r->integer(1));
    }
  }
  EXPECT_EQ(slider_done, kMoves);
  EXPECT_EQ(label_done, labels_sent) << "a committed label was lost";

  // The audio thread ends up with the last move's sound (awaited through the status reports).
  std::optional<OscReply> status;
  for (auto until = std::chrono::steady_clock::now() + 10s;
       std::chrono::steady_clock::now() < until;) {
    osc.send("/jam/status");
    status = osc.wait_for("/jam/status.reply");
    if (status && std::get<int>(*status->value("sound.kick")) == last_slider_sound) break;
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(status);
  EXPECT_EQ(std::get<int>(*status->value("sound.kick")), last_slider_sound) << "the last move won";
  const int decodes = std::get<int>(*status->value("decodes"));
  const int superseded = std::get<int>(*status->value("superseded"));
  EXPECT_LT(decodes, kMoves / 2) << "latest-wins should skip most intermediate positions";
  EXPECT_GT(superseded, kMoves / 2);
  EXPECT_EQ(std::get<int>(*status->value("examples")), labels_sent);

  osc.send("/jam/examples", "kick");
  auto examples = osc.wait_for("/jam/examples.reply");
  ASSERT_TRUE(examples);
  EXPECT_EQ(examples->args.size(), 1u + 2u * std::size_t(labels_sent));
  EXPECT_EQ(daemon.stop(SIGTERM), 0);
  std::filesystem::remove_all(dir);
}
