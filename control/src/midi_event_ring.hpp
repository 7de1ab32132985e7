// The hand-off from a MIDI callback to an ordinary thread, for both MIDI back ends (private to
// control/): the callback copies each message's bytes and time into a lock-free single-producer
// ring (libjack's jack_ringbuffer, which needs no JACK server) and posts a semaphore; a reader
// thread ("lj-midi-in") parses them. So nothing that locks, allocates or waits runs on JACK's
// real-time thread or on RtMidi's ALSA thread.
#pragma once

#include <jack/ringbuffer.h>
#include <semaphore.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace latentjam::control {

class MidiEventRing {
 public:
  // The reader thread calls it with each message's bytes and time (seconds).
  using Handler = std::function<void(const std::vector<unsigned char>&, double)>;

  // Starts the reader; nullptr and a reason in `error` when the ring cannot be made.
  static std::unique_ptr<MidiEventRing> start(Handler handler, std::string& error);
  // Stops the reader after what is in the ring. The producer must have stopped pushing.
  ~MidiEventRing();
  MidiEventRing(const MidiEventRing&) = delete;
  MidiEventRing& operator=(const MidiEventRing&) = delete;

  // Producer side, one thread (the MIDI callback): no lock, allocation or wait. Messages longer
  // than 3 bytes (SysEx: nothing for latentjam) are skipped; a full ring drops and counts.
  void push(const unsigned char* bytes, std::size_t size, double seconds);
  // Wakes the reader for what was pushed (once per callback is enough): a futex post.
  void wake() { sem_post(&wake_); }
  std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  MidiEventRing() = default;
  void read_loop();

  jack_ringbuffer_t* ring_ = nullptr;
  sem_t wake_{};
  bool sem_ready_ = false;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> dropped_{0};
  Handler handler_;
  std::thread reader_;
};

}  // namespace latentjam::control
