// Typed commands: what the control layer hands to the engine after parsing and validation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace latentjam::control {

struct CommandSpec;
class CommandTable;

// Where a reply goes: the sender of the message.
struct ReplyTo {
  std::string host;
  std::string port;
  bool operator==(const ReplyTo&) const = default;
};

using Value = std::variant<std::int32_t, float, std::string, std::vector<float>>;

struct Command {
  std::string address;  // as received, e.g. "/jam/slider/3"
  ReplyTo reply;
  std::int64_t received_ns = 0;  // steady-clock arrival time, for latency measurements
  // When it should run (steady clock), from the timetag of the OSC bundle it came in; 0: now.
  std::int64_t due_ns = 0;
  // One per ParamSpec of the table, then one per option of the table (CommandSpec::options), both
  // in the table's order; nullopt = omitted. Read them by name (below).
  std::vector<std::optional<Value>> params;
  // A surface button's release (value 0) on a momentary command: nothing to do and no reply.
  bool released = false;

  // The table row it was parsed against: what the command is (set by the parser; MIDI's commands
  // come from parse_message too).
  const CommandSpec* spec = nullptr;

  // Arguments by the names of the table row (its parameters and options): the parser guarantees
  // the types. A name the row does not have is a programming error: std::logic_error, which the
  // conductor answers with /fail rather than crash.
  bool has(std::string_view name) const;
  std::int32_t integer(std::string_view name, std::int32_t fallback = 0) const;
  float number(std::string_view name, float fallback = 0.0f) const;
  std::string text(std::string_view name, std::string fallback = {}) const;
  std::vector<float> numbers(std::string_view name) const;
  // The same by position in the row (parameters, then options), for the parser and its tests;
  // handlers use the names.
  bool has(std::size_t i) const { return i < params.size() && params[i].has_value(); }
  std::int32_t integer(std::size_t i, std::int32_t fallback = 0) const;
  float number(std::size_t i, float fallback = 0.0f) const;
  std::string text(std::size_t i, std::string fallback = {}) const;
  std::vector<float> numbers(std::size_t i) const;
  // Whether it was parsed against the row of this address (e.g. "/jam/trigger").
  bool is(std::string_view table_address) const;
  // The number in an address like /jam/slider/3 (0 when there is none).
  int address_index() const;
};

// A message that could not become a command: the engine answers it with /fail.
struct Rejected {
  std::string address;
  ReplyTo reply;
  std::string reason;
};

using Parsed = std::variant<Command, Rejected>;

}  // namespace latentjam::control
