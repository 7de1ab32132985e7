// /jam/train over OSC, with the daemon as a real process and a real liblo client: a stand-in
// trainer (fake_trainer.cpp) makes every ending reachable on purpose, and the real latentjam-train
// trains a model on a few real kicks that the voice then plays. Also the [models] of the
// configuration. Pushes are awaited with timeouts, never slept for.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <thread>

#include "../support/daemon_process.hpp"
#include "../support/files.hpp"
#include "../support/osc_client.hpp"
#include "realism.hpp"

using namespace latentjam::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

using latentjam::testing::process_exists;
using latentjam::testing::read_file;

std::string status_text(OscClient& osc, const std::string& key) {
  osc.send("/jam/status");
  auto r = osc.wait_for("/jam/status.reply");
  const auto v = r ? r->value(key) : std::nullopt;
  if (!v) return "(none)";
  return std::holds_alternative<std::string>(*v) ? std::get<std::string>(*v) : "(not text)";
}

// The next push of `address` about `voice`.
std::optional<OscReply> wait_push(OscClient& osc, const std::string& address,
                                  const std::string& voice,
                                  std::chrono::milliseconds timeout = 10s) {
  return osc.wait_until(
      [&](const OscReply& r) {
        return r.address == address && !r.args.empty() &&
               std::holds_alternative<std::string>(r.args[0]) && r.text(0) == voice;
      },
      timeout);
}

class DaemonTrain : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    dir_ = fresh_temp_dir("train-" + name);
    start(std::string("[train]\nprogram = \"") + LATENTJAM_FAKE_TRAINER + "\"\n");
  }
  void TearDown() override {
    client_.reset();
    // SIGTERM, not the SIGKILL of ~DaemonProcess: the daemon ends its trainings itself, and exits
    // cleanly (a sanitizer's report would make the status non-zero).
    if (!stopped_) {
      EXPECT_EQ(stop(), 0) << daemon_->log();
    }
    fs::remove_all(dir_);
  }
  int stop() {
    if (!daemon_ || stopped_) return -2;
    stopped_ = true;
    return daemon_->stop(SIGTERM);
  }
  void start(const std::string& config) {
    std::ofstream(dir_ / "latentjam.toml") << config;
    port_ = free_udp_port();
    daemon_ = std::make_unique<DaemonProcess>(
        std::vector<std::string>{"--config", (dir_ / "latentjam.toml").string(), "--osc-port",
                                 std::to_string(port_), "--audio", "none", "--session-dir",
                                 (dir_ / "session").string(), "--text-encoder", "hashing"},
        dir_ / "daemon.log");
    stopped_ = false;
    client_ = std::make_unique<OscClient>(port_);
    ASSERT_TRUE(client_->wait_until_ready()) << daemon_->log();
  }
  // A folder of "sounds" telling the stand-in what to do.
  std::string folder(const std::string& name, const std::string& mode) {
    fs::create_directories(dir_ / name);
    std::ofstream(dir_ / name / "mode") << mode << "\n";
    return (dir_ / name).string();
  }
  // Sends /jam/train and returns its reply.
  template <class... Options>
  OscReply train(const std::string& voice, const std::string& folder, Options... options) {
    client_->send("/jam/train", voice, folder, options...);
    auto r = client_->wait_until(
        [](const OscReply& r) {
          return (r.address == "/done" || r.address == "/fail") && r.text(0) == "/jam/train";
        },
        10s);
    return r ? *r : OscReply{"(no reply)", {std::string(), std::string("no reply")}};
  }
  std::string fails_with(const OscReply& r) {
    return r.address == "/fail" ? r.text(1) : "(not a /fail: " + r.address + ")";
  }

  fs::path dir_;
  int port_ = 0;
  std::unique_ptr<DaemonProcess> daemon_;
  bool stopped_ = false;
  std::unique_ptr<OscClient> client_;
};

}  // namespace

