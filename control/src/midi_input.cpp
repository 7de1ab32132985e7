#include "latentjam/control/midi_input.hpp"

#include <RtMidi.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "jack_midi_in.hpp"
#include "midi_event_ring.hpp"

namespace latentjam::control {
namespace {

constexpr const char* kPortName = "midi_in";  // our input port on ALSA/JACK

std::optional<RtMidi::Api> api_from_name(std::string_view name, std::string& error) {
  if (name.empty() || name == "default") return RtMidi::UNSPECIFIED;
  if (name == "alsa") return RtMidi::LINUX_ALSA;
  if (name == "jack") return RtMidi::UNIX_JACK;
  error = "unknown MIDI API \"" + std::string(name.substr(0, 32)) + "\"; use alsa, jack or default";
  return std::nullopt;
}

bool contains_nocase(std::string_view haystack, std::string_view needle) {
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [](char a, char b) {
                          return std::tolower(static_cast<unsigned char>(a)) ==
                                 std::tolower(static_cast<unsigned char>(b));
                        });
  return it != haystack.end();
}

// Errors RtMidi reports through its callback (with a callback installed it does not throw).
// Warnings count too: "JACK server not running?" is only a warning to RtMidi.
struct ErrorLog {
  std::mutex mutex;
  std::string last;
  bool any = false;
};

void record_error(RtMidiError::Type, const std::string& text, void* user) {
  auto* log = static_cast<ErrorLog*>(user);
  std::lock_guard lock(log->mutex);
  log->last = text;
  log->any = true;
}

// Port names, or nullopt when listing itself failed (the API stopped working).
std::optional<std::vector<std::string>> port_names(RtMidiIn& in, ErrorLog& log) {
  {
    std::lock_guard lock(log.mutex);
    log.any = false;
  }
  std::vector<std::string> names;
  try {
    const unsigned count = in.getPortCount();
    for (unsigned i = 0; i < count; ++i) names.push_back(in.getPortName(i));
  } catch (const std::exception& e) {
    record_error(RtMidiError::UNSPECIFIED, e.what(), &log);
    return std::nullopt;
  }
  std::lock_guard lock(log.mutex);
  if (log.any) return std::nullopt;
  return names;
}

}  // namespace

struct MidiInput::Impl {
  Options options;
  Sink sink;
  LearnedSink on_learned;
  ErrorLog errors;

  mutable std::mutex map_mutex;  // MidiMap between RtMidi's thread and the conductor
  MidiMap map;

  mutable std::mutex port_mutex;  // port_name between the watcher and readers
  std::string port;
  std::atomic<bool> is_connected{false};

  std::mutex stop_mutex;
  std::condition_variable stop_cv;
  bool stopping = false;
  std::thread watcher;

  // One of the two, for the whole life of the input: RtMidi for ALSA (and the default API), our
  // own libjack client for JACK (jack_midi_in.hpp says why).
  std::unique_ptr<RtMidiIn> in;         // opened and closed by open() and then only the watcher
  std::unique_ptr<MidiEventRing> ring;  // RtMidi's callback -> the reader thread that parses
  std::unique_ptr<JackMidiIn> jack;     // its reader thread calls handle()

  explicit Impl(const Options& o) : options(o), map(*o.commands, o.map) {}

  // RtMidi's ALSA thread: copies the message into the ring and wakes the reader, nothing else (no
  // lock, no allocation), as JACK's real-time thread does.
  static void on_message(double, std::vector<unsigned char>* bytes, void* user) {
    auto* self = static_cast<Impl*>(user);
    if (!bytes) return;
    // Arrival time on a monotonic clock: RtMidi's own delta times are relative to the previous
    // message and restart on every reconnect; this is good to the callback's latency, which the
    // clock fit averages out.
    const double now =
        std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    self->ring->push(bytes->data(), bytes->size(), now);
    self->ring->wake();
  }

  void handle(const std::vector<unsigned char>& bytes, double seconds) {
    try {
      MidiOutput out;
      {
        std::lock_guard lock(map_mutex);
        out = map.handle(bytes, seconds);
      }
      for (auto& command : out.commands) {
        if (auto* c = std::get_if<Command>(&command))
          c->received_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count();
        sink(std::move(command));
      }
      if (out.learned && on_learned) on_learned(*out.learned);
    } catch (...) {
      // Only an allocation failure can get here. This runs on the ring's reader thread, where an
      // escaping exception ends the process; losing one message is the better outcome.
    }
  }

