// TorchScript decoders through the daemon: modules scripted at test time by Debian's python3-torch
// load for a voice and play; a corrupt or wrong-shaped file answers /fail while the voice keeps
// playing the model it had.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "../support/daemon_process.hpp"
#include "../support/osc_client.hpp"

using namespace latentjam::testing;
using namespace std::chrono_literals;

namespace {

// The test modules of tools/make_test_models.py, made once per run into `dir`.
bool make_modules(const std::filesystem::path& dir) {
  const std::string cmd = "/usr/bin/python3 " + std::string(LATENTJAM_SOURCE_DIR) +
                          "/tools/make_test_models.py " + dir.string() + " >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0 && std::filesystem::exists(dir / "plain.ts");
}

std::string status_text(OscClient& osc, const std::string& key) {
  osc.send("/jam/status");
  auto r = osc.wait_for("/jam/status.reply");
  const auto v = r ? r->value(key) : std::nullopt;
  return v && std::holds_alternative<std::string>(*v) ? std::get<std::string>(*v) : "(none)";
}

int status_int(OscClient& osc, const std::string& key) {
  osc.send("/jam/status");
  auto r = osc.wait_for("/jam/status.reply");
  return r && r->value(key) ? std::get<int>(*r->value(key)) : -1;
}

// Waits until the voice's audio has the given sound (the pipeline handed it over).
bool delivered(OscClient& osc, const std::string& voice, int sound) {
  for (auto until = std::chrono::steady_clock::now() + 20s;
       std::chrono::steady_clock::now() < until;) {
    if (status_int(osc, "sound." + voice) == sound) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

}  // namespace

TEST(DaemonModels, TorchScriptModelsLoadPlayAndFailSafely) {
  if (std::system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") != 0) {
    if (std::getenv("CI")) FAIL() << "python3-torch is missing: tools/setup.sh installs it";
    GTEST_SKIP() << "no python3-torch";
  }
  auto dir = fresh_temp_dir("models");
  ASSERT_TRUE(make_modules(dir / "modules"));
  std::ofstream(dir / "modules" / "corrupt.ts") << "this is not a TorchScript archive";
  const int port = free_udp_port();
  DaemonProcess daemon({"--osc-port", std::to_string(port), "--audio", "none", "--session-dir",
                        (dir / "s").string(), "--text-encoder", "hashing"},
                       dir / "daemon.log");
  OscClient osc(port);
  ASSERT_TRUE(osc.wait_until_ready()) << daemon.log();

  // A plain forward(z) module for the snare.
  osc.send("/jam/model/load", "snare", (dir / "modules" / "plain.ts").string());
  auto r = osc.wait_done_or_fail(60s);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->address, "/done") << r->text(1);
  EXPECT_EQ(r->text(1), "snare");
  EXPECT_TRUE(r->text(2) == "cpu" || r->text(2) == "cuda");
  const std::string plain = (dir / "modules" / "plain.ts").string();
  EXPECT_EQ(status_text(osc, "model.snare"), plain) << "/jam/status names the voice's model";
  EXPECT_EQ(status_text(osc, "model.kick"), "builtin:kick");
  osc.send("/jam/random", "snare", 9);
  r = osc.wait_done_or_fail();
  ASSERT_EQ(r->address, "/done");
  const int plain_sound = r->integer(1);
  ASSERT_TRUE(delivered(osc, "snare", plain_sound)) << daemon.log();
  // Its latent is the module's size, not the built-in 64.
  osc.send("/jam/latent", "snare");
  auto latent = osc.wait_for("/jam/latent.reply");
  ASSERT_TRUE(latent);
  EXPECT_EQ(latent->args.size(), 1u + 16u);

  // A RAVE-like module (decode / decode_params / prior) for the kick.
  osc.send("/jam/model/load", "kick", (dir / "modules" / "rave_like.ts").string());
  r = osc.wait_done_or_fail(60s);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->address, "/done") << r->text(1);

