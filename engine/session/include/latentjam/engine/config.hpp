// The daemon's settings: built-in defaults, then a TOML file (--config), then the command line.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "latentjam/base/result.hpp"

namespace latentjam::engine {

struct Config {
  // [osc]
  int osc_port = 9000;
  bool osc_allow_remote = false;             // accept OSC from every host
  std::vector<std::string> osc_allow_hosts;  // ...or from these hosts only (numeric addresses)
  // [web]: the browser surface (docs/browser.md), behind the same allow rules as OSC
  int web_port = 0;      // TCP port for the page and its WebSocket; 0 = off
  std::string web_root;  // the page's folder; default: see find_web_root()
  // [audio]
  std::string audio_device = "default";
  int sample_rate = 48000;
  int buffer_frames = 256;
  std::string record_path;  // empty: no recording (unless the default device is missing)
  // [session]
  std::string session_dir;  // default: $XDG_DATA_HOME/latentjam or ~/.local/share/latentjam
  std::string export_dir;   // default: <session_dir>/exports
  // [engine]
  double tempo_bpm = 120.0;
  double quantize_beats = 4.0;
  int render_threads = 2;
  std::vector<std::string> voices = {"kick", "snare", "hat", "loop"};
  std::string focus = "kick";
  // Voices whose new hit cuts their ringing hits (closed hat chokes open hat).
  std::vector<std::string> choke = {"hat"};
  // Drum hits (/jam/trigger, MIDI notes) go straight from the input thread to the mixer instead of
  // through the conductor's line (docs/architecture.md); false only to measure the difference.
  bool fast_hits = true;
  // [models]: the model each voice plays from the start, "builtin:NAME" or a TorchScript file
  // (a relative path in the file is read against the file's folder). A voice not named here plays
  // its built-in decoder; so does one whose model does not load (with a warning).
  std::map<std::string, std::string> models;
  // The voices named with --model: those win over the session's last models (models.tsv), which
  // win over [models] in the file.
  std::set<std::string> models_from_command_line;
  // --pretrained DIR: a voice with no model above plays DIR/<voice>.ts when that file exists
  // (tools/run.sh names models/pretrained, the learned kick, snare and hat).
  std::string pretrained_dir;
  // [train]
  std::string train_program;  // latentjam-train to run for /jam/train; "" = see find_trainer()
  // [text]
  std::string text_encoder = "word-vectors";  // "word-vectors", "hashing" or "sbert"
  std::string word_vectors_path;              // default: searched, see find_word_vectors()
  std::string sbert_model_path;
  std::string sbert_vocab_path;
  // [mapping]
  std::string mapping_kind =
      "kernel";                       // "kernel" (default, chosen by the probe benchmark) or "mlp"
  double mapping_temperature = 0.02;  // kernel: softmax temperature over label similarity
  int mlp_hidden = 64;                // mlp: hidden units
  // [midi]
  bool midi_enabled = false;
  std::string midi_api;   // "jack", "alsa" or "" (RtMidi's default: ALSA on Linux)
  std::string midi_port;  // "" first available, "virtual", or part of a port name
  std::vector<int> midi_slider_ccs = {1, 2, 3, 4, 5, 6, 7, 8};
  int midi_channel = 0;  // 0 = omni
  int midi_slot_note_first = 48;
  int midi_slot_note_count = 0;  // 0: no note range recalls slots (program changes still do)
  bool midi_follow_clock = true;
  // [link]
  bool link_enabled = false;  // Ableton Link: share tempo and bar phase on the local network
  // [log]
  std::string log_level = "info";
  // Not a setting: the file the configuration was read from ("" when none), for the log.
  std::string config_file;
};

// Reads a TOML file over `config`. Unknown keys are errors (a typo must not silently do nothing).
Status load_config_file(const std::string& path, Config& config);

// Parses the command line over `config` (after --config has been applied). `exit_now` is set for
// --help and friends, with what to print in `message`.
Status parse_command_line(int argc, char** argv, Config& config, bool& exit_now,
                          std::string& message);

// Checks ranges and names; the message says which setting is wrong.
Status validate_config(const Config& config);

std::string default_session_dir();

// The folder of the running executable (/proc/self/exe), "" when unknown: where the daemon looks
// for what is built or installed beside it (word vectors, latentjam-train).
std::string executable_dir();

// Where the configuration is read from without --config: $XDG_CONFIG_HOME/latentjam/latentjam.toml,
// else ~/.config/latentjam/latentjam.toml ("" when neither variable is set).
std::string default_config_file();

}  // namespace latentjam::engine
