// Widget feedback to control surfaces (issue 10 item 1; docs/osc.md, "Feedback to surfaces"): the
// real daemon in a child process, several real liblo clients in this one, each its own socket.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <utility>

#include "../support/daemon_process.hpp"
#include "../support/osc_client.hpp"

using namespace latentjam::testing;

namespace {

class DaemonFeedback : public ::testing::Test {
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

  // Sends a command and returns its /done (or /fail), keeping whatever came before it.
  template <class... Args>
  static OscReply command(OscClient& c, const std::string& address, Args... args) {
    c.send(address, args...);
    auto r = c.wait_until(
        [&](const OscReply& m) {
          return (m.address == "/done" || m.address == "/fail") && !m.args.empty() &&
                 std::get<std::string>(m.args[0]) == address;
        },
        std::chrono::seconds(5));
    EXPECT_TRUE(r) << "no reply to " << address;
    return r ? *r : OscReply{"(none)", {}};
  }

  // Everything the daemon sent the client before it answers a query now: the conductor answers
  // in order and loopback keeps the order, so a push made earlier is in the inbox after. The query
  // is one only this call sends (its /fail names it), since subscribers get copies of replies.
  static std::vector<OscReply> drain(OscClient& c) {
    static int serial = 0;
    const std::string marker = "/drain/" + std::to_string(++serial);
    c.send(marker);
    EXPECT_TRUE(
        c.wait_until([&](const OscReply& r) { return r.address == "/fail" && r.text(0) == marker; },
                     std::chrono::seconds(5)));
    return std::exchange(c.inbox(), {});
  }

  static bool has(const std::vector<OscReply>& inbox, const std::string& address) {
    return std::any_of(inbox.begin(), inbox.end(),
                       [&](const OscReply& r) { return r.address == address; });
  }

  static std::optional<OscReply> push(OscClient& c, const std::string& address) {
    return c.wait_for(address, std::chrono::seconds(5));
  }

  std::filesystem::path dir_;
  int port_ = 0;
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<OscClient> a_;
  std::unique_ptr<OscClient> b_;
};

}  // namespace

// A watches, B moves: A's widgets follow at their own addresses, B's are not pushed back what B
// itself just did (only its /done), but the widgets B did not touch follow for B too.
TEST_F(DaemonFeedback, MovesArePushedToOtherSubscribersNotBackToTheSender) {
  ASSERT_EQ(command(*b_, "/jam/random", 7).address, "/done");
  ASSERT_EQ(command(*a_, "/jam/subscribe").address, "/done");
  ASSERT_EQ(command(*b_, "/jam/subscribe").address, "/done");  // without echo
  drain(*a_);
  drain(*b_);

  ASSERT_EQ(command(*b_, "/jam/slider/3", 0.25f).address, "/done");
  auto slider = push(*a_, "/jam/slider/3");
  ASSERT_TRUE(slider) << "A got no /jam/slider/3";
  EXPECT_FLOAT_EQ(slider->number(0), 0.25f);

  ASSERT_EQ(command(*b_, "/jam/tempo", 133.0f).address, "/done");
  auto tempo = push(*a_, "/jam/tempo");
  ASSERT_TRUE(tempo);
  EXPECT_FLOAT_EQ(tempo->number(0), 133.0f);

  ASSERT_EQ(command(*b_, "/jam/gain", "hat", 0.7f).address, "/done");
  auto gain = push(*a_, "/jam/gain");
  ASSERT_TRUE(gain);
  EXPECT_EQ(gain->text(0), "hat");
  EXPECT_FLOAT_EQ(gain->number(1), 0.7f);

  // Slider 1 is also the XY pad's x: B's pad follows B's slider, B's slider is left alone.
  ASSERT_EQ(command(*b_, "/jam/slider/1", 0.8f).address, "/done");
  auto x = push(*a_, "/jam/slider/1");
  ASSERT_TRUE(x);
  EXPECT_FLOAT_EQ(x->number(0), 0.8f);
  auto xy = push(*a_, "/jam/xy");
  ASSERT_TRUE(xy);
  EXPECT_FLOAT_EQ(xy->number(0), 0.8f);
  EXPECT_FLOAT_EQ(xy->number(1), 0.5f);

  ASSERT_EQ(command(*b_, "/jam/focus", "snare").address, "/done");
  auto focus = push(*a_, "/jam/focus");
  ASSERT_TRUE(focus);
  EXPECT_EQ(focus->text(0), "snare");
  // The sliders now show the snare's positions: back to 0.5 for everyone.
  auto back = a_->wait_until(
      [](const OscReply& r) { return r.address == "/jam/slider/3" && r.number(0) == 0.5f; },
      std::chrono::seconds(5));
  EXPECT_TRUE(back) << "A's slider 3 did not follow the focus to the snare";

  const auto at_b = drain(*b_);
  for (const char* own : {"/jam/tempo", "/jam/gain", "/jam/focus"})
    EXPECT_FALSE(has(at_b, own)) << own << " was pushed back to its sender";
  EXPECT_EQ(std::count_if(at_b.begin(), at_b.end(),
                          [](const OscReply& r) {
                            return r.address == "/jam/slider/3" && r.number(0) == 0.25f;
                          }),
            0)
      << "B's own slider move came back to it";
  EXPECT_EQ(std::count_if(at_b.begin(), at_b.end(),
                          [](const OscReply& r) {
                            return r.address == "/jam/slider/1" && r.number(0) == 0.8f;
                          }),
            0);
  // What B did not move itself follows: its pad after its slider 1, its faders after the focus.
  EXPECT_TRUE(std::any_of(at_b.begin(), at_b.end(), [](const OscReply& r) {
    return r.address == "/jam/xy" && r.number(0) == 0.8f;
  })) << "B's XY pad did not follow its slider 1";
  EXPECT_TRUE(std::any_of(at_b.begin(), at_b.end(), [](const OscReply& r) {
    return r.address == "/jam/slider/3" && r.number(0) == 0.5f;
  })) << "B's slider 3 did not follow the focus";
  // Its replies are there as before.
  EXPECT_TRUE(has(a_->inbox(), "/done")) << "A no longer gets the /done copies";
}

