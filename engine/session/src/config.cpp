#include "latentjam/engine/config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

namespace latentjam::engine {
namespace {

// Allowed keys per section: an unknown key is reported instead of silently ignored.
const std::map<std::string, std::set<std::string>>& known_keys() {
  static const std::map<std::string, std::set<std::string>> keys = {
      {"osc", {"port", "allow_remote", "allow"}},
      {"web", {"port", "root"}},
      {"audio", {"device", "sample_rate", "buffer", "record"}},
      {"session", {"dir", "export_dir"}},
      {"engine", {"tempo", "quantize", "render_threads", "voices", "focus", "choke", "fast_hits"}},
      {"text", {"encoder", "word_vectors", "sbert_model", "sbert_vocab"}},
      {"mapping", {"kind", "temperature", "hidden"}},
      {"midi",
       {"enabled", "api", "port", "slider_ccs", "channel", "slot_note_first", "slot_note_count",
        "follow_clock"}},
      {"link", {"enabled"}},
      {"train", {"program"}},
      {"models", {}},  // keys are voice names, checked against the voices by validate_config
      {"log", {"level"}},
  };
  return keys;
}

// A whole-number setting: a TOML integer, or a float with an integral value, within T's range.
// Not toml++'s value<std::int64_t>(): it converts any float, which is undefined behaviour past
// the range of int64 (fuzz_config found `slider_ccs = [1e233]`), and a plain cast would wrap
// `port = 4294967297` to 1.
template <class T, class Node>
std::optional<T> whole_number(const Node& node) {
  std::optional<std::int64_t> v = node.template value_exact<std::int64_t>();
  if (!v) {
    const std::optional<double> f = node.template value_exact<double>();
    if (!f || std::trunc(*f) != *f || !(std::abs(*f) < 9.0e18)) return std::nullopt;
    v = static_cast<std::int64_t>(*f);
  }
  if (std::cmp_less(*v, std::numeric_limits<T>::min()) ||
      std::cmp_greater(*v, std::numeric_limits<T>::max()))
    return std::nullopt;
  return static_cast<T>(*v);
}

template <class T>
Status read(const toml::table& root, const char* section, const char* key, T& out) {
  auto node = root[section][key];
  if (!node) return Ok{};
  if constexpr (std::is_same_v<T, std::string>) {
    if (auto v = node.template value<std::string>()) {
      out = *v;
      return Ok{};
    }
  } else if constexpr (std::is_same_v<T, bool>) {
    if (auto v = node.template value<bool>()) {
      out = *v;
      return Ok{};
    }
  } else if constexpr (std::is_integral_v<T>) {
    if (auto v = whole_number<T>(node)) {
      out = *v;
      return Ok{};
    }
    if (node.is_number())
      return fail(std::string("[") + section + "] " + key + " must be a whole number from " +
                  std::to_string(std::numeric_limits<T>::min()) + " to " +
                  std::to_string(std::numeric_limits<T>::max()));
  } else {
    if (auto v = node.template value<double>()) {
      out = *v;
      return Ok{};
    }
  }
  return fail(std::string("[") + section + "] " + key + " has the wrong type");
}

}  // namespace

Status validate_config(const Config& c) {
  if (c.osc_port < 1 || c.osc_port > 65535) return fail("OSC port must be 1..65535");
  if (c.web_port < 0 || c.web_port > 65535) return fail("web port must be 0 (off) or 1..65535");
  if (c.tempo_bpm < 20 || c.tempo_bpm > 400) return fail("tempo must be 20..400 bpm");
  if (c.quantize_beats < 0 || c.quantize_beats > 64) return fail("quantize must be 0..64 beats");
  if (c.render_threads < 1 || c.render_threads > 16) return fail("render_threads must be 1..16");
  if (c.voices.empty() || c.voices.size() > 16) return fail("there must be 1..16 voices");
  if (c.mlp_hidden < 1 || c.mlp_hidden > 1024) return fail("mapping hidden size must be 1..1024");
  if (c.mapping_kind != "kernel" && c.mapping_kind != "mlp")
    return fail("mapping kind must be kernel or mlp");
  if (!(c.mapping_temperature >= 0.001 && c.mapping_temperature <= 10.0))
    return fail("mapping temperature must be 0.001..10");
  for (const auto& [voice, path] : c.models) {
    if (std::find(c.voices.begin(), c.voices.end(), voice) == c.voices.end())
      return fail("[models] names voice \"" + voice + "\", which is not one of the voices");
    if (path.empty()) return fail("[models] " + voice + " is empty");
  }
  if (!c.midi_api.empty() && c.midi_api != "default" && c.midi_api != "alsa" &&
      c.midi_api != "jack")
    return fail("MIDI api must be alsa, jack or default");
  std::set<std::string> levels = {"debug", "info", "warning", "error"};
  if (!levels.count(c.log_level)) return fail("log level must be debug, info, warning or error");
  std::set<std::string> encoders = {"word-vectors", "hashing", "sbert"};
  if (!encoders.count(c.text_encoder))
    return fail("text encoder must be word-vectors, hashing or sbert");
  return Ok{};
}

std::string executable_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.parent_path().string();
}

std::string default_session_dir() {
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg)
    return std::string(xdg) + "/latentjam";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.local/share/latentjam";
  return "latentjam-session";
}