  // Broken files: /fail with the reason, and the snare keeps its model and its sound.
  for (const char* bad : {"corrupt.ts", "wrong_shape.ts", "no_methods.ts", "missing.ts"}) {
    osc.send("/jam/model/load", "snare", (dir / "modules" / bad).string());
    r = osc.wait_done_or_fail(60s);
    ASSERT_TRUE(r) << bad;
    EXPECT_EQ(r->address, "/fail") << bad;
    EXPECT_FALSE(r->text(1).empty());
    EXPECT_EQ(status_int(osc, "sound.snare"), plain_sound) << bad;
    EXPECT_EQ(status_text(osc, "model.snare"), plain) << bad;
  }
  osc.send("/jam/trigger", "snare", 1.0f);
  EXPECT_EQ(osc.wait_done_or_fail()->address, "/done");
  osc.send("/jam/random", "snare", 10);
  r = osc.wait_done_or_fail();
  ASSERT_EQ(r->address, "/done");
  EXPECT_TRUE(delivered(osc, "snare", r->integer(1))) << "the previous model still decodes";

  // And back to the built-in decoder.
  osc.send("/jam/model/load", "snare", "builtin:snare");
  r = osc.wait_done_or_fail(10s);
  ASSERT_EQ(r->address, "/done");
  EXPECT_EQ(status_text(osc, "model.snare"), "builtin:snare");
  EXPECT_EQ(daemon.stop(SIGTERM), 0);
  std::filesystem::remove_all(dir);
}

// The committed pre-trained voices (models/pretrained/, trained by tools/pretrain.sh) as the
// README's run command starts them (--pretrained models/pretrained): they play, and the label and
// prompt layer works on them as on the built-ins (a prompt for a label lands on the labelled
// sound).
TEST(DaemonModels, PretrainedVoicesPlayAndLearnWords) {
  if (!std::filesystem::exists(LATENTJAM_BINARY_DIR "/liblatentjam_torch.so"))
    GTEST_SKIP() << "built without LibTorch (-DLATENTJAM_TORCH=OFF): the learned voices need it";
  const std::filesystem::path pretrained = LATENTJAM_SOURCE_DIR "/models/pretrained";
  auto dir = fresh_temp_dir("pretrained");
  const int port = free_udp_port();
  std::vector<std::string> args = {
      "--osc-port",    std::to_string(port), "--audio",        "none",
      "--session-dir", (dir / "s").string(), "--text-encoder", "hashing"};
  // As tools/run.sh starts it; a model named for a voice wins over the pre-trained one.
  args.insert(args.end(), {"--pretrained", pretrained.string(), "--model", "hat=builtin:hat"});
  DaemonProcess daemon(args, dir / "daemon.log");
  OscClient osc(port);
  ASSERT_TRUE(osc.wait_until_ready()) << daemon.log();
  EXPECT_EQ(status_text(osc, "model.hat"), "builtin:hat");
  EXPECT_EQ(status_text(osc, "model.loop"), "builtin:loop") << "no loop.ts: the built-in plays";
  for (const char* voice : {"kick", "snare"}) {
    // The configured models load on the loader; the status names each once it plays.
    const std::string expected = (pretrained / (std::string(voice) + ".ts")).string();
    std::string model;
    for (auto until = std::chrono::steady_clock::now() + 60s;
         std::chrono::steady_clock::now() < until && model != expected;) {
      model = status_text(osc, "model." + std::string(voice));
      if (model != expected) std::this_thread::sleep_for(20ms);
    }
    ASSERT_EQ(model, expected) << daemon.log();
  }
  osc.send("/jam/random", "kick", 11);
  auto r = osc.wait_done_or_fail();
  ASSERT_EQ(r->address, "/done");
  ASSERT_TRUE(delivered(osc, "kick", r->integer(1))) << daemon.log();
  osc.send("/jam/latent", "kick");
  auto latent = osc.wait_for("/jam/latent.reply");
  ASSERT_TRUE(latent);
  EXPECT_EQ(latent->args.size(), 1u + 8u) << "the learned models have 8 latent dimensions";
  osc.send("/jam/label", "boomy", "kick");
  ASSERT_EQ(osc.wait_done_or_fail()->address, "/done");
  osc.send("/jam/latent", "kick");
  const auto boomy = osc.wait_for("/jam/latent.reply");
  osc.send("/jam/random", "kick", 12);
  ASSERT_EQ(osc.wait_done_or_fail()->address, "/done");
  osc.send("/jam/label", "tight", "kick");
  ASSERT_EQ(osc.wait_done_or_fail()->address, "/done");
  osc.send("/jam/prompt", "boomy", "kick");
  r = osc.wait_done_or_fail();
  ASSERT_EQ(r->address, "/done");
  ASSERT_TRUE(delivered(osc, "kick", r->integer(1))) << daemon.log();
  osc.send("/jam/latent", "kick");
  const auto prompted = osc.wait_for("/jam/latent.reply");
  ASSERT_TRUE(boomy && prompted);
  double d = 0;
  for (std::size_t i = 1; i < boomy->args.size(); ++i) {
    const double a = std::get<float>(boomy->args[i]), b = std::get<float>(prompted->args[i]);
    d += (a - b) * (a - b);
  }
  EXPECT_LT(std::sqrt(d), 1e-2) << "\"boomy\" prompts the sound labelled boomy";
  EXPECT_EQ(daemon.stop(SIGTERM), 0);
  std::filesystem::remove_all(dir);
}

