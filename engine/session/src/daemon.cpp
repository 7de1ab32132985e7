#include "latentjam/engine/daemon.hpp"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <thread>

#include "latentjam/control/command_table.hpp"
#include "latentjam/control/midi_input.hpp"
#include "latentjam/control/osc_server.hpp"
#include "latentjam/control/web_server.hpp"
#include "latentjam/engine/audio_device.hpp"
#include "latentjam/engine/conductor.hpp"
#include "latentjam/engine/config.hpp"
#include "latentjam/engine/log.hpp"
#include "latentjam/engine/mixer.hpp"
#include "latentjam/engine/render_pipeline.hpp"
#include "latentjam/engine/session_midi.hpp"
#include "latentjam/engine/session_models.hpp"
#include "latentjam/engine/wav_recorder.hpp"
#include "latentjam/models/allocator.hpp"

namespace latentjam::engine {
namespace {

// The first of `candidates` that exists, "" when none does.
std::string first_existing(const std::vector<std::string>& candidates) {
  std::error_code ec;
  for (const auto& path : candidates)
    if (!path.empty() && std::filesystem::exists(path, ec)) return path;
  return {};
}

// The browser surface's page: --web-root / [web] root, else web/ beside the build folder of a
// checkout, else where an install puts it.
std::string find_web_root(const Config& config) {
  if (!config.web_root.empty()) return config.web_root;
  const std::string exe = executable_dir();
  if (exe.empty()) return {};
  return first_existing({exe + "/../web", exe + "/../share/latentjam/web"});
}

// The OSC library the page loads, fetched from npm at setup (tools/fetch_web.sh), found where the
// word vectors are.
std::string find_osc_library() {
  std::vector<std::string> candidates;
  if (const char* data = std::getenv("LATENTJAM_DATA"); data && *data)
    candidates.push_back(std::string(data) + "/web-vendor/osc.min.js");
  if (const std::string exe = executable_dir(); !exe.empty()) {
    candidates.push_back(exe + "/../data/web-vendor/osc.min.js");
    candidates.push_back(exe + "/../share/latentjam/web-vendor/osc.min.js");
  }
  return first_existing(candidates);
}

// Starts the browser surface when a port is set; nullptr when off or when it cannot start. Like
// MIDI, it is an extra door: a port another program holds is logged and the daemon plays on OSC.
std::unique_ptr<control::WebServer> start_web(const Config& config, Conductor& conductor) {
  if (config.web_port == 0) return nullptr;
  control::WebServer::Options options;
  options.commands = &command_table();
  options.port = config.web_port;
  options.document_root = find_web_root(config);
  if (options.document_root.empty()) {
    log::warn(
        "web: no page folder found, so no browser surface; set --web-root DIR (the web/ folder "
        "of the source)");
    return nullptr;
  }
  if (const std::string library = find_osc_library(); !library.empty())
    options.files["/vendor/osc.min.js"] = library;
  else
    log::warn(
        "web: the page's OSC library is missing (run tools/setup.sh, which fetches it into "
        "data/web-vendor/); the page will say so");
  options.allow_remote = config.osc_allow_remote;
  options.allowed_hosts = config.osc_allow_hosts;
  options.on_first_drop = [](const std::string& host) {
    log::warn("web: refusing the browser at ", host,
              ": other hosts are not allowed (start with --allow-remote or --allow ", host, ")");
  };
  options.on_log = [](const std::string& line) { log::debug("web: ", line); };
  std::string error;
  auto web = control::WebServer::start(
      options, [&conductor](control::Parsed&& p) { conductor.post(std::move(p)); }, error);
  if (!web)
    log::warn(error, " (is another program using it? choose another with --web-port); playing ",
              "without the browser surface");
  return web;
}

// What the audio device calls: the mixer, then the recorder, both allocation-free.
class MasterBus final : public AudioClient {
 public:
  void render(float* out, int frames, int channels) override {
    mixer->process(out, frames, channels);
    if (recorder) recorder->write(out, frames);
  }
  std::unique_ptr<Mixer> mixer;
  WavRecorder* recorder = nullptr;
};

// Lets the conductor ask for MIDI learn without knowing RtMidi; the input is attached once open.
class MidiLearnAdapter final : public MidiLearner {
 public:
  Status learn(const std::string& target) override {
    if (!input) return fail("MIDI input is off (start with --midi PORT or set [midi] enabled)");
    std::string error;
    if (!input->learn(target, error)) return fail(error);
    return Ok{};
  }
  control::MidiInput* input = nullptr;
};

control::MidiInput::Options midi_options(const Config& c) {
  control::MidiInput::Options o;
  o.commands = &command_table();
  o.api = c.midi_api;
  o.port = c.midi_port;
  o.map.slider_ccs = c.midi_slider_ccs;
  o.map.channel = c.midi_channel;
  o.map.slot_note_first = c.midi_slot_note_first;
  o.map.slot_note_count = c.midi_slot_note_count;
  o.map.follow_clock = c.midi_follow_clock;
  return o;
}

// Which model each voice starts with, strongest first: --model on the command line, the model the
// voice played last in this session (models.tsv), [models] in the configuration, --pretrained DIR.
void choose_models(Config& config) {
  std::vector<std::string> warnings;
  for (const auto& [voice, model] : read_session_models(config.session_dir, warnings)) {
    const bool known =
        std::find(config.voices.begin(), config.voices.end(), voice) != config.voices.end();
    if (known && !config.models_from_command_line.count(voice)) config.models[voice] = model;
  }
  for (const auto& w : warnings) log::warn(w);
  if (config.pretrained_dir.empty()) return;
  for (const std::string& voice : config.voices) {
    const auto file = std::filesystem::path(config.pretrained_dir) / (voice + ".ts");
    std::error_code exists_error;
    if (!config.models.count(voice) && std::filesystem::is_regular_file(file, exists_error))
      config.models[voice] = file.string();
  }
}

std::string timestamped_recording(const std::string& session_dir) {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char name[64];
  std::strftime(name, sizeof(name), "latentjam-%Y%m%d-%H%M%S.wav", &tm);
  return session_dir + "/recordings/" + name;
}

log::Level level_from(const std::string& name) {
  if (name == "debug") return log::Level::Debug;
  if (name == "warning") return log::Level::Warn;
  if (name == "error") return log::Level::Error;
  return log::Level::Info;
}

int print_and_exit(const std::string& what) {
  if (what == "--osc-help") {
    std::cout << control::markdown_reference(command_table());
  } else if (what == "--list-devices") {
    auto devices = AudioDevice::list();
    if (devices.empty()) std::cout << "no audio output devices (use --audio none)\n";
    for (const auto& d : devices) std::cout << d << "\n";
  } else if (what == "--version") {
    std::cout << "latentjam 0.1.0\n";
  } else {
    std::cout << what;
  }
  return 0;
}

}  // namespace

int run_daemon(int argc, char** argv) {
  const auto started = std::chrono::steady_clock::now();
  // Signals are taken by sigwait() below; every thread started from here on inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  // A file size limit (a service unit's LimitFSIZE) must end the recording, not the rig: with
  // SIGXFSZ ignored the write fails with EFBIG and the recorder reports it.
  signal(SIGXFSZ, SIG_IGN);
  // Before any thread starts: learned decodes reuse freed memory instead of faulting it back in.
  models::keep_freed_memory_for_reuse();
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Config config;
  bool exit_now = false;
  std::string message;
  Status parsed = parse_command_line(argc, argv, config, exit_now, message);
  if (!parsed.ok()) {
    std::cerr << "latentjam: " << parsed.error() << "\n";
    return 2;
  }
  if (exit_now) return print_and_exit(message);
  if (Status valid = validate_config(config); !valid.ok()) {
    std::cerr << "latentjam: " << valid.error() << "\n";
    return 2;
  }
  log::set_level(level_from(config.log_level));
  if (!config.config_file.empty()) log::info("configuration: ", config.config_file);
  if (config.session_dir.empty()) config.session_dir = default_session_dir();
  if (config.export_dir.empty()) config.export_dir = config.session_dir + "/exports";
  choose_models(config);
  std::error_code ec;
  std::filesystem::create_directories(config.session_dir, ec);
  if (ec) {
    log::error("cannot create session folder ", config.session_dir, ": ", ec.message());
    return 1;
  }

  // Audio first: the device may settle on another sample rate or buffer size than asked for.
  MasterBus bus;
  AudioOptions audio{config.audio_device, config.sample_rate, config.buffer_frames, 2};
  std::string error;
  auto device = AudioDevice::open(audio, bus, error);
  if (!device && config.audio_device == "default") {
    // A stage rig without a sound card still runs, and keeps what it played.
    if (config.record_path.empty()) config.record_path = timestamped_recording(config.session_dir);
    log::warn(error, "; using the null device, recording to ", config.record_path);
    audio.name = "none";
    device = AudioDevice::open(audio, bus, error);
  }
  if (!device) {
    log::error(error);
    return 1;
  }
  bus.mixer =
      std::make_unique<Mixer>(device->sample_rate(), config.tempo_bpm, config.quantize_beats);

  std::atomic<Conductor*> warn_subscribers{nullptr};
  std::unique_ptr<WavRecorder> recorder;
  if (!config.record_path.empty()) {
    std::filesystem::path dir = std::filesystem::path(config.record_path).parent_path();
    if (!dir.empty()) std::filesystem::create_directories(dir, ec);
    // The conductor does not exist yet; a failure later reaches its subscribers through this.
    recorder = WavRecorder::open(config.record_path, device->sample_rate(), 2, error,
                                 [&warn_subscribers](const std::string& reason) {
                                   log::error(reason);
                                   if (auto* c = warn_subscribers.load())
                                     c->notify({"/jam/warning", {reason}});
                                 });
    if (!recorder) {
      log::error(error);
      return 1;
    }
    bus.recorder = recorder.get();
  }

  // Ableton Link: the mixer follows the session whenever it is enabled (config, --link, /jam/link).
  LinkClock link(config.tempo_bpm);
  const double latency_s =
      audio.name == "none" ? 0.0 : double(device->buffer_frames()) / device->sample_rate();
  bus.mixer->follow(&link, std::chrono::microseconds(std::llround(1e6 * latency_s)));
  link.enable(config.link_enabled);

  RenderPipeline pipeline(*bus.mixer, config.render_threads);
  std::unique_ptr<control::OscServer> osc;
  std::unique_ptr<control::WebServer> web;
  MidiLearnAdapter midi_learn;
  Conductor conductor({config, *bus.mixer, pipeline,
                       [&osc, &web](const control::ReplyTo& to, const control::Reply& r) {
                         if (control::is_web_client(to)) {
                           if (web) web->send(to, r);
                         } else if (osc) {
                           osc->send(to, r);
                         }
                       },
                       device.get(), &midi_learn, &link,
                       [&osc, &web]() -> std::uint64_t {
                         return (osc ? osc->dropped_remote() : 0) +
                                (web ? web->dropped_remote() : 0);
                       }});
  if (Status ready = conductor.prepare(); !ready.ok()) {
    log::error(ready.error());
    return 1;
  }
  warn_subscribers = &conductor;
  control::OscServer::Options osc_options;
  osc_options.commands = &command_table();
  osc_options.port = config.osc_port;
  osc_options.allow_remote = config.osc_allow_remote;
  osc_options.allowed_hosts = config.osc_allow_hosts;
  osc_options.on_first_drop = [](const std::string& host) {
    log::warn("OSC: dropping packets from ", host,
              ": other hosts are not allowed (start with --allow-remote or --allow ", host,
              ", or set [osc] allow_remote / allow)");
  };
  osc = control::OscServer::start(
      osc_options, [&conductor](control::Parsed&& p) { conductor.post(std::move(p)); }, error);
  if (!osc) {
    log::error(error, " (is another latentjam or scsynth using port ", config.osc_port, "?)");
    return 1;
  }
  web = start_web(config, conductor);
  std::unique_ptr<control::MidiInput> midi;
  if (config.midi_enabled) {
    // A wrong MIDI setting is the performer's to fix and stops the start; a machine without a MIDI
    // system (no ALSA sequencer, no JACK) is not: the daemon warns and plays on OSC.
    if (std::string invalid; !control::validate_midi_options(midi_options(config).map, invalid)) {
      log::error("MIDI: ", invalid);
      return 1;
    }
    // The controls learned in this session before, after the configuration's: they win.
    auto options = midi_options(config);
    std::vector<std::string> midi_warnings;
    for (const auto& b : read_session_midi(config.session_dir, midi_warnings))
      options.map.bindings.push_back(b);
    for (const auto& w : midi_warnings) log::warn("MIDI: ", w);
    midi = control::MidiInput::open(
        options, [&conductor](control::Parsed&& p) { conductor.post(std::move(p)); },
        [&conductor](const control::MidiLearned& learned) { conductor.midi_learned(learned); },
        error);
    if (!midi && config.midi_port == "virtual") {
      log::error("MIDI: ", error);
      return 1;
    }
    if (!midi) {
      log::warn("MIDI: ", error, "; no MIDI input, playing on OSC only");
    } else {
      midi_learn.input = midi.get();
      log::info("MIDI: ", midi->connected()
                              ? "connected to " + midi->port_name()
                              : "waiting for a port matching \"" + config.midi_port + "\"");
    }
  }
  if (!device->start(error)) {
    log::error(error);
    return 1;
  }
  std::thread conductor_thread([&conductor] {
    pthread_setname_np(pthread_self(), "lj-conductor");
    conductor.run();
  });
  const auto ready_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - started)
                            .count();
  log::info("ready in ", ready_ms, " ms: OSC on udp port ", osc->port(), ", audio ", device->name(),
            " at ", device->sample_rate(), " Hz / ", device->buffer_frames(), " frames",
            recorder ? ", recording to " + recorder->path() : std::string(),
            web ? ", browser surface on http://" +
                      std::string(config.osc_allow_remote || !config.osc_allow_hosts.empty()
                                      ? "THIS-MACHINE"
                                      : "127.0.0.1") +
                      ":" + std::to_string(web->port()) + "/"
                : std::string());

