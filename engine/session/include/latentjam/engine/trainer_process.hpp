// latentjam-train as a child process: spawned without a shell at idle priority, its stdout read
// line by line on a thread of its own (never the conductor's), each line turned into an event of
// the progress protocol (latentjam/train/progress.hpp), cancelled with SIGTERM then SIGKILL, and
// always reaped. The daemon must keep playing whatever the trainer does, so nothing here waits on
// the child from the caller's thread.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "latentjam/base/result.hpp"
#include "latentjam/train/progress.hpp"

namespace latentjam::engine {

// How the child ended, for /jam/train/fail.
struct TrainerExit {
  bool signalled = false;  // killed by `code` (a signal number) rather than exiting with it
  int code = 0;
  bool ok() const { return !signalled && code == 0; }
  std::string describe() const;  // "exited with status 3", "was killed by signal 9 (Killed)"
};

// Where to find latentjam-train: the configuration's [train] program, else $LATENTJAM_TRAIN, else
// latentjam-train in the daemon's own folder (they are built and installed side by side).
std::string find_trainer(const std::string& configured, const char* env,
                         const std::string& exe_dir);

// Progress lines can come far faster than a control surface can show them (a step on a GPU takes
// milliseconds): at most one per interval goes on, the latest, and the one held back is never
// lost (it goes before any other event, at the interval's end, or at the end of the output).
class ProgressThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  explicit ProgressThrottle(Clock::duration interval) : interval_(interval) {}
  // The progress to send now, if any; otherwise it is held.
  std::optional<train::Progress> offer(const train::Progress& p, Clock::time_point now);
  // The held progress once its interval is over (or at once with `force`), else nothing.
  std::optional<train::Progress> take_held(Clock::time_point now, bool force = false);
  // When the held progress is due; nullopt when nothing is held.
  std::optional<Clock::time_point> due() const;

 private:
  Clock::duration interval_;
  std::optional<Clock::time_point> last_sent_;
  std::optional<train::Progress> held_;
};

class TrainerProcess {
 public:
  // How long a cancelled trainer has between SIGTERM and SIGKILL.
  static constexpr std::chrono::seconds kKillAfter{5};
  static constexpr std::chrono::milliseconds kProgressInterval{100};

  struct Options {
    std::string program;            // the executable, run directly (no shell, no PATH search)
    std::vector<std::string> args;  // after the program name
    std::string log_path;           // the child's stderr goes here
  };
  // Both are called on the reader thread: every event line in order, then the exit, last.
  using OnEvent = std::function<void(train::Event)>;
  using OnExit = std::function<void(TrainerExit)>;

  // Spawns the child. The reader thread owns it from then on.
  static Result<std::unique_ptr<TrainerProcess>> start(const Options& options, OnEvent on_event,
                                                       OnExit on_exit);
  // Terminates a child still running (as cancel()), then waits for the reader thread, which
  // reaps it: no zombie and no thread is left behind.
  ~TrainerProcess();
  TrainerProcess(const TrainerProcess&) = delete;
  TrainerProcess& operator=(const TrainerProcess&) = delete;

  // Any thread, never blocks: SIGTERM to the trainer's process group now, SIGKILL after
  // kKillAfter if it is still there.
  void cancel();
  pid_t pid() const { return pid_; }

 private:
  TrainerProcess(pid_t pid, int out_fd, int pid_fd, int wake_fd, OnEvent on_event, OnExit on_exit);
  void read_until_exit();
  void signal_group(int signal);  // only while the child is not reaped (its pid may be reused)

  pid_t pid_;
  int out_fd_;   // read end of the child's stdout
  int pid_fd_;   // readable when the child has exited
  int wake_fd_;  // an eventfd: cancel() wakes the reader with it
  OnEvent on_event_;
  OnExit on_exit_;
  std::mutex mutex_;  // orders signals against the reaping
  bool reaped_ = false;
  std::atomic<bool> cancel_requested_{false};
  std::thread reader_;
};

}  // namespace latentjam::engine
