// The browser surface (issue 10, item 3) against the real daemon in its own process: the page and
// the OSC library over HTTP, and the OSC command table over a real WebSocket (civetweb's client),
// with replies, pushes from UDP clients, bundles, bad packets, the map and the waveforms, and the
// same allow rules as OSC.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <fstream>

#include "../support/daemon_process.hpp"
#include "../support/net.hpp"
#include "../support/osc_client.hpp"
#include "../support/web_client.hpp"

namespace latentjam::testing {
namespace {

class DaemonWeb : public ::testing::Test {
 protected:
  void start(std::vector<std::string> extra = {}, int web_port = 0) {
    dir_ = fresh_temp_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "page");
    std::ofstream(dir_ / "page" / "index.html") << "<title>latentjam test page</title>\n";
    osc_port_ = free_udp_port();
    web_port_ = web_port ? web_port : free_tcp_port();
    std::vector<std::string> args{
        "--osc-port",    std::to_string(osc_port_),   "--web-port",     std::to_string(web_port_),
        "--web-root",    (dir_ / "page").string(),    "--audio",        "none",
        "--session-dir", (dir_ / "session").string(), "--text-encoder", "hashing"};
    args.insert(args.end(), extra.begin(), extra.end());
    daemon_ = std::make_unique<DaemonProcess>(args, dir_ / "daemon.log");
    udp_ = std::make_unique<OscClient>(osc_port_);
    // The web server starts before the daemon answers OSC, so this is ready once OSC is.
    ASSERT_TRUE(udp_->wait_until_ready()) << daemon_->log();
  }
  void TearDown() override {
    udp_.reset();
    daemon_.reset();
    if (!HasFailure() && !dir_.empty()) std::filesystem::remove_all(dir_);
  }
  std::unique_ptr<WebClient> browser() {
    auto c = std::make_unique<WebClient>("127.0.0.1", web_port_);
    EXPECT_TRUE(c->connected()) << c->error() << "\n" << daemon_->log();
    return c;
  }
  // The /done of a command sent over the WebSocket (fails the test on /fail or silence).
  template <class... Args>
  OscReply done(WebClient& c, const std::string& address, Args... args) {
    c.send(address, args...);
    auto r = c.answer(address);
    EXPECT_TRUE(r) << "no answer to " << address << "\n" << daemon_->log();
    if (!r) return {};
    EXPECT_EQ(r->address, "/done") << address << ": " << (r->args.size() > 1 ? r->text(1) : "");
    return *r;
  }

  std::filesystem::path dir_;
  int osc_port_ = 0;
  int web_port_ = 0;
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<OscClient> udp_;
};

TEST_F(DaemonWeb, ServesThePageAndItsOscLibraryAndNothingOutsideThem) {
  start();
  auto page = http_get("127.0.0.1", web_port_, "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("latentjam test page"), std::string::npos) << page.body;
  // Setup fetches the library (tools/fetch_web.sh); the daemon finds it beside the build.
  auto library = http_get("127.0.0.1", web_port_, "/vendor/osc.min.js");
  EXPECT_EQ(library.status, 200) << daemon_->log();
  EXPECT_NE(library.body.find("OSC"), std::string::npos);
  EXPECT_EQ(http_get("127.0.0.1", web_port_, "/../daemon.log").status, 404);
  EXPECT_EQ(http_get("127.0.0.1", web_port_, "/no-such-file.js").status, 404);
}

TEST_F(DaemonWeb, SpeaksTheCommandTableWithRepliesOnTheSameSocket) {
  start();
  auto c = browser();
  // A subscription gets the state dump first, then its /done, on the socket.
  c->send("/jam/subscribe");
  ASSERT_TRUE(c->message("/jam/tempo")) << daemon_->log();
  ASSERT_TRUE(c->message("/jam/slider/8"));
  ASSERT_TRUE(c->answer("/jam/subscribe"));
  const OscReply random = done(*c, "/jam/random", "kick");
  ASSERT_EQ(random.args.size(), 2u);
  const int sound = random.integer(1);
  EXPECT_GT(sound, 0);
  // The same validation as over UDP: an unknown voice answers /fail with the reason.
  c->send("/jam/random", "cowbell");
  auto failed = c->answer("/jam/random");
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->address, "/fail");
  EXPECT_NE(failed->text(1).find("cowbell"), std::string::npos) << failed->text(1);

  // The waveform of that sound: 128 peaks by default, 0..1, a drum hit's attack louder than its
  // tail.
  c->send("/jam/waveform", "kick");
  auto outline = c->message("/jam/waveform.reply");
  ASSERT_TRUE(outline) << daemon_->log();
  ASSERT_EQ(outline->args.size(), 2u + 128u);
  EXPECT_EQ(outline->text(0), "kick");
  EXPECT_EQ(outline->integer(1), sound);
  float head = 0, tail = 0;
  for (std::size_t i = 2; i < outline->args.size(); ++i) {
    const float p = outline->number(i);
    EXPECT_GE(p, 0.0f);
    EXPECT_LE(p, 1.0f);
    (i < 2 + 16 ? head : tail) = std::max(i < 2 + 16 ? head : tail, p);
  }
  EXPECT_GT(head, 0.05f);
  EXPECT_GT(head, tail);
  c->send("/jam/waveform", "kick", 7);  // below the bound of 8
  auto refused = c->answer("/jam/waveform");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->address, "/fail");
}

