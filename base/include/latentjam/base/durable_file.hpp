// Crash-safe file writing, shared by every library that keeps a user's data (the examples journal
// and snapshots, the session's model and MIDI files): what a /done acknowledged survives kill -9
// and a power cut. Plain functions, thread-safe as the file system is.
#pragma once

#include <cstddef>
#include <string>

#include "latentjam/base/result.hpp"

namespace latentjam::base {

// Replaces `path` with `data` atomically and durably: a temporary file beside it, fsync, rename,
// fsync of the folder. A crash leaves the old or the new contents, never a torn or empty file.
Status write_file_durably(const std::string& path, const std::string& data);

// Writes all of `data` to `fd`, retrying short writes and EINTR.
Status write_all(int fd, const char* data, std::size_t size);

// Makes a folder's entries (a new or renamed file's name) durable.
Status fsync_directory(const std::string& dir);

// strerror(errno), for messages.
std::string errno_text();

}  // namespace latentjam::base
