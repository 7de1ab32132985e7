// TrainerProcess, the daemon's side of latentjam-train, against a stand-in trainer
// (fake_trainer.cpp): the events arrive in order and the exit last, every way of ending is reported
// as it happened, cancelling works even with SIGTERM blocked in the parent (as the daemon blocks
// it) and escalates to SIGKILL, the child runs at idle priority, and nothing outlives the object.
// The progress throttle and the trainer lookup are tested as plain functions.
#include "latentjam/engine/trainer_process.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <condition_variable>
#include <fstream>
#include <mutex>

#include "../support/daemon_process.hpp"
#include "../support/files.hpp"
#include "latentjam/engine/config.hpp"

using namespace latentjam::engine;
using latentjam::testing::fresh_temp_dir;
using latentjam::train::Event;
using namespace std::chrono_literals;

namespace {

// What the reader thread reports, awaited with timeouts.
class Collector {
 public:
  void event(Event e) {
    std::lock_guard lock(mutex_);
    events_.push_back(std::move(e));
    changed_.notify_all();
  }
  void exit(TrainerExit x) {
    std::lock_guard lock(mutex_);
    exit_ = x;
    changed_.notify_all();
  }
  std::optional<TrainerExit> wait_exit(std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return exit_.has_value(); });
    return exit_;
  }
  bool wait_events(std::size_t n, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return events_.size() >= n; });
  }
  std::vector<Event> events() {
    std::lock_guard lock(mutex_);
    return events_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Event> events_;
  std::optional<TrainerExit> exit_;
};

struct Run {
  std::filesystem::path folder, out;
  Collector collector;
  std::unique_ptr<TrainerProcess> process;
};

// Starts the stand-in with FOLDER/mode = `mode`.
std::unique_ptr<Run> start(const std::string& name, const std::string& mode) {
  auto run = std::make_unique<Run>();
  auto dir = fresh_temp_dir("trainer-" + name);
  run->folder = dir / "sounds";
  run->out = dir / "out";
  std::filesystem::create_directories(run->folder);
  std::filesystem::create_directories(run->out);
  std::ofstream(run->folder / "mode") << mode << "\n";
  TrainerProcess::Options options;
  options.program = LATENTJAM_FAKE_TRAINER;
  options.args = {run->folder.string(), "--out", run->out.string(), "--progress-lines", "--idle"};
  options.log_path = (run->out / "trainer.log").string();
  Collector* c = &run->collector;
  auto started = TrainerProcess::start(
      options, [c](Event e) { c->event(std::move(e)); }, [c](TrainerExit x) { c->exit(x); });
  if (!started.ok()) ADD_FAILURE() << started.error();
  if (started.ok()) run->process = std::move(started.value());
  return run;
}

using latentjam::testing::process_exists;
using latentjam::testing::read_file;

}  // namespace

TEST(ProgressThrottle, PassesTheFirstHoldsTheLatestAndNeverLosesIt) {
  using Clock = ProgressThrottle::Clock;
  ProgressThrottle throttle(100ms);
  const auto t0 = Clock::now();
  latentjam::train::Progress p;
  p.step = 1;
  ASSERT_TRUE(throttle.offer(p, t0));
  EXPECT_FALSE(throttle.due());
  p.step = 2;
  EXPECT_FALSE(throttle.offer(p, t0 + 10ms));
  p.step = 3;
  EXPECT_FALSE(throttle.offer(p, t0 + 20ms));
  ASSERT_TRUE(throttle.due());
  EXPECT_EQ(*throttle.due(), t0 + 100ms);
  EXPECT_FALSE(throttle.take_held(t0 + 50ms)) << "not due yet";
  auto held = throttle.take_held(t0 + 100ms);
  ASSERT_TRUE(held);
  EXPECT_EQ(held->step, 3) << "the latest, not the first held";
  EXPECT_FALSE(throttle.take_held(t0 + 500ms, true)) << "sent once";
  p.step = 4;
  EXPECT_FALSE(throttle.offer(p, t0 + 150ms));
  auto forced = throttle.take_held(t0 + 151ms, true);
  ASSERT_TRUE(forced) << "a held progress goes before any other event";
  EXPECT_EQ(forced->step, 4);
  p.step = 5;
  EXPECT_TRUE(throttle.offer(p, t0 + 251ms)) << "an interval after the last one sent";
}

TEST(TrainerLookup, ConfigurationThenEnvironmentThenBesideTheDaemon) {
  EXPECT_EQ(find_trainer("/opt/t", "/env/t", "/bin/dir"), "/opt/t");
  EXPECT_EQ(find_trainer("", "/env/t", "/bin/dir"), "/env/t");
  EXPECT_EQ(find_trainer("", "", "/bin/dir"), "/bin/dir/latentjam-train");
  EXPECT_EQ(find_trainer("", nullptr, "/bin/dir"), "/bin/dir/latentjam-train");
  EXPECT_FALSE(executable_dir().empty());
}

TEST(TrainerExit, SaysHowItEnded) {
  EXPECT_EQ((TrainerExit{false, 3}).describe(), "exited with status 3");
  EXPECT_EQ((TrainerExit{true, SIGKILL}).describe(), "was killed by signal 9 (SIGKILL)");
  EXPECT_TRUE((TrainerExit{false, 0}).ok());
  EXPECT_FALSE((TrainerExit{true, 0}).ok());
}

