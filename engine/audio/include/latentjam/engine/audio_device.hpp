// The sound card, or a null device clocked in real time for headless rigs and tests. Both call the
// client from their audio thread and measure how long it took.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace latentjam::engine {

class AudioClient {
 public:
  virtual ~AudioClient() = default;
  // Called on the audio thread: fill `frames` interleaved frames of `channels` channels.
  virtual void render(float* out, int frames, int channels) = 0;
};

struct AudioOptions {
  // "default" (the system's default output), "none" (null device), an API ("jack", "alsa",
  // "pulse"), or part of a device name as listed by --list-devices.
  std::string name = "default";
  int sample_rate = 48000;
  int buffer_frames = 256;
  int channels = 2;
};

struct AudioStats {
  std::uint64_t callbacks = 0;
  std::uint64_t xruns = 0;
  double load_mean = 0.0;  // callback time / buffer period, smoothed
  double load_peak = 0.0;  // worst since start
};

// Tests install a probe to check what the audio thread does inside a callback (allocations, locks).
// It is called with true on entry and false on exit, on the audio thread.
using AudioThreadProbe = void (*)(bool entering);
void set_audio_thread_probe(AudioThreadProbe probe);

class AudioDevice {
 public:
  // nullptr and a reason in `error` when the device cannot be opened.
  static std::unique_ptr<AudioDevice> open(const AudioOptions& options, AudioClient& client,
                                           std::string& error);
  // Output devices RtAudio can see, one "api: name" per entry.
  static std::vector<std::string> list();

  virtual ~AudioDevice() = default;
  virtual bool start(std::string& error) = 0;
  virtual void stop() = 0;
  virtual std::string name() const = 0;
  int sample_rate() const { return sample_rate_; }
  int buffer_frames() const { return buffer_frames_; }
  AudioStats stats() const;

 protected:
  AudioDevice(AudioClient& client, int sample_rate, int buffer_frames, int channels);
  // Every backend's callback goes through here.
  void run_client(float* out, int frames);
  void count_xrun() { xruns_.fetch_add(1, std::memory_order_relaxed); }

  AudioClient& client_;
  int sample_rate_;
  int buffer_frames_;
  int channels_;

 private:
  std::atomic<std::uint64_t> callbacks_{0}, xruns_{0};
  std::atomic<double> load_mean_{0.0}, load_peak_{0.0};
};

std::unique_ptr<AudioDevice> open_null_device(const AudioOptions& options, AudioClient& client);
std::unique_ptr<AudioDevice> open_rtaudio_device(const AudioOptions& options, AudioClient& client,
                                                 std::string& error);

}  // namespace latentjam::engine
