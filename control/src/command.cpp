#include "latentjam/control/command.hpp"

#include <charconv>

namespace latentjam::control {

std::int32_t Command::integer(std::size_t i, std::int32_t fallback) const {
  if (!has(i)) return fallback;
  if (auto* v = std::get_if<std::int32_t>(&*params[i])) return *v;
  return fallback;
}

float Command::number(std::size_t i, float fallback) const {
  if (!has(i)) return fallback;
  if (auto* v = std::get_if<float>(&*params[i])) return *v;
  if (auto* v = std::get_if<std::int32_t>(&*params[i])) return static_cast<float>(*v);
  return fallback;
}

std::string Command::text(std::size_t i, std::string fallback) const {
  if (!has(i)) return fallback;
  if (auto* v = std::get_if<std::string>(&*params[i])) return *v;
  return fallback;
}

std::vector<float> Command::numbers(std::size_t i) const {
  if (!has(i)) return {};
  if (auto* v = std::get_if<std::vector<float>>(&*params[i])) return *v;
  return {};
}

int Command::address_index() const {
  auto slash = address.rfind('/');
  if (slash == std::string::npos) return 0;
  int n = 0;
  const char* first = address.data() + slash + 1;
  const char* last = address.data() + address.size();
  auto [ptr, ec] = std::from_chars(first, last, n);
  return (ec == std::errc() && ptr == last) ? n : 0;
}

}  // namespace latentjam::control
