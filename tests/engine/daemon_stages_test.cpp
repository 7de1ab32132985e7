// Staged commands against the real daemon (issue 11, item 1): model loads and bounces run their
// slow stage on the worker pool, so a flood of loads neither grows threads nor memory and is
// answered in full, bounces answer in order with the commands around them, and the conductor
// answers /jam/status while a slow stage is stuck.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "../support/daemon_process.hpp"
#include "../support/osc_client.hpp"
#include "../support/wav.hpp"

using namespace latentjam::testing;
using namespace std::chrono_literals;

namespace {

int thread_count(pid_t pid) {
  int n = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task"))
    ++n;
  return n;
}

// Virtual memory in kB: a thread left unjoined keeps its stack mapped, so this grows with them.
long vm_size_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmSize:", 0) == 0) return std::stol(line.substr(7));
  return -1;
}

class DaemonStages : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fresh_temp_dir("stages");
    port_ = free_udp_port();
    daemon_ = std::make_unique<DaemonProcess>(
        std::vector<std::string>{"--osc-port", std::to_string(port_), "--audio", "none",
                                 "--session-dir", (dir_ / "s").string(), "--text-encoder",
                                 "hashing"},
        dir_ / "daemon.log");
    osc_ = std::make_unique<OscClient>(port_);
    ASSERT_TRUE(osc_->wait_until_ready()) << daemon_->log();
  }
  void TearDown() override {
    osc_.reset();
    if (daemon_) {
      EXPECT_EQ(daemon_->stop(SIGTERM), 0) << daemon_->log();
    }
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path exports() const { return dir_ / "s" / "exports"; }

  // The next /done or /fail, which must answer `address`.
  OscReply answer(const std::string& address) {
    auto r = osc_->wait_done_or_fail(20s);
    if (!r) {
      ADD_FAILURE() << "no answer to " << address;
      return {"(none)", {}};
    }
    EXPECT_EQ(r->text(0), address) << "replies out of order";
    return *r;
  }

  std::filesystem::path dir_;
  int port_ = 0;
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<OscClient> osc_;
};

}  // namespace

TEST_F(DaemonStages, AFloodOfModelLoadsIsAnsweredWithoutGrowingThreadsOrMemory) {
  // Each pool thread has run once, so what it allocates for itself is in the baseline.
  for (int i = 0; i < 4; ++i) {
    osc_->send("/jam/model/load", "snare", "builtin:snare");
    ASSERT_EQ(answer("/jam/model/load").address, "/done");
  }
  const pid_t pid = daemon_->pid();
  const int threads_before = thread_count(pid);
  const long vm_before = vm_size_kb(pid);
  ASSERT_GT(vm_before, 0);

  constexpr int kLoads = 2000;
  int most_threads = threads_before;
  for (int i = 0; i < kLoads; ++i) {
    osc_->send("/jam/model/load", "snare", "builtin:snare");
    if (i % 50 == 0) most_threads = std::max(most_threads, thread_count(pid));
  }
  int done = 0, refused = 0;
  while (done + refused < kLoads) {
    auto r = osc_->wait_done_or_fail(20s);
    ASSERT_TRUE(r) << "answered " << done + refused << " of " << kLoads << "\n" << daemon_->log();
    ASSERT_EQ(r->text(0), "/jam/model/load");
    if (r->address == "/done") {
      ++done;
      EXPECT_EQ(r->text(1), "snare");
    } else {
      ++refused;
      ASSERT_EQ(r->text(1), "too many model loads waiting (64)") << "the bound is the only reason";
    }
    if ((done + refused) % 50 == 0) most_threads = std::max(most_threads, thread_count(pid));
  }
  EXPECT_GT(done, 0);
  std::cout << "loads done " << done << ", refused at the bound " << refused << "\n";
  // A thread per load (what this replaced) overlaps many threads and maps a stack for each.
  EXPECT_LE(most_threads, threads_before + 1) << "threads grew during the flood";
  EXPECT_LE(thread_count(pid), threads_before + 1) << "threads grew after the flood";
  EXPECT_LT(vm_size_kb(pid) - vm_before, 256 * 1024) << "virtual memory grew with the loads";

  // Still a working daemon: it answers, makes a sound on the loaded model and plays it.
  osc_->send("/jam/status");
  auto status = osc_->wait_for("/jam/status.reply");
  ASSERT_TRUE(status);
  EXPECT_EQ(std::get<std::string>(*status->value("model.snare")), "builtin:snare");
  osc_->send("/jam/random", "snare", 3);
  auto random = answer("/jam/random");
  ASSERT_EQ(random.address, "/done");
  bool delivered = false;
  for (auto until = std::chrono::steady_clock::now() + 10s;
       !delivered && std::chrono::steady_clock::now() < until;) {
    osc_->send("/jam/status");
    auto s = osc_->wait_for("/jam/status.reply");
    delivered = s && std::get<int>(*s->value("sound.snare")) == random.integer(1);
    if (!delivered) std::this_thread::sleep_for(10ms);  // polling the status, not synchronising
  }
  EXPECT_TRUE(delivered) << daemon_->log();
  osc_->send("/jam/trigger", "snare", 1.0f);
  EXPECT_EQ(answer("/jam/trigger").address, "/done");
}