TEST_F(DaemonTrain, PushesProgressThenLoadsTheModelIntoTheVoice) {
  const std::string sounds = folder("kicks", "ok builtin:hat");
  OscReply r = train("kick", sounds, "steps", 5, "minutes", 2.5f, "seed", 7);
  ASSERT_EQ(r.address, "/done") << r.text(1);
  EXPECT_EQ(r.text(1), "kick");
  const fs::path out = r.text(2);
  EXPECT_EQ(out, dir_ / "session" / "models" / "kick-1");

  auto stage = wait_push(*client_, "/jam/train/stage", "kick");
  ASSERT_TRUE(stage) << daemon_->log();
  EXPECT_EQ(stage->text(1), "loading");
  std::optional<OscReply> last;
  while (auto p = wait_push(*client_, "/jam/train/progress", "kick", 2s)) {
    ASSERT_EQ(p->args.size(), 9u);
    last = p;
    if (p->integer(1) == 5) break;
  }
  ASSERT_TRUE(last) << "no progress pushed";
  EXPECT_EQ(last->integer(1), 5);
  EXPECT_EQ(last->integer(2), 5);
  // The line carries 6 significant digits.
  EXPECT_NEAR(last->number(3), 1.0 / 6.0, 1e-6);  // loss
  EXPECT_NEAR(last->number(4), 0.5 / 6.0, 1e-6);  // spectral
  EXPECT_FLOAT_EQ(last->number(5), 0.25f);        // envelope
  EXPECT_FLOAT_EQ(last->number(6), 0.125f);       // kl
  EXPECT_FLOAT_EQ(last->number(7), 0.0f);         // seconds left
  EXPECT_EQ(last->integer(8), 2);                 // epoch: the stand-in's step / 2
  auto done = wait_push(*client_, "/jam/train/done", "kick");
  ASSERT_TRUE(done) << daemon_->log();
  EXPECT_EQ(done->text(1), "builtin:hat");
  EXPECT_EQ(status_text(*client_, "model.kick"), "builtin:hat") << "the voice plays it at once";
  EXPECT_EQ(status_text(*client_, "model.snare"), "builtin:snare");
  EXPECT_EQ(status_text(*client_, "train.kick"), "(none)") << "no training left running";

  // Started as the brief says: no shell, these arguments, at idle priority.
  EXPECT_EQ(read_file(out / "args.txt"),
            sounds + "\n--out\n" + out.string() +
                "\n--progress-lines\n--idle\n--steps\n5\n--max-minutes\n2.5\n--seed\n7\n");
  EXPECT_EQ(read_file(out / "sched"), "idle\n");
  EXPECT_NE(read_file(out / "trainer.log").find("fake trainer"), std::string::npos)
      << "the trainer's stderr is kept beside its model";

  // The voice plays, and a second training of it gets a folder of its own.
  client_->send("/jam/random", "kick", 3);
  ASSERT_EQ(client_->wait_done_or_fail()->address, "/done");
  client_->send("/jam/trigger", "kick", 1.0f);
  ASSERT_EQ(client_->wait_done_or_fail()->address, "/done");
  std::ofstream(dir_ / "start.ts") << "a model to fine-tune";
  r = train("kick", sounds, "from", (dir_ / "start.ts").string());
  ASSERT_EQ(r.address, "/done") << r.text(1);
  EXPECT_EQ(fs::path(r.text(2)).filename(), "kick-2");
  ASSERT_TRUE(wait_push(*client_, "/jam/train/done", "kick"));
  EXPECT_EQ(read_file(fs::path(r.text(2)) / "args.txt"),
            sounds + "\n--out\n" + r.text(2) + "\n--progress-lines\n--idle\n--from\n" +
                (dir_ / "start.ts").string() + "\n");
}

TEST_F(DaemonTrain, BadRequestsFailWithTheReason) {
  fs::create_directories(dir_ / "empty");
  std::ofstream(dir_ / "a-file.wav") << "RIFF";
  EXPECT_NE(fails_with(train("kick", (dir_ / "missing").string())).find("does not exist"),
            std::string::npos);
  EXPECT_NE(
      fails_with(train("kick", (dir_ / "a-file.wav").string())).find("is a file, not a folder"),
      std::string::npos);
  EXPECT_NE(
      fails_with(train("cowbell", (dir_ / "empty").string())).find("unknown voice \"cowbell\""),
      std::string::npos);
  EXPECT_NE(
      fails_with(train("kick", (dir_ / "empty").string(), "epochs", 3)).find("unknown option"),
      std::string::npos);
  EXPECT_NE(fails_with(train("kick", (dir_ / "empty").string(), "steps", 0)).find("out of range"),
            std::string::npos);
  EXPECT_NE(fails_with(train("kick", (dir_ / "empty").string(), "from", "current"))
                .find("plays builtin:kick, not a TorchScript model"),
            std::string::npos);
  EXPECT_NE(fails_with(train("kick", (dir_ / "empty").string(), "from", (dir_ / "no.ts").string()))
                .find("no model file"),
            std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "session" / "models" / "kick-1"))
      << "a refused request leaves no output folder";

  client_->send("/jam/train/cancel", "kick");
  auto r = client_->wait_done_or_fail();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->address, "/fail");
  EXPECT_EQ(r->text(0), "/jam/train/cancel");
  EXPECT_EQ(r->text(1), "voice kick is not training");
}

