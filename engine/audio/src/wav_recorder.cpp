#include "latentjam/engine/wav_recorder.hpp"

#include <sndfile.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

namespace latentjam::engine {

namespace {
constexpr std::size_t kRingSeconds = 4;  // how long the writer may stall before samples drop
// The header is rewritten this often, so a recording is readable while it runs and after a crash
// (at most this much audio is missing from its declared length).
constexpr auto kHeaderEvery = std::chrono::seconds(1);
}  // namespace

std::unique_ptr<WavRecorder> WavRecorder::open(const std::string& path, int sample_rate,
                                               int channels, std::string& error,
                                               FailureSink on_failure) {
  SF_INFO info{};
  info.samplerate = sample_rate;
  info.channels = channels;
  // RF64, downgraded to a plain WAV at close when it stayed under 4 GiB: a long set never stops
  // at the RIFF size limit, and a short one stays readable by anything.
  info.format = SF_FORMAT_RF64 | SF_FORMAT_FLOAT;
  SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
  if (!file) {
    error = "cannot create recording " + path + ": " + sf_strerror(nullptr);
    return nullptr;
  }
  sf_command(file, SFC_RF64_AUTO_DOWNGRADE, nullptr, SF_TRUE);
  auto rec = std::unique_ptr<WavRecorder>(new WavRecorder(
      path, file, channels, kRingSeconds * static_cast<std::size_t>(sample_rate * channels)));
  rec->on_failure_ = std::move(on_failure);
  rec->writer_ = std::thread([r = rec.get()] { r->drain_loop(); });
  return rec;
}

WavRecorder::WavRecorder(std::string path, void* file, int channels, std::size_t ring_samples)
    : path_(std::move(path)), file_(file), channels_(channels), ring_(ring_samples) {}

WavRecorder::~WavRecorder() {
  close();
}

void WavRecorder::write(const float* interleaved, int frames) {
  const std::size_t n = static_cast<std::size_t>(frames * channels_);
  const std::size_t pushed = ring_.push(interleaved, n);
  if (pushed < n) dropped_.fetch_add(n - pushed, std::memory_order_relaxed);
}

std::size_t WavRecorder::drain_once() {
  float chunk[4096];
  std::size_t total = 0;
  std::size_t n;
  // Whole frames only, so channels never shift.
  const std::size_t max = sizeof(chunk) / sizeof(float) / static_cast<std::size_t>(channels_) *
                          static_cast<std::size_t>(channels_);
  const auto frames = [this](std::size_t samples) {
    return samples / static_cast<std::size_t>(channels_);
  };
  while ((n = ring_.pop(chunk, max)) > 0) {
    total += n;
    if (failed_) {  // the ring still drains, so the audio thread never sees it full
      lost_.fetch_add(frames(n), std::memory_order_relaxed);
      continue;
    }
    errno = 0;
    const sf_count_t wrote =
        sf_write_float(static_cast<SNDFILE*>(file_), chunk, static_cast<sf_count_t>(n));
    const std::size_t kept = wrote > 0 ? static_cast<std::size_t>(wrote) : 0;
    written_.fetch_add(frames(kept), std::memory_order_relaxed);
    if (kept < n) {
      failed_ = true;
      lost_.fetch_add(frames(n - kept), std::memory_order_relaxed);
      const int why = errno;
      const std::string reason =
          "recording " + path_ + " stopped after " + std::to_string(written_.load()) +
          " frames: " + (why ? std::strerror(why) : sf_strerror(static_cast<SNDFILE*>(file_))) +
          "; the music plays on, the rest is not recorded";
      if (on_failure_) on_failure_(reason);
    }
  }
  return total;
}

void WavRecorder::drain_loop() {
  auto next_header = std::chrono::steady_clock::now() + kHeaderEvery;
  while (!stop_.load()) {
    if (drain_once() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (std::chrono::steady_clock::now() >= next_header) {
      sf_command(static_cast<SNDFILE*>(file_), SFC_UPDATE_HEADER_NOW, nullptr, 0);
      next_header += kHeaderEvery;
    }
  }
}

void WavRecorder::close() {
  if (!file_) return;
  stop_ = true;
  if (writer_.joinable()) writer_.join();
  drain_once();
  sf_write_sync(static_cast<SNDFILE*>(file_));
  sf_close(static_cast<SNDFILE*>(file_));
  file_ = nullptr;
}

}  // namespace latentjam::engine