  void set_port(std::string name, bool connected) {
    {
      std::lock_guard lock(port_mutex);
      port = std::move(name);
    }
    is_connected.store(connected);
  }

  // One look at the port list: drop a port that has gone, open a matching one while disconnected.
  void poll() {
    if (jack) return poll_jack();
    auto names = port_names(*in, errors);
    if (!names) return;  // keep the current state; the error is in `errors`
    if (is_connected.load()) {
      std::string current;
      {
        std::lock_guard lock(port_mutex);
        current = port;
      }
      if (std::find(names->begin(), names->end(), current) != names->end()) return;
      try {
        in->closePort();
      } catch (const std::exception& e) {
        record_error(RtMidiError::UNSPECIFIED, e.what(), &errors);
      }
      set_port({}, false);
    }
    for (const std::size_t index : midi_port_order(*names, options.port)) {
      const auto i = static_cast<unsigned>(index);
      try {
        in->openPort(i, kPortName);
      } catch (const std::exception& e) {
        record_error(RtMidiError::UNSPECIFIED, e.what(), &errors);
        return;
      }
      if (in->isPortOpen()) set_port((*names)[i], true);
      return;
    }
  }

  // The same on JACK: our port stays registered; a source that went away took its connection with
  // it, and a matching source is connected with jack_connect().
  void poll_jack() {
    auto names = jack->sources();
    if (!names) return;
    if (is_connected.load()) {
      std::string current;
      {
        std::lock_guard lock(port_mutex);
        current = port;
      }
      if (std::find(names->begin(), names->end(), current) != names->end() &&
          jack->connected_to(current))
        return;
      set_port({}, false);
    }
    for (const std::size_t index : midi_port_order(*names, options.port)) {
      const std::string& name = (*names)[index];
      if (jack->connect(name)) {
        set_port(name, true);
      } else {
        record_error(RtMidiError::UNSPECIFIED, "JACK cannot connect " + name, &errors);
      }
      return;
    }
  }

  void watch() {
    std::unique_lock lock(stop_mutex);
    while (!stopping) {
      lock.unlock();
      poll();
      lock.lock();
      stop_cv.wait_for(lock, options.poll_interval, [this] { return stopping; });
    }
  }
};

std::vector<std::size_t> midi_port_order(const std::vector<std::string>& names,
                                         std::string_view wanted) {
  std::vector<std::size_t> first, last;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!wanted.empty()) {
      if (contains_nocase(names[i], wanted)) first.push_back(i);
    } else {
      (contains_nocase(names[i], "through") ? last : first).push_back(i);
    }
  }
  first.insert(first.end(), last.begin(), last.end());
  return first;
}