TEST_F(DaemonTrain, OneTrainingPerVoiceAndEachVoiceItsOwn) {
  const std::string hang = folder("hang", "hang");
  ASSERT_EQ(train("kick", hang).address, "/done");
  ASSERT_TRUE(wait_push(*client_, "/jam/train/progress", "kick"));
  EXPECT_EQ(status_text(*client_, "train.kick"), "1/100");
  const std::string second = fails_with(train("kick", hang));
  EXPECT_NE(second.find("voice kick is already training (step 1/100)"), std::string::npos)
      << second;
  EXPECT_NE(second.find("/jam/train/cancel"), std::string::npos) << second;
  ASSERT_EQ(train("snare", hang).address, "/done") << "another voice trains side by side";
  ASSERT_TRUE(wait_push(*client_, "/jam/train/stage", "snare"));
  for (const char* voice : {"kick", "snare"}) {
    client_->send("/jam/train/cancel", voice);
    auto r = client_->wait_done_or_fail();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->address, "/done");
    EXPECT_EQ(r->text(1), voice);
    auto fail = wait_push(*client_, "/jam/train/fail", voice);
    ASSERT_TRUE(fail) << voice;
    EXPECT_EQ(fail->text(1), "cancelled");
  }
}

TEST_F(DaemonTrain, CancelEndsAndReapsTheTrainerWhileTheVoicePlays) {
  ASSERT_EQ(train("kick", folder("hang", "hang")).address, "/done");
  ASSERT_TRUE(wait_push(*client_, "/jam/train/stage", "kick"));
  const pid_t pid =
      std::stoi(read_file(dir_ / "session" / "models" / "kick-1" / "pid"));  // written before
  ASSERT_TRUE(process_exists(pid));
  client_->send("/jam/random", "kick", 5);
  ASSERT_EQ(client_->wait_done_or_fail()->address, "/done");
  client_->send("/jam/trigger", "kick", 1.0f);
  ASSERT_EQ(client_->wait_done_or_fail()->address, "/done") << "the daemon plays on";
  client_->send("/jam/train/cancel", "kick");
  ASSERT_EQ(client_->wait_done_or_fail()->address, "/done");
  auto fail = wait_push(*client_, "/jam/train/fail", "kick");
  ASSERT_TRUE(fail);
  EXPECT_EQ(fail->text(1), "cancelled");
  EXPECT_FALSE(process_exists(pid)) << "reaped before the daemon reported the end";
  EXPECT_EQ(status_text(*client_, "model.kick"), "builtin:kick");
  EXPECT_EQ(status_text(*client_, "train.kick"), "(none)");
}

TEST_F(DaemonTrain, TheTrainersEndIsReportedAsItHappened) {
  struct Case {
    const char* mode;
    const char* reason;  // part of /jam/train/fail's reason
  };
  const Case cases[] = {
      {"error no sounds in the folder", "no sounds in the folder"},
      {"exit 3", "latentjam-train exited with status 3; its log: "},
      {"signal 9", "latentjam-train was killed by signal 9 (SIGKILL)"},
      {"signal 1", "latentjam-train was killed by signal 1 (SIGHUP)"},
      {"exit 0", "latentjam-train ended without a model"},
      {"ok /nonexistent/model.ts", "the trained model /nonexistent/model.ts does not load"},
  };
  int n = 0;
  for (const Case& c : cases) {
    OscReply r = train("kick", folder("f" + std::to_string(++n), c.mode));
    ASSERT_EQ(r.address, "/done") << c.mode;
    auto fail = wait_push(*client_, "/jam/train/fail", "kick");
    ASSERT_TRUE(fail) << c.mode << "\n" << daemon_->log();
    EXPECT_NE(fail->text(1).find(c.reason), std::string::npos) << c.mode << ": " << fail->text(1);
    EXPECT_FALSE(client_->wait_for("/jam/train/done", 0ms)) << c.mode;
  }
  EXPECT_EQ(status_text(*client_, "model.kick"), "builtin:kick") << "the voice kept its model";
}

