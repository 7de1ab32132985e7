// The real daemon in a child process, driven by a real OSC client over loopback.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <ifaddrs.h>
#include <lo/lo.h>
#include <net/if.h>

#include <cmath>
#include <fstream>
#include <thread>

#include "../support/daemon_process.hpp"
#include "../support/net.hpp"
#include "../support/osc_client.hpp"
#include "../support/wav.hpp"

using namespace latentjam::testing;

namespace {

class DaemonOsc : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fresh_temp_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    port_ = free_udp_port();
    recording_ = (dir_ / "out.wav").string();
    daemon_ = std::make_unique<DaemonProcess>(
        std::vector<std::string>{"--osc-port", std::to_string(port_), "--audio", "none", "--record",
                                 recording_, "--session-dir", (dir_ / "session").string(),
                                 "--text-encoder", "hashing"},
        dir_ / "daemon.log");
    client_ = std::make_unique<OscClient>(port_);
    ASSERT_TRUE(client_->wait_until_ready()) << daemon_->log();
  }
  void TearDown() override {
    client_.reset();
    daemon_.reset();
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  int port_ = 0;
  std::string recording_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<OscClient> client_;
};

double rms(const std::vector<float>& x, std::size_t from, std::size_t to) {
  double sum = 0;
  to = std::min(to, x.size());
  for (std::size_t i = from; i < to; ++i) sum += double(x[i]) * x[i];
  return to > from ? std::sqrt(sum / double(to - from)) : 0.0;
}

}  // namespace

TEST_F(DaemonOsc, StatusReportsEngineState) {
  client_->send("/jam/status");
  auto r = client_->wait_for("/jam/status.reply");
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->value("examples"));
  EXPECT_EQ(std::get<int>(*r->value("examples")), 0);
  EXPECT_EQ(std::get<std::string>(*r->value("focus")), "kick");
  EXPECT_FLOAT_EQ(std::get<float>(*r->value("tempo")), 120.0f);
  // Present and counted (not asserted zero: a busy machine can delay the null device at start).
  EXPECT_GE(std::get<int>(*r->value("xruns")), 0);
  EXPECT_GE(std::get<float>(*r->value("load")), 0.0f);
  EXPECT_LT(std::get<float>(*r->value("load")), 1.0f);
  std::string device = std::get<std::string>(*r->value("device"));
  EXPECT_TRUE(device == "cpu" || device == "cuda");
  EXPECT_EQ(std::get<int>(*r->value("sample_rate")), 48000);
}

TEST_F(DaemonOsc, BadInputGetsFailWithReason) {
  client_->send("/jam/nonsense");
  auto r = client_->wait_done_or_fail();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->address, "/fail");
  EXPECT_EQ(r->text(0), "/jam/nonsense");
  EXPECT_NE(r->text(1).find("unknown address"), std::string::npos);

  client_->send("/jam/tempo", "fast");
  r = client_->wait_done_or_fail();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->address, "/fail");
  EXPECT_EQ(r->text(0), "/jam/tempo");
  EXPECT_NE(r->text(1).find("must be a number"), std::string::npos);

  client_->send("/jam/focus", "cowbell");
  r = client_->wait_done_or_fail();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->address, "/fail");
  EXPECT_NE(r->text(1).find("unknown voice \"cowbell\""), std::string::npos);

  // The daemon is still answering after all that.
  client_->send("/jam/tempo", 96.0f);
  r = client_->wait_done_or_fail();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->address, "/done");
  EXPECT_FLOAT_EQ(r->number(1), 96.0f);
}

TEST_F(DaemonOsc, FocusChangesTheDefaultVoice) {
  client_->send("/jam/focus", "snare");
  ASSERT_EQ(client_->wait_done_or_fail()->address, "/done");
  client_->send("/jam/status");
  auto r = client_->wait_for("/jam/status.reply");
  ASSERT_TRUE(r);
  EXPECT_EQ(std::get<std::string>(*r->value("focus")), "snare");
}

