// From liblo's view of one OSC message to a parsed command: shared by the UDP server (liblo's
// thread hands it messages) and by the packet parser of other transports (the browser's
// WebSocket), so both read arguments and timetags the same way. Private to control/.
#pragma once

#include <lo/lo.h>

#include <cstdint>

#include "latentjam/control/command.hpp"
#include "latentjam/control/osc_server.hpp"

namespace latentjam::control::detail {

// The steady-clock time (ns) a bundle's timetag asks for; 0 for "now": the immediate timetag or a
// time already past.
std::int64_t due_from_timetag(lo_timetag time);

// Validates one message against the command table. A command carries its arrival time and `due_ns`
// (from the bundle around it, 0 for none).
// A reply as a liblo message (the caller frees it with lo_message_free).
lo_message to_lo_message(const Reply& reply);

Parsed parse_lo_message(const CommandTable& table, const char* path, const char* types,
                        lo_arg** argv, int argc, ReplyTo from, std::int64_t due_ns);

}  // namespace latentjam::control::detail
