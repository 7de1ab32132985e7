// Turns one OSC message (address, type tags, arguments) into a Command or a Rejected with a reason.
// Independent of liblo's types so it can be tested and fuzzed without a socket.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "latentjam/control/command.hpp"

namespace latentjam::control {

// One received OSC argument, reduced to what the table can ask for.
struct OscArg {
  char tag;  // OSC type tag: 'i', 'f', 'd', 'h', 's', 'S', 'T', 'F', ...
  std::variant<std::int64_t, double, std::string> value;
};

class CommandTable;

// Validated against `table`, whose row the Command then points to.
Parsed parse_message(const CommandTable& table, std::string_view address,
                     const std::vector<OscArg>& args, ReplyTo reply);

}  // namespace latentjam::control