TEST_F(DaemonWeb, BadPacketsAnswerFailAndTheSocketStaysUsable) {
  start();
  auto c = browser();
  c->send_bytes({'n', 'o', 't', ' ', 'o', 's', 'c'});
  auto garbage = c->answer("/");
  ASSERT_TRUE(garbage) << daemon_->log();
  EXPECT_EQ(garbage->address, "/fail");
  EXPECT_NE(garbage->text(1).find("not an OSC message"), std::string::npos) << garbage->text(1);
  c->send_bytes({'/', 'j', 'a', 'm'}, MG_WEBSOCKET_OPCODE_TEXT);
  auto text = c->answer("/");
  ASSERT_TRUE(text);
  EXPECT_NE(text->text(1).find("binary"), std::string::npos) << text->text(1);
  // A truncated message: the address ends, the type tags do not.
  std::vector<char> bytes = osc_bytes("/jam/tempo", [] {
    lo_message m = lo_message_new();
    lo_message_add_float(m, 100.0f);
    return m;
  }());
  bytes.resize(bytes.size() - 4);
  c->send_bytes(bytes);
  auto truncated = c->answer("/jam/tempo");
  ASSERT_TRUE(truncated);
  EXPECT_EQ(truncated->address, "/fail");
  done(*c, "/jam/tempo", 100.0f);
}

TEST_F(DaemonWeb, ABundleRunsItsMessagesInOrder) {
  start();
  auto c = browser();
  lo_bundle bundle = lo_bundle_new(LO_TT_IMMEDIATE);
  lo_message tempo = lo_message_new();
  lo_message_add_float(tempo, 133.0f);
  lo_message status = lo_message_new();
  lo_bundle_add_message(bundle, "/jam/tempo", tempo);
  lo_bundle_add_message(bundle, "/jam/status", status);
  std::vector<char> bytes(lo_bundle_length(bundle));
  std::size_t size = bytes.size();
  lo_bundle_serialise(bundle, bytes.data(), &size);
  lo_bundle_free_recursive(bundle);
  c->send_bytes(bytes);
  auto tempo_done = c->answer("/jam/tempo");
  ASSERT_TRUE(tempo_done) << daemon_->log();
  EXPECT_EQ(tempo_done->address, "/done");
  auto state = c->message("/jam/status.reply");
  ASSERT_TRUE(state);
  EXPECT_FLOAT_EQ(std::get<float>(*state->value("tempo")), 133.0f);
}

TEST_F(DaemonWeb, ChangesFromOtherClientsArePushedToTheBrowser) {
  start();
  auto c = browser();
  done(*c, "/jam/subscribe");
  udp_->send("/jam/random", "kick");
  ASSERT_TRUE(udp_->wait_for("/done"));
  udp_->send("/jam/slider/3", 0.8f);
  // (The state dump and the new sound's slider reset came before: each slider at 0.5.)
  const auto at = [](float value) {
    return [value](const OscReply& r) {
      return r.address.rfind("/jam/slider/", 0) == 0 && !r.args.empty() && r.number(0) == value;
    };
  };
  auto pushed = c->wait_for(at(0.8f));
  ASSERT_TRUE(pushed) << daemon_->log();
  EXPECT_EQ(pushed->address, "/jam/slider/3");
  // The browser's own move is not echoed back to it (no feedback loop), but reaches UDP clients.
  udp_->send("/jam/subscribe");
  ASSERT_TRUE(udp_->wait_for("/done"));
  done(*c, "/jam/slider/4", 0.25f);
  bool reached_udp = false;
  while (auto r = udp_->wait_for("/jam/slider/4"))
    if ((reached_udp = r->number(0) == 0.25f)) break;
  EXPECT_TRUE(reached_udp);
  // Anything for the browser comes in order: once a later reply is in, an echo would be too.
  c->send("/jam/status");
  ASSERT_TRUE(c->message("/jam/status.reply"));
  EXPECT_FALSE(c->wait_for(at(0.25f), std::chrono::milliseconds(0)));
}

