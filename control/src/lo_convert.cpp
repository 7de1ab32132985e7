#include "lo_convert.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "latentjam/control/parse.hpp"

namespace latentjam::control::detail {

namespace {

std::int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// liblo hands out pointers into the packet, which need not be aligned for the type: copy the
// bytes rather than read through a misaligned lo_arg* (undefined behaviour, found by UBSan).
template <class T>
T read_arg(const lo_arg* arg) {
  T value;
  std::memcpy(&value, arg, sizeof value);
  return value;
}

std::vector<OscArg> convert_args(const char* types, lo_arg** argv, int argc) {
  std::vector<OscArg> args;
  args.reserve(static_cast<std::size_t>(std::max(argc, 0)));
  for (int i = 0; i < argc; ++i) {
    char t = types[i];
    OscArg a{t, std::int64_t{0}};
    switch (t) {
      case 'i':
        a.value = std::int64_t{read_arg<std::int32_t>(argv[i])};
        break;
      case 'h':
        a.value = read_arg<std::int64_t>(argv[i]);
        break;
      case 'f':
        a.value = double{read_arg<float>(argv[i])};
        break;
      case 'd':
        a.value = read_arg<double>(argv[i]);
        break;
      case 's':
      case 'S':
        a.value = std::string(
            reinterpret_cast<const char*>(argv[i]));  // not &argv[i]->s: lo_arg may be misaligned
        break;
      default:
        break;  // kept as an unsupported tag so the parser can name it
    }
    args.push_back(std::move(a));
  }
  return args;
}

}  // namespace

lo_message to_lo_message(const Reply& reply) {
  lo_message msg = lo_message_new();
  for (const auto& arg : reply.args) {
    if (auto* i = std::get_if<std::int32_t>(&arg))
      lo_message_add_int32(msg, *i);
    else if (auto* f = std::get_if<float>(&arg))
      lo_message_add_float(msg, *f);
    else
      lo_message_add_string(msg, std::get<std::string>(arg).c_str());
  }
  return msg;
}

std::int64_t due_from_timetag(lo_timetag time) {
  if (time.sec == 0 && time.frac == 1) return 0;  // OSC's "immediately"
  lo_timetag now;
  lo_timetag_now(&now);
  const double ahead_s = lo_timetag_diff(time, now);
  if (!(ahead_s > 0.0)) return 0;
  return steady_now_ns() + static_cast<std::int64_t>(std::min(ahead_s, 1e9) * 1e9);
}

Parsed parse_lo_message(const CommandTable& table, const char* path, const char* types,
                        lo_arg** argv, int argc, ReplyTo from, std::int64_t due_ns) {
  Parsed parsed = parse_message(table, path, convert_args(types, argv, argc), std::move(from));
  if (auto* cmd = std::get_if<Command>(&parsed)) {
    cmd->received_ns = steady_now_ns();
    cmd->due_ns = due_ns;
  }
  return parsed;
}

}  // namespace latentjam::control::detail