TEST_F(DaemonOsc, TriggerBeforeAnySoundFails) {
  client_->send("/jam/trigger", "kick", 1.0f);
  auto r = client_->wait_done_or_fail();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->address, "/fail");
  EXPECT_NE(r->text(1).find("no sound yet"), std::string::npos);
}

TEST_F(DaemonOsc, RandomThenTriggerRecordsADecayingKick) {
  client_->send("/jam/random", "kick");
  auto r = client_->wait_done_or_fail();
  ASSERT_TRUE(r);
  ASSERT_EQ(r->address, "/done") << r->text(1);
  EXPECT_EQ(r->text(0), "/jam/random");
  EXPECT_GT(r->integer(1), 0);
  client_->send("/jam/trigger", "kick", 1.0f);
  r = client_->wait_done_or_fail();
  ASSERT_TRUE(r);
  ASSERT_EQ(r->address, "/done");
  // The hit lasts well under 1.5 s; ask for the status until the transport has played 2 s more
  // (4 beats at 120 bpm), then stop the daemon so it finalises the WAV.
  auto beat = [&] {
    client_->send("/jam/status");
    auto s = client_->wait_for("/jam/status.reply");
    return s ? std::get<float>(*s->value("beat")) : -1.0f;
  };
  const float start = beat();
  ASSERT_GE(start, 0.0f);
  float now = start;
  // Polls the transport (an event the daemon reports), with a deadline far beyond the 2 s needed.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (now < start + 4.0f && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    now = beat();
  }
  ASSERT_GE(now, start + 4.0f);
  ASSERT_EQ(daemon_->stop(SIGTERM), 0) << daemon_->log();

  Wav wav;
  ASSERT_TRUE(read_wav(recording_, wav));
  EXPECT_EQ(wav.sample_rate, 48000);
  EXPECT_EQ(wav.channels, 2);
  std::size_t onset = 0;
  while (onset < wav.mono.size() && std::fabs(wav.mono[onset]) < 0.05f) ++onset;
  ASSERT_LT(onset, wav.mono.size()) << "the recording is silent";
  const std::size_t ms = 48;
  ASSERT_GT(wav.mono.size(), onset + 700 * ms) << "the recording stops too early";
  double attack = rms(wav.mono, onset, onset + 50 * ms);
  double tail = rms(wav.mono, onset + 600 * ms, onset + 700 * ms);
  EXPECT_GT(attack, 0.05);
  EXPECT_LT(tail, attack * 0.1) << "a kick decays";
  float peak = 0;
  for (float x : wav.mono) peak = std::max(peak, std::fabs(x));
  EXPECT_LE(peak, 1.0f);
  // Nothing before the hit: the daemon played silence until it was triggered.
  EXPECT_LT(rms(wav.mono, 0, onset > 10 ? onset - 10 : 0), 1e-3);
}

TEST_F(DaemonOsc, SigtermExitsCleanlyAndFinalisesTheRecording) {
  ASSERT_EQ(daemon_->stop(SIGINT), 0) << daemon_->log();
  Wav wav;
  ASSERT_TRUE(read_wav(recording_, wav)) << "the WAV header was not finalised";
  EXPECT_GT(wav.mono.size(), 0u);
  EXPECT_NE(daemon_->log().find("stopping on SIGINT"), std::string::npos);
}

TEST(DaemonCli, HelpAndBadOptions) {
  auto dir = fresh_temp_dir("cli");
  {
    DaemonProcess help({"--help"}, dir / "help.log");
    EXPECT_EQ(help.wait(), 0);
    for (const char* flag : {"--config", "--osc-port", "--audio", "--record", "--session-dir",
                             "--sample-rate", "--buffer", "--help"})
      EXPECT_NE(help.log().find(flag), std::string::npos) << flag;
  }
  {
    DaemonProcess bad({"--osc-port", "nine"}, dir / "bad.log");
    EXPECT_EQ(bad.wait(), 2);
    EXPECT_NE(bad.log().find("--osc-port expects a whole number"), std::string::npos);
  }
  {
    DaemonProcess unknown({"--frobnicate"}, dir / "unknown.log");
    EXPECT_EQ(unknown.wait(), 2);
    EXPECT_NE(unknown.log().find("unknown option --frobnicate"), std::string::npos);
  }
  {
    std::ofstream(dir / "bad.toml") << "[osc]\nprot = 9000\n";
    DaemonProcess typo({"--config", (dir / "bad.toml").string()}, dir / "typo.log");
    EXPECT_EQ(typo.wait(), 2);
    EXPECT_NE(typo.log().find("unknown key prot in [osc]"), std::string::npos) << typo.log();
  }
  std::filesystem::remove_all(dir);
}

