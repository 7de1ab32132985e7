// Teaching the real daemon over OSC with the real word vectors: labels survive kill -9, a torn
// journal is recovered, and prompts, variations and sliders move the sound where they should.
#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "../support/daemon_process.hpp"
#include "../support/osc_client.hpp"

using namespace latentjam::testing;

namespace {

std::vector<float> as_latent(const OscReply& r) {
  std::vector<float> v;
  for (std::size_t i = 1; i < r.args.size(); ++i) v.push_back(r.number(i));
  return v;
}

float distance(const std::vector<float>& a, const std::vector<float>& b) {
  float d = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) d += (a[i] - b[i]) * (a[i] - b[i]);
  return std::sqrt(d);
}

bool word_vectors_present() {
  return std::filesystem::exists(std::string(LATENTJAM_SOURCE_DIR) + "/data/word-vectors.bin");
}

class Session {
 public:
  Session(const std::filesystem::path& dir, const std::string& encoder)
      : dir_(dir), port_(free_udp_port()) {
    start(encoder);
  }
  void start(const std::string& encoder) {
    daemon_ = std::make_unique<DaemonProcess>(
        std::vector<std::string>{"--osc-port", std::to_string(port_), "--audio", "none",
                                 "--session-dir", (dir_ / "session").string(), "--text-encoder",
                                 encoder},
        dir_ / ("daemon-" + std::to_string(starts_++) + ".log"));
    client_ = std::make_unique<OscClient>(port_);
    ready_ = client_->wait_until_ready();
    if (ready_) {
      client_->send("/jam/subscribe");
      client_->wait_done_or_fail();
    }
  }
  bool ready() const { return ready_; }
  OscClient& osc() { return *client_; }
  DaemonProcess& daemon() { return *daemon_; }

  // Sends a command and returns its /done (or the /fail, which fails the test).
  template <class... Args>
  OscReply command(const std::string& address, Args... args) {
    client_->send(address, args...);
    auto r = client_->wait_done_or_fail();
    EXPECT_TRUE(r) << address << " got no answer";
    if (!r) return {};
    EXPECT_EQ(r->address, "/done") << address << ": " << (r->args.size() > 1 ? r->text(1) : "");
    return *r;
  }
  std::vector<float> latent(const std::string& voice) {
    client_->send("/jam/latent", voice);
    auto r = client_->wait_for("/jam/latent.reply");
    return r ? as_latent(*r) : std::vector<float>{};
  }
  // Waits until the voice's mapping has been retrained on `count` examples (a pushed event).
  bool trained(const std::string& voice, int count) {
    for (int i = 0; i < 50; ++i) {
      auto r = client_->wait_for("/jam/trained");
      if (!r) return false;
      if (r->text(0) == voice && r->integer(1) == count) return true;
    }
    return false;
  }
  std::vector<std::pair<int, std::string>> examples(const std::string& voice) {
    // Labels also push the list to subscribers; only the answer to this query counts.
    std::erase_if(client_->inbox(),
                  [](const OscReply& r) { return r.address == "/jam/examples.reply"; });
    client_->send("/jam/examples", voice);
    auto r = client_->wait_for("/jam/examples.reply");
    std::vector<std::pair<int, std::string>> out;
    if (!r) return out;
    for (std::size_t i = 1; i + 1 < r->args.size(); i += 2)
      out.emplace_back(r->integer(i), r->text(i + 1));
    return out;
  }

 private:
  std::filesystem::path dir_;
  int port_;
  int starts_ = 0;
  bool ready_ = false;
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<OscClient> client_;
};

}  // namespace