TEST_F(DaemonTrain, ShutdownEndsEveryTraining) {
  ASSERT_EQ(train("kick", folder("hang", "hang")).address, "/done");
  ASSERT_EQ(train("snare", folder("stubborn", "stubborn")).address, "/done");
  ASSERT_TRUE(wait_push(*client_, "/jam/train/progress", "kick"));
  ASSERT_TRUE(wait_push(*client_, "/jam/train/progress", "snare"));
  const pid_t kick = std::stoi(read_file(dir_ / "session" / "models" / "kick-1" / "pid"));
  const pid_t snare = std::stoi(read_file(dir_ / "session" / "models" / "snare-1" / "pid"));
  EXPECT_EQ(stop(), 0) << daemon_->log();
  EXPECT_FALSE(process_exists(kick));
  EXPECT_FALSE(process_exists(snare)) << "SIGKILLed when it ignored SIGTERM";
  EXPECT_NE(daemon_->log().find("stopping the training of snare"), std::string::npos);
  EXPECT_NE(daemon_->log().find("ignored SIGTERM"), std::string::npos) << daemon_->log();
}

TEST_F(DaemonTrain, ConfiguredModelsAndTheirFailures) {
  client_.reset();
  stop();
  // A relative path is read against the configuration's folder; a model that does not load
  // leaves the built-in voice playing and says so to every subscriber.
  start("[models]\nkick = \"builtin:hat\"\nsnare = \"models/gone.ts\"\n");
  EXPECT_EQ(status_text(*client_, "model.kick"), "builtin:hat");
  EXPECT_EQ(status_text(*client_, "model.snare"), "builtin:snare");
  EXPECT_EQ(status_text(*client_, "model.hat"), "builtin:hat");
  client_->send("/jam/subscribe");
  auto warning = client_->wait_for("/jam/warning");
  ASSERT_TRUE(warning) << daemon_->log();
  const std::string text = warning->text(0);
  EXPECT_NE(text.find((dir_ / "models" / "gone.ts").string()), std::string::npos) << text;
  EXPECT_NE(text.find("snare plays builtin:snare"), std::string::npos) << text;
  EXPECT_NE(daemon_->log().find("did not load"), std::string::npos);

  client_.reset();
  stop();
  std::ofstream(dir_ / "bad.toml") << "[models]\ncowbell = \"builtin:kick\"\n";
  DaemonProcess bad({"--config", (dir_ / "bad.toml").string(), "--audio", "none"},
                    dir_ / "bad.log");
  EXPECT_EQ(bad.wait(), 2);
  EXPECT_NE(bad.log().find("[models] names voice \"cowbell\", which is not one of the voices"),
            std::string::npos)
      << bad.log();
}