TEST(DaemonCli, PortInUseIsAClearError) {
  auto dir = fresh_temp_dir("port");
  int port = free_udp_port();
  lo_server taken = lo_server_new(std::to_string(port).c_str(), nullptr);
  ASSERT_NE(taken, nullptr);
  DaemonProcess d({"--osc-port", std::to_string(port), "--audio", "none", "--session-dir",
                   (dir / "s").string(), "--text-encoder", "hashing"},
                  dir / "d.log");
  EXPECT_EQ(d.wait(), 1);
  EXPECT_NE(d.log().find("port " + std::to_string(port)), std::string::npos) << d.log();
  lo_server_free(taken);
  std::filesystem::remove_all(dir);
}

// Issue 11: a recording that hits a full disk or a file size limit says so (log and /jam/warning to
// subscribers), keeps what it holds, and the daemon plays on.
TEST(DaemonCli, ARecordingThatCannotGrowWarnsAndTheMusicPlaysOn) {
  auto dir = fresh_temp_dir("fullrec");
  const int port = free_udp_port();
  const auto wav = dir / "r.wav";
  DaemonProcess d({"--osc-port", std::to_string(port), "--audio", "none", "--session-dir",
                   (dir / "s").string(), "--text-encoder", "hashing", "--record", wav.string()},
                  dir / "d.log", /*file_size_limit=*/200000);
  OscClient osc(port);
  ASSERT_TRUE(osc.wait_until_ready()) << d.log();
  osc.send("/jam/subscribe", osc.port());
  // The state dump and the /done of the subscription come first; the warning follows within
  // about half a second of audio (200 kB at 48 kHz stereo float).
  std::optional<OscReply> warning;
  while (!warning) {
    auto m = osc.wait_for("/jam/warning", std::chrono::seconds(20));
    ASSERT_TRUE(m) << d.log();
    if (m->text(0).find("stopped after") != std::string::npos) warning = m;
  }
  EXPECT_NE(warning->text(0).find("File too large"), std::string::npos) << warning->text(0);
  osc.send("/jam/random", "kick", 3);
  auto r = osc.wait_done_or_fail();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->address, "/done") << "the daemon plays on";
  EXPECT_EQ(d.stop(SIGTERM), 0);
  EXPECT_NE(d.log().find("frames not written"), std::string::npos) << d.log();
  Wav audio;
  ASSERT_TRUE(read_wav(wav.string(), audio));
  EXPECT_GT(audio.mono.size(), 1000u) << "what was recorded before the limit is kept";
  EXPECT_LE(std::filesystem::file_size(wav), 200000u);
  std::filesystem::remove_all(dir);
}

// Issue 10: `--midi any` on a machine without a MIDI system (no ALSA sequencer) warns and plays on
// OSC; a bad MIDI setting still stops the start with the reason.
TEST(DaemonCli, MidiAnyWithoutAMidiSystemPlaysOnOsc) {
  auto dir = fresh_temp_dir("midiany");
  const int port = free_udp_port();
  DaemonProcess d(
      {"--osc-port", std::to_string(port), "--audio", "none", "--session-dir", (dir / "s").string(),
       "--text-encoder", "hashing", "--midi", "any", "--midi-api", "alsa"},
      dir / "d.log");
  OscClient osc(port);
  ASSERT_TRUE(osc.wait_until_ready()) << d.log();
  osc.send("/jam/random", "kick", 3);
  auto r = osc.wait_done_or_fail();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->address, "/done");
  if (!std::filesystem::exists("/dev/snd/seq")) {
    EXPECT_NE(d.log().find("playing on OSC only"), std::string::npos) << d.log();
  }
  EXPECT_EQ(d.stop(SIGTERM), 0);

  DaemonProcess bad({"--osc-port", std::to_string(port), "--audio", "none", "--session-dir",
                     (dir / "s").string(), "--midi", "any", "--midi-api", "winmm"},
                    dir / "bad.log");
  EXPECT_EQ(bad.wait(), 2);
  EXPECT_NE(bad.log().find("MIDI api must be alsa, jack or default"), std::string::npos)
      << bad.log();
  std::filesystem::remove_all(dir);
}