Status load_config_file(const std::string& path, Config& c) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream out;
    out << "config " << path << ": " << e.description() << " at line " << e.source().begin.line;
    return fail(out.str());
  }
  for (auto&& [section, node] : root) {
    auto it = known_keys().find(std::string(section.str()));
    if (it == known_keys().end())
      return fail("config " + path + ": unknown section [" + std::string(section.str()) + "]");
    if (!node.is_table())
      return fail("config " + path + ": " + std::string(section.str()) + " must be a section");
    for (auto&& [key, value] : *node.as_table()) {
      if (it->first == "models") continue;
      if (!it->second.count(std::string(key.str())))
        return fail("config " + path + ": unknown key " + std::string(key.str()) + " in [" +
                    it->first + "]");
    }
  }
  Status s = Ok{};
  auto step = [&](Status r) {
    if (s.ok() && !r.ok()) s = fail("config " + path + ": " + r.error());
  };
  step(read(root, "osc", "port", c.osc_port));
  step(read(root, "osc", "allow_remote", c.osc_allow_remote));
  step(read(root, "web", "port", c.web_port));
  step(read(root, "web", "root", c.web_root));
  step(read(root, "audio", "device", c.audio_device));
  step(read(root, "audio", "sample_rate", c.sample_rate));
  step(read(root, "audio", "buffer", c.buffer_frames));
  step(read(root, "audio", "record", c.record_path));
  step(read(root, "session", "dir", c.session_dir));
  step(read(root, "session", "export_dir", c.export_dir));
  step(read(root, "engine", "tempo", c.tempo_bpm));
  step(read(root, "engine", "quantize", c.quantize_beats));
  step(read(root, "engine", "render_threads", c.render_threads));
  step(read(root, "engine", "focus", c.focus));
  step(read(root, "engine", "fast_hits", c.fast_hits));
  step(read(root, "text", "encoder", c.text_encoder));
  step(read(root, "text", "word_vectors", c.word_vectors_path));
  step(read(root, "text", "sbert_model", c.sbert_model_path));
  step(read(root, "text", "sbert_vocab", c.sbert_vocab_path));
  step(read(root, "mapping", "kind", c.mapping_kind));
  step(read(root, "mapping", "temperature", c.mapping_temperature));
  step(read(root, "mapping", "hidden", c.mlp_hidden));
  step(read(root, "log", "level", c.log_level));
  step(read(root, "train", "program", c.train_program));
  step(read(root, "link", "enabled", c.link_enabled));
  step(read(root, "midi", "enabled", c.midi_enabled));
  step(read(root, "midi", "api", c.midi_api));
  step(read(root, "midi", "port", c.midi_port));
  step(read(root, "midi", "channel", c.midi_channel));
  step(read(root, "midi", "slot_note_first", c.midi_slot_note_first));
  step(read(root, "midi", "slot_note_count", c.midi_slot_note_count));
  step(read(root, "midi", "follow_clock", c.midi_follow_clock));
  if (auto ccs = root["midi"]["slider_ccs"].as_array()) {
    c.midi_slider_ccs.clear();
    for (auto&& v : *ccs) {
      auto cc = whole_number<int>(v);
      if (!cc)
        step(fail("[midi] slider_ccs must be a list of controller numbers"));
      else
        c.midi_slider_ccs.push_back(*cc);
    }
  }
  if (auto choke = root["engine"]["choke"].as_array()) {
    c.choke.clear();
    for (auto&& v : *choke) {
      auto name = v.value<std::string>();
      if (!name)
        step(fail("[engine] choke must be a list of voice names"));
      else
        c.choke.push_back(*name);
    }
  }
  if (auto hosts = root["osc"]["allow"].as_array()) {
    c.osc_allow_hosts.clear();
    for (auto&& v : *hosts) {
      auto host = v.value<std::string>();
      if (!host || host->empty())
        step(fail("[osc] allow must be a list of host addresses"));
      else
        c.osc_allow_hosts.push_back(*host);
    }
  }
  if (auto voices = root["engine"]["voices"].as_array()) {
    c.voices.clear();
    for (auto&& v : *voices) {
      auto name = v.value<std::string>();
      if (!name)
        step(fail("[engine] voices must be a list of names"));
      else
        c.voices.push_back(*name);
    }
  }
  // A rig's files travel with its configuration: relative paths are read against its folder.
  const std::filesystem::path folder = std::filesystem::absolute(path).parent_path();
  auto beside_config = [&folder](const std::string& p) {
    if (p.empty() || p.starts_with("builtin:") || std::filesystem::path(p).is_absolute()) return p;
    return (folder / p).lexically_normal().string();
  };
  if (auto models = root["models"].as_table()) {
    for (auto&& [voice, value] : *models) {
      auto model = value.value<std::string>();
      if (!model)
        step(fail("[models] " + std::string(voice.str()) +
                  " must be a string: \"builtin:NAME\" or a model file"));
      else
        c.models[std::string(voice.str())] = beside_config(*model);
    }
  }
  c.train_program = beside_config(c.train_program);
  if (!s.ok()) return s;
  if (Status v = validate_config(c); !v.ok()) return fail("config " + path + ": " + v.error());
  c.config_file = path;
  return Ok{};
}

std::string default_config_file() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg)
    return std::string(xdg) + "/latentjam/latentjam.toml";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.config/latentjam/latentjam.toml";
  return {};
}

}  // namespace latentjam::engine
