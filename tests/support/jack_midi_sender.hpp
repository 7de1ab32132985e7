// A MIDI controller on JACK for tests: a client with one MIDI output port that writes the messages
// the test thread sends in its next process cycle.
//
// Why not RtMidiOut: its JACK backend frees its ring buffer before it closes the JACK client, so a
// process callback still running at that moment reads freed memory; tests that destroyed a sender
// crashed about once in fifteen runs (jack_ringbuffer_peek in RtMidi's process callback). Here the
// client is deactivated first: jack_deactivate returns once the process callback has returned for
// good, and only then is anything freed.
#pragma once

#include <jack/jack.h>
#include <jack/midiport.h>
#include <jack/ringbuffer.h>

#include <cstdint>
#include <string>
#include <vector>

namespace latentjam::testing {

class JackMidiSender {
 public:
  // `client` is the JACK client name; the port is "<client>:out".
  explicit JackMidiSender(const std::string& client) {
    ring_ = jack_ringbuffer_create(1 << 14);
    client_ = jack_client_open(client.c_str(), JackNoStartServer, nullptr);
    if (!client_) return;
    port_ = jack_port_register(client_, "out", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
    jack_set_process_callback(client_, &JackMidiSender::process, this);
    if (!port_ || jack_activate(client_) != 0) {
      jack_client_close(client_);
      client_ = nullptr;
    }
  }
  ~JackMidiSender() {
    if (client_) {
      jack_deactivate(client_);  // the process callback has returned for good
      jack_client_close(client_);
    }
    jack_ringbuffer_free(ring_);
  }
  JackMidiSender(const JackMidiSender&) = delete;
  JackMidiSender& operator=(const JackMidiSender&) = delete;

  bool ok() const { return client_ != nullptr; }

  // Test thread (one writer): queues one message for the next cycle; false when it does not fit.
  bool send(const std::vector<unsigned char>& bytes) {
    const auto size = static_cast<std::uint32_t>(bytes.size());
    if (size == 0 || jack_ringbuffer_write_space(ring_) < sizeof size + size) return false;
    jack_ringbuffer_write(ring_, reinterpret_cast<const char*>(&size), sizeof size);
    jack_ringbuffer_write(ring_, reinterpret_cast<const char*>(bytes.data()), size);
    return true;
  }

  // Connects the output to the first JACK MIDI input whose name contains `name`.
  bool connect(const std::string& name) {
    if (!client_) return false;
    const char** ports =
        jack_get_ports(client_, name.c_str(), JACK_DEFAULT_MIDI_TYPE, JackPortIsInput);
    if (!ports) return false;
    const bool connected = ports[0] && jack_connect(client_, jack_port_name(port_), ports[0]) == 0;
    jack_free(ports);
    return connected;
  }

 private:
  static int process(jack_nframes_t frames, void* arg) {
    auto* self = static_cast<JackMidiSender*>(arg);
    void* buffer = jack_port_get_buffer(self->port_, frames);
    jack_midi_clear_buffer(buffer);
    std::uint32_t size = 0;
    unsigned char message[256];
    // Real-time thread: copies whole messages only, no allocation, no lock.
    while (jack_ringbuffer_peek(self->ring_, reinterpret_cast<char*>(&size), sizeof size) ==
               sizeof size &&
           jack_ringbuffer_read_space(self->ring_) >= sizeof size + size) {
      jack_ringbuffer_read_advance(self->ring_, sizeof size);
      const std::uint32_t take = size < sizeof message ? size : sizeof message;
      jack_ringbuffer_read(self->ring_, reinterpret_cast<char*>(message), take);
      if (size > take) jack_ringbuffer_read_advance(self->ring_, size - take);
      jack_midi_event_write(buffer, 0, message, take);
    }
    return 0;
  }

  jack_ringbuffer_t* ring_ = nullptr;
  jack_client_t* client_ = nullptr;
  jack_port_t* port_ = nullptr;
};

}  // namespace latentjam::testing
