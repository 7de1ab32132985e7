// Plain logging to stderr, one line per event. Never call it from the audio thread.
#pragma once

#include <sstream>
#include <string>

namespace latentjam::log {

enum class Level { Debug, Info, Warn, Error };

void set_level(Level level);
void write(Level level, const std::string& line);

template <class... Args>
void info(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  write(Level::Info, out.str());
}
template <class... Args>
void warn(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  write(Level::Warn, out.str());
}
template <class... Args>
void error(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  write(Level::Error, out.str());
}
template <class... Args>
void debug(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  write(Level::Debug, out.str());
}

}  // namespace latentjam::log
