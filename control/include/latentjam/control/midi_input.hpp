// MIDI input through RtMidi (ALSA or JACK): receives bytes on RtMidi's thread, turns them into
// commands with MidiMap and hands them to a sink that must not block (the engine's command queue).
//
// Ports. `port` chooses the source: "" connects to the first available output port of the API,
// "virtual" creates an input port named after the client ("latentjam") that others connect to,
// anything else connects to the first port whose name contains it (case-insensitive). A named or
// first port does not have to exist yet: the input starts disconnected and connects when it shows
// up.
//
// Reconnection. A watcher thread lists the API's ports every `poll_interval` (500 ms): when the
// connected port's name is gone it closes the port (connected() turns false); when a matching port
// is present while disconnected, it opens it again. A port that vanishes and comes back within
// one poll is not noticed (for a USB controller, unplugging takes longer). A virtual port has no
// watcher: it is always connected. A JACK server that dies is not recovered.
//
// Threads:
//   - RtMidi's thread (ALSA: RtMidi's input thread; JACK: the JACK process thread) runs MidiMap
//     and calls `sink` and `on_learned`. Both must return quickly and never block.
//   - the watcher thread opens and closes the port.
//   - any other thread (the conductor) may call learn(), bindings(), connected(), port_name()
//     and last_error(); they take the same short mutex as the callback (never the audio thread).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "latentjam/control/command.hpp"
#include "latentjam/control/midi_map.hpp"

namespace latentjam::control {

// Which of the MIDI sources `names` to try, best first: those whose name contains `wanted`
// (case-insensitive; every source when `wanted` is empty, i.e. "any"). For "any", software loopback
// ports ("Midi Through") come after every other source, so a pad or keyboard plugged in wins.
std::vector<std::size_t> midi_port_order(const std::vector<std::string>& names,
                                         std::string_view wanted);

class MidiInput {
 public:
  // Tests install a probe to check what the JACK MIDI process callback does (allocations, locks):
  // called with true on entry and false on exit, on JACK's real-time thread.
  using CallbackProbe = void (*)(bool entering);
  static void set_jack_callback_probe(CallbackProbe probe);

  struct Options {
    const CommandTable* commands = nullptr;  // required: what MIDI's commands are validated against
    std::string api;   // "alsa", "jack", or "" / "default" for RtMidi's first compiled API
    std::string port;  // "" first available, "virtual", or part of a port name
    std::string client_name = "latentjam";  // ALSA/JACK client name, and the virtual port's name
    MidiMapOptions map;
    std::chrono::milliseconds poll_interval{500};  // how often the watcher lists the ports
  };
  using Sink = std::function<void(Parsed&&)>;
  using LearnedSink = std::function<void(const MidiLearned&)>;

  // Opens the API and, when present, the port; starts the watcher. nullptr and a reason in `error`
  // when the API cannot be used (unknown name, no ALSA sequencer, JACK server not running) or the
  // options are invalid. A missing named port is not an error (see above).
  static std::unique_ptr<MidiInput> open(const Options& options, Sink sink, LearnedSink on_learned,
                                         std::string& error);
  ~MidiInput();
  MidiInput(const MidiInput&) = delete;
  MidiInput& operator=(const MidiInput&) = delete;

  // Output ports the API offers now (what `port` is matched against); empty and `error` set when
  // the API cannot be used.
  static std::vector<std::string> list_ports(std::string_view api, std::string& error);

  bool connected() const;
  std::string port_name() const;   // the connected port's full name; "" when disconnected
  std::string last_error() const;  // the last error RtMidi reported, "" if none

  // MIDI learn, see MidiMap::learn(). Any thread.
  bool learn(std::string_view target, std::string& error);
  // Configured and learned bindings, for saving. Any thread.
  std::vector<MidiBinding> bindings() const;

  struct Impl;  // public only so RtMidi's C-style callbacks can reach it; defined in the .cpp

 private:
  explicit MidiInput(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace latentjam::control