  int signal = 0;
  sigwait(&signals, &signal);
  log::info("stopping on ", signal == SIGINT ? "SIGINT" : "SIGTERM");

  // Inputs first: no new commands from MIDI or OSC, so the conductor's drain below ends even
  // under a flood (it used to chase a client that kept sending). The OSC socket stays open.
  midi.reset();
  osc->stop_receiving();
  if (web) web->stop_receiving();
  // The conductor stops before the OSC server goes: it sends until its last moment (replies to
  // the commands still queued, a training's end), and its sends go through `osc`.
  conductor.stop();
  conductor_thread.join();
  osc.reset();
  web.reset();
  pipeline.stop();
  device->stop();
  bus.mixer->follow(nullptr);
  link.enable(false);
  if (recorder) {
    recorder->close();
    warn_subscribers = nullptr;
    log::info("recording ", recorder->path(), ": ", recorder->frames_written(), " frames",
              recorder->dropped_samples()
                  ? ", " + std::to_string(recorder->dropped_samples()) + " samples dropped"
                  : std::string(),
              recorder->frames_lost()
                  ? ", " + std::to_string(recorder->frames_lost()) + " frames not written"
                  : std::string());
  }
  auto stats = device->stats();
  log::info("stopped; ", stats.xruns, " xruns, peak load ", stats.load_peak);
  return 0;
}

}  // namespace latentjam::engine
