// Proves the audio callback's discipline: no allocation, no free, no lock, no wait, no write, on
// the null device and on a real JACK server (dummy driver). The hooks below replace the C library's
// entry points for this executable and count calls made while the audio thread is inside a
// callback.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <semaphore.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "../support/jack_midi_sender.hpp"
#include "latentjam/control/midi_input.hpp"
#include "latentjam/engine/audio_device.hpp"
#include "latentjam/engine/conductor.hpp"
#include "latentjam/engine/link_clock.hpp"
#include "latentjam/engine/mixer.hpp"

namespace {
thread_local bool t_in_callback = false;
std::atomic<int> g_allocs{0}, g_frees{0}, g_locks{0}, g_waits{0}, g_writes{0};

template <class F>
F real(const char* name) {
  static_assert(sizeof(F) == sizeof(void*));
  return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}
}  // namespace

extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
void __libc_free(void*);

void* malloc(size_t n) {
  if (t_in_callback) g_allocs++;
  return __libc_malloc(n);
}
void* calloc(size_t n, size_t m) {
  if (t_in_callback) g_allocs++;
  return __libc_calloc(n, m);
}
void* realloc(void* p, size_t n) {
  if (t_in_callback) g_allocs++;
  return __libc_realloc(p, n);
}
void* aligned_alloc(size_t a, size_t n) {
  if (t_in_callback) g_allocs++;
  return __libc_memalign(a, n);
}
int posix_memalign(void** out, size_t a, size_t n) {
  if (t_in_callback) g_allocs++;
  *out = __libc_memalign(a, n);
  return *out ? 0 : ENOMEM;
}
void free(void* p) {
  if (t_in_callback && p) g_frees++;
  __libc_free(p);
}
int pthread_mutex_lock(pthread_mutex_t* m) {
  if (t_in_callback) g_locks++;
  static auto fn = real<int (*)(pthread_mutex_t*)>("pthread_mutex_lock");
  return fn(m);
}
int pthread_mutex_trylock(pthread_mutex_t* m) {
  if (t_in_callback) g_locks++;
  static auto fn = real<int (*)(pthread_mutex_t*)>("pthread_mutex_trylock");
  return fn(m);
}
int pthread_cond_wait(pthread_cond_t* c, pthread_mutex_t* m) {
  if (t_in_callback) g_waits++;
  static auto fn = real<int (*)(pthread_cond_t*, pthread_mutex_t*)>("pthread_cond_wait");
  return fn(c, m);
}
int sem_wait(sem_t* s) {
  if (t_in_callback) g_waits++;
  static auto fn = real<int (*)(sem_t*)>("sem_wait");
  return fn(s);
}
int usleep(useconds_t us) {
  if (t_in_callback) g_waits++;
  static auto fn = real<int (*)(useconds_t)>("usleep");
  return fn(us);
}
int nanosleep(const struct timespec* a, struct timespec* b) {
  if (t_in_callback) g_waits++;
  static auto fn = real<int (*)(const struct timespec*, struct timespec*)>("nanosleep");
  return fn(a, b);
}
ssize_t write(int fd, const void* buf, size_t n) {
  if (t_in_callback) g_writes++;
  static auto fn = real<ssize_t (*)(int, const void*, size_t)>("write");
  return fn(fd, buf, n);
}
}  // extern "C"

using namespace latentjam::engine;