// A subscriber that asks for echoes gets its own moves back as pushes, after its /done.
TEST_F(DaemonFeedback, EchoIsSentToTheSenderWhenAsked) {
  ASSERT_EQ(command(*b_, "/jam/random", 7).address, "/done");
  ASSERT_EQ(command(*a_, "/jam/subscribe").address, "/done");
  auto subscribed = command(*b_, "/jam/subscribe", b_->port(), 1);
  ASSERT_EQ(subscribed.address, "/done");
  EXPECT_EQ(subscribed.integer(1), b_->port());
  drain(*b_);

  ASSERT_EQ(command(*b_, "/jam/slider/5", 0.9f).address, "/done");
  auto echo = push(*b_, "/jam/slider/5");
  ASSERT_TRUE(echo) << "no echo although asked for";
  EXPECT_FLOAT_EQ(echo->number(0), 0.9f);
  ASSERT_EQ(command(*b_, "/jam/tempo", 99.0f).address, "/done");
  auto tempo = push(*b_, "/jam/tempo");
  ASSERT_TRUE(tempo);
  EXPECT_FLOAT_EQ(tempo->number(0), 99.0f);

  // Subscribing again without echo replaces the option: the one-argument form turns it off.
  ASSERT_EQ(command(*b_, "/jam/subscribe", b_->port()).address, "/done");
  drain(*b_);
  ASSERT_EQ(command(*b_, "/jam/tempo", 101.0f).address, "/done");
  // A's copy and B's, had it one, leave in the same round: once A has it, B's would be there.
  auto at_a = a_->wait_until(
      [](const OscReply& r) { return r.address == "/jam/tempo" && r.number(0) == 101.0f; },
      std::chrono::seconds(5));
  ASSERT_TRUE(at_a);
  EXPECT_FALSE(has(drain(*b_), "/jam/tempo"));
}

