#include "latentjam/engine/trainer_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <string_view>

#include "latentjam/engine/log.hpp"

extern char** environ;

namespace latentjam::engine {
namespace {

using Clock = std::chrono::steady_clock;

// A line longer than this is not protocol (those are a few hundred bytes): it is dropped.
constexpr std::size_t kMaxLine = 64 * 1024;

std::string errno_text(int error) {
  char buffer[128];
  return strerror_r(error, buffer, sizeof buffer);  // the GNU version returns the text
}

train::Event progress_event(const train::Progress& p) {
  train::Event e;
  e.kind = train::Event::Kind::Progress;
  e.progress = p;
  return e;
}

// Spawns `program` with stdout into `out_write`, stderr into `log_path`, stdin from /dev/null and
// no other descriptor of the daemon (its OSC socket must not outlive it in an orphaned trainer).
// The child gets its own process group, so a cancel reaches whatever it starts and a terminal's
// Ctrl-C reaches the daemon alone, which then stops the trainer itself; and the default disposition
// and an empty mask for every signal, because the daemon blocks SIGINT and SIGTERM in all its
// threads (they are sigwait()ed) and a child inherits that mask.
int spawn(const TrainerProcess::Options& options, int out_write, pid_t& pid) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_write, STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, options.log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

  std::vector<char*> argv;
  std::string program = options.program;
  argv.push_back(program.data());
  std::vector<std::string> args = options.args;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // OpenMP threads that spin while they wait would eat the little CPU an idle process gets, and
  // slow training many times over on a busy machine; a passive wait costs nothing. A value the
  // performer set is kept.
  std::vector<char*> env;
  std::string passive = "OMP_WAIT_POLICY=PASSIVE";
  bool has_policy = false;
  for (char** e = environ; *e; ++e) {
    has_policy = has_policy || std::string_view(*e).starts_with("OMP_WAIT_POLICY=");
    env.push_back(*e);
  }
  if (!has_policy) env.push_back(passive.data());
  env.push_back(nullptr);
  const int error =
      posix_spawn(&pid, options.program.c_str(), &actions, &attr, argv.data(), env.data());
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  return error;
}

// Spawns from a short-lived thread that has made itself SCHED_IDLE first: a child inherits the
// policy of the thread that creates it, so the trainer is idle from its first instruction and
// only ever gets a CPU that the audio, the renders and everything else leave free.
// (posix_spawnattr_setschedpolicy accepts only SCHED_OTHER, SCHED_FIFO and SCHED_RR, and setting
// the child's policy after the spawn would leave it a moment at normal priority.)
int spawn_idle(const TrainerProcess::Options& options, int out_write, pid_t& pid) {
  int error = 0;
  std::thread([&] {
    sched_param param{};
    param.sched_priority = 0;
    if (const int refused = pthread_setschedparam(pthread_self(), SCHED_IDLE, &param); refused)
      log::warn("cannot give ", options.program, " the idle scheduling policy (",
                errno_text(refused), "); its own --idle lowers its priority");
    error = spawn(options, out_write, pid);
  }).join();
  return error;
}

}  // namespace

std::string TrainerExit::describe() const {
  if (!signalled) return "exited with status " + std::to_string(code);
  const char* name = sigabbrev_np(code);
  return "was killed by signal " + std::to_string(code) +
         (name ? " (SIG" + std::string(name) + ")" : std::string());
}

std::string find_trainer(const std::string& configured, const char* env,
                         const std::string& exe_dir) {
  if (!configured.empty()) return configured;
  if (env && *env) return env;
  if (!exe_dir.empty()) return exe_dir + "/latentjam-train";
  return "latentjam-train";
}

std::optional<train::Progress> ProgressThrottle::offer(const train::Progress& p,
                                                       Clock::time_point now) {
  if (!last_sent_ || now - *last_sent_ >= interval_) {
    last_sent_ = now;
    held_.reset();
    return p;
  }
  held_ = p;  // the latest wins: an older held progress is stale
  return std::nullopt;
}

std::optional<train::Progress> ProgressThrottle::take_held(Clock::time_point now, bool force) {
  if (!held_ || (!force && now - *last_sent_ < interval_)) return std::nullopt;
  last_sent_ = now;
  auto p = held_;
  held_.reset();
  return p;
}

std::optional<ProgressThrottle::Clock::time_point> ProgressThrottle::due() const {
  if (!held_) return std::nullopt;
  return *last_sent_ + interval_;
}

Result<std::unique_ptr<TrainerProcess>> TrainerProcess::start(const Options& options,
                                                              OnEvent on_event, OnExit on_exit) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return fail("cannot make a pipe: " + errno_text(errno));
  pid_t pid = -1;
  const int error = spawn_idle(options, out[1], pid);
  close(out[1]);
  if (error != 0) {
    close(out[0]);
    return fail("cannot run " + options.program + ": " + errno_text(error));
  }
  fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
  // pidfd_open: the exit becomes something poll() sees. Without it (kernels before 5.3) the
  // reader checks waitpid(WNOHANG) every 100 ms instead.
  // (The raw syscall: glibc 2.36's <sys/pidfd.h> lacks extern "C", so its wrapper does not link.)
  const int pid_fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  const int wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  return std::unique_ptr<TrainerProcess>(
      new TrainerProcess(pid, out[0], pid_fd, wake_fd, std::move(on_event), std::move(on_exit)));
}

