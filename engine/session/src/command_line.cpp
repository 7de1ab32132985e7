// The stable command line of DESIGN.md §6. Scripts and tests rely on these names.
#include <charconv>
#include <filesystem>
#include <functional>
#include <sstream>
#include <string_view>

#include "latentjam/engine/config.hpp"

namespace latentjam::engine {
namespace {

struct Option {
  std::string_view flag;
  std::string_view value_name;  // empty: the option takes no value
  std::string_view help;
  std::function<Status(Config&, std::string_view)> apply;
};

// An option that stores its value as text in a Config field.
std::function<Status(Config&, std::string_view)> text_into(std::string Config::*field) {
  return [field](Config& c, std::string_view v) -> Status {
    c.*field = std::string(v);
    return Ok{};
  };
}

Status to_int(std::string_view text, int& out, std::string_view flag) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || ptr != text.data() + text.size())
    return fail(std::string(flag) + " expects a whole number, got \"" + std::string(text) + "\"");
  return Ok{};
}

const std::vector<Option>& options() {
  static const std::vector<Option> list = {
      {"--config", "FILE", "TOML configuration (see config/latentjam.toml)", nullptr},
      {"--osc-port", "N", "UDP port for OSC (default 9000)",
       [](Config& c, std::string_view v) { return to_int(v, c.osc_port, "--osc-port"); }},
      {"--web-port", "N",
       "serve the browser surface on this TCP port (0 = off, the default; docs/browser.md)",
       [](Config& c, std::string_view v) { return to_int(v, c.web_port, "--web-port"); }},
      {"--web-root", "DIR", "the browser surface's page folder (default: web/ of the checkout)",
       text_into(&Config::web_root)},
      {"--audio", "NAME",
       "default | none | jack | alsa | pulse | part of a device name (default: default)",
       text_into(&Config::audio_device)},
      {"--record", "FILE.wav", "record everything the master bus plays",
       text_into(&Config::record_path)},
      {"--session-dir", "DIR", "examples, journals and saved sessions",
       text_into(&Config::session_dir)},
      {"--sample-rate", "HZ", "audio sample rate (default 48000)",
       [](Config& c, std::string_view v) { return to_int(v, c.sample_rate, "--sample-rate"); }},
      {"--buffer", "FRAMES", "audio buffer size in frames (default 256)",
       [](Config& c, std::string_view v) { return to_int(v, c.buffer_frames, "--buffer"); }},
      {"--text-encoder", "NAME", "word-vectors | hashing | sbert",
       text_into(&Config::text_encoder)},
      {"--word-vectors", "FILE", "converted word vectors (tools/fetch_vectors.sh makes them)",
       text_into(&Config::word_vectors_path)},
      {"--midi", "PORT", "MIDI input: any | virtual | part of a port name (enables MIDI)",
       [](Config& c, std::string_view v) -> Status {
         c.midi_enabled = true;
         c.midi_port = v == "any" ? std::string() : std::string(v);
         return Ok{};
       }},
      {"--midi-api", "API", "MIDI through jack or alsa (default: alsa)",
       text_into(&Config::midi_api)},
      {"--link", "", "share tempo and bar phase over Ableton Link",
       [](Config& c, std::string_view) -> Status {
         c.link_enabled = true;
         return Ok{};
       }},
      {"--allow-remote", "",
       "accept OSC and browsers from other hosts (default: this machine only)",
       [](Config& c, std::string_view) -> Status {
         c.osc_allow_remote = true;
         return Ok{};
       }},
      {"--allow", "HOST",
       "accept OSC and browsers from this host too (numeric address; repeatable)",
       [](Config& c, std::string_view v) -> Status {
         c.osc_allow_hosts.emplace_back(v);
         return Ok{};
       }},
      {"--model", "VOICE=FILE",
       "the model a voice starts with, as [models] (builtin:NAME or a TorchScript file; "
       "repeatable)",
       [](Config& c, std::string_view v) -> Status {
         const auto eq = v.find('=');
         if (eq == std::string_view::npos || eq == 0 || eq + 1 == v.size())
           return fail("--model needs VOICE=FILE, e.g. kick=models/pretrained/kick.ts");
         c.models[std::string(v.substr(0, eq))] = std::string(v.substr(eq + 1));
         c.models_from_command_line.insert(std::string(v.substr(0, eq)));
         return Ok{};
       }},
      {"--pretrained", "DIR",
       "voices with no model named play DIR/<voice>.ts where it exists (e.g. models/pretrained)",
       text_into(&Config::pretrained_dir)},
      {"--log-level", "LEVEL", "debug | info | warning | error", text_into(&Config::log_level)},
      {"--list-devices", "", "list audio output devices and exit", nullptr},
      {"--osc-help", "", "print the OSC reference (Markdown) and exit", nullptr},
      {"--version", "", "print the version and exit", nullptr},
      {"--help", "", "this help", nullptr},
  };
  return list;
}

std::string usage() {
  std::ostringstream out;
  out << "usage: latentjam [options]\n\n"
         "A headless generative drum machine you teach with your own words, over OSC and MIDI.\n\n";
  for (const auto& o : options()) {
    std::string left =
        std::string(o.flag) + (o.value_name.empty() ? "" : " " + std::string(o.value_name));
    out << "  " << left << std::string(left.size() < 26 ? 26 - left.size() : 1, ' ') << o.help
        << "\n";
  }
  out << "\nStops cleanly on SIGINT/SIGTERM, after flushing the session and the recording.\n";
  return out.str();
}

}  // namespace

Status parse_command_line(int argc, char** argv, Config& config, bool& exit_now,
                          std::string& message) {
  exit_now = false;
  // --config first, so the command line overrides the file whatever the order. Without it, the
  // user's file in the XDG location is read when there is one.
  bool given = false;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--config") {
      if (i + 1 >= argc) return fail("--config needs a FILE");
      if (Status s = load_config_file(argv[i + 1], config); !s.ok()) return s;
      given = true;
    }
  }
  if (const std::string file = default_config_file();
      !given && !file.empty() && std::filesystem::exists(file)) {
    if (Status s = load_config_file(file, config); !s.ok()) return s;
  }
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string_view value;
    if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    const Option* option = nullptr;
    for (const auto& o : options())
      if (o.flag == arg) option = &o;
    if (!option) return fail("unknown option " + std::string(arg) + " (see --help)");
    if (arg == "--help" || arg == "--osc-help" || arg == "--list-devices" || arg == "--version") {
      exit_now = true;
      message = std::string(arg);
      if (arg == "--help") message = usage();
      return Ok{};
    }
    if (!option->value_name.empty() && value.empty()) {
      if (i + 1 >= argc)
        return fail(std::string(arg) + " needs " + std::string(option->value_name));
      value = argv[++i];
    }
    if (option->apply) {
      if (Status s = option->apply(config, value); !s.ok()) return s;
    }
  }
  return Ok{};
}

}  // namespace latentjam::engine