// TouchOSC sends from one port and receives on another: a surface that subscribed another port
// than the one it sends from is still recognised as the sender of its moves.
TEST_F(DaemonFeedback, ASurfaceReceivingOnAnotherPortIsStillTheSender) {
  OscClient receiver(port_);  // the surface's receive port; b_ is its send socket
  ASSERT_EQ(command(*b_, "/jam/random", 7).address, "/done");
  ASSERT_EQ(command(*a_, "/jam/subscribe").address, "/done");
  ASSERT_EQ(command(*b_, "/jam/subscribe", receiver.port()).address, "/done");
  ASSERT_TRUE(push(receiver, "/jam/tempo")) << "the state dump did not reach the receive port";
  drain(*a_);
  drain(receiver);

  ASSERT_EQ(command(*b_, "/jam/slider/6", 0.1f).address, "/done");
  ASSERT_EQ(command(*b_, "/jam/tempo", 90.0f).address, "/done");
  auto tempo = push(*a_, "/jam/tempo");
  ASSERT_TRUE(tempo);
  EXPECT_FLOAT_EQ(tempo->number(0), 90.0f);
  auto slider = push(*a_, "/jam/slider/6");
  ASSERT_TRUE(slider);
  EXPECT_FLOAT_EQ(slider->number(0), 0.1f);
  const auto at_receiver = drain(receiver);
  EXPECT_FALSE(has(at_receiver, "/jam/slider/6"));
  EXPECT_FALSE(has(at_receiver, "/jam/tempo"));

  // A's moves do reach the surface's receive port.
  ASSERT_EQ(command(*a_, "/jam/tempo", 95.0f).address, "/done");
  auto from_a = push(receiver, "/jam/tempo");
  ASSERT_TRUE(from_a);
  EXPECT_FLOAT_EQ(from_a->number(0), 95.0f);
}

// A surface whose widgets send back what they receive (TouchOSC's Feedback flag): the value comes
// back unchanged, and nothing is pushed again, so no loop starts.
TEST_F(DaemonFeedback, AValueSentBackUnchangedIsNotPushedAgain) {
  ASSERT_EQ(command(*b_, "/jam/random", 7).address, "/done");
  ASSERT_EQ(command(*a_, "/jam/subscribe").address, "/done");
  ASSERT_EQ(command(*b_, "/jam/subscribe").address, "/done");
  drain(*a_);
  drain(*b_);
  ASSERT_EQ(command(*b_, "/jam/slider/7", 0.3f).address, "/done");
  auto got = push(*a_, "/jam/slider/7");
  ASSERT_TRUE(got);
  ASSERT_FLOAT_EQ(got->number(0), 0.3f);
  ASSERT_EQ(command(*a_, "/jam/slider/7", got->number(0)).address, "/done");  // A sends it back
  // A push of it to B could be held for the rest of the 20 ms period: wait well past that.
  EXPECT_FALSE(b_->wait_for("/jam/slider/7", std::chrono::milliseconds(500)))
      << "an unchanged value was pushed again";
}

// A new subscriber gets every widget's value before its /done, so the /done means "in sync".
TEST_F(DaemonFeedback, ANewSubscriberGetsTheStateBeforeItsDone) {
  ASSERT_EQ(command(*b_, "/jam/random", 7).address, "/done");
  ASSERT_EQ(command(*b_, "/jam/slider/2", 0.3f).address, "/done");
  ASSERT_EQ(command(*b_, "/jam/slider/8", 0.75f).address, "/done");
  ASSERT_EQ(command(*b_, "/jam/tempo", 140.0f).address, "/done");
  ASSERT_EQ(command(*b_, "/jam/gain", "hat", 1.5f).address, "/done");
  drain(*a_);

  ASSERT_EQ(command(*a_, "/jam/subscribe").address, "/done");
  const auto dump = a_->inbox();  // what came before the /done
  auto find = [&](const std::string& address) -> std::optional<OscReply> {
    for (const auto& r : dump)
      if (r.address == address) return r;
    return std::nullopt;
  };
  auto tempo = find("/jam/tempo");
  ASSERT_TRUE(tempo);
  EXPECT_FLOAT_EQ(tempo->number(0), 140.0f);
  auto focus = find("/jam/focus");
  ASSERT_TRUE(focus);
  EXPECT_EQ(focus->text(0), "kick");
  for (int n = 1; n <= 8; ++n) {
    auto s = find("/jam/slider/" + std::to_string(n));
    ASSERT_TRUE(s) << "no slider " << n;
    EXPECT_FLOAT_EQ(s->number(0), n == 2 ? 0.3f : n == 8 ? 0.75f : 0.5f) << "slider " << n;
  }
  auto xy = find("/jam/xy");
  ASSERT_TRUE(xy);
  EXPECT_FLOAT_EQ(xy->number(0), 0.5f);
  EXPECT_FLOAT_EQ(xy->number(1), 0.3f);
  std::map<std::string, float> gains;
  for (const auto& r : dump)
    if (r.address == "/jam/gain") gains[r.text(0)] = r.number(1);
  EXPECT_EQ(gains.size(), 4u);  // kick, snare, hat, loop
  EXPECT_FLOAT_EQ(gains["hat"], 1.5f);
  EXPECT_FLOAT_EQ(gains["kick"], 1.0f);
}