namespace {

void probe(bool entering) {
  t_in_callback = entering;
}

void reset_counts() {
  g_allocs = 0;
  g_frees = 0;
  g_locks = 0;
  g_waits = 0;
  g_writes = 0;
}

// Mixer plus a meter, as the daemon's master bus is.
class MeteredMixer final : public AudioClient {
 public:
  explicit MeteredMixer(double rate) : mixer(rate, 120.0, 1.0) {}
  void render(float* out, int frames, int channels) override {
    mixer.process(out, frames, channels);
    for (int i = 0; i < frames * channels; ++i)
      if (std::fabs(out[i]) > peak.load(std::memory_order_relaxed)) peak.store(std::fabs(out[i]));
  }
  Mixer mixer;
  std::atomic<float> peak{0.0f};
};

Sound* make_sound(std::uint64_t id, int voice, double loop_beats, std::size_t n, float level) {
  auto* s = new Sound;
  s->id = id;
  s->voice = voice;
  s->loop_beats = loop_beats;
  s->samples.resize(n);
  for (std::size_t i = 0; i < n; ++i)
    s->samples[i] = level * std::sin(float(i) * 0.05f) * (1.0f - float(i) / float(n));
  return s;
}

// Keeps the audio thread busy with everything it can be asked to do: new one-shots and loops
// (crossfades), triggers beyond the polyphony (voice stealing), tempo and quantum changes.
void exercise(MeteredMixer& m, const AudioDevice& device, int rounds) {
  std::uint64_t id = 1;
  const std::uint64_t start = device.stats().callbacks;
  for (int r = 0; r < rounds; ++r) {
    for (int v = 0; v < 3; ++v) {
      Sound* s = make_sound(id++, v, 0.0, 2400, 0.3f);
      ASSERT_TRUE(m.mixer.post({AudioMessage::Kind::SetSound, v, 0, s}));
      for (int k = 0; k < 16; ++k)
        ASSERT_TRUE(m.mixer.post({AudioMessage::Kind::Trigger, v, 0.8f, nullptr, s->id}));
      // The fast lane too, from another thread as the OSC and MIDI threads post hits.
      std::thread input([&m, v, sound = s->id] {
        for (int k = 0; k < 8; ++k) {
          AudioMessage hit{AudioMessage::Kind::Trigger, v, 0.7f, nullptr, sound};
          hit.received_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                std::chrono::steady_clock::now().time_since_epoch())
                                .count();
          EXPECT_TRUE(m.mixer.post_hit(hit));
        }
      });
      input.join();
    }
    Sound* loop = make_sound(id++, 3, 1.0, 24000, 0.3f);
    ASSERT_TRUE(m.mixer.post({AudioMessage::Kind::SetSound, 3, 0, loop}));
    ASSERT_TRUE(m.mixer.post({AudioMessage::Kind::Tempo, 0, r % 2 ? 120.0f : 121.0f}));
    ASSERT_TRUE(m.mixer.post({AudioMessage::Kind::Quantize, 0, r % 3 ? 1.0f : 0.0f}));
    // Let the audio thread take these before the next round (an event: callbacks counted).
    const std::uint64_t target = device.stats().callbacks + 8;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (device.stats().callbacks < target && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    m.mixer.collect_garbage();
  }
  EXPECT_GE(device.stats().callbacks, start + std::uint64_t(rounds) * 8);
}

void expect_clean_callbacks() {
  EXPECT_EQ(g_allocs.load(), 0) << "the audio callback allocated";
  EXPECT_EQ(g_frees.load(), 0) << "the audio callback freed";
  EXPECT_EQ(g_locks.load(), 0) << "the audio callback took a lock";
  EXPECT_EQ(g_waits.load(), 0) << "the audio callback waited";
  EXPECT_EQ(g_writes.load(), 0) << "the audio callback wrote (logged)";
}

// Starts the device with the probe installed, exercises the mixer, stops, and checks the counts.
void run_probed(MeteredMixer& m, AudioDevice& device, int rounds) {
  reset_counts();
  set_audio_thread_probe(probe);
  std::string error;
  ASSERT_TRUE(device.start(error)) << error;
  exercise(m, device, rounds);
  device.stop();
  set_audio_thread_probe(nullptr);
  expect_clean_callbacks();
  // The fast lane's hits were played, and their latencies recorded, inside those callbacks.
  EXPECT_GE(m.mixer.hit_latency().count, std::uint64_t(rounds) * 3 * 8);
}

}  // namespace

// The hooks themselves must see what they are meant to see, or the tests below prove nothing.
TEST(AudioThreadHooks, CountAllocationsLocksAndWritesInsideACallback) {
  reset_counts();
  t_in_callback = true;
  void* p = std::malloc(32);
  std::free(p);
  void* q = ::operator new(16);  // a direct call, which the compiler may not elide
  ::operator delete(q);
  pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_lock(&mutex);
  pthread_mutex_unlock(&mutex);
  [[maybe_unused]] auto n = ::write(-1, "", 0);
  t_in_callback = false;
  EXPECT_EQ(g_allocs.load(), 2);
  EXPECT_EQ(g_frees.load(), 2);
  EXPECT_EQ(g_locks.load(), 1);
  EXPECT_EQ(g_writes.load(), 1);
}

