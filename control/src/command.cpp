#include "latentjam/control/command.hpp"

#include <charconv>
#include <stdexcept>

#include "latentjam/control/command_table.hpp"

namespace latentjam::control {

namespace {

// The position of a named argument in Command::params: the row's parameters, then its options.
std::size_t position(const Command& cmd, std::string_view name) {
  if (cmd.spec) {
    std::size_t i = 0;
    for (const auto& p : cmd.spec->params) {
      if (p.name == name) return i;
      ++i;
    }
    for (const auto& o : cmd.spec->options) {
      if (o.name == name) return i;
      ++i;
    }
  }
  throw std::logic_error("no argument \"" + std::string(name) + "\" in the table row of " +
                         cmd.address);
}

}  // namespace

bool Command::is(std::string_view table_address) const {
  return spec != nullptr && spec->address == table_address;
}

bool Command::has(std::string_view name) const {
  return has(position(*this, name));
}
std::int32_t Command::integer(std::string_view name, std::int32_t fallback) const {
  return integer(position(*this, name), fallback);
}
float Command::number(std::string_view name, float fallback) const {
  return number(position(*this, name), fallback);
}
std::string Command::text(std::string_view name, std::string fallback) const {
  return text(position(*this, name), std::move(fallback));
}
std::vector<float> Command::numbers(std::string_view name) const {
  return numbers(position(*this, name));
}

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