// A fader flood: pushes are coalesced per address, in order, and the last value always arrives.
TEST_F(DaemonFeedback, AFloodOfSliderMovesEndsWithTheLastValuePushed) {
  ASSERT_EQ(command(*b_, "/jam/random", 7).address, "/done");
  ASSERT_EQ(command(*a_, "/jam/subscribe").address, "/done");
  drain(*a_);
  constexpr int kMoves = 200;
  for (int k = 1; k <= kMoves; ++k) b_->send("/jam/slider/4", float(k) / kMoves);
  for (int k = 1; k <= kMoves; ++k)
    ASSERT_TRUE(b_->wait_until(
        [](const OscReply& r) { return r.address == "/done" && r.text(0) == "/jam/slider/4"; },
        std::chrono::seconds(10)))
        << "move " << k << " got no /done";
  auto last = a_->wait_until(
      [](const OscReply& r) { return r.address == "/jam/slider/4" && r.number(0) == 1.0f; },
      std::chrono::seconds(5));
  ASSERT_TRUE(last) << "the last position was never pushed";
  // Everything pushed before it came in the order the fader moved.
  std::vector<float> seen;
  for (const auto& r : std::exchange(a_->inbox(), {}))
    if (r.address == "/jam/slider/4") seen.push_back(r.number(0));
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  // And nothing after it: the fader rests at 1.0 for A too.
  EXPECT_FALSE(has(drain(*a_), "/jam/slider/4"));
}

// The words, the example list and the play state, each at the address of the widget that shows
// it: a surface sees what another client labels, prompts, deletes and stops.
TEST_F(DaemonFeedback, WordsExampleRowsAndPlayStateFollowTheSession) {
  ASSERT_EQ(command(*a_, "/jam/subscribe").address, "/done");
  drain(*a_);
  const auto pushed = [this](const std::string& address, auto matches) {
    return a_->wait_until([&](const OscReply& r) { return r.address == address && matches(r); },
                          std::chrono::seconds(5));
  };
  ASSERT_EQ(command(*b_, "/jam/random", 7).address, "/done");
  const OscReply boomy = command(*b_, "/jam/label", "boomy");
  ASSERT_EQ(boomy.address, "/done");
  EXPECT_TRUE(pushed("/jam/label/text", [](const OscReply& r) { return r.text(0) == "boomy"; }));
  EXPECT_TRUE(pushed("/jam/examples/count", [](const OscReply& r) { return r.integer(0) == 1; }));
  auto row = pushed("/jam/examples/row/1", [](const OscReply& r) { return r.text(0) == "boomy"; });
  ASSERT_TRUE(row) << "no row for the first example";
  EXPECT_EQ(row->integer(1), boomy.integer(1));

  // A second example comes first: the list is newest first.
  ASSERT_EQ(command(*b_, "/jam/random", 8).address, "/done");
  EXPECT_TRUE(pushed("/jam/label/text", [](const OscReply& r) { return r.text(0).empty(); }))
      << "a new sound still shows the old label";
  const OscReply tight = command(*b_, "/jam/label", "tight");
  ASSERT_EQ(tight.address, "/done");
  EXPECT_TRUE(pushed("/jam/examples/count", [](const OscReply& r) { return r.integer(0) == 2; }));
  EXPECT_TRUE(pushed("/jam/examples/row/1", [&](const OscReply& r) {
    return r.text(0) == "tight" && r.integer(1) == tight.integer(1);
  }));
  EXPECT_TRUE(
      pushed("/jam/examples/row/2", [](const OscReply& r) { return r.text(0) == "boomy"; }));

  // A prompt shows its words; its new sound has no label yet.
  ASSERT_EQ(command(*b_, "/jam/prompt", "boomy").address, "/done");
  EXPECT_TRUE(pushed("/jam/prompt/text", [](const OscReply& r) { return r.text(0) == "boomy"; }));
  EXPECT_TRUE(pushed("/jam/label/text", [](const OscReply& r) { return r.text(0).empty(); }));

  // A deleted example leaves the list, and the row it vacated is emptied.
  ASSERT_EQ(command(*b_, "/jam/example/delete", tight.integer(1)).address, "/done");
  EXPECT_TRUE(pushed("/jam/examples/count", [](const OscReply& r) { return r.integer(0) == 1; }));
  EXPECT_TRUE(pushed("/jam/examples/row/2",
                     [](const OscReply& r) { return r.text(0).empty() && r.integer(1) == 0; }));

  ASSERT_EQ(command(*b_, "/jam/stop").address, "/done");
  EXPECT_TRUE(pushed("/jam/playing", [](const OscReply& r) { return r.number(0) == 0.0f; }));
  ASSERT_EQ(command(*b_, "/jam/play").address, "/done");
  EXPECT_TRUE(pushed("/jam/playing", [](const OscReply& r) { return r.number(0) == 1.0f; }));
}