// Issue 11: the recording's header is rewritten while it runs, so a live recording, or one whose
// daemon was killed, reads as the audio it holds rather than as empty.
TEST_F(DaemonOsc, ARecordingIsReadableWhileRunningAndAfterKillMinusNine) {
  // The null device plays in real time: wait, on the daemon's own clock, for 2.5 s of audio
  // (5 beats at the default 120 bpm), longer than the header period of 1 s.
  float beat = 0.0f;
  for (int i = 0; i < 400 && beat < 5.0f; ++i) {
    client_->send("/jam/status");
    auto r = client_->wait_for("/jam/status.reply");
    ASSERT_TRUE(r);
    beat = std::get<float>(*r->value("beat"));
    if (beat < 5.0f) std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a polled clock
  }
  ASSERT_GE(beat, 5.0f);
  Wav live;
  ASSERT_TRUE(read_wav(recording_, live));
  EXPECT_GT(live.mono.size(), std::size_t(48000))
      << "a running recording reads as " << live.mono.size() << " frames";
  kill(daemon_->pid(), SIGKILL);
  daemon_->wait();
  Wav crashed;
  ASSERT_TRUE(read_wav(recording_, crashed));
  EXPECT_GE(crashed.mono.size(), live.mono.size());
  EXPECT_EQ(crashed.sample_rate, live.sample_rate);
}

// Issue 10: a surface button sends f 1 on press and f 0 on release. The release does nothing and
// answers nothing; the press of /jam/random is not a seed.
TEST_F(DaemonOsc, ButtonReleasesAreIgnoredAndPressesAreNotSeeds) {
  client_->send("/jam/random", "kick", 1.0f);
  auto first = client_->wait_done_or_fail();
  ASSERT_TRUE(first);
  ASSERT_EQ(first->address, "/done");
  const int first_sound = first->integer(1);
  client_->send("/jam/random", "kick", 1.0f);
  auto second = client_->wait_done_or_fail();
  ASSERT_TRUE(second);
  client_->send("/jam/latent", "kick");
  auto a = client_->wait_for("/jam/latent.reply");
  client_->send("/jam/random", "kick", 1.0f);
  ASSERT_TRUE(client_->wait_done_or_fail());
  client_->send("/jam/latent", "kick");
  auto b = client_->wait_for("/jam/latent.reply");
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->args, b->args) << "two presses gave the same sound: the press was taken as a seed";

  // Releases: nothing happens, nothing answers. The status reply comes first and the sound is
  // the same as before.
  client_->inbox().clear();
  client_->send("/jam/random", "kick", 0.0f);
  client_->send("/jam/trigger", "kick", 0.0f);
  client_->send("/jam/undo", 0.0f);
  client_->send("/jam/latent", "kick");
  auto c = client_->wait_for("/jam/latent.reply");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->args, b->args);
  for (const auto& r : client_->inbox())
    EXPECT_TRUE(r.address != "/done" && r.address != "/fail") << r.address << " to a release";
  EXPECT_GT(first_sound, 0);
}

