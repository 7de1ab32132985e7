#include "latentjam/engine/durable_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace latentjam::engine {

Status write_file_durably(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail("cannot write " + tmp + ": " + std::strerror(errno));
  const ssize_t wrote = ::write(fd, text.data(), text.size());
  const int error = wrote == static_cast<ssize_t>(text.size()) ? 0 : (wrote < 0 ? errno : ENOSPC);
  // Durable before it replaces the old file: a power cut must not leave an empty one.
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