// The real latentjam-train (train/, LibTorch) on four real kicks: the model it writes is what the
// voice then plays. Skipped until the trainer is built; the stand-in above covers the protocol.
TEST(DaemonTrainReal, TheRealTrainerTrainsAModelTheVoiceThenPlays) {
  const fs::path trainer = fs::path(LATENTJAM_BINARY_DIR) / "latentjam-train";
  if (!fs::exists(trainer))
    GTEST_SKIP() << trainer << " is not built: build the latentjam-train target (LibTorch) to "
                 << "run the real trainer through /jam/train";
  const char* root_env = std::getenv("LATENTJAM_DRUMS_ROOT");
  const fs::path root = root_env && *root_env ? root_env : "/usr/share";
  auto index = latentjam::realism::read_index(std::string(LATENTJAM_SOURCE_DIR) +
                                              "/tests/data/real_drums.tsv");
  ASSERT_TRUE(index.ok()) << index.error();
  auto dir = fresh_temp_dir("train-real");
  fs::create_directories(dir / "kicks");
  int copied = 0;
  for (const auto& e : index.value()) {
    if (copied == 4) break;
    const std::string& path = e.path;
    if (e.cls != latentjam::realism::DrumClass::Kick || path.rfind("sonic-pi/", 0) != 0 ||
        !fs::exists(root / path))
      continue;
    fs::copy_file(root / path, dir / "kicks" / fs::path(path).filename());
    ++copied;
  }
  if (copied < 4) {
    if (std::getenv("CI")) FAIL() << "sonic-pi-samples is missing: tools/fetch_drums.sh";
    GTEST_SKIP() << "needs 4 sonic-pi kicks under " << root << " (tools/fetch_drums.sh)";
  }
  unsetenv("LATENTJAM_TRAIN");  // the daemon finds the trainer beside itself
  const int port = free_udp_port();
  DaemonProcess daemon({"--osc-port", std::to_string(port), "--audio", "none", "--session-dir",
                        (dir / "session").string(), "--text-encoder", "hashing"},
                       dir / "daemon.log");
  OscClient osc(port);
  ASSERT_TRUE(osc.wait_until_ready()) << daemon.log();
  osc.send("/jam/train", "kick", (dir / "kicks").string(), "steps", 10);
  auto r = osc.wait_done_or_fail(10s);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->address, "/done") << r->text(1);
  const fs::path out = r->text(2);
  auto end = osc.wait_until(
      [](const OscReply& m) {
        return m.address == "/jam/train/done" || m.address == "/jam/train/fail";
      },
      240s);
  ASSERT_TRUE(end) << "no end within 240 s\n" << daemon.log() << read_file(out / "trainer.log");
  ASSERT_EQ(end->address, "/jam/train/done") << end->text(1) << "\n"
                                             << read_file(out / "trainer.log");
  const std::string model = end->text(1);
  EXPECT_EQ(fs::path(model).parent_path(), out);
  EXPECT_TRUE(fs::is_regular_file(model));
  EXPECT_TRUE(wait_push(osc, "/jam/train/stage", "kick", 0ms)) << "stages were pushed";
  EXPECT_TRUE(wait_push(osc, "/jam/train/progress", "kick", 0ms)) << "progress was pushed";
  EXPECT_EQ(status_text(osc, "model.kick"), model) << "the voice plays the trained model";

  osc.send("/jam/random", "kick", 11);
  r = osc.wait_done_or_fail(30s);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->address, "/done");
  const int sound = r->integer(1);
  bool delivered = false;
  for (auto until = std::chrono::steady_clock::now() + 30s;
       !delivered && std::chrono::steady_clock::now() < until;) {
    osc.send("/jam/status");
    auto s = osc.wait_for("/jam/status.reply");
    delivered = s && s->value("sound.kick") && std::get<int>(*s->value("sound.kick")) == sound;
    if (!delivered) std::this_thread::sleep_for(20ms);  // the pace of the poll, not a wait for it
  }
  EXPECT_TRUE(delivered) << "the trained model decoded a sound for the voice\n" << daemon.log();
  osc.send("/jam/trigger", "kick", 1.0f);
  EXPECT_EQ(osc.wait_done_or_fail()->address, "/done");

  // Fine-tuning the model the voice now plays ("from current"): a second model, played next.
  osc.send("/jam/train", "kick", (dir / "kicks").string(), "steps", 3, "from", "current");
  r = osc.wait_done_or_fail(10s);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->address, "/done") << r->text(1);
  const fs::path tuned_out = r->text(2);
  end = osc.wait_until(
      [](const OscReply& m) {
        return m.address == "/jam/train/done" || m.address == "/jam/train/fail";
      },
      240s);
  ASSERT_TRUE(end) << "no end of the fine-tune within 240 s\n" << daemon.log();
  ASSERT_EQ(end->address, "/jam/train/done") << end->text(1) << "\n"
                                             << read_file(tuned_out / "trainer.log");
  EXPECT_EQ(fs::path(end->text(1)).parent_path(), tuned_out);
  EXPECT_EQ(status_text(osc, "model.kick"), end->text(1));
  EXPECT_EQ(daemon.stop(SIGTERM), 0);
  fs::remove_all(dir);
}
