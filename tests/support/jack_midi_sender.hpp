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
  // Messages go out in the order they were queued, so one queued after send_at() messages goes out
  // with or after the last of them.
  bool send(const std::vector<unsigned char>& bytes) { return send_at(bytes, kNow); }

  // Queues one message for a frame of JACK's frame clock (frame_now() plus an offset): it is
  // written at that frame's place in its cycle, wherever the test thread was scheduled when it
  // queued it; a frame already past goes out at the start of the next cycle. Frames must not
  // decrease from one call to the next.
  bool send_at(const std::vector<unsigned char>& bytes, jack_nframes_t frame) {
    const auto size = static_cast<std::uint32_t>(bytes.size());
    const Header header{frame, size};
    if (size == 0 || jack_ringbuffer_write_space(ring_) < sizeof header + size) return false;
    jack_ringbuffer_write(ring_, reinterpret_cast<const char*>(&header), sizeof header);
    jack_ringbuffer_write(ring_, reinterpret_cast<const char*>(bytes.data()), size);
    return true;
  }

  // The frame JACK is at now (its estimate between cycles), and its sample rate.
  jack_nframes_t frame_now() const { return jack_frame_time(client_); }
  jack_nframes_t sample_rate() const { return jack_get_sample_rate(client_); }

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
    const jack_nframes_t cycle_start = jack_last_frame_time(self->client_);
    Header header{};
    unsigned char message[256];
    jack_nframes_t last_offset = 0;
    // Real-time thread: copies whole messages only, no allocation, no lock.
    while (jack_ringbuffer_peek(self->ring_, reinterpret_cast<char*>(&header), sizeof header) ==
               sizeof header &&
           jack_ringbuffer_read_space(self->ring_) >= sizeof header + header.size) {
      jack_nframes_t offset = 0;
      if (header.frame != kNow) {
        // Signed distance on the wrapping frame counter: negative is past.
        const auto ahead = static_cast<std::int32_t>(header.frame - cycle_start);
        if (ahead >= static_cast<std::int32_t>(frames)) break;  // a later cycle's
        offset = ahead > 0 ? static_cast<jack_nframes_t>(ahead) : 0;
      }
      if (offset < last_offset) offset = last_offset;  // events in a cycle never go back
      last_offset = offset;
      jack_ringbuffer_read_advance(self->ring_, sizeof header);
      const std::uint32_t take = header.size < sizeof message ? header.size : sizeof message;
      jack_ringbuffer_read(self->ring_, reinterpret_cast<char*>(message), take);
      if (header.size > take) jack_ringbuffer_read_advance(self->ring_, header.size - take);
      jack_midi_event_write(buffer, offset, message, take);
    }
    return 0;
  }

  struct Header {
    jack_nframes_t frame;  // kNow: the next cycle
    std::uint32_t size;
  };
  static constexpr jack_nframes_t kNow = 0xffffffffu;

  jack_ringbuffer_t* ring_ = nullptr;
  jack_client_t* client_ = nullptr;
  jack_port_t* port_ = nullptr;
};

}  // namespace latentjam::testing