TEST(TrainerProcess, EventsInOrderThenTheExit) {
  auto run = start("ok", "ok /models/m.ts");
  auto exit = run->collector.wait_exit();
  ASSERT_TRUE(exit);
  EXPECT_TRUE(exit->ok()) << exit->describe();
  auto events = run->collector.events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front().kind, Event::Kind::Stage);
  EXPECT_EQ(events.front().text, "loading");
  EXPECT_EQ(events.back().kind, Event::Kind::Done);
  EXPECT_EQ(events.back().text, "/models/m.ts");
  long last_step = 0;
  for (const auto& e : events)
    if (e.kind == Event::Kind::Progress) {
      EXPECT_GT(e.progress.step, last_step) << "in order";
      last_step = e.progress.step;
      EXPECT_EQ(e.progress.steps, 5);
    }
  EXPECT_EQ(last_step, 5) << "the last progress is never dropped";
  EXPECT_EQ(events[events.size() - 2].kind, Event::Kind::Stage) << "exporting, before done";
  // Started as the daemon starts it: idle scheduling, stderr in the log, its own arguments.
  EXPECT_EQ(read_file(run->out / "sched"), "idle\n");
  EXPECT_NE(read_file(run->out / "trainer.log").find("fake trainer: mode ok"), std::string::npos);
  EXPECT_NE(read_file(run->out / "args.txt").find("--progress-lines\n--idle\n"), std::string::npos);
}

TEST(TrainerProcess, AFloodOfProgressIsThinnedButEndsOnTheLastStep) {
  auto run = start("flood", "flood 20000 /m.ts");
  auto exit = run->collector.wait_exit(30s);
  ASSERT_TRUE(exit);
  EXPECT_TRUE(exit->ok());
  auto events = run->collector.events();
  std::size_t progress = 0;
  long last = 0;
  for (const auto& e : events)
    if (e.kind == Event::Kind::Progress) {
      ++progress;
      last = e.progress.step;
    }
  EXPECT_EQ(last, 20000);
  EXPECT_LT(progress, 2000u) << "at most one per " << TrainerProcess::kProgressInterval.count()
                             << " ms, plus the last";
  EXPECT_EQ(events.back().kind, Event::Kind::Done);
}

TEST(TrainerProcess, ExitStatusAndSignalAreReported) {
  auto status = start("exit", "exit 3");
  auto exit = status->collector.wait_exit();
  ASSERT_TRUE(exit);
  EXPECT_FALSE(exit->signalled);
  EXPECT_EQ(exit->code, 3);

  auto killed = start("signal", "signal 9");
  exit = killed->collector.wait_exit();
  ASSERT_TRUE(exit);
  EXPECT_TRUE(exit->signalled);
  EXPECT_EQ(exit->code, SIGKILL);

  auto error = start("error", "error no sounds in the folder");
  exit = error->collector.wait_exit();
  ASSERT_TRUE(exit);
  EXPECT_EQ(exit->code, 1);
  auto events = error->collector.events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().kind, Event::Kind::Error);
  EXPECT_EQ(events.back().text, "no sounds in the folder");
}

TEST(TrainerProcess, CancelWorksWhenTheParentBlocksSigterm) {
  // The daemon blocks SIGTERM in every thread (it sigwait()s for it); a child inherits the mask.
  sigset_t term, old;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &term, &old);
  auto run = start("hang", "hang");
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  ASSERT_TRUE(run->collector.wait_events(2)) << "stage and progress";
  const auto begin = std::chrono::steady_clock::now();
  run->process->cancel();
  auto exit = run->collector.wait_exit();
  ASSERT_TRUE(exit);
  EXPECT_TRUE(exit->signalled);
  EXPECT_EQ(exit->code, SIGTERM);
  EXPECT_LT(std::chrono::steady_clock::now() - begin, TrainerProcess::kKillAfter);
}

TEST(TrainerProcess, ATrainerThatIgnoresSigtermIsKilled) {
  auto run = start("stubborn", "stubborn");
  ASSERT_TRUE(run->collector.wait_events(2));
  const auto begin = std::chrono::steady_clock::now();
  run->process->cancel();
  auto exit = run->collector.wait_exit(TrainerProcess::kKillAfter + 10s);
  ASSERT_TRUE(exit);
  EXPECT_TRUE(exit->signalled);
  EXPECT_EQ(exit->code, SIGKILL);
  EXPECT_GE(std::chrono::steady_clock::now() - begin, TrainerProcess::kKillAfter);
}

TEST(TrainerProcess, DestroyingItEndsAndReapsTheChild) {
  auto run = start("destroy", "hang");
  ASSERT_TRUE(run->collector.wait_events(1));  // the pid file is written before the first line
  const pid_t pid = std::stoi(read_file(run->out / "pid"));
  ASSERT_EQ(pid, run->process->pid());
  ASSERT_TRUE(process_exists(pid));
  run->process.reset();
  EXPECT_FALSE(process_exists(pid)) << "terminated and reaped: not even a zombie is left";
  auto exit = run->collector.wait_exit(0ms);
  ASSERT_TRUE(exit) << "the exit was reported before the destructor returned";
  EXPECT_EQ(waitpid(pid, nullptr, WNOHANG), -1) << "already reaped";
}

TEST(TrainerProcess, AProgramThatCannotRunIsAnError) {
  TrainerProcess::Options options;
  options.program = "/nonexistent/latentjam-train";
  options.log_path = "/dev/null";
  auto started = TrainerProcess::start(
      options, [](Event) {}, [](TrainerExit) {});
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error().find("cannot run /nonexistent/latentjam-train"), std::string::npos)
      << started.error();
  EXPECT_NE(started.error().find("No such file"), std::string::npos) << started.error();
}
