#include "latentjam/engine/audio_device.hpp"

#include <time.h>

#include <algorithm>

namespace latentjam::engine {

namespace {
std::atomic<AudioThreadProbe> g_probe{nullptr};

std::int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);  // vDSO: no system call, safe on the audio thread
  return std::int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}
}  // namespace

void set_audio_thread_probe(AudioThreadProbe probe) {
  g_probe.store(probe);
}

AudioDevice::AudioDevice(AudioClient& client, int sample_rate, int buffer_frames, int channels)
    : client_(client),
      sample_rate_(sample_rate),
      buffer_frames_(buffer_frames),
      channels_(channels) {}

void AudioDevice::run_client(float* out, int frames) {
  AudioThreadProbe probe = g_probe.load(std::memory_order_relaxed);
  if (probe) probe(true);
  const std::int64_t start = now_ns();
  client_.render(out, frames, channels_);
  const double period_ns = 1e9 * frames / sample_rate_;
  const double load = double(now_ns() - start) / period_ns;
  const std::uint64_t n = callbacks_.fetch_add(1, std::memory_order_relaxed) + 1;
  // A 1-second-ish moving average: reacts to trouble, ignores one odd callback.
  const double alpha = std::max(1.0 / double(n), double(frames) / sample_rate_);
  load_mean_.store(load_mean_.load(std::memory_order_relaxed) * (1.0 - alpha) + load * alpha,
                   std::memory_order_relaxed);
  if (load > load_peak_.load(std::memory_order_relaxed))
    load_peak_.store(load, std::memory_order_relaxed);
  if (probe) probe(false);
}

AudioStats AudioDevice::stats() const {
  return {callbacks_.load(), xruns_.load(), load_mean_.load(), load_peak_.load()};
}

std::unique_ptr<AudioDevice> AudioDevice::open(const AudioOptions& options, AudioClient& client,
                                               std::string& error) {
  if (options.sample_rate < 8000 || options.sample_rate > 192000) {
    error = "sample rate " + std::to_string(options.sample_rate) + " is out of range 8000..192000";
    return nullptr;
  }
  if (options.buffer_frames < 16 || options.buffer_frames > 8192) {
    error = "buffer " + std::to_string(options.buffer_frames) + " is out of range 16..8192 frames";
    return nullptr;
  }
  if (options.name == "none") return open_null_device(options, client);
  return open_rtaudio_device(options, client, error);
}

}  // namespace latentjam::engine
