// The one declarative table of OSC commands. Validation, /fail reasons, `--osc-help` and
// docs/osc.md are all generated from it, so an address is described in exactly one place.
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
  CommandId id;
  std::string_view address;  // "/jam/slider/*" matches /jam/slider/1 .. /jam/slider/8
  std::vector<ParamSpec> params;
  std::string_view help;
  std::string_view reply;  // what a success answers, for the docs
  ButtonRule button = ButtonRule::None;
  // Named options after the parameters, each a name (OSC s) then its value, in any order, each at
  // most once (e.g. /jam/train ... steps 300 minutes 5). Their values follow the parameters in
  // Command::params, in this order.
  std::vector<ParamSpec> options = {};
};

std::span<const CommandSpec> command_table();

// The spec whose address matches, or nullptr.
const CommandSpec* find_command(std::string_view address);

// "s:voice [f:velocity]" style signature (options as "[steps i]"), used in errors and docs.
std::string signature(const CommandSpec& spec);

// A parameter's bounds as people read them: "1..2147483647" for an integer (not "1..2.14748e+09"),
// "0..1" for a float. Used by the reference and by out-of-range /fail texts alike.
std::string range_text(const ParamSpec& p);

// Markdown reference of every command (docs/osc.md is this text; a test keeps them equal).
std::string markdown_reference();

}  // namespace latentjam::control
