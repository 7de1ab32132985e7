// The vocabulary of OSC commands: what one row of a command table says about an address (its
// arguments, bounds, help and reply texts, a surface button's rule), and the table the parser
// validates against. Validation, /fail reasons, `--osc-help` and docs/osc.md all come from the
// table, so an address is described in exactly one place. The daemon's table, rows and handlers
// together, is engine/session/src/command_table.cpp (FluCoMa's message descriptors are the model:
// the front ends here are generic over the table they are given).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "latentjam/control/command.hpp"

namespace latentjam::control {

enum class ParamType {
  Int,        // OSC i (a float with an integral value is accepted: TouchOSC sends floats)
  Float,      // OSC f (an int is accepted)
  Text,       // OSC s, at most kMaxTextBytes bytes
  FloatList,  // the rest of the message, each an OSC f or i
};

inline constexpr std::size_t kMaxTextBytes = 256;
inline constexpr std::size_t kMaxFloatList = 1024;

struct ParamSpec {
  std::string_view name;
  ParamType type;
  bool optional = false;
  float min = 0.0f;  // numeric bounds, inclusive; ignored when min > max
  float max = -1.0f;
};

// How a control surface's button reaches a command (docs/osc.md, "Buttons"). A TouchOSC, Open
// Stage Control or Lemur button sends `f 1` when pressed and `f 0` when released.
enum class ButtonRule {
  None,           // every argument is a parameter
  TrailingPress,  // a trailing float is the button's value, not a parameter: 0 = release, ignored
  ZeroReleases,   // the last parameter (a float) at 0 is a release, ignored (/jam/trigger)
};

struct CommandSpec {
  std::string_view address;  // "/jam/slider/*" matches /jam/slider/1 .. /jam/slider/N
  std::vector<ParamSpec> params;
  std::string_view help;
  std::string_view reply;  // what a success answers, for the docs
  ButtonRule button = ButtonRule::None;
  // Named options after the parameters, each a name (OSC s) then its value, in any order, each at
  // most once (e.g. /jam/train ... steps 300 minutes 5). Their values follow the parameters in
  // Command::params, in this order.
  std::vector<ParamSpec> options = {};
  int address_count = 0;  // N of an address ending in /*
};

// An ordered set of specs with unique addresses. Immutable after construction, so any thread may
// read it; a Command's spec points into it for as long as the table lives.
class CommandTable {
 public:
  // Throws std::invalid_argument for two rows with one address or an address without a leading /.
  explicit CommandTable(std::vector<CommandSpec> specs);
  std::span<const CommandSpec> specs() const { return specs_; }
  // The spec whose address matches ("/jam/slider/*" matches /jam/slider/1), or nullptr.
  const CommandSpec* find(std::string_view address) const;
  // The position of one of this table's specs (its row); std::logic_error for another table's.
  std::size_t index_of(const CommandSpec& spec) const;

 private:
  std::vector<CommandSpec> specs_;
};

// "s:voice [f:velocity]" style signature (options as "[steps i]"), used in errors and docs.
std::string signature(const CommandSpec& spec);

// A parameter's bounds as people read them: "1..2147483647" for an integer (not "1..2.14748e+09"),
// "0..1" for a float. Used by the reference and by out-of-range /fail texts alike.
std::string range_text(const ParamSpec& p);

// Markdown reference of every command (docs/osc.md is this text; a test keeps them equal).
std::string markdown_reference(const CommandTable& table);

}  // namespace latentjam::control
