// Records what the master bus plays to a WAV file. The audio thread only copies into a ring; a
// writer thread drains it to libsndfile and rewrites the header every second (a live or crashed
// recording reads as what it holds); close() writes the rest. RF64 past 4 GiB, plain WAV below.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "latentjam/engine/spsc_ring.hpp"

namespace latentjam::engine {

class WavRecorder {
 public:
  // Told once, on the writer thread, when the file stops taking audio (a full disk, a file size
  // limit): the recording keeps what it holds, the rest is counted as lost, the music plays on.
  using FailureSink = std::function<void(const std::string& reason)>;

  // nullptr and a reason in `error` when the file cannot be created.
  static std::unique_ptr<WavRecorder> open(const std::string& path, int sample_rate, int channels,
                                           std::string& error, FailureSink on_failure = {});
  ~WavRecorder();

  // Audio thread: never blocks; samples that do not fit are counted as dropped.
  void write(const float* interleaved, int frames);
  void close();

  const std::string& path() const { return path_; }
  std::uint64_t dropped_samples() const { return dropped_.load(); }
  std::uint64_t frames_written() const { return written_.load(); }
  // Frames the file did not take after a write failed.
  std::uint64_t frames_lost() const { return lost_.load(); }

 private:
  WavRecorder(std::string path, void* file, int channels, std::size_t ring_samples);
  void drain_loop();
  std::size_t drain_once();

  std::string path_;
  void* file_;  // SNDFILE*, kept out of this header
  int channels_;
  SpscRing<float> ring_;
  std::thread writer_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> dropped_{0}, written_{0}, lost_{0};
  FailureSink on_failure_;
  bool failed_ = false;  // writer thread (and close() after it joined) only
};

}  // namespace latentjam::engine
