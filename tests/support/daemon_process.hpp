// Starts build/latentjam as a child process for integration tests, and stops it with a signal.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace latentjam::testing {

// A port of this kind (SOCK_DGRAM, SOCK_STREAM) nobody is bound to on loopback right now.
inline int free_port(int type) {
  int fd = socket(AF_INET, type, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}
inline int free_udp_port() {
  return free_port(SOCK_DGRAM);
}
inline int free_tcp_port() {
  return free_port(SOCK_STREAM);
}  // for the browser surface

inline std::filesystem::path fresh_temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("latentjam-test-" + name + "-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

class DaemonProcess {
 public:
  // `args` come after the binary; stderr goes to `log_path`. `file_size_limit` (bytes, 0: none)
  // is the child's RLIMIT_FSIZE, as a service unit's LimitFSIZE would set it.
  DaemonProcess(const std::vector<std::string>& args, const std::filesystem::path& log_path,
                rlim_t file_size_limit = 0)
      : log_path_(log_path) {
    std::vector<std::string> all = {std::string(LATENTJAM_BINARY_DIR) + "/latentjam"};
    all.insert(all.end(), args.begin(), args.end());
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // a crashed test leaves no daemon behind
      if (file_size_limit) {
        const rlimit limit{file_size_limit, file_size_limit};
        setrlimit(RLIMIT_FSIZE, &limit);
      }
      int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 2);
      dup2(fd, 1);
      std::vector<char*> argv;
      for (auto& a : all) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
  }
  ~DaemonProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  // Sends a signal and waits for the exit status (-1 if it did not exit normally).
  int stop(int signal = SIGTERM) {
    kill(pid_, signal);
    return wait();
  }
  int wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    exited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  // Sends a signal and waits at most `limit` for the exit: the exit status (-1 if it did not exit
  // normally), or nothing when it hung (it is then killed). Waits on a pidfd: no polling.
  std::optional<int> stop_within(int signal, std::chrono::milliseconds limit) {
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
    kill(pid_, signal);
    if (pidfd >= 0) {
      pollfd p{pidfd, POLLIN, 0};
      const int ready = ::poll(&p, 1, static_cast<int>(limit.count()));
      ::close(pidfd);
      if (ready == 0) {
        kill(pid_, SIGKILL);
        wait();
        return std::nullopt;
      }
    }
    return wait();
  }
  std::string log() const {
    std::ifstream in(log_path_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  pid_t pid() const { return pid_; }

 private:
  std::filesystem::path log_path_;
  pid_t pid_ = -1;
  bool exited_ = false;
};

}  // namespace latentjam::testing