TEST_F(DaemonWeb, TheMapPlacesTheExamplesOnThePadAndThumbnailsMatchTheirSounds) {
  start();
  auto c = browser();
  done(*c, "/jam/random", "snare");
  const OscReply first = done(*c, "/jam/label", "fat roomy", "snare");
  const int first_id = first.integer(1);
  done(*c, "/jam/random", "snare");
  const OscReply second = done(*c, "/jam/label", "tight dry", "snare");
  const int second_id = second.integer(1);
  // The current sound is the second example: it sits at the pad's centre, the first elsewhere.
  c->send("/jam/map", "snare");
  auto map = c->message("/jam/map.reply");
  ASSERT_TRUE(map) << daemon_->log();
  ASSERT_EQ(map->args.size(), 1u + 2u * 4u);
  EXPECT_EQ(map->integer(1), first_id);
  EXPECT_EQ(map->text(2), "fat roomy");
  EXPECT_EQ(map->integer(5), second_id);
  EXPECT_FLOAT_EQ(map->number(7), 0.5f);
  EXPECT_FLOAT_EQ(map->number(8), 0.5f);
  EXPECT_TRUE(map->number(3) != 0.5f || map->number(4) != 0.5f);
  for (std::size_t i : {3u, 4u}) {
    EXPECT_GE(map->number(i), 0.0f);
    EXPECT_LE(map->number(i), 1.0f);
  }
  // An example's thumbnail is the outline of its sound: the same as the current sound's for the
  // second, not for the first.
  c->send("/jam/waveform", "snare", 64);
  auto current = c->message("/jam/waveform.reply");
  c->send("/jam/example/waveform", second_id, 64);
  auto thumb = c->message("/jam/example/waveform.reply");
  c->send("/jam/example/waveform", first_id, 64);
  auto other = c->message("/jam/example/waveform.reply");
  ASSERT_TRUE(current && thumb && other) << daemon_->log();
  ASSERT_EQ(thumb->args.size(), 1u + 64u);
  EXPECT_EQ(thumb->integer(0), second_id);
  EXPECT_EQ(other->integer(0), first_id);
  std::vector<OscReply::Arg> same(current->args.begin() + 2, current->args.end());
  EXPECT_EQ(same, std::vector<OscReply::Arg>(thumb->args.begin() + 1, thumb->args.end()));
  EXPECT_NE(same, std::vector<OscReply::Arg>(other->args.begin() + 1, other->args.end()));
  c->send("/jam/example/waveform", 999);
  auto missing = c->answer("/jam/example/waveform");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->address, "/fail");
}

TEST_F(DaemonWeb, OtherHostsAreRefusedUnlessAllowed) {
  const std::string address = non_loopback_address();
  if (address.empty()) GTEST_SKIP() << "this machine has no address but loopback";
  start();
  // Bound to loopback only: this machine's own network address does not even connect.
  WebClient refused(address, web_port_);
  EXPECT_FALSE(refused.connected());
  EXPECT_EQ(http_get(address, web_port_, "/").status, 0);
  daemon_.reset();
  udp_.reset();
  // Listening everywhere for one allowed host: another host (this address) is refused by HTTP.
  start({"--allow", "192.0.2.1"});
  EXPECT_EQ(http_get(address, web_port_, "/").status, 403);
  WebClient still_refused(address, web_port_);
  EXPECT_FALSE(still_refused.connected());
  auto status = [&] {
    udp_->send("/jam/status");
    return udp_->wait_for("/jam/status.reply");
  }();
  ASSERT_TRUE(status);
  EXPECT_GE(std::get<int>(*status->value("dropped_remote")), 2);
  daemon_.reset();
  udp_.reset();
  start({"--allow-remote"});
  WebClient allowed(address, web_port_);
  ASSERT_TRUE(allowed.connected()) << allowed.error() << daemon_->log();
  done(allowed, "/jam/tempo", 90.0f);
  EXPECT_EQ(http_get(address, web_port_, "/").status, 200);
}

TEST_F(DaemonWeb, APortAnotherProgramHoldsLeavesTheDaemonPlayingOnOsc) {
  // Another program listens on the port first.
  const int taken = free_tcp_port();
  const int holder = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(taken));
  ASSERT_EQ(bind(holder, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(holder, 1), 0);
  start({}, taken);  // waits until the daemon answers OSC
  udp_->send("/jam/tempo", 99.0f);
  auto tempo = udp_->wait_done_or_fail();
  ASSERT_TRUE(tempo);
  EXPECT_EQ(tempo->address, "/done");
  EXPECT_NE(daemon_->log().find("without the browser surface"), std::string::npos)
      << daemon_->log();
  close(holder);
}

}  // namespace
}  // namespace latentjam::testing
