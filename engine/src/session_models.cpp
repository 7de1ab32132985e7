#include "latentjam/engine/session_models.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace latentjam::engine {

namespace {
constexpr const char* kFile = "/models.tsv";
}

std::map<std::string, std::string> read_session_models(const std::string& session_dir,
                                                       std::vector<std::string>& warnings) {
  std::map<std::string, std::string> out;
  std::ifstream in(session_dir + kFile);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const auto tab = line.find('\t');
    if (tab == std::string::npos || tab == 0 || tab + 1 == line.size()) {
      warnings.push_back(session_dir + kFile + " line " + std::to_string(number) +
                         " is not \"voice<TAB>model\"; skipped");
      continue;
    }
    out[line.substr(0, tab)] = line.substr(tab + 1);
  }
  return out;
}

Status write_session_models(const std::string& session_dir,
                            const std::map<std::string, std::string>& models) {
  const std::string path = session_dir + kFile;
  const std::string tmp = path + ".tmp";
  std::string text;
  for (const auto& [voice, model] : models) text += voice + '\t' + model + '\n';
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail("cannot write " + tmp + ": " + std::strerror(errno));
  const ssize_t wrote = ::write(fd, text.data(), text.size());
  const int error = wrote == static_cast<ssize_t>(text.size()) ? 0 : (wrote < 0 ? errno : ENOSPC);
  // Durable before it replaces the old list: a power cut must not leave an empty file.
  const bool synced = error == 0 && ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) {
    ::unlink(tmp.c_str());
    return fail("cannot write " + tmp + ": " + std::strerror(error ? error : errno));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return fail("cannot write " + path + ": " + ec.message());
  return Ok{};
}

}  // namespace latentjam::engine
