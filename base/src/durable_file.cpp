#include "latentjam/base/durable_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace latentjam::base {

std::string errno_text() {
  return std::strerror(errno);
}

Status fsync_directory(const std::string& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return fail("cannot open directory " + dir + ": " + errno_text());
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return fail("cannot fsync directory " + dir + ": " + errno_text());
  return Ok{};
}

Status write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(errno_text());
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return Ok{};
}

Status write_file_durably(const std::string& path, const std::string& data) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail("cannot create " + tmp + ": " + errno_text());
  Status w = write_all(fd, data.data(), data.size());
  if (w.ok() && ::fsync(fd) != 0) w = fail(errno_text());
  ::close(fd);
  if (!w.ok()) {
    ::unlink(tmp.c_str());
    return fail("cannot write " + tmp + ": " + w.error());
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = errno_text();
    ::unlink(tmp.c_str());
    return fail("cannot rename " + tmp + ": " + why);
  }
  return fsync_directory(std::filesystem::path(path).parent_path().string());
}

}  // namespace latentjam::base