std::unique_ptr<MidiInput> MidiInput::open(const Options& options, Sink sink,
                                           LearnedSink on_learned, std::string& error) {
  if (!validate_midi_options(options.map, error)) return nullptr;
  auto api = api_from_name(options.api, error);
  if (!api) return nullptr;
  if (!sink || !options.commands) {
    error = "MIDI input needs a sink and a command table";
    return nullptr;
  }
  auto impl = std::make_unique<Impl>(options);
  impl->sink = std::move(sink);
  impl->on_learned = std::move(on_learned);
  if (*api == RtMidi::UNIX_JACK) {
    const bool virtual_port = options.port == "virtual";
    impl->jack = JackMidiIn::open(
        options.client_name, virtual_port ? options.client_name : kPortName,
        [p = impl.get()](const std::vector<unsigned char>& bytes, double seconds) {
          p->handle(bytes, seconds);
        },
        error);
    if (!impl->jack) {
      error = "MIDI: " + (virtual_port ? "cannot create a virtual port: " + error : error);
      return nullptr;
    }
    if (virtual_port) {
      impl->set_port(options.client_name, true);
      return std::unique_ptr<MidiInput>(new MidiInput(std::move(impl)));
    }
    impl->poll();
    impl->watcher = std::thread([p = impl.get()] { p->watch(); });
    return std::unique_ptr<MidiInput>(new MidiInput(std::move(impl)));
  }
  try {
    impl->ring =
        MidiEventRing::start([p = impl.get()](const std::vector<unsigned char>& bytes,
                                              double seconds) { p->handle(bytes, seconds); },
                             error);
    if (!impl->ring) return nullptr;
    impl->in = std::make_unique<RtMidiIn>(*api, options.client_name);
    impl->in->setErrorCallback(&record_error, &impl->errors);
    // Keep timing messages (clock, start, stop): the tempo follows them. SysEx and active sensing
    // mean nothing here.
    impl->in->ignoreTypes(/*midiSysex=*/true, /*midiTime=*/false, /*midiSense=*/true);
    impl->in->setCallback(&Impl::on_message, impl.get());
  } catch (const std::exception& e) {
    error = std::string("MIDI: ") + e.what();
    return nullptr;
  }

  if (options.port == "virtual") {
    try {
      impl->in->openVirtualPort(options.client_name);
    } catch (const std::exception& e) {
      record_error(RtMidiError::UNSPECIFIED, e.what(), &impl->errors);
    }
    std::lock_guard lock(impl->errors.mutex);
    if (impl->errors.any) {
      error = "MIDI: cannot create a virtual port: " + impl->errors.last;
      return nullptr;
    }
    impl->set_port(options.client_name, true);
    return std::unique_ptr<MidiInput>(new MidiInput(std::move(impl)));
  }

  // Listing the ports is what tells us whether the API works at all (RtMidi's JACK backend only
  // warns when there is no server).
  if (!port_names(*impl->in, impl->errors)) {
    std::lock_guard lock(impl->errors.mutex);
    error = "MIDI: " + impl->errors.last;
    return nullptr;
  }
  impl->poll();
  impl->watcher = std::thread([p = impl.get()] { p->watch(); });
  return std::unique_ptr<MidiInput>(new MidiInput(std::move(impl)));
}

void MidiInput::set_jack_callback_probe(CallbackProbe probe) {
  g_callback_probe.store(probe, std::memory_order_relaxed);
}

MidiInput::MidiInput(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MidiInput::~MidiInput() {
  {
    std::lock_guard lock(impl_->stop_mutex);
    impl_->stopping = true;
  }
  impl_->stop_cv.notify_all();
  if (impl_->watcher.joinable()) impl_->watcher.join();
  impl_->jack.reset();  // deactivates, then frees: before the map and sinks its reader uses
  if (!impl_->in) return;
  try {
    impl_->in->cancelCallback();
    impl_->in->closePort();
  } catch (...) {
    // Nothing useful to do while shutting down; the port goes away with the client below.
  }
  impl_->in.reset();    // the ring's producer first,
  impl_->ring.reset();  // then its reader, before the map and sinks it uses
}

std::vector<std::string> MidiInput::list_ports(std::string_view api_name, std::string& error) {
  auto api = api_from_name(api_name, error);
  if (!api) return {};
  if (*api == RtMidi::UNIX_JACK) {
    auto names = JackMidiIn::list_sources(error);
    if (!names) error = "MIDI: " + error;
    return names.value_or(std::vector<std::string>{});
  }
  ErrorLog log;
  try {
    RtMidiIn in(*api, "latentjam-list");
    in.setErrorCallback(&record_error, &log);
    if (auto names = port_names(in, log)) return *names;
  } catch (const std::exception& e) {
    error = std::string("MIDI: ") + e.what();
    return {};
  }
  error = "MIDI: " + log.last;
  return {};
}

bool MidiInput::connected() const {
  return impl_->is_connected.load();
}

std::string MidiInput::port_name() const {
  std::lock_guard lock(impl_->port_mutex);
  return impl_->port;
}

std::string MidiInput::last_error() const {
  std::lock_guard lock(impl_->errors.mutex);
  return impl_->errors.last;
}

bool MidiInput::learn(std::string_view target, std::string& error) {
  std::lock_guard lock(impl_->map_mutex);
  return impl_->map.learn(target, error);
}

std::vector<MidiBinding> MidiInput::bindings() const {
  std::lock_guard lock(impl_->map_mutex);
  return impl_->map.bindings();
}

}  // namespace latentjam::control