TEST(AudioThread, NullDeviceCallbackNeverAllocatesLocksOrWaits) {
  MeteredMixer m(48000);
  std::string error;
  auto device = AudioDevice::open({"none", 48000, 64, 2}, m, error);
  ASSERT_TRUE(device) << error;
  run_probed(m, *device, 40);
  EXPECT_GT(m.peak.load(), 0.1f) << "nothing was played";
  EXPECT_GT(m.mixer.voices_stolen(), 0u) << "voice stealing was not exercised";
  EXPECT_GT(m.mixer.sounds_swapped(), 100u);
}

// The same, following an enabled Link clock: host-time filter, audio session state, bar from Link.
TEST(AudioThread, NullDeviceCallbackFollowingLinkNeverAllocatesLocksOrWaits) {
  LinkClock link(120.0);
  link.enable(true);
  MeteredMixer m(48000);
  m.mixer.follow(&link);
  std::string error;
  auto device = AudioDevice::open({"none", 48000, 64, 2}, m, error);
  ASSERT_TRUE(device) << error;
  run_probed(m, *device, 20);
  EXPECT_TRUE(m.mixer.following_link());
}

TEST(AudioThread, JackCallbackNeverAllocatesLocksOrWaits) {
  const char* server = std::getenv("JACK_DEFAULT_SERVER");
  if (!server) {
    if (std::getenv("CI")) FAIL() << "JACK_DEFAULT_SERVER is not set: run through ctest";
    GTEST_SKIP() << "no JACK server for this run (ctest starts one)";
  }
  MeteredMixer m(48000);
  std::string error;
  auto device = AudioDevice::open({"jack", 48000, 64, 2}, m, error);
  ASSERT_TRUE(device) << error;
  EXPECT_NE(device->name().find("jack"), std::string::npos);
  EXPECT_EQ(device->sample_rate(), 48000);
  run_probed(m, *device, 40);
  EXPECT_GT(m.peak.load(), 0.1f) << "no audio flowed through JACK";
  EXPECT_EQ(device->buffer_frames(), 64);
}

namespace {
std::atomic<int> g_midi_callbacks{0};
void midi_probe(bool entering) {
  t_in_callback = entering;
  if (entering) g_midi_callbacks++;
}
}  // namespace

// The JACK MIDI input's process callback (JACK's real-time thread) only copies bytes and a time
// into a lock-free ring and wakes the reader: no allocation, free, lock, wait or write, while a
// controller sends notes, control changes and clock as fast as JACK takes them.
TEST(AudioThread, JackMidiCallbackNeverAllocatesLocksOrWaits) {
  if (!std::getenv("JACK_DEFAULT_SERVER")) {
    if (std::getenv("CI")) FAIL() << "JACK_DEFAULT_SERVER is not set: run through ctest";
    GTEST_SKIP() << "no JACK server for this run (ctest starts one)";
  }
  std::mutex mutex;
  std::condition_variable arrived;
  int commands = 0;
  latentjam::control::MidiInput::Options options;
  options.commands = &latentjam::engine::command_table();
  options.api = "jack";
  options.port = "virtual";
  options.client_name = "lj-rt-midi-test";
  std::string error;
  auto in = latentjam::control::MidiInput::open(
      options,
      [&](latentjam::control::Parsed&&) {
        std::lock_guard lock(mutex);  // the reader thread, not the JACK callback
        ++commands;
        arrived.notify_all();
      },
      nullptr, error);
  ASSERT_TRUE(in) << error;
  latentjam::testing::JackMidiSender out("lj-rt-midi-sender");
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE(out.connect("lj-rt-midi-test"));

  reset_counts();
  g_midi_callbacks = 0;
  latentjam::control::MidiInput::set_jack_callback_probe(midi_probe);
  constexpr int kMessages = 300;
  for (int k = 0; k < kMessages; ++k) {
    out.send({0x90, 36, static_cast<unsigned char>(1 + k % 127)});  // kick
    out.send({0xB0, 1, static_cast<unsigned char>(k % 128)});       // slider 1
    out.send({0xF8});                                               // clock
  }
  {
    // JACK drops the MIDI of a cycle it misses; most of it arrives.
    std::unique_lock lock(mutex);
    arrived.wait_for(lock, std::chrono::seconds(10), [&] { return commands >= kMessages; });
  }
  latentjam::control::MidiInput::set_jack_callback_probe(nullptr);
  in.reset();
  EXPECT_GT(g_midi_callbacks.load(), 0) << "the probe never ran";
  EXPECT_GE(commands, kMessages / 2) << "too little MIDI arrived to prove anything";
  expect_clean_callbacks();
}
