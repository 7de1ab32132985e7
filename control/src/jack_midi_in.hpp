// MIDI input on JACK with libjack directly (private to control/; MidiInput uses it for the "jack"
// API, RtMidi for ALSA).
//
// Why not RtMidi's JACK backend: it unregisters its port while its client is still active, so a
// process callback running at that moment crashes inside libjack (about once in 30 runs of our
// JACK tests, at every reconnect and shutdown). Here the port is registered once and never
// unregistered while the client runs: reconnecting is jack_connect(), and shutting down is
// jack_deactivate() (which returns once the process callback has returned for good) before
// anything is freed.
//
// Real-time discipline: the process callback only copies each event's bytes and its time into a
// MidiEventRing; parsing happens on its ordinary reader thread.
//
// An event's time is its frame on JACK's frame clock, in seconds (frames / sample rate): the audio
// clock itself. Converting frames to wall-clock time instead (jack_frames_to_time) carries the
// lateness of each process cycle into the MIDI clock's tempo fit: on a loaded machine a late
// cycle and the catch-up cycles after it put ticks that are evenly spaced in frames tens of
// milliseconds apart in time.
#pragma once

#include <jack/jack.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "midi_event_ring.hpp"

namespace latentjam::control {

// MidiInput::set_jack_callback_probe() sets it; the process callback reads it.
extern std::atomic<void (*)(bool)> g_callback_probe;

class JackMidiIn {
 public:
  // bytes, their time in seconds on JACK's frame clock (monotonic, from an arbitrary origin).
  using Handler = std::function<void(const std::vector<unsigned char>&, double)>;

  // A client named `client_name` with one MIDI input port `port_name`; nullptr and a reason in
  // `error` when there is no JACK server or the port cannot be made.
  static std::unique_ptr<JackMidiIn> open(const std::string& client_name,
                                          const std::string& port_name, Handler handler,
                                          std::string& error);
  ~JackMidiIn();
  JackMidiIn(const JackMidiIn&) = delete;
  JackMidiIn& operator=(const JackMidiIn&) = delete;

  // MIDI output ports of other clients, by full name; nullopt when JACK stopped answering.
  std::optional<std::vector<std::string>> sources() const;
  // Connects `source` (a full port name) to our input; true when connected.
  bool connect(const std::string& source);
  bool connected_to(const std::string& source) const;
  // Events dropped because the reader fell behind by a whole ring (never expected).
  std::uint64_t dropped() const { return ring_ ? ring_->dropped() : 0; }

  // Output MIDI ports a temporary client sees (for MidiInput::list_ports).
  static std::optional<std::vector<std::string>> list_sources(std::string& error);

 private:
  JackMidiIn() = default;
  static int process(jack_nframes_t frames, void* self);  // the probe around copy_events()
  static int copy_events(jack_nframes_t frames, void* self);

  jack_client_t* client_ = nullptr;
  jack_port_t* port_ = nullptr;
  std::unique_ptr<MidiEventRing> ring_;
  // The process callback's own: JACK's 32-bit frame counter unwrapped (it wraps after a day at
  // 48 kHz).
  jack_nframes_t last_cycle_start_ = 0;
  std::uint64_t frames_ = 0;
  bool started_ = false;
};

}  // namespace latentjam::control
