// Writing a small session file so that a crash or power cut leaves the old or the new contents,
// never a torn or empty file: a temporary file, fsync, then rename over the old one.
#pragma once

#include <string>

#include "latentjam/models/result.hpp"

namespace latentjam::engine {

Status write_file_durably(const std::string& path, const std::string& text);

}  // namespace latentjam::engine