// The transport position reaches a subscriber as it runs: bar and beat from 1, and as text.
TEST_F(DaemonFeedback, TheBeatIsPushedAsTheTransportRuns) {
  ASSERT_EQ(command(*a_, "/jam/subscribe").address, "/done");
  std::vector<OscReply> beats;
  while (beats.size() < 3) {
    auto b = a_->wait_for("/jam/beat", std::chrono::seconds(5));
    ASSERT_TRUE(b) << "no /jam/beat push";
    beats.push_back(*b);
  }
  for (const auto& b : beats) {
    EXPECT_GE(b.integer(1), 1);
    EXPECT_GE(b.integer(2), 1);
    EXPECT_LE(b.integer(2), 4);
    EXPECT_EQ(b.text(0), std::to_string(b.integer(1)) + "." + std::to_string(b.integer(2)));
  }
  // Each push is a new position (unchanged positions are not sent), moving forward.
  for (std::size_t i = 1; i < beats.size(); ++i) {
    const int before = beats[i - 1].integer(1) * 4 + beats[i - 1].integer(2);
    const int after = beats[i].integer(1) * 4 + beats[i].integer(2);
    EXPECT_GT(after, before);
  }
}

// Throwaway subscriptions cannot lock a surface out: the seventeenth makes the one heard from
// least recently go (and tells it), not the surface that keeps talking.
TEST_F(DaemonFeedback, ASeventeenthSubscriberReplacesTheQuietestNotTheActiveSurface) {
  OscClient throwaway(port_);
  ASSERT_EQ(command(throwaway, "/jam/subscribe").address, "/done");  // the quietest from here on
  drain(throwaway);
  for (int i = 0; i < 14; ++i) {
    OscClient other(port_);
    ASSERT_EQ(command(other, "/jam/subscribe").address, "/done") << "subscriber " << i + 2;
  }
  ASSERT_EQ(command(*a_, "/jam/subscribe").address, "/done");      // the sixteenth
  ASSERT_EQ(command(*a_, "/jam/tempo", 121.0f).address, "/done");  // A keeps talking

  ASSERT_EQ(command(*b_, "/jam/subscribe").address, "/done") << "the seventeenth was refused";
  auto told = throwaway.wait_for("/jam/warning", std::chrono::seconds(5));
  ASSERT_TRUE(told) << "the quietest subscriber was not told";
  EXPECT_NE(told->text(0).find("unsubscribed"), std::string::npos) << told->text(0);

  // A is still subscribed: it sees B's move; the throwaway does not any more.
  ASSERT_EQ(command(*b_, "/jam/tempo", 122.0f).address, "/done");
  auto tempo = a_->wait_until(
      [](const OscReply& r) { return r.address == "/jam/tempo" && r.number(0) == 122.0f; },
      std::chrono::seconds(5));
  EXPECT_TRUE(tempo) << "the active surface lost its subscription";
  for (const auto& r : drain(throwaway))
    EXPECT_FALSE(r.address == "/jam/tempo" && r.number(0) == 122.0f) << "still subscribed";
}