TEST(DaemonModels, ABadModelOptionStopsTheDaemonWithTheReason) {
  auto dir = fresh_temp_dir("badmodel");
  const int port = free_udp_port();
  DaemonProcess daemon({"--osc-port", std::to_string(port), "--audio", "none", "--session-dir",
                        (dir / "s").string(), "--model", "kick"},
                       dir / "daemon.log");
  EXPECT_NE(daemon.wait(), 0);
  EXPECT_NE(daemon.log().find("--model needs VOICE=FILE"), std::string::npos) << daemon.log();
  DaemonProcess unknown({"--osc-port", std::to_string(port), "--audio", "none", "--session-dir",
                         (dir / "s").string(), "--model", "cowbell=x.ts"},
                        dir / "daemon2.log");
  EXPECT_NE(unknown.wait(), 0);
  EXPECT_NE(unknown.log().find("cowbell"), std::string::npos) << unknown.log();
  std::filesystem::remove_all(dir);
}

// Issue 10: a voice's model persists with the session. A restart plays what each voice played last
// (its examples belong to that latent space), above [models] and --pretrained; --model on the
// command line still wins.
TEST(DaemonModels, TheSessionRemembersEachVoicesModel) {
  auto dir = fresh_temp_dir("sessionmodels");
  const int port = free_udp_port();
  const std::string pretrained = LATENTJAM_SOURCE_DIR "/models/pretrained";
  const std::vector<std::string> base = {
      "--osc-port",    std::to_string(port), "--audio",        "none",
      "--session-dir", (dir / "s").string(), "--text-encoder", "hashing"};
  auto start = [&](std::vector<std::string> extra, const char* log) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<DaemonProcess>(args, dir / log);
  };
  {
    auto d = start({}, "1.log");
    OscClient osc(port);
    ASSERT_TRUE(osc.wait_until_ready()) << d->log();
    EXPECT_EQ(status_text(osc, "model.snare"), "builtin:snare");
    osc.send("/jam/model/load", "snare", "builtin:kick");  // any model other than the default
    auto r = osc.wait_done_or_fail(60s);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->address, "/done") << r->text(1);
    EXPECT_EQ(status_text(osc, "model.snare"), "builtin:kick");
    // Killed without a chance to save anything: the /done means it is on disk.
    kill(d->pid(), SIGKILL);
    d->wait();
  }
  {
    // [models]-like defaults (--pretrained) lose to what the session played last.
    auto d = start({"--pretrained", pretrained}, "2.log");
    OscClient osc(port);
    ASSERT_TRUE(osc.wait_until_ready()) << d->log();
    EXPECT_EQ(status_text(osc, "model.snare"), "builtin:kick") << d->log();
    EXPECT_EQ(d->stop(SIGTERM), 0);
  }
  {
    auto d = start({"--model", "snare=builtin:snare"}, "3.log");
    OscClient osc(port);
    ASSERT_TRUE(osc.wait_until_ready()) << d->log();
    EXPECT_EQ(status_text(osc, "model.snare"), "builtin:snare") << "--model wins";
    EXPECT_EQ(d->stop(SIGTERM), 0);
  }
  // A damaged line is skipped with a warning; the rest of the file still counts.
  std::ofstream(dir / "s" / "models.tsv") << "snare\tbuiltin:hat\ngarbage line\n";
  {
    auto d = start({}, "4.log");
    OscClient osc(port);
    ASSERT_TRUE(osc.wait_until_ready()) << d->log();
    EXPECT_EQ(status_text(osc, "model.snare"), "builtin:hat");
    EXPECT_NE(d->log().find("is not \"voice<TAB>model\""), std::string::npos) << d->log();
    EXPECT_EQ(d->stop(SIGTERM), 0);
  }
  std::filesystem::remove_all(dir);
}