TEST(DaemonExamples, LabelSurvivesKillMinusNine) {
  auto dir = fresh_temp_dir("kill9");
  Session s(dir, "hashing");
  ASSERT_TRUE(s.ready()) << s.daemon().log();
  s.command("/jam/random", "snare", 5);
  OscReply done = s.command("/jam/label", "crunchy", "snare");
  const int id = done.integer(1);
  ASSERT_GT(id, 0);
  // Killed the instant the /done arrived: no chance to flush anything else.
  kill(s.daemon().pid(), SIGKILL);
  s.daemon().wait();
  s.start("hashing");
  ASSERT_TRUE(s.ready()) << s.daemon().log();
  auto examples = s.examples("snare");
  ASSERT_EQ(examples.size(), 1u);
  EXPECT_EQ(examples[0].first, id);
  EXPECT_EQ(examples[0].second, "crunchy");
  // And the mapping works from it: a prompt lands on the labelled sound.
  s.command("/jam/random", "snare", 6);
  s.command("/jam/example/select", id);
  auto labelled = s.latent("snare");
  s.command("/jam/random", "snare", 7);
  s.command("/jam/prompt", "crunchy", "snare");
  EXPECT_LT(distance(s.latent("snare"), labelled), 1e-3);
  std::filesystem::remove_all(dir);
}

TEST(DaemonExamples, TornJournalRecordIsSkippedWithAWarning) {
  auto dir = fresh_temp_dir("torn");
  Session s(dir, "hashing");
  ASSERT_TRUE(s.ready());
  s.command("/jam/random", "kick", 1);
  const int first = s.command("/jam/label", "boomy", "kick").integer(1);
  s.command("/jam/random", "kick", 2);
  s.command("/jam/label", "clicky", "kick");
  ASSERT_EQ(s.daemon().stop(SIGTERM), 0);
  // A power cut in the middle of the last record: chop its tail off.
  auto journal = dir / "session" / "journal.ljj";
  ASSERT_TRUE(std::filesystem::exists(journal));
  std::filesystem::resize_file(journal, std::filesystem::file_size(journal) - 7);
  s.start("hashing");
  ASSERT_TRUE(s.ready()) << s.daemon().log();
  auto examples = s.examples("kick");
  ASSERT_EQ(examples.size(), 1u);
  EXPECT_EQ(examples[0].first, first);
  EXPECT_NE(s.daemon().log().find("warning: examples: journal"), std::string::npos)
      << s.daemon().log();
  // New edits append cleanly after the recovered part, and survive another restart.
  s.command("/jam/random", "kick", 3);
  const int next = s.command("/jam/label", "tight", "kick").integer(1);
  ASSERT_EQ(s.daemon().stop(SIGTERM), 0);
  s.start("hashing");
  ASSERT_TRUE(s.ready());
  examples = s.examples("kick");
  ASSERT_EQ(examples.size(), 2u);
  EXPECT_EQ(examples[1].first, next);
  EXPECT_EQ(examples[1].second, "tight");
  std::filesystem::remove_all(dir);
}

