// Small helpers the process tests share: a whole file as text, and whether a pid is still a
// process (running or a zombie not yet reaped).
#pragma once

#include <signal.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace latentjam::testing {

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline bool process_exists(pid_t pid) {
  return kill(pid, 0) == 0 || errno != ESRCH;
}

}  // namespace latentjam::testing
