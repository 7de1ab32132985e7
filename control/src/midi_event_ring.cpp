#include "midi_event_ring.hpp"

#include <pthread.h>

#include <cstring>

namespace latentjam::control {

namespace {

// One message in the ring: its time, its length and up to 3 bytes (channel and system real-time
// messages).
struct Event {
  double seconds;
  std::uint8_t size;
  std::uint8_t bytes[3];
};

constexpr std::size_t kRingEvents = 4096;

}  // namespace

std::unique_ptr<MidiEventRing> MidiEventRing::start(Handler handler, std::string& error) {
  std::unique_ptr<MidiEventRing> ring(new MidiEventRing());
  ring->handler_ = std::move(handler);
  ring->ring_ = jack_ringbuffer_create(kRingEvents * sizeof(Event));
  if (!ring->ring_ || sem_init(&ring->wake_, 0, 0) != 0) {
    error = "cannot allocate the MIDI input buffer";
    return nullptr;
  }
  ring->sem_ready_ = true;
  jack_ringbuffer_mlock(ring->ring_);
  ring->reader_ = std::thread([p = ring.get()] {
    pthread_setname_np(pthread_self(), "lj-midi-in");
    p->read_loop();
  });
  return ring;
}

MidiEventRing::~MidiEventRing() {
  stopping_.store(true);
  if (sem_ready_) sem_post(&wake_);
  if (reader_.joinable()) reader_.join();
  if (sem_ready_) sem_destroy(&wake_);
  if (ring_) jack_ringbuffer_free(ring_);
}

void MidiEventRing::push(const unsigned char* bytes, std::size_t size, double seconds) {
  if (size == 0 || size > 3) return;
  Event e{};
  e.seconds = seconds;
  e.size = static_cast<std::uint8_t>(size);
  std::memcpy(e.bytes, bytes, size);
  if (jack_ringbuffer_write_space(ring_) < sizeof e) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  jack_ringbuffer_write(ring_, reinterpret_cast<const char*>(&e), sizeof e);
}

void MidiEventRing::read_loop() {
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

}  // namespace latentjam::control
