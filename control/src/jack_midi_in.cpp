#include "jack_midi_in.hpp"

#include <jack/midiport.h>
#include <pthread.h>

#include <cerrno>
#include <cstring>

namespace latentjam::control {

namespace {

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
  in->ring_ = MidiEventRing::start(std::move(handler), error);
  if (!in->ring_) return nullptr;
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
  ring_.reset();  // after the callback: it was the ring's only producer
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
  const jack_nframes_t cycle_start = jack_last_frame_time(self->client_);
  // Unsigned difference: right across the counter's wrap.
  if (self->started_)
    self->frames_ += static_cast<jack_nframes_t>(cycle_start - self->last_cycle_start_);
  self->last_cycle_start_ = cycle_start;
  self->started_ = true;
  const jack_nframes_t count = jack_midi_get_event_count(buffer);
  if (count == 0) return 0;
  const double rate = static_cast<double>(jack_get_sample_rate(self->client_));
  bool wrote = false;
  for (jack_nframes_t i = 0; i < count; ++i) {
    jack_midi_event_t event;
    if (jack_midi_event_get(&event, buffer, i) != 0) continue;
    self->ring_->push(event.buffer, event.size,
                      static_cast<double>(self->frames_ + event.time) / rate);
    wrote = true;
  }
  if (wrote) self->ring_->wake();  // a futex wake: no lock, no allocation
  return 0;
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