TEST_F(DaemonStages, BouncesAnswerInOrderWithTheCommandsAroundThem) {
  osc_->send("/jam/random", "kick", 5);
  ASSERT_EQ(answer("/jam/random").address, "/done");
  // Sent back to back: each bounce writes the sound of its moment, and replies keep this order.
  osc_->send("/jam/bounce", "one", "kick");
  osc_->send("/jam/random", "kick", 6);
  osc_->send("/jam/bounce", "two", "kick");
  osc_->send("/jam/tempo", 100.0f);
  osc_->send("/jam/bounce", "three", "kick");
  auto one = answer("/jam/bounce");
  ASSERT_EQ(one.address, "/done") << one.text(1);
  EXPECT_EQ(answer("/jam/random").address, "/done");
  auto two = answer("/jam/bounce");
  ASSERT_EQ(two.address, "/done") << two.text(1);
  EXPECT_EQ(answer("/jam/tempo").address, "/done");
  auto three = answer("/jam/bounce");
  ASSERT_EQ(three.address, "/done") << three.text(1);
  EXPECT_EQ(one.text(1), (exports() / "one.wav").string());

  Wav a, b, c;
  ASSERT_TRUE(read_wav(one.text(1), a));
  ASSERT_TRUE(read_wav(two.text(1), b));
  ASSERT_TRUE(read_wav(three.text(1), c));
  for (const Wav* w : {&a, &b, &c}) {
    EXPECT_EQ(w->sample_rate, 48000);
    ASSERT_GT(w->mono.size(), 1000u) << "the whole sound is in the file";
    float peak = 0;
    for (float x : w->mono) peak = std::max(peak, std::abs(x));
    EXPECT_GT(peak, 0.01f);
  }
  EXPECT_NE(a.mono, b.mono) << "the first bounce has the sound from before /jam/random";
  EXPECT_EQ(b.mono, c.mono) << "a one-shot does not change with the tempo";
}

TEST_F(DaemonStages, TheConductorAnswersWhileASlowStageIsStuck) {
  osc_->send("/jam/random", "kick", 5);
  ASSERT_EQ(answer("/jam/random").address, "/done");
  // A FIFO in place of the file: the bounce's write blocks in open() until the test reads it.
  std::filesystem::create_directories(exports());
  const auto fifo = exports() / "held.wav";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0644), 0);
  osc_->send("/jam/bounce", "held", "kick");
  osc_->send("/jam/tempo", 90.0f);                          // waits behind the bounce
  osc_->send("/jam/model/load", "snare", "builtin:snare");  // so does this
  osc_->send("/jam/status");                                // skips the line
  auto status = osc_->wait_for("/jam/status.reply", 20s);
  ASSERT_TRUE(status) << "the conductor is blocked by the bounce\n" << daemon_->log();
  for (const auto& r : osc_->inbox())
    EXPECT_FALSE(r.address == "/done" || r.address == "/fail")
        << r.address << " " << r.text(0) << " answered before the stuck bounce";
  EXPECT_EQ(std::get<float>(*status->value("tempo")), 120.0f) << "the tempo change waits";

  // Let the bounce go on: it answers (a FIFO is no WAV file, so it may fail), then the rest.
  std::thread reader([&] {
    std::ifstream in(fifo, std::ios::binary);
    std::string rest((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  });
  answer("/jam/bounce");
  reader.join();
  EXPECT_EQ(answer("/jam/tempo").address, "/done");
  EXPECT_EQ(answer("/jam/model/load").address, "/done");
}
