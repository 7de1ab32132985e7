#include "latentjam/control/parse.hpp"

#include <cmath>
#include <sstream>

#include "latentjam/control/command_table.hpp"

namespace latentjam::control {
namespace {

bool is_number(const OscArg& a) {
  return a.tag == 'i' || a.tag == 'f' || a.tag == 'd' || a.tag == 'h';
}
bool is_text(const OscArg& a) {
  return a.tag == 's' || a.tag == 'S';
}

double as_double(const OscArg& a) {
  if (auto* d = std::get_if<double>(&a.value)) return *d;
  if (auto* i = std::get_if<std::int64_t>(&a.value)) return static_cast<double>(*i);
  return 0.0;
}

std::string describe(const OscArg& a) {
  std::ostringstream out;
  if (auto* s = std::get_if<std::string>(&a.value)) {
    out << "string \"" << s->substr(0, 32) << (s->size() > 32 ? "...\"" : "\"");
  } else if (is_number(a)) {
    out << "number " << as_double(a);
  } else {
    out << "OSC type '" << a.tag << "'";
  }
  return out.str();
}

const char* expected(ParamType t) {
  switch (t) {
    case ParamType::Int:
      return "an integer";
    case ParamType::Float:
      return "a number";
    case ParamType::Text:
      return "a string";
    case ParamType::FloatList:
      return "numbers";
  }
  return "?";
}

bool fits(const ParamSpec& p, const OscArg& a) {
  return p.type == ParamType::Text ? is_text(a) : is_number(a);
}

std::string out_of_range(const ParamSpec& p, double v) {
  std::ostringstream out;
  out << p.name << " ";
  if (p.type == ParamType::Int && std::isfinite(v) && v == std::floor(v) && std::abs(v) < 1e18)
    out << static_cast<long long>(v);
  else
    out << v;
  out << " is out of range " << range_text(p);
  return out.str();
}

// Converts one argument that fits a Text, Int or Float spec; returns the reason when it is not
// acceptable, "" when `out` holds the value.
std::string convert(const ParamSpec& p, const OscArg& a, std::optional<Value>& out) {
  const bool bounded = p.min <= p.max;
  switch (p.type) {
    case ParamType::Text: {
      const auto& s = std::get<std::string>(a.value);
      if (s.size() > kMaxTextBytes)
        return std::string(p.name) + " is longer than " + std::to_string(kMaxTextBytes) + " bytes";
      out = s;
      return {};
    }
    case ParamType::Int: {
      double v = as_double(a);
      if (!std::isfinite(v) || std::fabs(v - std::round(v)) > 1e-6)
        return std::string(p.name) + " must be an integer, got " + describe(a);
      if (bounded && (v < p.min || v > p.max)) return out_of_range(p, v);
      out = static_cast<std::int32_t>(std::lround(v));
      return {};
    }
    case ParamType::Float: {
      double v = as_double(a);
      if (!std::isfinite(v)) return std::string(p.name) + " must be a finite number";
      if (bounded && (v < p.min || v > p.max)) return out_of_range(p, v);
      out = static_cast<float>(v);
      return {};
    }
    case ParamType::FloatList:
      break;
  }
  return "internal error: " + std::string(p.name) + " is a list";
}

std::string option_names(const CommandSpec& spec) {
  std::string names;
  for (const auto& o : spec.options) names += (names.empty() ? "" : ", ") + std::string(o.name);
  return names;
}

}  // namespace

Parsed parse_message(const CommandTable& table, std::string_view address,
                     const std::vector<OscArg>& args, ReplyTo reply) {
  auto reject = [&](std::string reason) {
    return Rejected{std::string(address), reply, std::move(reason)};
  };
  const CommandSpec* spec = table.find(address);
  if (!spec) return reject("unknown address (send /jam/help for the list)");
  const std::string usage = "; usage: " + std::string(spec->address) + " " + signature(*spec);

  Command cmd;
  cmd.spec = spec;
  cmd.address = std::string(address);
  cmd.reply = reply;  // copied: later rejections still need it
  if (spec->address.ends_with("/*")) {
    const int n = cmd.address_index();
    if (n < 1 || n > spec->address_count)
      return reject(std::string(spec->address.substr(0, spec->address.size() - 1)) +
                    "N: N must be 1.." + std::to_string(spec->address_count));
  }

  // A surface button (docs/osc.md, "Buttons"): a trailing float is its value, not a parameter.
  std::size_t end = args.size();  // arguments [0, end) are parameters
  if (spec->button == ButtonRule::TrailingPress && end > 0 && args[end - 1].tag == 'f') {
    if (as_double(args[end - 1]) == 0.0) {
      cmd.released = true;
      return cmd;
    }
    --end;
  }

  std::size_t next = 0;  // next unconsumed argument
  for (const ParamSpec& p : spec->params) {
    const bool available = next < end;
    if (!available || !fits(p, args[next])) {
      if (p.optional) {
        cmd.params.emplace_back(std::nullopt);
        continue;
      }
      if (!available) return reject("missing argument " + std::string(p.name) + usage);
      return reject("argument " + std::to_string(next + 1) + " (" + std::string(p.name) +
                    ") must be " + expected(p.type) + ", got " + describe(args[next]) + usage);
    }
    const OscArg& a = args[next];
    const bool bounded = p.min <= p.max;
    switch (p.type) {
      case ParamType::Text:
      case ParamType::Int:
      case ParamType::Float: {
        std::optional<Value> value;
        if (std::string error = convert(p, a, value); !error.empty()) return reject(error);
        cmd.params.push_back(std::move(value));
        ++next;
        break;
      }
      case ParamType::FloatList: {
        std::vector<float> values;
        for (; next < end; ++next) {
          if (!is_number(args[next]))
            return reject("argument " + std::to_string(next + 1) + " (" + std::string(p.name) +
                          ") must be a number, got " + describe(args[next]) + usage);
          double v = as_double(args[next]);
          if (!std::isfinite(v)) return reject(std::string(p.name) + " must be finite numbers");
          if (bounded && (v < p.min || v > p.max)) return reject(out_of_range(p, v));
          if (values.size() == kMaxFloatList)
            return reject(std::string(p.name) + " has more than " + std::to_string(kMaxFloatList) +
                          " values");
          values.push_back(static_cast<float>(v));
        }
        cmd.params.emplace_back(std::move(values));
        break;
      }
    }
  }
  // Named options: "name value" pairs, each name at most once.
  const std::size_t first_option = cmd.params.size();
  cmd.params.resize(first_option + spec->options.size());
  while (next < end && !spec->options.empty()) {
    const OscArg& name_arg = args[next];
    if (!is_text(name_arg))
      return reject("argument " + std::to_string(next + 1) + " must be an option name (" +
                    option_names(*spec) + "), got " + describe(name_arg) + usage);
    const auto& name = std::get<std::string>(name_arg.value);
    std::size_t k = 0;
    while (k < spec->options.size() && spec->options[k].name != name) ++k;
    if (k == spec->options.size())
      return reject("unknown option \"" + name.substr(0, 32) +
                    "\" (options: " + option_names(*spec) + ")" + usage);
    const ParamSpec& o = spec->options[k];
    if (cmd.params[first_option + k])
      return reject("option " + std::string(o.name) + " is given twice");
    if (next + 1 >= end) return reject("option " + std::string(o.name) + " needs a value" + usage);
    const OscArg& value_arg = args[next + 1];
    if (!fits(o, value_arg))
      return reject("option " + std::string(o.name) + " must be " + expected(o.type) + ", got " +
                    describe(value_arg) + usage);
    if (std::string error = convert(o, value_arg, cmd.params[first_option + k]); !error.empty())
      return reject(error);
    next += 2;
  }
  if (next < end) return reject("too many arguments (" + std::to_string(args.size()) + ")" + usage);
  if (spec->button == ButtonRule::ZeroReleases && first_option > 0 && cmd.has(first_option - 1) &&
      cmd.number(first_option - 1, 1.0f) == 0.0f)
    cmd.released = true;
  return cmd;
}

}  // namespace latentjam::control