TrainerProcess::TrainerProcess(pid_t pid, int out_fd, int pid_fd, int wake_fd, OnEvent on_event,
                               OnExit on_exit)
    : pid_(pid),
      out_fd_(out_fd),
      pid_fd_(pid_fd),
      wake_fd_(wake_fd),
      on_event_(std::move(on_event)),
      on_exit_(std::move(on_exit)) {
  reader_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "lj-trainer");
    read_until_exit();
  });
}

TrainerProcess::~TrainerProcess() {
  cancel();  // nothing happens when the child has already been reaped
  reader_.join();
  close(out_fd_);
  if (pid_fd_ >= 0) close(pid_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

void TrainerProcess::cancel() {
  cancel_requested_ = true;
  signal_group(SIGTERM);
  if (wake_fd_ >= 0) {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = write(wake_fd_, &one, sizeof one);
  }
}

void TrainerProcess::signal_group(int signal) {
  std::lock_guard lock(mutex_);
  if (!reaped_) kill(-pid_, signal);
}

void TrainerProcess::read_until_exit() {
  ProgressThrottle throttle(kProgressInterval);
  std::string partial;  // the start of a line whose end has not arrived yet
  bool out_open = true;
  std::optional<TrainerExit> exit;
  std::optional<Clock::time_point> kill_at;
  bool killed = false;

  auto handle_line = [&](std::string_view line) {
    auto event = train::parse_event(line);
    if (!event) {
      if (!line.empty()) log::debug("latentjam-train: ", line);
      return;
    }
    if (event->kind == train::Event::Kind::Progress) {
      if (auto p = throttle.offer(event->progress, Clock::now())) on_event_(progress_event(*p));
      return;
    }
    if (auto held = throttle.take_held(Clock::now(), true)) on_event_(progress_event(*held));
    on_event_(std::move(*event));
  };
  auto read_available = [&] {
    char buffer[4096];
    while (out_open) {
      const ssize_t n = read(out_fd_, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return;
      if (n <= 0) {
        out_open = false;
        return;
      }
      partial.append(buffer, static_cast<std::size_t>(n));
      std::size_t start = 0;
      for (std::size_t end; (end = partial.find('\n', start)) != std::string::npos; start = end + 1)
        handle_line(std::string_view(partial).substr(start, end - start));
      partial.erase(0, start);
      if (partial.size() > kMaxLine) {
        log::warn("latentjam-train wrote a line longer than ", kMaxLine, " bytes; dropped");
        partial.clear();
      }
    }
  };
  auto try_reap = [&] {
    std::lock_guard lock(mutex_);
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) != pid_) return;
    reaped_ = true;
    exit = WIFSIGNALED(status) ? TrainerExit{true, WTERMSIG(status)}
                               : TrainerExit{false, WEXITSTATUS(status)};
  };

  while (!exit) {
    std::optional<Clock::time_point> wake_at = throttle.due();
    if (kill_at && !killed && (!wake_at || *kill_at < *wake_at)) wake_at = kill_at;
    if (pid_fd_ < 0) {
      const auto poll_exit = Clock::now() + std::chrono::milliseconds(100);
      if (!wake_at || poll_exit < *wake_at) wake_at = poll_exit;
    }
    int timeout_ms = -1;
    if (wake_at) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(*wake_at - Clock::now());
      timeout_ms = static_cast<int>(std::max<std::int64_t>(0, left.count()));
    }
    pollfd fds[3] = {
        {out_open ? out_fd_ : -1, POLLIN, 0}, {wake_fd_, POLLIN, 0}, {pid_fd_, POLLIN, 0}};
    if (poll(fds, 3, timeout_ms) < 0 && errno != EINTR) {
      log::error("latentjam-train: poll failed: ", errno_text(errno));
      break;  // the destructor still terminates and reaps the child
    }
    if (fds[1].revents & POLLIN) {
      std::uint64_t count;
      [[maybe_unused]] auto n = read(wake_fd_, &count, sizeof count);
    }
    if (cancel_requested_ && !kill_at) kill_at = Clock::now() + kKillAfter;
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) read_available();
    if (pid_fd_ < 0 || (fds[2].revents & POLLIN)) try_reap();
    if (kill_at && !killed && !exit && Clock::now() >= *kill_at) {
      log::warn("latentjam-train (pid ", pid_, ") ignored SIGTERM for ", kKillAfter.count(),
                " s: killing it");
      signal_group(SIGKILL);
      killed = true;
    }
    if (auto held = throttle.take_held(Clock::now())) on_event_(progress_event(*held));
  }
  if (!exit) {
    // poll() failed: end the child the blunt way and wait for it, so it is never left a zombie.
    signal_group(SIGKILL);
    std::lock_guard lock(mutex_);
    int status = 0;
    waitpid(pid_, &status, 0);
    reaped_ = true;
    exit = TrainerExit{true, SIGKILL};
  }
  // What the trainer wrote just before it exited is still in the pipe. Take what is there, but do
  // not wait for an end of file that something the trainer started could hold off forever.
  read_available();
  if (!partial.empty()) handle_line(partial);  // a last line without its newline
  if (auto held = throttle.take_held(Clock::now(), true)) on_event_(progress_event(*held));
  on_exit_(*exit);
}

}  // namespace latentjam::engine
