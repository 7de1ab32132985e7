#include "jack_midi_in.hpp"

#include <jack/midiport.h>
#include <pthread.h>

#include <cerrno>
#include <cstring>

namespace latentjam::control {

namespace {

// One event in the ring: its time, its length and up to 3 bytes (channel and system real-time
// messages; longer ones, SysEx, mean nothing to latentjam and are skipped in the callback).
struct Event {
  double seconds;
  std::uint8_t size;
  std::uint8_t bytes[3];
};

constexpr std::size_t kRingEvents = 4096;

std::optional<std::vector<std::string>> output_ports(jack_client_t* client) {
  const char** ports = jack_get_ports(client, nullptr, JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput);
  std::vector<std::string> names;
  if (ports) {
    for (const char** p = ports; *p; ++p) names.emplace_back(*p);
    jack_free(ports);
  }
  return names;
}

}  // namespace

std::unique_ptr<JackMidiIn> JackMidiIn::open(const std::string& client_name,
                                             const std::string& port_name, Handler handler,
                                             std::string& error) {
  std::unique_ptr<JackMidiIn> in(new JackMidiIn());
  in->handler_ = std::move(handler);
  jack_status_t status{};
  in->client_ = jack_client_open(client_name.c_str(), JackNoStartServer, &status);
  if (!in->client_) {
    error = "JACK server not running or cannot be reached (status " +
            std::to_string(static_cast<int>(status)) + ")";
    return nullptr;
  }
  in->port_ = jack_port_register(in->client_, port_name.c_str(), JACK_DEFAULT_MIDI_TYPE,
                                 JackPortIsInput, 0);
  if (!in->port_) {
    error = "JACK cannot create the MIDI port " + client_name + ":" + port_name;
    return nullptr;  // the destructor closes the client
  }
  in->ring_ = jack_ringbuffer_create(kRingEvents * sizeof(Event));
  if (!in->ring_ || sem_init(&in->wake_, 0, 0) != 0) {
    error = "cannot allocate the MIDI input buffer";
    return nullptr;
  }
  in->sem_ready_ = true;
  jack_ringbuffer_mlock(in->ring_);
  in->reader_ = std::thread([p = in.get()] {
    pthread_setname_np(pthread_self(), "lj-midi-in");
    p->read_loop();
  });
  jack_set_process_callback(in->client_, &JackMidiIn::process, in.get());
  if (jack_activate(in->client_) != 0) {
    error = "JACK cannot activate the MIDI client " + client_name;
    return nullptr;
  }
  return in;
}

JackMidiIn::~JackMidiIn() {
  if (client_) {
    jack_deactivate(client_);  // the process callback has returned for good
    jack_client_close(client_);
  }
  stopping_.store(true);
  if (sem_ready_) sem_post(&wake_);
  if (reader_.joinable()) reader_.join();
  if (sem_ready_) sem_destroy(&wake_);
  if (ring_) jack_ringbuffer_free(ring_);
}

std::atomic<void (*)(bool)> g_callback_probe{nullptr};

int JackMidiIn::process(jack_nframes_t frames, void* arg) {
  auto* const probe = g_callback_probe.load(std::memory_order_relaxed);
  if (probe) probe(true);
  const int result = copy_events(frames, arg);
  if (probe) probe(false);
  return result;
}

int JackMidiIn::copy_events(jack_nframes_t frames, void* arg) {
  auto* self = static_cast<JackMidiIn*>(arg);
  void* buffer = jack_port_get_buffer(self->port_, frames);
  const jack_nframes_t count = jack_midi_get_event_count(buffer);
  if (count == 0) return 0;
  const jack_nframes_t cycle_start = jack_last_frame_time(self->client_);
  bool wrote = false;
  for (jack_nframes_t i = 0; i < count; ++i) {
    jack_midi_event_t event;
    if (jack_midi_event_get(&event, buffer, i) != 0) continue;
    if (event.size == 0 || event.size > 3) continue;  // SysEx and the like: not for us
    Event e{};
    // The event's own frame on JACK's clock (microseconds, CLOCK_MONOTONIC on Linux).
    e.seconds =
        static_cast<double>(jack_frames_to_time(self->client_, cycle_start + event.time)) * 1e-6;
    e.size = static_cast<std::uint8_t>(event.size);
    std::memcpy(e.bytes, event.buffer, event.size);
    if (jack_ringbuffer_write_space(self->ring_) < sizeof e) {
      self->dropped_.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    jack_ringbuffer_write(self->ring_, reinterpret_cast<const char*>(&e), sizeof e);
    wrote = true;
  }
  if (wrote) sem_post(&self->wake_);  // a futex wake: no lock, no allocation
  return 0;
}

void JackMidiIn::read_loop() {
  std::vector<unsigned char> bytes;
  bytes.reserve(3);
  while (true) {
    while (sem_wait(&wake_) != 0) {
    }  // EINTR
    Event e;
    while (jack_ringbuffer_read_space(ring_) >= sizeof e) {
      jack_ringbuffer_read(ring_, reinterpret_cast<char*>(&e), sizeof e);
      bytes.assign(e.bytes, e.bytes + e.size);
      handler_(bytes, e.seconds);
    }
    if (stopping_.load()) return;
  }
}

std::optional<std::vector<std::string>> JackMidiIn::sources() const {
  auto names = output_ports(client_);
  if (!names) return names;
  // Our own client has no output ports, but a virtual client of the same process might.
  const std::string own = std::string(jack_get_client_name(client_)) + ":";
  std::erase_if(*names, [&](const std::string& n) { return n.rfind(own, 0) == 0; });
  return names;
}

bool JackMidiIn::connect(const std::string& source) {
  const int r = jack_connect(client_, source.c_str(), jack_port_name(port_));
  return r == 0 || r == EEXIST;
}

bool JackMidiIn::connected_to(const std::string& source) const {
  return jack_port_connected_to(port_, source.c_str()) != 0;
}

std::optional<std::vector<std::string>> JackMidiIn::list_sources(std::string& error) {
  jack_status_t status{};
  jack_client_t* client = jack_client_open("latentjam-list", JackNoStartServer, &status);
  if (!client) {
    error = "JACK server not running or cannot be reached";
    return std::nullopt;
  }
  auto names = output_ports(client);
  jack_client_close(client);
  return names;
}

}  // namespace latentjam::control