TEST(DaemonExamples, EditsUndoSessionsAndErrors) {
  auto dir = fresh_temp_dir("edits");
  Session s(dir, "hashing");
  ASSERT_TRUE(s.ready());
  s.command("/jam/random", "hat", 1);
  const int a = s.command("/jam/label", "sizzling", "hat").integer(1);
  s.command("/jam/random", "hat", 2);
  const int b = s.command("/jam/label", "dull", "hat").integer(1);
  s.command("/jam/example/relabel", b, "dark");
  auto examples = s.examples("hat");
  ASSERT_EQ(examples.size(), 2u);
  EXPECT_EQ(examples[1].second, "dark");
  s.command("/jam/undo");
  examples = s.examples("hat");
  ASSERT_EQ(examples.size(), 2u);
  EXPECT_EQ(examples[1].second, "dull");
  s.command("/jam/save", "gig");
  s.command("/jam/example/delete", a);
  EXPECT_EQ(s.examples("hat").size(), 1u);
  s.command("/jam/load", "gig");
  EXPECT_EQ(s.examples("hat").size(), 2u);

  for (auto [address, arg, reason] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"/jam/load", "../etc", "session name"},
           {"/jam/save", "a/b", "session name"},
           {"/jam/load", "never-saved", "never-saved"},
       }) {
    s.osc().send(address, arg);
    auto r = s.osc().wait_done_or_fail();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->address, "/fail") << address << " " << arg;
    EXPECT_NE(r->text(1).find(reason), std::string::npos) << r->text(1);
  }
  s.osc().send("/jam/example/delete", 9999);
  auto r = s.osc().wait_done_or_fail();
  EXPECT_EQ(r->address, "/fail");
  EXPECT_NE(r->text(1).find("no example with id 9999"), std::string::npos);
  s.osc().send("/jam/prompt", "boomy", "snare");
  r = s.osc().wait_done_or_fail();
  EXPECT_EQ(r->address, "/fail");
  EXPECT_NE(r->text(1).find("no examples yet"), std::string::npos);
  s.osc().send("/jam/label", "!!!", "hat");
  r = s.osc().wait_done_or_fail();
  EXPECT_EQ(r->address, "/fail");
  EXPECT_NE(r->text(1).find("no words"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(DaemonExamples, PromptsVariationsAndSlidersWithRealWordVectors) {
  if (!word_vectors_present()) {
    if (std::getenv("CI")) FAIL() << "data/word-vectors.bin is missing: tools/setup.sh fetches it";
    GTEST_SKIP() << "no word vectors (tools/fetch_vectors.sh)";
  }
  auto dir = fresh_temp_dir("prompts");
  Session s(dir, "word-vectors");
  ASSERT_TRUE(s.ready()) << s.daemon().log();
  s.command("/jam/random", "kick", 11);
  auto dark = s.latent("kick");
  s.command("/jam/label", "dark gloomy", "kick");
  s.command("/jam/random", "kick", 12);
  auto bright = s.latent("kick");
  s.command("/jam/label", "bright shiny", "kick");
  ASSERT_TRUE(s.trained("kick", 2));

  // Each label's own words land nearer its own example; unseen near-synonyms too.
  auto nearer_dark = [&](const std::string& prompt) {
    s.command("/jam/prompt", prompt, "kick");
    auto l = s.latent("kick");
    return distance(l, dark) < distance(l, bright);
  };
  EXPECT_TRUE(nearer_dark("dark"));
  EXPECT_FALSE(nearer_dark("bright"));
  int right = 0, total = 0;
  for (const char* w : {"murky", "shadowy", "gloom", "darker", "bleak"})
    right += nearer_dark(w), ++total;
  for (const char* w : {"brilliant", "sparkling", "shining", "brighter", "glowing"})
    right += !nearer_dark(w), ++total;
  EXPECT_GE(right * 10, total * 8) << right << " of " << total;

  // between A and B lands between them.
  s.command("/jam/prompt", "between dark and bright", "kick");
  auto mid = s.latent("kick");
  const float span = distance(dark, bright);
  EXPECT_LT(distance(mid, dark), span);
  EXPECT_LT(distance(mid, bright), span);

  // Variation moves monotonically away from the start.
  s.command("/jam/prompt", "dark", "kick");
  auto start = s.latent("kick");
  float last = 0;
  for (float amount : {0.3f, 0.6f, 0.9f}) {
    s.command("/jam/prompt", "dark", "kick");
    s.command("/jam/vary", "bright", amount, "kick");
    float d = distance(s.latent("kick"), start);
    EXPECT_GT(d, last) << amount;
    last = d;
  }

  // Slider 0.5 is the current sound.
  s.command("/jam/focus", "kick");
  s.command("/jam/prompt", "dark", "kick");
  auto current = s.latent("kick");
  s.command("/jam/slider/1", 0.9f);
  EXPECT_GT(distance(s.latent("kick"), current), 0.1f);
  s.command("/jam/slider/1", 0.5f);
  EXPECT_LT(distance(s.latent("kick"), current), 1e-4);
  s.command("/jam/xy", 0.5f, 0.5f);
  EXPECT_LT(distance(s.latent("kick"), current), 1e-4);
  std::filesystem::remove_all(dir);
}

// Issue 8: a live coder's script labels and prompts at once. Every prompt, sent the moment the last
// label was acknowledged and without waiting for any retrain, must answer from a mapping that holds
// all six labels: each label word lands on its own sound.
TEST(DaemonExamples, SixLabelsThenPromptsAtOnceReadTheirWrites) {
  if (!word_vectors_present()) {
    if (std::getenv("CI")) FAIL() << "data/word-vectors.bin is missing: tools/setup.sh fetches it";
    GTEST_SKIP() << "no word vectors (tools/fetch_vectors.sh)";
  }
  auto dir = fresh_temp_dir("read-writes");
  Session s(dir, "word-vectors");
  ASSERT_TRUE(s.ready()) << s.daemon().log();
  const std::vector<std::string> labels = {"boomy",  "clicky", "muffled",
                                           "punchy", "subby",  "tight"};
  for (int round = 0; round < 3; ++round) {  // three sessions' worth: the race had many chances
    std::vector<std::vector<float>> sounds;
    for (std::size_t i = 0; i < labels.size(); ++i) {
      s.command("/jam/random", "kick", static_cast<int>(100 * round + i + 1));
      sounds.push_back(s.latent("kick"));
      s.command("/jam/label", labels[i], "kick");
    }
    // All at once: prompt, then ask for the latent, for every label; replies come in order.
    for (const auto& label : labels) {
      s.osc().send("/jam/prompt", label, "kick");
      s.osc().send("/jam/latent", "kick");
    }
    for (std::size_t i = 0; i < labels.size(); ++i) {
      auto done = s.osc().wait_until(
          [](const OscReply& r) {
            return (r.address == "/done" || r.address == "/fail") && r.text(0) == "/jam/prompt";
          },
          std::chrono::seconds(10));
      ASSERT_TRUE(done) << labels[i];
      ASSERT_EQ(done->address, "/done") << done->text(1);
      auto reply = s.osc().wait_for("/jam/latent.reply", std::chrono::seconds(10));
      ASSERT_TRUE(reply);
      const auto got = as_latent(*reply);
      std::size_t nearest = 0;
      for (std::size_t j = 1; j < sounds.size(); ++j)
        if (distance(got, sounds[j]) < distance(got, sounds[nearest])) nearest = j;
      EXPECT_EQ(labels[nearest], labels[i]) << "round " << round << ": prompt " << labels[i];
    }
    // The next round labels six more sounds with the same words: each word now averages its
    // sounds of every round, which still lie nearest this round's sound of that word.
  }
  std::filesystem::remove_all(dir);
}

// The same examples give the same mapping, bit for bit, whatever the history of edits, and after a
// restart or a save and load.
TEST(DaemonExamples, TheSameExamplesPredictTheSameWhateverTheHistory) {
  if (!word_vectors_present()) {
    if (std::getenv("CI")) FAIL() << "data/word-vectors.bin is missing: tools/setup.sh fetches it";
    GTEST_SKIP() << "no word vectors (tools/fetch_vectors.sh)";
  }
  auto dir = fresh_temp_dir("history");
  Session s(dir, "word-vectors");
  ASSERT_TRUE(s.ready()) << s.daemon().log();
  const std::vector<std::string> labels = {"boomy deep", "bright crisp", "soft gentle",
                                           "hard loud"};
  std::vector<int> ids;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    s.command("/jam/random", "kick", static_cast<int>(40 + i));
    ids.push_back(s.command("/jam/label", labels[i], "kick").integer(1));
  }
  auto predict = [&](const std::string& prompt) {
    s.command("/jam/prompt", prompt, "kick");
    return s.latent("kick");
  };
  const std::vector<std::string> unseen = {"thunderous", "sparkling", "mellow"};
  std::vector<std::vector<float>> before;
  for (const auto& p : unseen) before.push_back(predict(p));
  s.command("/jam/save", "four");

  // A history of edits that ends with the same four examples.
  s.command("/jam/example/delete", ids[2]);
  s.command("/jam/undo");
  s.command("/jam/example/relabel", ids[1], "something else entirely");
  s.command("/jam/example/relabel", ids[1], labels[1]);
  s.command("/jam/random", "kick", 99);
  const int extra = s.command("/jam/label", "wobbly", "kick").integer(1);
  s.command("/jam/example/delete", extra);
  for (std::size_t k = 0; k < unseen.size(); ++k)
    EXPECT_EQ(predict(unseen[k]), before[k]) << unseen[k] << " after edits";

  // A restart (kill -9: no chance to flush anything) predicts the same.
  kill(s.daemon().pid(), SIGKILL);
  s.daemon().wait();
  s.start("word-vectors");
  ASSERT_TRUE(s.ready()) << s.daemon().log();
  for (std::size_t k = 0; k < unseen.size(); ++k)
    EXPECT_EQ(predict(unseen[k]), before[k]) << unseen[k] << " after a restart";

  // And so does a saved session loaded over different examples.
  s.command("/jam/random", "kick", 77);
  s.command("/jam/label", "metallic", "kick");
  s.command("/jam/load", "four");
  for (std::size_t k = 0; k < unseen.size(); ++k)
    EXPECT_EQ(predict(unseen[k]), before[k]) << unseen[k] << " after /jam/load";
  std::filesystem::remove_all(dir);
}

// Issue 8, "say how a prompt was read": the /done of a prompt carries notes on words the encoder
// guessed or could not read, /jam/status names the encoder and the mapping, and /jam/words
// suggests words not used yet.
TEST(DaemonExamples, PromptsSayHowTheyWereRead) {
  if (!word_vectors_present()) {
    if (std::getenv("CI")) FAIL() << "data/word-vectors.bin is missing: tools/setup.sh fetches it";
    GTEST_SKIP() << "no word vectors (tools/fetch_vectors.sh)";
  }
  auto dir = fresh_temp_dir("reading");
  Session s(dir, "word-vectors");
  ASSERT_TRUE(s.ready()) << s.daemon().log();
  s.command("/jam/random", "kick", 3);
  s.command("/jam/label", "deep", "kick");
  auto done = s.command("/jam/prompt", "zzqxv boomy", "kick");
  ASSERT_GE(done.args.size(), 4u);  // address, sound id, two notes
  std::string notes;
  for (std::size_t i = 2; i < done.args.size(); ++i) notes += done.text(i) + "\n";
  EXPECT_NE(notes.find("\"boomy\""), std::string::npos) << notes;
  EXPECT_NE(notes.find("boom"), std::string::npos) << notes;  // guessed from "boom..."
  EXPECT_NE(notes.find("\"zzqxv\""), std::string::npos) << notes;
  // Subscribers hear the reading in one line.
  auto warning = s.osc().wait_for("/jam/warning");
  ASSERT_TRUE(warning);
  EXPECT_NE(warning->text(0).find("guessed boomy"), std::string::npos) << warning->text(0);
  EXPECT_NE(warning->text(0).find("unknown zzqxv"), std::string::npos) << warning->text(0);
  // A prompt of known words says nothing more than its sound id.
  EXPECT_EQ(s.command("/jam/prompt", "loud", "kick").args.size(), 2u);

  s.osc().send("/jam/status");
  auto status = s.osc().wait_for("/jam/status.reply");
  ASSERT_TRUE(status);
  auto encoder = status->value("encoder"), mapping = status->value("mapping");
  ASSERT_TRUE(encoder && mapping);
  EXPECT_EQ(std::get<std::string>(*encoder).rfind("word-vectors", 0), 0u);
  EXPECT_EQ(std::get<std::string>(*mapping), "kernel");

  s.osc().send("/jam/words", "kick");
  auto words = s.osc().wait_for("/jam/words.reply");
  ASSERT_TRUE(words);
  ASSERT_GT(words->args.size(), 4u);
  for (std::size_t i = 1; i < words->args.size(); ++i) EXPECT_NE(words->text(i), "deep");
  std::filesystem::remove_all(dir);
}

// Without word vectors the daemon still plays, and says why prompts cannot find synonyms: to every
// client that subscribes, in /jam/status and in every prompt's /done.
TEST(DaemonExamples, AFallbackToTheHashingEncoderIsPushedToClients) {
  auto dir = fresh_temp_dir("fallback");
  setenv("LATENTJAM_WORD_VECTORS", (dir / "missing.bin").c_str(), 1);
  Session s(dir, "word-vectors");
  unsetenv("LATENTJAM_WORD_VECTORS");
  ASSERT_TRUE(s.ready()) << s.daemon().log();
  auto warning = s.osc().wait_for("/jam/warning");  // sent on /jam/subscribe
  ASSERT_TRUE(warning);
  EXPECT_NE(warning->text(0).find("hashing encoder"), std::string::npos) << warning->text(0);
  EXPECT_NE(warning->text(0).find("missing.bin"), std::string::npos) << warning->text(0);
  s.command("/jam/random", "kick", 3);
  s.command("/jam/label", "deep", "kick");
  auto done = s.command("/jam/prompt", "deep", "kick");
  ASSERT_GE(done.args.size(), 3u);
  EXPECT_NE(done.text(2).find("hashing encoder"), std::string::npos);
  s.osc().send("/jam/status");
  auto status = s.osc().wait_for("/jam/status.reply");
  ASSERT_TRUE(status);
  auto encoder = status->value("encoder");
  ASSERT_TRUE(encoder);
  EXPECT_NE(std::get<std::string>(*encoder).find("fallback"), std::string::npos);
  std::filesystem::remove_all(dir);
}

// Issue 11: a second daemon on the same session folder refuses to start, with the reason, instead
// of acknowledging labels that the first one's journal then loses.
TEST(DaemonExamples, ASecondDaemonOnTheSameSessionFolderRefusesToStart) {
  auto dir = fresh_temp_dir("two-daemons");
  Session s(dir, "hashing");
  ASSERT_TRUE(s.ready()) << s.daemon().log();
  DaemonProcess second({"--osc-port", std::to_string(free_udp_port()), "--audio", "none",
                        "--session-dir", (dir / "session").string(), "--text-encoder", "hashing"},
                       dir / "second.log");
  EXPECT_NE(second.wait(), 0);
  EXPECT_NE(second.log().find("in use by another latentjam"), std::string::npos) << second.log();
  // The first one is unharmed.
  s.command("/jam/random", "kick", 1);
  s.command("/jam/label", "still here", "kick");
  std::filesystem::remove_all(dir);
}

// A list longer than one reply holds is not lost in silence: /fail says how long it is, and the
// client asks for it in parts, which come back complete and in order.
TEST(DaemonExamples, ALongListIsAskedForInParts) {
  auto dir = fresh_temp_dir("long-list");
  Session s(dir, "hashing");
  ASSERT_TRUE(s.ready()) << s.daemon().log();
  s.command("/jam/unsubscribe");  // 150 labels: no need for their pushes here
  s.command("/jam/random", "kick", 3);
  constexpr int kLabels = 150;
  std::vector<int> ids;
  for (int i = 0; i < kLabels; ++i) {
    // 240-byte labels: 150 of them take about 37 KB, over the 32 KB a reply holds.
    std::string label = "label " + std::to_string(i) + " ";
    label += std::string(240 - label.size(), 'x');
    ids.push_back(s.command("/jam/label", label, "kick").integer(1));
  }
  s.osc().send("/jam/examples", "kick");
  auto whole = s.osc().wait_done_or_fail();
  ASSERT_TRUE(whole);
  ASSERT_EQ(whole->address, "/fail") << "a 32 KB list came as one reply";
  EXPECT_NE(whole->text(1).find("ask for them in parts"), std::string::npos) << whole->text(1);

  std::vector<int> seen;
  for (int first = 1; first <= kLabels; first += 50) {
    std::erase_if(s.osc().inbox(),
                  [](const OscReply& r) { return r.address == "/jam/examples.reply"; });
    s.osc().send("/jam/examples", "kick", first, 50);
    auto part = s.osc().wait_until(
        [](const OscReply& r) {
          return r.address == "/jam/examples.reply" || r.address == "/fail";
        },
        std::chrono::seconds(5));
    ASSERT_TRUE(part);
    ASSERT_EQ(part->address, "/jam/examples.reply") << (part->args.size() > 1 ? part->text(1) : "");
    EXPECT_EQ(part->text(0), "kick");
    ASSERT_EQ(part->args.size(), 1u + 2u * 50u);
    for (std::size_t i = 1; i + 1 < part->args.size(); i += 2) {
      seen.push_back(part->integer(i));
      EXPECT_EQ(part->text(i + 1).rfind("label " + std::to_string(seen.size() - 1) + " ", 0), 0u);
    }
  }
  EXPECT_EQ(seen, ids);
  // Past the end: a clear reason.
  s.osc().send("/jam/examples", "kick", kLabels + 2, 5);
  auto past = s.osc().wait_done_or_fail();
  ASSERT_TRUE(past);
  EXPECT_EQ(past->address, "/fail");
  std::filesystem::remove_all(dir);
}