namespace {

// A UDP socket bound to `source` that sends OSC to the daemon on 127.0.0.1 (the packet stays on
// this machine; only its source address is not loopback) and reads what came back.
class RemoteSender {
 public:
  RemoteSender(const std::string& source, int daemon_port) : port_(daemon_port) {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    inet_pton(AF_INET, source.c_str(), &a.sin_addr);
    bound_ = bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~RemoteSender() { close(fd_); }
  bool bound() const { return bound_; }
  void send_status() {
    lo_message m = lo_message_new();
    std::size_t size = 0;
    void* data = lo_message_serialise(m, "/jam/status", nullptr, &size);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(port_));
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    sendto(fd_, data, size, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    free(data);
    lo_message_free(m);
  }
  // A datagram already waiting, or "" (the daemon answers in order, so by the time a later
  // reply reached another socket, an answer to this one would be here).
  std::string pending() {
    char buffer[2048];
    const ssize_t n = recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
    return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
  }

 private:
  int fd_ = -1;
  int port_;
  bool bound_ = false;
};

}  // namespace

// Issue 10: packets from other hosts are dropped unless allowed, and the drop is visible: a
// counter in /jam/status and a line in the log.
TEST_F(DaemonOsc, RemotePacketsAreDroppedVisiblyUnlessAllowed) {
  const std::string address = non_loopback_address();
  if (address.empty()) GTEST_SKIP() << "this machine has no non-loopback IPv4 address";
  RemoteSender remote(address, port_);
  ASSERT_TRUE(remote.bound());
  remote.send_status();
  remote.send_status();
  client_->send("/jam/status");  // processed after the two remote packets
  auto status = client_->wait_for("/jam/status.reply");
  ASSERT_TRUE(status);
  auto dropped = status->value("dropped_remote");
  ASSERT_TRUE(dropped);
  EXPECT_EQ(std::get<int>(*dropped), 2);
  EXPECT_EQ(remote.pending(), "") << "a dropped packet was answered";
  EXPECT_NE(daemon_->log().find("dropping packets from " + address), std::string::npos)
      << daemon_->log();
  // (Allowing a host is not exercised here: the daemon would answer it, and a test sends
  // nothing to any address but loopback.)
}

// Issue 10: without --config the user's file in the XDG location is read (and named in the log).
TEST(DaemonConfig, TheUsersConfigurationIsReadWithoutConfigFlag) {
  auto dir = fresh_temp_dir("xdg");
  std::filesystem::create_directories(dir / "xdg" / "latentjam");
  std::ofstream(dir / "xdg" / "latentjam" / "latentjam.toml") << "[engine]\ntempo = 97.0\n";
  const int port = free_udp_port();
  setenv("XDG_CONFIG_HOME", (dir / "xdg").c_str(), 1);
  DaemonProcess daemon({"--osc-port", std::to_string(port), "--audio", "none", "--session-dir",
                        (dir / "session").string(), "--text-encoder", "hashing"},
                       dir / "daemon.log");
  unsetenv("XDG_CONFIG_HOME");
  OscClient client(port);
  ASSERT_TRUE(client.wait_until_ready()) << daemon.log();
  client.send("/jam/status");
  auto status = client.wait_for("/jam/status.reply");
  ASSERT_TRUE(status);
  EXPECT_FLOAT_EQ(std::get<float>(*status->value("tempo")), 97.0f);
  EXPECT_NE(daemon.log().find("configuration: " + (dir / "xdg").string()), std::string::npos)
      << daemon.log();
  std::filesystem::remove_all(dir);
}

// /jam/unsubscribe stops the copies a subscription asked for; unsubscribing what is not
// subscribed is an error with the reason.
TEST_F(DaemonOsc, UnsubscribeStopsTheCopies) {
  OscClient watcher(port_);
  client_->send("/jam/subscribe", watcher.port());
  ASSERT_EQ(client_->wait_done_or_fail()->address, "/done");
  client_->send("/jam/tempo", 100.0f);
  ASSERT_EQ(client_->wait_done_or_fail()->address, "/done");
  auto is_tempo = [](const OscReply& r) {
    return r.address == "/done" && r.text(0) == "/jam/tempo";
  };
  auto copy = watcher.wait_until(is_tempo, std::chrono::seconds(5));
  ASSERT_TRUE(copy) << "the subscriber got no copy";
  EXPECT_FLOAT_EQ(copy->number(1), 100.0f);

  client_->send("/jam/unsubscribe", watcher.port());
  ASSERT_EQ(client_->wait_done_or_fail()->address, "/done");
  client_->send("/jam/tempo", 101.0f);
  ASSERT_EQ(client_->wait_done_or_fail()->address, "/done");
  // Subscribe again and make a change: it arrives, and nothing came between (one socket keeps
  // its order, so a copy of the tempo 101 answer would have come first).
  watcher.inbox().clear();
  client_->send("/jam/subscribe", watcher.port());
  ASSERT_EQ(client_->wait_done_or_fail()->address, "/done");
  client_->send("/jam/tempo", 102.0f);
  ASSERT_EQ(client_->wait_done_or_fail()->address, "/done");
  auto next = watcher.wait_until(is_tempo, std::chrono::seconds(5));
  ASSERT_TRUE(next);
  EXPECT_FLOAT_EQ(next->number(1), 102.0f);

  client_->send("/jam/unsubscribe", 1);
  auto refused = client_->wait_done_or_fail();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->address, "/fail");
  EXPECT_NE(refused->text(1).find("not subscribed"), std::string::npos);
}

