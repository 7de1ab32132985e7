// A device with no hardware: a thread that calls the client once per buffer period, on an absolute
// clock so that time does not drift. A wake-up later than one period counts as an xrun.
#include <pthread.h>
#include <time.h>

#include <atomic>
#include <thread>
#include <vector>

#include "latentjam/engine/audio_device.hpp"

namespace latentjam::engine {
namespace {

class NullAudioDevice final : public AudioDevice {
 public:
  NullAudioDevice(const AudioOptions& o, AudioClient& client)
      : AudioDevice(client, o.sample_rate, o.buffer_frames, o.channels),
        buffer_(static_cast<std::size_t>(o.buffer_frames * o.channels)) {}
  ~NullAudioDevice() override { stop(); }

  bool start(std::string&) override {
    running_ = true;
    thread_ = std::thread([this] { loop(); });
    return true;
  }
  void stop() override {
    running_ = false;
    if (thread_.joinable()) thread_.join();
  }
  std::string name() const override { return "none"; }

 private:
  void loop() {
    pthread_setname_np(pthread_self(), "lj-audio-null");
    const long period_ns = static_cast<long>(1e9 * buffer_frames_ / sample_rate_);
    timespec next{};
    clock_gettime(CLOCK_MONOTONIC, &next);
    while (running_.load(std::memory_order_relaxed)) {
      run_client(buffer_.data(), buffer_frames_);
      next.tv_nsec += period_ns;
      while (next.tv_nsec >= 1000000000) {
        next.tv_nsec -= 1000000000;
        next.tv_sec += 1;
      }
      timespec now{};
      clock_gettime(CLOCK_MONOTONIC, &now);
      const long long late =
          (now.tv_sec - next.tv_sec) * 1000000000LL + (now.tv_nsec - next.tv_nsec);
      if (late > period_ns) {  // missed a whole period: a real card would have glitched
        count_xrun();
        next = now;
      }
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr);
    }
  }

  std::vector<float> buffer_;
  std::thread thread_;
  std::atomic<bool> running_{false};
};

}  // namespace

std::unique_ptr<AudioDevice> open_null_device(const AudioOptions& options, AudioClient& client) {
  return std::make_unique<NullAudioDevice>(options, client);
}

}  // namespace latentjam::engine