namespace {

lo_timetag seconds_from_now(double seconds) {
  lo_timetag t;
  lo_timetag_now(&t);
  const double frac = static_cast<double>(t.frac) / 4294967296.0 + seconds;
  t.sec += static_cast<std::uint32_t>(std::floor(frac));
  t.frac = static_cast<std::uint32_t>((frac - std::floor(frac)) * 4294967296.0);
  return t;
}

lo_message tempo_message(float bpm) {
  lo_message m = lo_message_new();
  lo_message_add_float(m, bpm);
  return m;
}

}  // namespace

// Bundles timetagged for later run at their time, answer the client that sent them, and are
// bounded: too far ahead or too many waiting is a /fail, not memory that grows without end.
TEST_F(DaemonOsc, TimetaggedBundlesRunLaterAnswerTheirSenderAndAreBounded) {
  OscClient other(port_);
  client_->send_bundle(seconds_from_now(3.0), {{"/jam/tempo", tempo_message(111.0f)}});
  // Another client asks at once: the bundle has not run yet, and its reply is not this client's.
  other.send("/jam/status");
  auto status = other.wait_for("/jam/status.reply");
  ASSERT_TRUE(status);
  EXPECT_EQ(std::get<float>(*status->value("tempo")), 120.0f) << "the bundle ran early";
  auto done = client_->wait_done_or_fail(std::chrono::seconds(10));
  ASSERT_TRUE(done) << "the scheduled command never answered\n" << daemon_->log();
  EXPECT_EQ(done->address, "/done");
  EXPECT_EQ(done->text(0), "/jam/tempo");
  other.send("/jam/status");
  status = other.wait_for("/jam/status.reply");
  ASSERT_TRUE(status);
  EXPECT_EQ(std::get<float>(*status->value("tempo")), 111.0f);
  for (const auto& r : other.inbox()) EXPECT_NE(r.address, "/done") << "a reply went astray";

  // An hour ahead: refused, with the bound in the reason.
  client_->send_bundle(seconds_from_now(3600.0), {{"/jam/tempo", tempo_message(99.0f)}});
  auto far = client_->wait_done_or_fail();
  ASSERT_TRUE(far);
  EXPECT_EQ(far->address, "/fail");
  EXPECT_NE(far->text(1).find("at most 60 s ahead"), std::string::npos) << far->text(1);

  // 1100 bundles half a minute ahead: 1024 wait, the rest are refused at once.
  for (int i = 0; i < 1100; ++i)
    client_->send_bundle(seconds_from_now(30.0), {{"/jam/tempo", tempo_message(100.0f)}});
  int refused = 0;
  while (refused < 76) {
    auto r = client_->wait_until([](const OscReply& m) { return m.address == "/fail"; },
                                 std::chrono::seconds(5));
    ASSERT_TRUE(r) << "only " << refused << " refused";
    EXPECT_NE(r->text(1).find("too many commands scheduled"), std::string::npos) << r->text(1);
    ++refused;
  }
  // None more: the status answer comes after everything sent before it.
  client_->send("/jam/status");
  ASSERT_TRUE(client_->wait_for("/jam/status.reply"));
  for (const auto& r : client_->inbox()) EXPECT_NE(r.address, "/fail") << "more than 76 refused";
}
